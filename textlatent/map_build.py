"""Build a model's map of meanings, choosing the projection by measurement.

Each candidate map is fitted on the model's sentence index; the held-out sentences (never in the
index) are encoded and placed on it the way the app places a new sentence, and the map whose
points keep more of their latent neighbourhoods (`neighbourhood_preservation`) is kept.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from importlib import resources

from . import latent_map as lm


def heldout_sentences() -> list[str]:
    """The package's held-out sentences (textlatent/data/heldout_sentences.txt)."""
    path = resources.files("textlatent.data").joinpath("heldout_sentences.txt")
    return [s.strip() for s in path.read_text(encoding="utf-8").splitlines() if s.strip()]


def measure(model, index, sentences: Sequence[str], kinds: Sequence[str] = lm.KINDS,
            k: int = lm.NEIGHBOURS, seed: int = 0) -> tuple[dict[str, lm.LatentMap], dict]:
    """Fit each kind of map on `index` and score it on `sentences`.

    Returns (maps by kind, report): the report holds, per kind, the neighbourhood
    preservation of the placed held-out sentences, the seconds the fit took, and "chosen".
    """
    from .index import encode_all

    if len(sentences) <= k:
        raise ValueError(f"measuring a map needs more than {k} sentences, got {len(sentences)}")
    latents = encode_all(model, list(sentences))
    maps: dict[str, lm.LatentMap] = {}
    report: dict = {"sentences": len(sentences), "k": k, "index": len(index), "kinds": {}}
    for kind in kinds:
        start = time.perf_counter()
        maps[kind] = lm.fit_pca(index) if kind == "pca" else lm.fit_tsne(index, seed=seed)
        fit_s = time.perf_counter() - start
        points = maps[kind].place(latents, index)
        report["kinds"][kind] = {
            "neighbourhood_preservation": round(lm.neighbourhood_preservation(latents, points, k),
                                                4),
            "fit_s": round(fit_s, 1)}
    report["chance"] = round(k / (len(sentences) - 1), 4)
    report["chosen"] = max(report["kinds"],
                           key=lambda n: report["kinds"][n]["neighbourhood_preservation"])
    return maps, report
