"""Latency, throughput and memory benchmark of a loaded model (what `textlatent bench` prints)."""

from __future__ import annotations

import resource
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from importlib import resources
from typing import TYPE_CHECKING

from .decode_spec import decode
from .evaluate import length_bucket, read_sentences, words
from .latent import blend_path

if TYPE_CHECKING:
    from .backends.base import TextAutoencoder

SENTENCE = "the dog barked all night and the neighbours could not sleep"
OTHER = "a small boat drifted slowly across the quiet lake at dawn"
LONG_BUCKET = "16-20"  # reconstruct_long_ms: the first held-out sentence of this many words
BATCH = 64
WARMUP = 2


def default_reconstruct(model: TextAutoencoder, texts: list[str]) -> list[str]:
    """The default decode of the texts' own latents (the decode request's auto: greedy,
    checked, corrected where it does not verify): what every reconstruct figure times."""
    return [d.text for d in decode(model, model.encode(texts))]


def long_sentence() -> str:
    """The first sentence of the shipped held-out file in the LONG_BUCKET length bucket."""
    path = resources.files("textlatent.data").joinpath("heldout_sentences.txt")
    for text in read_sentences(str(path)):
        if length_bucket(len(words(text))) == LONG_BUCKET:
            return text
    raise ValueError(f"no {LONG_BUCKET}-word sentence in {path}")


def median_ms(fn: Callable[[], object], repeats: int, warmup: int = WARMUP) -> float:
    """Median wall time of `fn()` in milliseconds after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(max(repeats, 1)):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_bench(model: TextAutoencoder, repeats: int = 30) -> dict:
    """Latency (median ms) of encode, reconstruct (an 11-word and a 16–20-word sentence, default
    decode) and a 9-step blend; batch throughput; memory.

    A model whose token limit cuts the long sentence is timed on what it keeps, silently.
    """
    import torch

    from .backends import TruncationWarning

    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    ends = model.encode([SENTENCE, OTHER])
    path = blend_path(ends[0], ends[1], 9, "slerp")
    batch = [SENTENCE] * BATCH
    long = [long_sentence()]
    batch_ms = median_ms(lambda: default_reconstruct(model, batch), max(3, repeats // 5),
                         warmup=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncationWarning)
        return {
            "encode_ms": median_ms(lambda: model.encode([SENTENCE]), repeats),
            "reconstruct_ms": median_ms(lambda: default_reconstruct(model, [SENTENCE]), repeats),
            "reconstruct_long_ms": median_ms(lambda: default_reconstruct(model, long), repeats),
            "blend9_ms": median_ms(lambda: decode(model, path, sentence_rows="ends"), repeats),
            "sentences_per_s": BATCH / (batch_ms / 1000.0),
            "peak_rss_mb": peak_rss_mb(),
            "threads": torch.get_num_threads(),
        }
