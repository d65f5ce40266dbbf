"""The Decode stage's choices (greedy, verified, beam, sampled) and the decode they run.

Textual-free: the app's decode worker calls `decode_rows`; the Decode stage's form is drawn
from `DECODE_PARAMS`, parameters in the same `Param` form as the transform registry's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from textlatent.transforms import Param

HOW = ("greedy", "verified", "beam", "sampled")

DECODE_PARAMS: dict[str, Param] = {p.name: p for p in (
    Param("how", "Decode", str, "greedy", choices=HOW,
          help="greedy: the likeliest token each step; verified: greedy, then correction "
               "rounds for rows whose text does not map back to their latent; beam: beam "
               "search; sampled: top-p sampling with a temperature and a seed"),
    Param("beam", "Beam", int, 4, 2, 16, help="beam: how many hypotheses are kept"),
    Param("temperature", "Temp.", float, 0.7, 0.05, 2.0,
          help="sampled: below 1 sharper, above 1 wilder"),
    Param("top_p", "Top-p", float, 0.9, 0.05, 1.0,
          help="sampled: sample from the smallest set of tokens holding this probability"),
    Param("seed", "Seed", int, 0, 0, 2**32 - 1, help="sampled: same seed, same texts"),
)}

USED_BY = {"greedy": (), "verified": (), "beam": ("beam",),
           "sampled": ("temperature", "top_p", "seed")}
"""Which of the other choices each decoding uses (the form shows only those)."""


def decode_defaults() -> dict[str, Any]:
    return {name: p.default for name, p in DECODE_PARAMS.items()}


def describe(options: dict[str, Any]) -> str:
    """'greedy', 'beam 4', 'sampled T=0.7 p=0.9 seed 0'."""
    how = options["how"]
    if how == "beam":
        return f"beam {options['beam']}"
    if how == "sampled":
        return (f"sampled T={options['temperature']:g} p={options['top_p']:g} "
                f"seed {options['seed']}")
    return how


def decode_rows(model, latents: np.ndarray, options: dict[str, Any],
                path: bool = False) -> tuple[list[str], list[float]]:
    """Decode latents (n, D) as `options` say; (texts, each text's fidelity).

    `path`: the rows are a blend path whose ends are sentences' encodings; "verified" then
    corrects only the ends (`fidelity.decode_path`).
    """
    from textlatent.fidelity import DEFAULT, decode_path, decode_scored, decode_verified

    how = options["how"]
    if how == "verified":
        rows = decode_path(model, latents, DEFAULT) if path else \
            decode_verified(model, latents, DEFAULT)
    elif how == "beam":
        rows = decode_scored(model, latents, beam=int(options["beam"]))
    elif how == "sampled":
        rows = decode_scored(model, latents, temperature=float(options["temperature"]),
                             top_p=float(options["top_p"]), seed=int(options["seed"]))
    else:
        rows = decode_scored(model, latents)
    return [r.text for r in rows], [r.fidelity for r in rows]
