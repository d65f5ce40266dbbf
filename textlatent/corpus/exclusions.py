"""Exclusion matching: sentences that must never enter a corpus (the evaluation sets)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from .text import normalize_key


def load_exclusions(files: Iterable[Path]) -> set[str]:
    """Normalized sentences from exclude files (every tab-separated column)."""
    keys: set[str] = set()
    for path in files:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            for cell in line.split("\t"):
                key = normalize_key(cell)
                if key:
                    keys.add(key)
    return keys


def exclusion_matcher(keys: set[str]) -> Callable[[str], bool]:
    """Return a predicate: does a normalized key equal or contain any excluded key?"""
    if not keys:
        return lambda _key: False
    pattern = re.compile("|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)))
    return lambda key: key in keys or pattern.search(key) is not None
