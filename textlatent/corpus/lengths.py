"""The length histogram of a sentence file: lines by word count, and (with a tokenizer) how many
would be cut at a model's token limit.

    python -m textlatent.corpus.lengths data/corpus.txt [--tokenizer FILE] [--json]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path

WORD_BINS = ((1, 5), (6, 10), (11, 15), (16, 20), (21, 25), (26, 30), (31, 40), (41, None))
TOKEN_LIMITS = (64, 96, 128)


def bin_name(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else f"{low}-{high}"


def length_histogram(lines: Iterable[str], tokenizer: Path | None = None) -> dict:
    """Counts of lines (total and distinct) per word-count bin; with a tokenizer, the share of
    lines longer than each model token limit in `TOKEN_LIMITS` (a limit of L keeps L - 1)."""
    lines = [line for line in (raw.strip() for raw in lines) if line]
    bins = {bin_name(lo, hi): {"lines": 0, "distinct": 0} for lo, hi in WORD_BINS}
    seen: set[str] = set()
    for line in lines:
        n = len(line.split())
        name = next(bin_name(lo, hi) for lo, hi in WORD_BINS if hi is None or n <= hi)
        bins[name]["lines"] += 1
        if line not in seen:
            seen.add(line)
            bins[name]["distinct"] += 1
    result: dict = {"lines": len(lines), "distinct": len(seen), "by_words": bins}
    if tokenizer is not None:
        from ..tokenizer import Tokenizer

        counts = [len(ids) for ids in Tokenizer(tokenizer).encode_batch(lines)]
        result["tokens"] = sum(counts)
        result["cut_at"] = {str(limit): sum(c > limit - 1 for c in counts)
                            for limit in TOKEN_LIMITS}
    return result


def format_histogram(hist: dict) -> str:
    """The histogram as a markdown table (plus the cut counts, if any)."""
    rows = ["| words | lines | distinct | share of lines |", "|---|---:|---:|---:|"]
    for name, row in hist["by_words"].items():
        rows.append(f"| {name} | {row['lines']:,} | {row['distinct']:,} | "
                    f"{row['lines'] / max(hist['lines'], 1):.3f} |")
    rows.append(f"| all | {hist['lines']:,} | {hist['distinct']:,} | 1.000 |")
    if "cut_at" in hist:
        cuts = ", ".join(f"{n:,} over a {limit}-token model" for limit, n in hist["cut_at"].items())
        rows.append(f"\n{hist['tokens']:,} tokens; lines cut: {cuts}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m textlatent.corpus.lengths",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--tokenizer", type=Path, help="count tokens with this model too")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with open(args.file, encoding="utf-8", errors="replace") as fh:
        hist = length_histogram(fh, args.tokenizer)
    print(json.dumps(hist, indent=2) if args.json else format_histogram(hist))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
