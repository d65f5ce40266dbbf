"""The Decode stage's choices (auto, greedy, verified, beam, sampled) and the decode they run.

Textual-free: the app's decode worker hands the budgeted choices' `row_budgets` to
`path_decoder` (rows arrive as they are done) and runs `decode_rows` for beam and sampled (one
batched call, so a seed gives the same texts); the Decode stage's form is drawn from
`DECODE_PARAMS`, parameters in the same `Param` form as the transform registry's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from textlatent.fidelity import DEFAULT, GREEDY, Budget, Decoded
from textlatent.transforms import Param

from .path_decoder import decode_rows as decode_budgeted
from .path_decoder import path_budgets

HOW = ("auto", "greedy", "verified", "beam", "sampled")

DECODE_PARAMS: dict[str, Param] = {p.name: p for p in (
    Param("how", "Decode", str, "auto", choices=HOW,
          help="auto: the library's default: rows that are sentences' encodings (a blend's "
               "ends) get correction rounds, the rest one greedy decode; greedy: the likeliest "
               "token each step; verified: greedy, then correction rounds for every row whose "
               "text does not map back to its latent; beam: beam search; sampled: top-p "
               "sampling with a temperature and a seed"),
    Param("beam", "Beam", int, 4, 2, 16, help="beam: how many hypotheses are kept"),
    Param("temperature", "Temp.", float, 0.7, 0.05, 2.0,
          help="sampled: below 1 sharper, above 1 wilder"),
    Param("top_p", "Top-p", float, 0.9, 0.05, 1.0,
          help="sampled: sample from the smallest set of tokens holding this probability"),
    Param("seed", "Seed", int, 0, 0, 2**32 - 1, help="sampled: same seed, same texts"),
)}

USED_BY = {"auto": (), "greedy": (), "verified": (), "beam": ("beam",),
           "sampled": ("temperature", "top_p", "seed")}
"""Which of the other choices each decoding uses (the form shows only those)."""


def decode_defaults() -> dict[str, Any]:
    return {name: p.default for name, p in DECODE_PARAMS.items()}


def describe(options: dict[str, Any]) -> str:
    """'auto', 'greedy', 'beam 4', 'sampled T=0.7 p=0.9 seed 0'."""
    how = options["how"]
    if how == "beam":
        return f"beam {options['beam']}"
    if how == "sampled":
        return (f"sampled T={options['temperature']:g} p={options['top_p']:g} "
                f"seed {options['seed']}")
    return how


def row_budgets(options: dict[str, Any], n: int, blend: bool) -> list[Budget] | None:
    """Each row's decode budget for the budgeted choices (auto, greedy, verified), which decode
    row by row (so a path can fill in as it goes); None for beam and sampled.

    `blend`: the rows are a blend path, whose two ends are sentences' encodings; "auto" then
    corrects those ends and decodes the points between greedily (`fidelity.decode_path`), and
    every other transform's rows (no sentence's encoding) greedily.
    """
    how = options["how"]
    if how == "auto":
        return path_budgets(n, sentence_ends=blend)
    if how == "greedy":
        return [GREEDY] * n
    if how == "verified":
        return [DEFAULT] * n
    return None


def decode_rows(model, latents: np.ndarray, options: dict[str, Any],
                blend: bool = False) -> list[Decoded]:
    """Decode latents (n, D) as `options` say, in one go: each text with its fidelity."""
    from textlatent.fidelity import decode_scored

    budgets = row_budgets(options, len(latents), blend)
    if budgets is not None:
        return [d for _, d in sorted(decode_budgeted(model, latents, budgets,
                                                     list(range(len(latents)))).items())]
    if options["how"] == "beam":
        return decode_scored(model, latents, beam=int(options["beam"]))
    if options["how"] == "sampled":
        return decode_scored(model, latents, temperature=float(options["temperature"]),
                             top_p=float(options["top_p"]), seed=int(options["seed"]))
    raise ValueError(f"unknown decoding {options['how']!r}")
