"""Fortune cookie files (apt: fortunes, fortunes-min)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..text import is_sentence_like, split_sentences

FORTUNE_SKIP = set(
    "ascii-art ethnic men-women drugs debian knghtbrd linux linuxcookie perl translate-me "
    "computers zippy startrek".split()
)


def extract_fortunes(root: Path) -> Iterator[str]:
    """Sentences from fortune cookie files (offensive and chat-log sets skipped)."""
    folder = root / "usr/share/games/fortunes"
    for path in sorted(folder.iterdir()):
        if path.suffix or path.name in FORTUNE_SKIP or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for entry in re.split(r"^%\s*$", text, flags=re.M):
            yield from _fortune_sentences(entry)


def _fortune_sentences(entry: str) -> Iterator[str]:
    lines = []
    for line in entry.splitlines():
        stripped = line.strip()
        if re.match(r"(--|-- |\u2014|~)", stripped) or re.match(r"\s{4,}--", line):
            break
        if re.match(r"^[A-Za-z .]{1,20}:", stripped):
            return  # dialogue / IRC transcript
        lines.append(stripped)
    paragraph = " ".join(lines)
    for sent in split_sentences(paragraph):
        if is_sentence_like(sent):
            yield sent
