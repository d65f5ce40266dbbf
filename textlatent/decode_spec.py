"""The one decode request: how to turn rows of latents into texts, and the function that does it.

Like transformers' `GenerationConfig` and `generate`: a frozen `DecodeSpec` says how to decode
(`how`, one of `HOWS`) and with which settings, each checked once against its `Param` in
`PARAMS`; `decode(model, latents, spec, sentence_rows)` decodes rows by it, each text with its
fidelity. The command line's `--decode` values and the app's Decode choices are these words.

- auto: rows that are sentences' encodings (`sentence_rows`: every row of a reconstruction,
  the two ends of a blend path) get the correcting decode; the other rows (points between a
  blend's ends, a transform's new points) one greedy decode, since no sentence encodes to them
  and a correction budget would be spent on every one of them.
- greedy: the likeliest token each step, for every row (each still scored).
- verified: greedy, then correction rounds for every row whose text does not map back to its
  latent (`fidelity.decode_verified`).
- beam: beam search of width `beam`; sampled: top-p sampling at `temperature` with `seed`.
  One batched, scored `model.decode` call.

A new choice is one entry in `HOWS` (its settings in `PARAMS` and `USED_BY`) and one branch in
`row_budgets` or `decode`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .fidelity import (
    DEFAULT,
    GREEDY,
    PATH_MIDDLE,
    Budget,
    Decoded,
    decode_budgeted,
    decode_scored,
    decode_verified,
    path_budgets,
)
from .transforms import Param

HOWS = ("auto", "greedy", "verified", "beam", "sampled")
ALIASES = {"default": "auto"}
"""Older spellings still accepted (the command line's `--decode default`)."""
SENTENCE_ROWS = ("all", "ends", "none")
"""Which rows are sentences' encodings: all (a reconstruction, latents read from a file), the
two ends (a blend path), none (a transform's new points)."""

PARAMS: dict[str, Param] = {p.name: p for p in (
    Param("how", "Decode", str, "auto", choices=HOWS,
          help="auto: rows that are sentences' encodings (a reconstruction, a blend's ends) "
               "get correction rounds, the rest one greedy decode; greedy: the likeliest token "
               "each step; verified: greedy, then correction rounds for every row whose text "
               "does not map back to its latent; beam: beam search; sampled: top-p sampling "
               "with a temperature and a seed"),
    Param("beam", "Beam", int, 4, 2, 32, help="beam: how many hypotheses are kept"),
    Param("temperature", "Temp.", float, 0.7, 0.05, 2.0,
          help="sampled: below 1 sharper, above 1 wilder"),
    Param("top_p", "Top-p", float, 0.9, 0.05, 1.0,
          help="sampled: sample from the smallest set of tokens holding this probability"),
    Param("seed", "Seed", int, 0, 0, 2**32 - 1, optional=True,
          help="sampled: same seed, same texts (none: a fresh one); also seeds the sampled "
               "candidates of a correcting decode"),
    Param("rounds", "Rounds", int, None, 0, 16, optional=True,
          help="latent-correction rounds for texts that do not verify (default "
               f"{DEFAULT.rounds})"),
    Param("step", "Step", float, None, 0.0, 4.0, optional=True,
          help=f"how far a round moves the query along the error, in (0, 4] (default "
               f"{DEFAULT.step:g})"),
    Param("candidates", "Candidates", int, None, 0, 32, optional=True,
          help="sampled candidates for texts that still do not verify (default "
               f"{DEFAULT.samples})"),
    Param("max_tokens", "Max tokens", int, None, 1, 4096, optional=True,
          help="longest output in tokens (default: the model's limit)"),
)}

BUDGETED = ("auto", "greedy", "verified")
"""The choices that decode row by row with a `fidelity.Budget` (so rows can come in as they are
done); the others are one batched `model.decode` call."""
TUNING = ("rounds", "step", "candidates")
"""Settings of the correcting decode (the budgeted choices)."""
USED_BY: dict[str, tuple[str, ...]] = {"auto": (), "greedy": (), "verified": (),
                                       "beam": ("beam",),
                                       "sampled": ("temperature", "top_p", "seed")}
"""The settings a choice uses besides `TUNING`, `seed` and `max_tokens` (a form shows these)."""


def canonical(how: str) -> str:
    """`how` in this module's words (an older spelling mapped to its choice)."""
    return ALIASES.get(how, how)


@dataclass(frozen=True)
class DecodeSpec:
    """How to decode: a choice from `HOWS` and its settings, every one range-checked."""

    how: str = "auto"
    beam: int = 4
    temperature: float = 0.7
    top_p: float = 0.9
    seed: int | None = None
    rounds: int | None = None
    step: float | None = None
    candidates: int | None = None
    max_tokens: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "how", canonical(str(self.how)))
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, PARAMS[f.name].check(getattr(self, f.name)))

    @classmethod
    def from_options(cls, options: dict) -> DecodeSpec:
        """A spec from a dict of settings (the app's Decode choices); unknown keys: ValueError."""
        unknown = set(options) - set(PARAMS)
        if unknown:
            raise ValueError(f"no decode setting {sorted(unknown)[0]!r}")
        return cls(**options)

    def budget(self) -> Budget:
        """The correcting decode's budget: greedy's or the default, with this spec's tuning."""
        budget = GREEDY if self.how == "greedy" else DEFAULT
        changes = {"rounds": self.rounds, "step": self.step, "samples": self.candidates,
                   "seed": self.seed}
        return dataclasses.replace(budget, **{k: v for k, v in changes.items() if v is not None})

    def row_budgets(self, n: int, sentence_rows: str = "all") -> list[Budget] | None:
        """Each row's budget for the budgeted choices; None for beam and sampled."""
        if sentence_rows not in SENTENCE_ROWS:
            raise ValueError(f"sentence_rows must be one of {', '.join(SENTENCE_ROWS)}")
        if self.how not in BUDGETED:
            return None
        budget = self.budget()
        if self.how == "verified" or sentence_rows == "all":
            return [budget] * n
        if sentence_rows == "ends":
            return path_budgets(n, budget, PATH_MIDDLE)
        return [PATH_MIDDLE] * n

    def describe(self) -> str:
        """'auto', 'greedy', 'beam 4', 'sampled T=0.7 p=0.9 seed 0'."""
        if self.how == "beam":
            return f"beam {self.beam}"
        if self.how == "sampled":
            seed = "random" if self.seed is None else self.seed
            return f"sampled T={self.temperature:g} p={self.top_p:g} seed {seed}"
        return self.how


def decode(model, latents: np.ndarray, spec: DecodeSpec | None = None,
           sentence_rows: str = "all") -> list[Decoded]:
    """Decode latents (n, D) as `spec` says (default: auto), each text with its fidelity.

    `sentence_rows` says which rows are sentences' encodings ("all", "ends" for a blend path,
    "none"): auto and greedy spend their correction budget on those only. The model checks the
    latents (shape, NaN, zero rows) and says what is wrong with them.
    """
    spec = spec or DecodeSpec()
    budgets = spec.row_budgets(_count(latents), sentence_rows)
    if budgets is not None:
        if sentence_rows != "ends" and len(set(budgets)) == 1:
            # one batched call on the latents as given: the model checks them first
            return decode_verified(model, latents, budgets[0], spec.max_tokens)
        done = decode_budgeted(model, latents, budgets, max_tokens=spec.max_tokens)
        return [done[i] for i in range(len(budgets))]
    opts = {} if spec.max_tokens is None else {"max_tokens": spec.max_tokens}
    if spec.how == "beam":
        return decode_scored(model, latents, beam=spec.beam, **opts)
    if spec.how == "sampled":
        return decode_scored(model, latents, temperature=spec.temperature, top_p=spec.top_p,
                             seed=spec.seed, **opts)
    raise ValueError(f"unknown decoding {spec.how!r}")


def _count(latents) -> int:
    """How many rows `latents` holds (1 for one vector, or for anything the model will reject)."""
    try:
        shape = np.shape(latents)
    except (ValueError, TypeError, RecursionError):
        return 1
    return shape[0] if len(shape) >= 2 else 1
