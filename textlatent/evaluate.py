"""Reconstruction and blend metrics on sentence files (what `textlatent eval` prints).

The scoring functions work on plain lists of strings, so they can be checked without a model;
`reconstruction_metrics`, `blend_metrics` and `evaluate` run a model and score its output.
"""

from __future__ import annotations

import dataclasses
import re
import string
import time
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .decode_spec import DecodeSpec, decode
from .latent import blend_path

if TYPE_CHECKING:
    from .backends.base import TextAutoencoder

BUCKETS = (("1-5", 1, 5), ("6-10", 6, 10), ("11-15", 11, 15), ("16-20", 16, 20),
           ("21+", 21, None))
_PUNCT = string.punctuation + "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00ab\u00bb\u00bf\u00a1"
_NUMBER = re.compile(r"[+-]?(\d+([.,:/]\d+)*|\d*[.,]\d+)(st|nd|rd|th|s|%)?")


# -- reading the evaluation files ----------------------------------------------------------------
def read_sentences(path: str | Path) -> list[str]:
    """Non-empty lines of a one-sentence-per-line file."""
    path = Path(path)
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    sentences = [line for line in lines if line]
    if not sentences:
        raise ValueError(f"no sentences in {path}")
    return sentences


def read_pairs(path: str | Path) -> list[tuple[str, str]]:
    """Sentence pairs from a file with two tab-separated sentences per line."""
    path = Path(path)
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) != 2 or not all(parts):
            raise ValueError(f"{path} line {number}: expected two tab-separated sentences")
        pairs.append((parts[0], parts[1]))
    if not pairs:
        raise ValueError(f"no sentence pairs in {path}")
    return pairs


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The shipped English word list (Debian wamerican), lowercased."""
    text = resources.files("textlatent.data").joinpath("words.txt").read_text(encoding="utf-8")
    return frozenset(w.strip().lower() for w in text.splitlines() if w.strip())


# -- pure scoring functions ----------------------------------------------------------------------
def words(text: str) -> list[str]:
    """Whitespace-separated words."""
    return text.split()


def length_bucket(n_words: int) -> str:
    """Name of the length bucket for a sentence of `n_words` words."""
    for name, low, high in BUCKETS:
        if n_words >= low and (high is None or n_words <= high):
            return name
    return BUCKETS[0][0]


def token_accuracy(reference: str, output: str) -> float:
    """Position-wise word matches divided by the longer of the two word counts."""
    ref, out = words(reference), words(output)
    longest = max(len(ref), len(out))
    if longest == 0:
        return 1.0
    return sum(a == b for a, b in zip(ref, out, strict=False)) / longest


def edit_distance(a: Sequence[str], b: Sequence[str]) -> int:
    """Levenshtein distance between two sequences (of words)."""
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def score_reconstruction(references: Sequence[str], outputs: Sequence[str]) -> dict:
    """n, exact_match, corpus BLEU and token_accuracy, overall and by length bucket."""
    if len(references) != len(outputs):
        raise ValueError("references and outputs differ in number")
    result = _scores(references, outputs)
    by_length = {}
    for name, _, _ in BUCKETS:
        idx = [i for i, ref in enumerate(references) if length_bucket(len(words(ref))) == name]
        if idx:
            by_length[name] = _scores([references[i] for i in idx], [outputs[i] for i in idx])
    result["by_length"] = by_length
    return result


def _scores(references: Sequence[str], outputs: Sequence[str]) -> dict:
    import sacrebleu

    n = len(references)
    if n == 0:
        return {"n": 0, "exact_match": 0.0, "bleu": 0.0, "token_accuracy": 0.0}
    exact = sum(ref.strip() == out.strip() for ref, out in zip(references, outputs, strict=True))
    bleu = sacrebleu.corpus_bleu(list(outputs), [list(references)]).score
    acc = sum(token_accuracy(ref, out) for ref, out in zip(references, outputs, strict=True))
    return {"n": n, "exact_match": exact / n, "bleu": float(bleu), "token_accuracy": acc / n}


def path_progress(decodes: Sequence[str], a: str, b: str) -> tuple[int, int]:
    """(steps that move monotonically from a towards b, number of steps) along a decoded path.

    A step i (1..len-1) counts when the word-level edit distance to `a` does not fall and the
    distance to `b` does not rise compared with step i-1.
    """
    wa, wb = words(a), words(b)
    to_a = [edit_distance(words(d), wa) for d in decodes]
    to_b = [edit_distance(words(d), wb) for d in decodes]
    good = sum(to_a[i] >= to_a[i - 1] and to_b[i] <= to_b[i - 1] for i in range(1, len(decodes)))
    return good, max(len(decodes) - 1, 0)


def path_novelty(decodes: Sequence[str]) -> int:
    """Distinct intermediate decodes (all but the two ends) that differ from both ends."""
    if len(decodes) < 3:
        return 0
    ends = {decodes[0].strip(), decodes[-1].strip()}
    return len({d.strip() for d in decodes[1:-1]} - ends)


def is_valid_word(word: str, vocabulary: frozenset[str] | set[str]) -> bool | None:
    """True if an English word or a number, False if not, None if it is only punctuation."""
    core = word.strip(_PUNCT).lower()
    if not core:
        return None
    return core in vocabulary or bool(_NUMBER.fullmatch(core))


def valid_word_counts(texts: Sequence[str],
                      vocabulary: frozenset[str] | set[str]) -> tuple[int, int]:
    """(valid words, words) over all texts; pure punctuation is not counted."""
    valid = total = 0
    for text in texts:
        for word in words(text):
            verdict = is_valid_word(word, vocabulary)
            if verdict is not None:
                total += 1
                valid += verdict
    return valid, total


def score_blends(paths: Sequence[tuple[str, str, Sequence[str]]],
                 vocabulary: frozenset[str] | set[str] | None = None) -> dict:
    """Blend metrics from (sentence a, sentence b, decoded path) triples."""
    vocabulary = english_words() if vocabulary is None else vocabulary
    endpoints = good = steps = novel = valid = total = 0
    for a, b, decodes in paths:
        endpoints += decodes[0].strip() == a.strip() and decodes[-1].strip() == b.strip()
        g, s = path_progress(decodes, a, b)
        good, steps = good + g, steps + s
        novel += path_novelty(decodes)
        v, t = valid_word_counts(decodes[1:-1], vocabulary)
        valid, total = valid + v, total + t
    n = len(paths)
    return {
        "pairs": n,
        "endpoints": endpoints / n if n else 0.0,
        "progress": good / steps if steps else 0.0,
        "novelty": novel / n if n else 0.0,
        "valid_words": valid / total if total else 0.0,
    }


def fidelity_metrics(references: Sequence[str], fidelities: Sequence[float]) -> dict:
    """Mean fidelity and the share of verified decodes, overall and by length bucket."""
    from .fidelity import VERIFIED_AT

    def stats(idx: list[int]) -> dict:
        f = [fidelities[i] for i in idx]
        return {"n": len(f), "mean_fidelity": sum(f) / len(f) if f else 0.0,
                "verified": sum(x >= VERIFIED_AT for x in f) / len(f) if f else 0.0}

    result = stats(list(range(len(references))))
    result["by_length"] = {}
    for name, _, _ in BUCKETS:
        idx = [i for i, r in enumerate(references) if length_bucket(len(words(r))) == name]
        if idx:
            result["by_length"][name] = stats(idx)
    return result


# -- running a model -----------------------------------------------------------------------------
GREEDY_SPEC = DecodeSpec(how="greedy")


def reconstruct_timed(model: TextAutoencoder, sentences: Sequence[str],
                      spec: DecodeSpec | None = None) -> tuple[list, dict]:
    """Reconstruct `sentences` as `spec` says (default: auto), one batch per length bucket.

    -> (a `Decoded` per sentence, in order; {bucket: milliseconds per sentence}).
    """
    sentences = list(sentences)
    decoded: list = [None] * len(sentences)
    ms = {}
    for name, _, _ in BUCKETS:
        idx = [i for i, s in enumerate(sentences) if length_bucket(len(words(s))) == name]
        if not idx:
            continue
        start = time.perf_counter()
        out = decode(model, model.encode([sentences[i] for i in idx]), spec)
        ms[name] = (time.perf_counter() - start) * 1000.0 / len(idx)
        for i, d in zip(idx, out, strict=True):
            decoded[i] = d
    return decoded, ms


def reconstruction_metrics(model: TextAutoencoder, sentences: Sequence[str],
                           spec: DecodeSpec | None = None) -> dict:
    """Batched reconstruction of `sentences` as `spec` says, scored by `score_reconstruction`,
    with fidelity (mean, verified share) and milliseconds per sentence, by length bucket."""
    decoded, ms = reconstruct_timed(model, sentences, spec)
    return _with_fidelity(list(sentences), decoded, ms)


def _with_fidelity(sentences: list[str], decoded: list, ms: dict) -> dict:
    result = score_reconstruction(sentences, [d.text for d in decoded])
    fid = fidelity_metrics(sentences, [d.fidelity for d in decoded])
    total = sum(ms[name] * result["by_length"][name]["n"] for name in ms)
    for name, row in [("all", result), *result["by_length"].items()]:
        part = fid if name == "all" else fid["by_length"][name]
        row["mean_fidelity"] = part["mean_fidelity"]
        row["verified"] = part["verified"]
        row["ms_per_sentence"] = total / len(sentences) if name == "all" else ms[name]
    return result


def blend_paths(model: TextAutoencoder, pairs: Sequence[tuple[str, str]], steps: int = 9,
                spec: DecodeSpec = GREEDY_SPEC) -> list[list]:
    """A `steps`-point slerp path for each pair, decoded as `spec` says with the path's two
    ends as sentences (greedy: one decode per path) -> a list of `Decoded` per path."""
    latents = model.encode([s for pair in pairs for s in pair])
    return [decode(model, blend_path(latents[2 * i], latents[2 * i + 1], steps, "slerp"),
                   spec, "ends")
            for i in range(len(pairs))]


def blend_metrics(model: TextAutoencoder, pairs: Sequence[tuple[str, str]],
                  steps: int = 9, spec: DecodeSpec = GREEDY_SPEC) -> dict:
    """endpoints, progress, novelty and valid_words over slerp paths between sentence pairs,
    and the mean fidelity of the points between the ends."""
    if steps < 3:
        raise ValueError("blend metrics need at least 3 steps")
    if not pairs:
        raise ValueError("no sentence pairs given")
    decoded = blend_paths(model, pairs, steps, spec)
    result = score_blends([(a, b, [d.text for d in path])
                           for (a, b), path in zip(pairs, decoded, strict=True)])
    inner = [d.fidelity for path in decoded for d in path[1:-1]]
    result["mean_fidelity"] = sum(inner) / len(inner)
    return result


def evaluate(model: TextAutoencoder, sentences_file: str | Path, pairs_file: str | Path,
             examples: int = 0, steps: int = 9, spec: DecodeSpec | None = None,
             blend_middle: str = "greedy") -> dict:
    """Reconstruction metrics on a sentence file plus blend metrics on a pairs file.

    Sentences and the ends of each blend path are decoded as `spec` says (default: auto); the
    points between the ends greedily, or with `blend_middle="decode"` like the ends. With
    `examples` > 0 the result also holds that many input/output pairs with their fidelity.
    """
    spec = spec or DecodeSpec()
    if blend_middle not in ("greedy", "decode"):
        raise ValueError("blend_middle must be greedy or decode")
    on_path = "verified" if blend_middle == "decode" else \
        "greedy" if spec.how == "greedy" else "auto"
    sentences = read_sentences(sentences_file)
    pairs = read_pairs(pairs_file)
    decoded, ms = reconstruct_timed(model, sentences, spec)
    result = _with_fidelity(sentences, decoded, ms)
    result["blend"] = blend_metrics(model, pairs, steps, dataclasses.replace(spec, how=on_path))
    if examples > 0:
        shown = zip(sentences[:examples], decoded[:examples], strict=True)
        result["examples"] = [{"input": s, "output": d.text, "fidelity": d.fidelity}
                              for s, d in shown]
    return result
