"""One TextAutoencoder shared by many threads: the same answers as one thread, no overlap."""

from __future__ import annotations

import random
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from textlatent import load_model
from textlatent.backends import TruncationWarning
from textlatent.latent import blend_path

THREADS, CALLS = 8, 200
SHORT = 8  # decoded tokens per call: the tiny random model never stops by itself
TEXTS = ["The dog chased the ball.", "A cat sat on the mat.", "hello 🌍 Привет 你好",
         "bad \udcff byte", "a\x00b", "word " * 40, "שלום עולם", "e\u0301"]
OPS = ("encode", "decode", "beam", "sample", "reconstruct", "blend")


def _call(model, op: str, i: int, latents: np.ndarray):
    """One library call; the result is plain data to compare."""
    if op == "encode":
        return model.encode([TEXTS[i], TEXTS[(i + 1) % len(TEXTS)]]).tobytes()
    if op == "decode":
        return model.decode(latents[i], max_tokens=SHORT)
    if op == "beam":
        return model.decode(latents[i], beam=3, max_tokens=SHORT)
    if op == "sample":
        return model.decode(latents[i], temperature=1.0, top_p=0.9, seed=i, max_tokens=SHORT)
    if op == "reconstruct":
        return model.reconstruct([TEXTS[i]], max_tokens=SHORT)
    path = blend_path(latents[i], latents[(i + 3) % len(TEXTS)], 5)
    return model.decode(path, max_tokens=SHORT)


@pytest.fixture(scope="module")
def model(tiny_model_dir):
    return load_model(tiny_model_dir)


def test_threads_give_the_same_results_as_serial(model):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncationWarning)
        latents = model.encode(TEXTS)
        expected = {(op, i): _call(model, op, i, latents)
                    for op in OPS for i in range(len(TEXTS))}
        plans = []
        for t in range(THREADS):
            rng = random.Random(t)
            plans.append([(rng.choice(OPS), rng.randrange(len(TEXTS))) for _ in range(CALLS)])
        start = threading.Barrier(THREADS)

        def worker(plan):
            start.wait()
            return [_call(model, op, i, latents) for op, i in plan]

        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(worker, plans))
    assert sum(len(r) for r in results) == THREADS * CALLS
    for plan, got in zip(plans, results, strict=True):
        for (op, i), value in zip(plan, got, strict=True):
            assert value == expected[(op, i)], (op, i)


def test_calls_into_the_network_never_overlap(model, monkeypatch):
    """Model calls are serialised: the network and its decoding caches see one call at a time."""
    inside = 0
    most = 0
    guard = threading.Lock()

    def counted(fn):
        def wrapper(*args, **kwargs):
            nonlocal inside, most
            with guard:
                inside += 1
                most = max(most, inside)
            try:
                time.sleep(0.001)  # widen the window a race would need
                return fn(*args, **kwargs)
            finally:
                with guard:
                    inside -= 1
        return wrapper

    for name in ("encode", "generate", "beam_search"):
        monkeypatch.setattr(model.net, name, counted(getattr(model.net, name)))

    def worker(t):
        for k in range(10):
            op = OPS[(t + k) % len(OPS)]
            _call(model, op, k % 4, latents)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncationWarning)
        latents = model.encode(TEXTS)
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(worker, range(THREADS)))
    assert most == 1

