"""English Debian package long descriptions (apt-get update with Translation-en)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..fetch import read_apt_index
from ..text import is_sentence_like, split_sentences


def extract_debian(lists: Path) -> Iterator[str]:
    """Prose sentences from English Debian package long descriptions."""
    seen: set[str] = set()
    for path in sorted(lists.glob("*_main_i18n_Translation-en*")):
        for block in read_apt_index(path).split("\n\n"):
            for para in _description_paragraphs(block):
                if para in seen:
                    continue
                seen.add(para)
                for sent in split_sentences(para):
                    if is_sentence_like(sent) and not _DEBIAN_BOILERPLATE.match(sent):
                        yield sent


_DEBIAN_BOILERPLATE = re.compile(r"This (meta)?package\b")


def _description_paragraphs(block: str) -> Iterator[str]:
    lines: list[str] = []
    in_desc = False
    for line in block.splitlines():
        if line.startswith("Description-en:"):
            in_desc = True
            continue
        if not in_desc or not line.startswith(" "):
            continue
        if line.strip() == "." or line.startswith("  "):
            if lines:
                yield " ".join(lines)
            lines = []
            continue
        lines.append(line.strip())
    if lines:
        yield " ".join(lines)
