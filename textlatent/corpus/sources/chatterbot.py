"""Conversation lines of the English chatterbot corpus (PyPI: chatterbot-corpus)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..text import split_sentences


def extract_chatterbot(root: Path) -> Iterator[str]:
    """Conversation lines from the English chatterbot corpus YAML files."""
    folder = root / "chatterbot_corpus/data/english"
    skip = {"coding.yml", "tech_support.yml", "computers.yml"}
    for path in sorted(folder.glob("*.yml")):
        if path.name in skip:
            continue
        in_conversations = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"\w+:", line):
                in_conversations = line.startswith("conversations:")
                continue
            match = re.match(r"\s*(?:- )+(.*)$", line)
            if in_conversations and match:
                text = match.group(1).strip().strip("'\"")
                if text not in ("", "|", ">"):
                    yield from split_sentences(text)
