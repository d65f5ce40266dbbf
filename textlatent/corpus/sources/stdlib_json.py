"""@stdlib dataset JSON files (npm: Moby-Dick, State of the Union addresses)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from ..text import prose_sentences


def extract_stdlib_json(root: Path) -> Iterator[str]:
    """Sentences from the ``text`` field of @stdlib dataset JSON files (SOTU, Moby-Dick)."""
    for path in sorted((root / "package/data").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(record, dict) and isinstance(record.get("text"), str):
            yield from prose_sentences(record["text"].splitlines())
