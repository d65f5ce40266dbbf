"""WordNet (apt: wordnet-base): usage examples and definition glosses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path


def extract_wordnet_examples(root: Path) -> Iterator[str]:
    """Usage examples quoted in WordNet glosses."""
    for _gloss, examples in _wordnet_glosses(root):
        for ex in examples:
            ex = re.sub(r"\s+-+\s*[A-Z][\w.' ]*$", "", ex).strip()
            yield ex


def extract_wordnet_glosses(root: Path) -> Iterator[str]:
    """Definition parts of WordNet glosses (lowercase phrases)."""
    for glosses, _examples in _wordnet_glosses(root):
        yield from glosses


def _wordnet_glosses(root: Path) -> Iterator[tuple[list[str], list[str]]]:
    for pos in ("noun", "verb", "adj", "adv"):
        path = root / "usr/share/wordnet" / f"data.{pos}"
        with path.open(encoding="latin-1") as fh:
            for line in fh:
                if line.startswith("  ") or "|" not in line:
                    continue
                gloss = line.split("|", 1)[1].strip()
                examples = re.findall(r'"([^"]+)"', gloss)
                rest = re.sub(r'"[^"]*"', "", gloss)
                defs = [d.strip(" ;:,()") for d in rest.split(";")]
                yield [d for d in defs if d], examples
