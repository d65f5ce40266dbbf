"""Measurements behind the transforms' defaults: `python -m textlatent.transform_eval MODE`.

- `vary`: for each radius, the share of variations that differ from their source sentence,
  the distinct variations per source, and the share of valid English words in them.
- `sample`: valid words, distinct samples and the share that copy a training sentence.
- `directions`: for each direction and strength, how often it moves held-out sentences the
  intended way, and how much of the source is kept (word overlap and BLEU).

Every figure in MODEL_CARD.md about the transforms comes from one of these commands.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from . import transforms
from .evaluate import english_words, read_sentences, valid_word_counts
from .fidelity import DEFAULT, GREEDY, decode_verified


def heldout() -> list[str]:
    """The shipped held-out sentences (never in the training corpus)."""
    return read_sentences(Path(str(resources.files("textlatent.data")
                                   .joinpath("heldout_sentences.txt"))))


def decode_texts(model, z: np.ndarray, decode: str = "verified") -> list[str]:
    budget = GREEDY if decode == "greedy" else DEFAULT
    return [d.text for d in decode_verified(model, z, budget)]


def valid_words(texts: Sequence[str]) -> float:
    valid, total = valid_word_counts(texts, english_words())
    return valid / total if total else 0.0


def word_overlap(source: str, text: str) -> float:
    """Share of the source's (lowercased) words that the text keeps, as a multiset."""
    from collections import Counter

    a, b = Counter(source.lower().split()), Counter(text.lower().split())
    return sum((a & b).values()) / max(sum(a.values()), 1)


def measure_vary(model, sentences: Sequence[str], radii: Sequence[float], n: int = 8,
                 seed: int = 0, decode: str = "verified") -> list[dict]:
    """Per radius: differ (share of variations != source), distinct per source, valid_words."""
    spec = transforms.get("vary")
    src = model.encode(list(sentences))
    recon = decode_texts(model, src, decode)
    rows = [{"radius": 0.0, "differ": 0.0, "differ_from_reconstruction": 0.0,
             "distinct_per_source": 0.0, "valid_words": valid_words(recon),
             "source_valid_words": valid_words(sentences)}]
    for radius in radii:
        z = np.concatenate([spec.latents({"source": s}, {"n": n, "radius": radius,
                                                          "seed": seed + i})
                            for i, s in enumerate(src)])
        texts = decode_texts(model, z, decode)
        groups = [texts[i * n:(i + 1) * n] for i in range(len(sentences))]
        differ = sum(t.strip() != s.strip() for s, g in zip(sentences, groups) for t in g)
        differ_r = sum(t.strip() != r.strip() for r, g in zip(recon, groups) for t in g)
        distinct = [len({t for t in g if t.strip() != s.strip()})
                    for s, g in zip(sentences, groups)]
        rows.append({"radius": radius, "differ": differ / len(texts),
                     "differ_from_reconstruction": differ_r / len(texts),
                     "distinct_per_source": float(np.mean(distinct)),
                     "valid_words": valid_words(texts), "example": groups[0][:3]})
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m textlatent.transform_eval")
    p.add_argument("mode", choices=["vary", "sample", "directions"])
    p.add_argument("--model", default=None, help="model folder (default: builtin)")
    p.add_argument("--sentences", type=int, default=50, help="held-out sentences used")
    p.add_argument("--radii", default="0.3,0.4,0.5,0.6,0.7,0.8,0.9")
    p.add_argument("--n", type=int, default=8)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--decode", choices=["verified", "greedy"], default="verified")
    p.add_argument("--corpus", default=None, help="training corpus, for copies (sample)")
    p.add_argument("--directions", nargs="*", default=None, help="names (directions)")
    p.add_argument("--strengths", default=None, help="comma-separated (directions)")
    args = p.parse_args(argv)

    from . import load_model

    model = load_model(args.model)
    if args.mode == "vary":
        radii = [float(r) for r in args.radii.split(",")]
        out = measure_vary(model, heldout()[:args.sentences], radii, args.n, args.seed,
                           args.decode)
    elif args.mode == "sample":
        from .sample_eval import measure_sample

        out = measure_sample(model, args)
    else:
        from .sample_eval import measure_directions

        out = measure_directions(model, args)
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
