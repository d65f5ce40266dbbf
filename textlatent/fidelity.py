"""Fidelity of a decode, and a decode that checks itself against its latent.

fidelity(z, text) = cos(z, encode(text)): 1 means the text maps back to the latent it was
decoded from. `decode_verified` decodes greedily, keeps every row whose text verifies, and
spends a budget only on the rest:

- latent correction (vec2text's idea, in the model's own space): decode x from the query z',
  re-encode it to ẑ, move the query to z' = normalise(z' + (z - ẑ)) and decode again, for up to
  `rounds` rounds, stopping a row as soon as a candidate verifies or repeats;
- candidates: a beam search and `samples` sampled decodes of z, re-ranked with the rest.

The candidate kept for each row is the one whose re-encoding is closest to z. Works with any
model that has `encode(texts) -> (n, D)` and `decode(latents, **options) -> texts`.
"""

from __future__ import annotations

import unicodedata
import warnings
from dataclasses import dataclass, field

import numpy as np

from .latent import normalize

VERIFIED_AT = 0.9999
"""A text whose re-encoding has at least this cosine to z counts as verified (✓)."""


@dataclass(frozen=True)
class Budget:
    """How much work a decode may spend on rows that do not verify greedily."""

    rounds: int = 4
    """Latent-correction rounds after the greedy decode."""
    beam: int = 0
    """Beam width of one extra beam-search candidate (0 or 1: none)."""
    samples: int = 0
    """Sampled candidates at `temperature`."""
    temperature: float = 0.5
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.rounds <= 16:
            raise ValueError("rounds must be between 0 and 16")
        if not 0 <= self.beam <= 32:
            raise ValueError("beam must be between 0 and 32")
        if not 0 <= self.samples <= 32:
            raise ValueError("samples must be between 0 and 32")
        if not 0 < self.temperature <= 5:
            raise ValueError("temperature must be in (0, 5]")


GREEDY = Budget(rounds=0)
DEFAULT = Budget()


@dataclass(frozen=True)
class Step:
    """One candidate tried for a row: how it was made, its text and its fidelity."""

    source: str
    text: str
    fidelity: float


@dataclass(frozen=True)
class Decoded:
    """A decoded text with its fidelity to the latent it came from."""

    text: str
    fidelity: float
    steps: tuple[Step, ...] = field(default=())

    @property
    def verified(self) -> bool:
        return self.fidelity >= VERIFIED_AT

    def to_dict(self) -> dict:
        return {"text": self.text, "fidelity": round(self.fidelity, 6)}


def fidelity(model, latents: np.ndarray, texts: list[str]) -> np.ndarray:
    """cos(z_i, encode(text_i)) for each row; 0 for an empty text (it encodes to nothing)."""
    z = normalize(np.atleast_2d(np.asarray(latents, np.float32)))
    if len(texts) != len(z):
        raise ValueError(f"{len(texts)} texts for {len(z)} latents")
    return _reencode(model, z, texts)[1]


def decode_verified(model, latents: np.ndarray, budget: Budget = DEFAULT,
                    max_tokens: int | None = None) -> list[Decoded]:
    """Decode latents (n, D) and report each text's fidelity; correct rows that do not verify.

    Every model call is batched over the rows still being worked on.
    """
    z = normalize(np.atleast_2d(np.asarray(latents, np.float32)))
    opts = {} if max_tokens is None else {"max_tokens": max_tokens}
    steps: list[list[Step]] = [[] for _ in z]
    best: list[tuple[float, str]] = [(-2.0, "")] * len(z)

    def offer(rows: list[int], source: str, cand: list[str]) -> np.ndarray:
        """Score candidates for `rows`, keep the best per row; -> their re-encodings."""
        back, fids = _reencode(model, z[rows], cand)
        for r, t, f in zip(rows, cand, fids):
            steps[r].append(Step(source, t, float(f)))
            if f > best[r][0]:
                best[r] = (float(f), t)
        return back

    def unverified(rows) -> list[int]:
        return [r for r in rows if best[r][0] < VERIFIED_AT]

    rows = list(range(len(z)))
    texts = model.decode(z, **opts)
    back = offer(rows, "greedy", texts)
    seen = [{t} for t in texts]
    query = z.copy()
    for k in range(budget.rounds):
        keep = [i for i, r in enumerate(rows) if best[r][0] < VERIFIED_AT]
        rows, back = [rows[i] for i in keep], back[keep]
        if not rows:
            break
        query[rows] = normalize(query[rows] + (z[rows] - back))
        cand = model.decode(query[rows], **opts)
        back = offer(rows, f"round {k + 1}", cand)
        fresh = [i for i, (r, t) in enumerate(zip(rows, cand)) if t not in seen[r]]
        for i in fresh:
            seen[rows[i]].add(cand[i])
        rows, back = [rows[i] for i in fresh], back[fresh]

    rest = unverified(range(len(z)))
    if rest and budget.beam > 1:
        offer(rest, f"beam {budget.beam}", model.decode(z[rest], beam=budget.beam, **opts))
    for s in range(budget.samples):
        rest = unverified(rest)
        if not rest:
            break
        cand = model.decode(z[rest], temperature=budget.temperature, seed=budget.seed + s,
                            **opts)
        offer(rest, f"sample T={budget.temperature:g}", cand)
    return [Decoded(t, f, tuple(s)) for (f, t), s in zip(best, steps)]


_BLANK = {"Cc", "Cf", "Zs", "Zl", "Zp"}  # what encode rejects as an empty text


def _has_content(text: str) -> bool:
    return any(unicodedata.category(c) not in _BLANK for c in text)


def _reencode(model, z: np.ndarray, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(re-encodings, cosines to z) of texts; an empty text stays at z with fidelity 0."""
    back = z.copy()
    fids = np.zeros(len(texts), np.float64)
    keep = [i for i, t in enumerate(texts) if _has_content(t)]
    if keep:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a decode longer than the limit is cut, not news
            back[keep] = model.encode([texts[i] for i in keep])
        fids[keep] = np.einsum("nd,nd->n", z[keep].astype(np.float64),
                               back[keep].astype(np.float64))
    return back, np.clip(fids, -1.0, 1.0)
