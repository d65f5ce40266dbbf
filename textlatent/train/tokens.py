"""Pre-tokenising a corpus once: the sentences left after the exclusions, tokenised and cut to a
model's limit, saved as the `.npz` that `train(data=...)` and `train --preset --corpus X.npz`
read. A GPU run then skips reading, matching and tokenising the text.

    python -m textlatent.train.tokens data/corpus.txt --out data/tokens96.npz \
        [--tokenizer FILE] [--max-tokens 96]
"""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

MEASUREMENT_FILES = ("eval_sentences.txt", "eval_pairs.tsv", "heldout_sentences.txt",
                     "heldout_pairs.tsv", "parallel_pairs.tsv")
BUILTIN_TOKENIZER = Path(__file__).resolve().parents[1] / "models" / "builtin" / "tokenizer.model"


def shipped_exclusions() -> list[Path]:
    """The shipped evaluation and measurement files: never trained on."""
    data = resources.files("textlatent.data")
    return [Path(str(data.joinpath(name))) for name in MEASUREMENT_FILES]


def write_token_file(corpus: Path, out: Path, tokenizer: Path = BUILTIN_TOKENIZER,
                     max_tokens: int = 96, exclude: list[Path] | None = None) -> dict:
    """Tokenise the usable, non-excluded lines of `corpus` into `out` -> counts."""
    from ..corpus.exclusions import load_exclusions
    from ..tokenizer import Tokenizer
    from .data import corpus_report, read_corpus, save_token_data, tokenize_corpus

    excluded = load_exclusions(shipped_exclusions() if exclude is None else exclude)
    texts, counts = read_corpus(Path(corpus), excluded)
    seqs = tokenize_corpus(texts, Tokenizer(tokenizer), max_tokens, counts)
    save_token_data(Path(out), seqs)
    print(corpus_report(corpus, len(texts), counts, max_tokens))
    return {"sentences": len(seqs), "tokens": int(sum(len(s) for s in seqs)), **counts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m textlatent.train.tokens",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tokenizer", type=Path, default=BUILTIN_TOKENIZER)
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--exclude", type=Path, nargs="+",
                        help="files whose sentences are left out (default: the shipped "
                             "evaluation, held-out and parallel-pair files)")
    args = parser.parse_args(argv)
    print(write_token_file(args.corpus, args.out, args.tokenizer, args.max_tokens, args.exclude))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
