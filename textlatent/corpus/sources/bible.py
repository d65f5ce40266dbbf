"""The World English Bible (apt: sword-text-web), read with the optional pysword package."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..text import is_sentence_like, split_sentences

_OSIS_NOTE_RE = re.compile(r"<note\b.*?</note>", re.S)
_TAG_RE = re.compile(r"<[^>]+>")


def extract_bible(root: Path) -> Iterator[str]:
    """Sentences of the World English Bible (SWORD module, read with pysword)."""
    from pysword.modules import SwordModules  # optional dependency

    modules = SwordModules([str(root / "usr/share/sword")])
    (key, _conf), *_ = modules.parse_modules().items()
    bible = modules.get_bible_from_module(key)
    verses = (
        _TAG_RE.sub("", _OSIS_NOTE_RE.sub(" ", verse)) for verse in bible.get_iter(clean=False)
    )
    text = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(verses))
    for sent in split_sentences(text):
        if is_sentence_like(sent):
            yield sent
