"""The Decode stage's choices (auto, greedy, verified, beam, sampled) and the decode they run.

Textual-free. The choices, their ranges and what they do are the library's decode request
(`textlatent.decode_spec`); the app keeps them as a dict (`Session.decoding`) and turns it into
a `DecodeSpec` here. The decode worker hands the budgeted choices' `row_budgets` to
`path_decoder` (rows arrive as they are done) and runs `decode_rows` for beam and sampled (one
batched call, so a seed gives the same texts); the Decode stage's form is drawn from
`DECODE_PARAMS`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from textlatent.decode_spec import HOWS, PARAMS, USED_BY, DecodeSpec, decode
from textlatent.fidelity import Budget, Decoded

HOW = HOWS
FORM = ("how", *dict.fromkeys(name for used in USED_BY.values() for name in used))
"""The settings the Decode stage shows: the choice and what each choice uses (the correcting
decode's tuning stays at its default)."""
DECODE_PARAMS = {name: PARAMS[name] for name in FORM}

__all__ = ["DECODE_PARAMS", "HOW", "USED_BY", "decode_defaults", "decode_rows", "describe",
           "row_budgets"]


def decode_defaults() -> dict[str, Any]:
    return {name: p.default for name, p in DECODE_PARAMS.items()}


def _spec(options: dict[str, Any]) -> DecodeSpec:
    return DecodeSpec.from_options(options)


def _rows(blend: bool) -> str:
    """Which rows are sentences' encodings: a blend's two ends; no other transform's rows."""
    return "ends" if blend else "none"


def describe(options: dict[str, Any]) -> str:
    """'auto', 'greedy', 'beam 4', 'sampled T=0.7 p=0.9 seed 0'."""
    return _spec(options).describe()


def row_budgets(options: dict[str, Any], n: int, blend: bool) -> list[Budget] | None:
    """Each row's decode budget for the budgeted choices (auto, greedy, verified), which decode
    row by row (so a path can fill in as it goes); None for beam and sampled."""
    return _spec(options).row_budgets(n, _rows(blend))


def decode_rows(model, latents: np.ndarray, options: dict[str, Any],
                blend: bool = False) -> list[Decoded]:
    """Decode latents (n, D) as `options` say, in one go: each text with its fidelity."""
    return decode(model, latents, _spec(options), _rows(blend))
