"""Latency, throughput and memory benchmark of a loaded model (what `textlatent bench` prints)."""

from __future__ import annotations

import resource
import statistics
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .latent import blend_path

if TYPE_CHECKING:
    from .backends.base import TextAutoencoder

SENTENCE = "the dog barked all night and the neighbours could not sleep"
OTHER = "a small boat drifted slowly across the quiet lake at dawn"
BATCH = 64
WARMUP = 2


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
    """encode / reconstruct / 9-step blend latency (median ms), batch throughput, memory."""
    import torch

    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    ends = model.encode([SENTENCE, OTHER])
    path = blend_path(ends[0], ends[1], 9, "slerp")
    batch = [SENTENCE] * BATCH
    batch_ms = median_ms(lambda: model.reconstruct(batch), max(3, repeats // 5), warmup=1)
    return {
        "encode_ms": median_ms(lambda: model.encode([SENTENCE]), repeats),
        "reconstruct_ms": median_ms(lambda: model.reconstruct([SENTENCE]), repeats),
        "blend9_ms": median_ms(lambda: model.decode(path), repeats),
        "sentences_per_s": BATCH / (batch_ms / 1000.0),
        "peak_rss_mb": peak_rss_mb(),
        "threads": torch.get_num_threads(),
    }
