"""Dasher's English language-model training text (apt: dasher-data)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..text import is_sentence_like, split_sentences


def extract_dasher(root: Path) -> Iterator[str]:
    """Sentences from Dasher's English language-model training text."""
    path = root / "usr/share/dasher/training_english_GB.txt"
    text = path.read_text(encoding="utf-8", errors="replace").replace("`", "'")
    for line in text.splitlines():
        for sent in split_sentences(line):
            if is_sentence_like(sent):
                yield sent
