"""Attributed quotations from the GCIDE dictionary (apt: dict-gcide)."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

from ..text import is_sentence_like, split_sentences

_GCIDE_AUTHOR_RE = re.compile(r"\s--\s?[A-Z][^\n]*$")


def extract_gcide(root: Path) -> Iterator[str]:
    """Attributed quotations (indented citation blocks) from the GCIDE dictionary."""
    path = root / "usr/share/dictd/gcide.dict.dz"
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
        block: list[str] = []
        for line in fh:
            if line.startswith(" " * 8) and not line.lstrip().startswith("["):
                block.append(line.strip())
                continue
            if block and _GCIDE_AUTHOR_RE.search(block[-1]):
                text = _GCIDE_AUTHOR_RE.sub("", " ".join(block))
                for sent in split_sentences(text):
                    if is_sentence_like(sent):
                        yield sent
            block = []
