"""Measurements behind the transforms' defaults: `python -m textlatent.transform_eval MODE`.

- `vary`: for each radius, the share of variations that differ from their source sentence,
  the distinct variations per source, and the share of valid English words in them.
- `sample`: valid words, distinct samples and the share that copy a training sentence.
- `directions`: for each direction and strength, how often it moves held-out sentences the
  intended way, and how much of the source is kept (word overlap and BLEU).
- `index`: how much of the exact top 5 a projected index keeps, and the shipped index's load
  and search times.

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
from .decode_spec import DecodeSpec, decode
from .evaluate import english_words, read_sentences, valid_word_counts
from .paths import builtin_model_path


def heldout() -> list[str]:
    """The shipped held-out sentences (never in the training corpus)."""
    return read_sentences(Path(str(resources.files("textlatent.data")
                                   .joinpath("heldout_sentences.txt"))))


def decode_texts(model, z: np.ndarray, how: str = "verified") -> list[str]:
    return [d.text for d in decoded(model, z, how)]


def decoded(model, z: np.ndarray, how: str = "verified") -> list:
    """The rows decoded as `how` says, none of them taken as a sentence's encoding."""
    return decode(model, z, DecodeSpec(how=how), "none")


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


def measure_sample(model, prior, count: int, settings: Sequence[tuple[str, float]],
                   corpus: set[str] | None = None, seed: int = 0,
                   decode: str = "verified") -> list[dict]:
    """Per (method, radius or temperature): valid_words, distinct share, copies of corpus
    sentences, mean fidelity and examples."""
    spec = transforms.get("sample")
    rows = []
    for method, value in settings:
        params = {"n": count, "seed": seed, "method": method}
        params["radius" if method == "near" else "temperature"] = value
        z = np.concatenate([spec.latents({"prior": prior}, {**params, "n": min(256, count - i),
                                                            "seed": seed + i})
                            for i in range(0, count, 256)])
        out = decoded(model, z, decode)
        texts = [d.text for d in out]
        row = {"method": method, "value": value, "n": len(texts),
               "valid_words": valid_words(texts), "distinct": len(set(texts)) / len(texts),
               "fidelity": float(np.mean([d.fidelity for d in out])),
               "examples": texts[:6]}
        if corpus is not None:
            row["copies"] = sum(t.strip() in corpus for t in texts) / len(texts)
        rows.append(row)
    return rows


def measure_directions(model, found: dict, strengths: Sequence[float],
                       decode: str = "verified") -> dict:
    """Per direction and strength: the share of applicable held-out sentences moved the
    intended way, the words kept, BLEU against the source, and the share both moved and
    keeping at least half the source's words (the default strength maximises it)."""
    import sacrebleu

    from .direction_sets import applies, moved

    out = {}
    for name, direction in found.items():
        sentences = [s for s in heldout() if applies(name, s)]
        src = model.encode(sentences)
        rows = []
        for k in strengths:
            texts = decode_texts(model, direction.apply(src, k), decode)
            mv = [moved(name, s, t) for s, t in zip(sentences, texts)]
            kept = [word_overlap(s, t) for s, t in zip(sentences, texts)]
            rows.append({"strength": k, "n": len(sentences), "moved": float(np.mean(mv)),
                         "kept_words": float(np.mean(kept)),
                         "bleu": sacrebleu.corpus_bleu(texts, [sentences]).score,
                         "moved_and_kept": float(np.mean([m and w >= 0.5
                                                          for m, w in zip(mv, kept)])),
                         "examples": [[s, t] for s, t in zip(sentences[:4], texts[:4])]})
        best = max(rows, key=lambda r: (r["moved_and_kept"], -r["strength"]))
        out[name] = {"best_strength": best["strength"], "rows": rows}
    return out


def measure_index(model, corpus: Path, bank: int = 30000, queries: int = 500,
                  dims: Sequence[int] = (128, 192, 256), candidates: int = 64,
                  seed: int = 0) -> dict:
    """How much of the exact top 5 (among `bank` corpus latents) a projected index keeps in
    its own top 5 and in its top `candidates` (the ones re-encoded), per projection size;
    and the shipped index's load and search times."""
    import time

    from . import index as index_mod

    texts = index_mod.sample_lines(corpus, bank + queries, seed)
    z = index_mod.encode_all(model, texts)
    q, z = z[-queries:], z[:-queries]
    exact = np.argsort(-(q @ z.T), axis=1)[:, :5]
    rows = []
    for d in dims:
        basis = index_mod.principal_basis(z, d)
        s = (q @ basis.T) @ (z @ basis.T).astype(np.float16).astype(np.float32).T
        top = np.argsort(-s, axis=1)[:, :5]
        cand = np.argpartition(-s, candidates - 1, axis=1)[:, :candidates]
        rows.append({"dims": d,
                     "top5_in_top5": float(np.mean([len(set(e) & set(t)) / 5
                                                    for e, t in zip(exact, top)])),
                     f"top5_in_top{candidates}": float(np.mean([len(set(e) & set(c)) / 5
                                                                for e, c in zip(exact, cand)]))})
    t0 = time.perf_counter()
    shipped = index_mod.load(builtin_model_path())
    t1 = time.perf_counter()
    shipped.search(q[:1], 5)
    t2 = time.perf_counter()
    shipped.search(q[1:2], 5)
    t3 = time.perf_counter()
    shipped.search(q[2:3], 5, model=model)
    t4 = time.perf_counter()
    return {"bank": len(z), "queries": len(q), "rows": rows,
            "shipped": {"sentences": len(shipped), "load_s": t1 - t0,
                        "first_search_s": t2 - t1, "search_s": t3 - t2,
                        "search_with_rerank_s": t4 - t3}}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m textlatent.transform_eval")
    p.add_argument("mode", choices=["vary", "sample", "directions", "index"])
    p.add_argument("--model", default=None, help="model folder (default: builtin)")
    p.add_argument("--sentences", type=int, default=50, help="held-out sentences used")
    p.add_argument("--radii", default="0.3,0.4,0.5,0.6,0.7,0.8,0.9")
    p.add_argument("--n", type=int, default=8)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--decode", choices=["verified", "greedy"], default="verified",
                   help="how the rows are decoded (as `textlatent vary --decode`)")
    p.add_argument("--corpus", default=None, help="training corpus, for copies (sample)")
    p.add_argument("--directions", nargs="*", default=None, help="names (directions)")
    p.add_argument("--strengths", default=None, help="comma-separated (directions)")
    p.add_argument("--count", type=int, default=256, help="samples per setting (sample)")
    p.add_argument("--temperatures", default="1.0,0.7,0.5", help="gaussian (sample)")
    args = p.parse_args(argv)

    from . import load_model

    model = load_model(args.model)
    if args.mode == "vary":
        radii = [float(r) for r in args.radii.split(",")]
        out = measure_vary(model, heldout()[:args.sentences], radii, args.n, args.seed,
                           args.decode)
    elif args.mode == "sample":
        from . import prior as prior_mod

        folder = Path(args.model) if args.model else builtin_model_path()
        corpus = None
        if args.corpus:
            with open(args.corpus, encoding="utf-8") as f:
                corpus = {line.strip() for line in f}
        settings = [("near", float(r)) for r in args.radii.split(",")]
        settings += [("gaussian", float(t)) for t in args.temperatures.split(",")]
        out = measure_sample(model, prior_mod.load(folder), args.count, settings, corpus,
                             args.seed, args.decode)
    elif args.mode == "index":
        if not args.corpus:
            p.error("index needs --corpus")
        out = measure_index(model, Path(args.corpus), seed=args.seed)
    else:
        from . import directions

        folder = Path(args.model) if args.model else builtin_model_path()
        found = directions.available(folder, model.name)
        if args.directions:
            found = {k: v for k, v in found.items() if k in args.directions}
        strengths = [float(k) for k in (args.strengths or "0,0.5,1,1.5,2,3").split(",")]
        out = measure_directions(model, found, strengths, args.decode)
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
