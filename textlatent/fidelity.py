"""Fidelity of a decode, and a decode that checks itself against its latent.

fidelity(z, text) = cos(z, encode(text)): 1 means the text maps back to the latent it was
decoded from. `decode_verified` decodes greedily, keeps every row whose text verifies, and
spends a budget only on the rest:

- latent correction (vec2text's idea, in the model's own space): decode x from the query z',
  re-encode it to ẑ, move the query a damped step along the error,
  z' = normalise(z' + step * (z - ẑ)), and decode again, for up to `rounds` rounds, stopping a
  row as soon as a candidate verifies;
- candidates: a beam search and `samples` sampled decodes of z, re-ranked with the rest.

The candidate kept for each row is the one whose re-encoding is closest to z. Works with any
model that has `encode(texts) -> (n, D)` and `decode(latents, **options) -> texts`.
"""

from __future__ import annotations

import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .latent import normalize

VERIFIED_AT = 0.9999
"""A text whose re-encoding has at least this cosine to z counts as verified (✓)."""


@dataclass(frozen=True)
class Budget:
    """How much work a decode may spend on rows that do not verify greedily."""

    rounds: int = 3
    """Latent-correction rounds after the greedy decode."""
    step: float = 0.4
    """How far each round moves the query along z - ẑ (1 = the whole difference)."""
    beam: int = 0
    """Beam width of one extra beam-search candidate (0 or 1: none)."""
    samples: int = 0
    """Sampled candidates at `temperature`."""
    temperature: float = 0.5
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.rounds <= 16:
            raise ValueError("rounds must be between 0 and 16")
        if not 0 < self.step <= 4:
            raise ValueError("step must be in (0, 4]")
        if not 0 <= self.beam <= 32:
            raise ValueError("beam must be between 0 and 32")
        if not 0 <= self.samples <= 32:
            raise ValueError("samples must be between 0 and 32")
        if not 0 < self.temperature <= 5:
            raise ValueError("temperature must be in (0, 5]")


GREEDY = Budget(rounds=0)
"""One greedy decode; its fidelity costs one encode."""
DEFAULT = Budget()
"""The default decode: damped correction only. Measured on held-out sentences (model card):
extra beam or sampled candidates after the rounds added no exact matches."""
PATH_MIDDLE = GREEDY
"""For the points between the ends of a blend path, which no sentence encodes to."""


@dataclass(frozen=True)
class Attempt:
    """One candidate tried for a row: how it was made, its text and its fidelity."""

    source: str
    text: str
    fidelity: float


@dataclass(frozen=True)
class Decoded:
    """A decoded text with its fidelity to the latent it came from."""

    text: str
    fidelity: float
    attempts: tuple[Attempt, ...] = field(default=())
    """Every text tried for this row, in order: greedy first, then rounds and candidates."""
    encoded: np.ndarray | None = field(default=None, compare=False, repr=False)
    """encode(text): where the text itself lands (None when not kept)."""

    @property
    def verified(self) -> bool:
        return self.fidelity >= VERIFIED_AT

    def to_dict(self) -> dict:
        return {"text": self.text, "fidelity": round(self.fidelity, 6)}


def fidelity(model, latents: np.ndarray, texts: list[str]) -> np.ndarray:
    """cos(z_i, encode(text_i)) for each row; 0 for a blank text (it encodes to nothing)."""
    z = _unit(latents)
    if len(texts) != len(z):
        raise ValueError(f"{len(texts)} texts for {len(z)} latents")
    return _reencode(model, z, texts)[1]


def fidelity_of(model, latents: np.ndarray, found: Sequence[Decoded]) -> np.ndarray:
    """`fidelity(model, latents, texts)` for decoded rows, taken from the re-encodings the
    decode kept (no further encode); rows without one are encoded again."""
    z = _unit(latents)
    if len(found) != len(z):
        raise ValueError(f"{len(found)} texts for {len(z)} latents")
    if any(d.encoded is None for d in found):
        return fidelity(model, latents, [d.text for d in found])
    back = np.stack([d.encoded for d in found]).astype(np.float64)
    return np.clip(np.einsum("nd,nd->n", z.astype(np.float64), back), -1.0, 1.0)


def decode_verified(model, latents: np.ndarray, budget: Budget = DEFAULT,
                    max_tokens: int | None = None,
                    correct: np.ndarray | None = None) -> list[Decoded]:
    """Decode latents (n, D) and report each text's fidelity; correct rows that do not verify.

    Rows that verify greedily cost one decode and one encode, like any greedy decode with its
    fidelity. Every further model call is batched over the rows still being worked on. With a
    boolean mask `correct`, only those rows get the budget; the others are decoded greedily.
    """
    opts = {} if max_tokens is None else {"max_tokens": max_tokens}
    texts = model.decode(latents, **opts)  # first: the model checks the latents and options
    z = _unit(latents)
    n = len(z)
    attempts: list[list[Attempt]] = [[] for _ in range(n)]
    best_f = np.full(n, -2.0)
    best_t = [""] * n
    best_z = np.zeros_like(z)
    allowed = range(n) if correct is None else np.flatnonzero(correct).tolist()

    def offer(rows: list[int], source: str, cand: list[str]) -> np.ndarray:
        """Score candidates for `rows`, keep the best per row -> their re-encodings."""
        back, fids = _reencode(model, z[rows], cand)
        for j, (r, t, f) in enumerate(zip(rows, cand, fids)):
            attempts[r].append(Attempt(source, t, float(f)))
            if f > best_f[r]:
                best_f[r], best_t[r], best_z[r] = float(f), t, back[j]
        return back

    def unverified(rows) -> list[int]:
        return [r for r in rows if best_f[r] < VERIFIED_AT]

    query, back = z.copy(), offer(list(range(n)), "greedy", texts)
    for k in range(budget.rounds):
        rows = unverified(allowed)
        if not rows:
            break
        # Every unverified row runs every round: with a damped step a repeated text is no
        # cycle (the query keeps moving), and stopping rows on a repeat cost exact matches.
        query[rows] = normalize(query[rows] + budget.step * (z[rows] - back[rows]))
        back[rows] = offer(rows, f"round {k + 1}", model.decode(query[rows], **opts))

    rest = unverified(allowed)
    if rest and budget.beam > 1:
        offer(rest, f"beam {budget.beam}", model.decode(z[rest], beam=budget.beam, **opts))
    for s in range(budget.samples):
        rest = unverified(rest)
        if not rest:
            break
        cand = model.decode(z[rest], temperature=budget.temperature, seed=budget.seed + s,
                            **opts)
        offer(rest, f"sample T={budget.temperature:g}", cand)
    return [Decoded(t, float(f), tuple(s), e)
            for f, t, s, e in zip(best_f, best_t, attempts, best_z)]


def decode_scored(model, latents: np.ndarray, **options) -> list[Decoded]:
    """One `model.decode(latents, **options)` call (greedy, beam or sampled), each text with
    its fidelity: the plain decode, scored."""
    texts = model.decode(latents, **options)
    z = _unit(latents)
    back, fids = _reencode(model, z, texts)
    return [Decoded(t, float(f), (Attempt("decode", t, float(f)),), e)
            for t, f, e in zip(texts, fids, back)]


def path_budgets(n: int, ends: Budget = DEFAULT, middle: Budget = PATH_MIDDLE) -> list[Budget]:
    """Each row's budget on a path of n latents whose two ends are sentences' encodings: the
    ends get `ends`, the points between `middle` (they are no sentence's encoding, so they
    never verify and a correction budget would be spent on every one of them)."""
    return [ends if i in (0, n - 1) else middle for i in range(n)]


def decode_budgeted(model, latents: np.ndarray, budgets: Sequence[Budget],
                    rows: Sequence[int] | None = None,
                    max_tokens: int | None = None) -> dict[int, Decoded]:
    """Decode `rows` (default: all) of `latents`, row i with `budgets[i]`: one batched
    `decode_verified` call per budget among them (in the order they first come) -> {row: ...}.
    Where the budgets are one budget and GREEDY (a blend path's ends and middle), it is one
    greedy pass over all the rows, then work on the others only (a row's text does not depend
    on its batch, so this is the same result in fewer calls)."""
    z = _unit(latents)
    if len(budgets) != len(z):
        raise ValueError(f"{len(budgets)} budgets for {len(z)} rows")
    rows = list(range(len(z)) if rows is None else rows)
    kinds = list(dict.fromkeys(budgets[i] for i in rows))
    if len(kinds) == 2 and GREEDY in kinds:
        budget = kinds[0] if kinds[1] == GREEDY else kinds[1]
        correct = np.array([budgets[i] != GREEDY for i in rows])
        return dict(zip(rows, decode_verified(model, z[rows], budget, max_tokens, correct)))
    out: dict[int, Decoded] = {}
    for budget in kinds:
        group = [i for i in rows if budgets[i] == budget]
        out.update(zip(group, decode_verified(model, z[group], budget, max_tokens)))
    return out


def decode_path(model, path: np.ndarray, ends: Budget = DEFAULT,
                middle: Budget = PATH_MIDDLE, max_tokens: int | None = None) -> list[Decoded]:
    """Decode a path of latents whose two ends are sentences' encodings (a blend): the ends
    with `ends`, the points between with `middle` (`path_budgets`). With equal budgets the
    whole path is one `decode_verified` call."""
    budgets = path_budgets(len(_unit(path)), ends, middle)
    done = decode_budgeted(model, path, budgets, max_tokens=max_tokens)
    return [done[i] for i in range(len(budgets))]


def _unit(latents) -> np.ndarray:
    """Latents as unit float32 rows (n, D)."""
    return normalize(np.atleast_2d(np.asarray(latents, np.float64)))


def _blank(text: str) -> bool:
    """Nothing a model can encode: only whitespace, control and format characters."""
    return all(unicodedata.category(c) in ("Cc", "Cf", "Zs", "Zl", "Zp") for c in text)


def _reencode(model, z: np.ndarray, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(re-encodings, cosines to z) of texts; a blank text has fidelity 0 and re-encodes to
    the zero vector (so a correction round moves its query towards z)."""
    back = np.zeros_like(z)
    fids = np.zeros(len(texts), np.float64)
    keep = [i for i, t in enumerate(texts) if not _blank(t)]
    if keep:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a decode longer than the limit is cut, not news
            back[keep] = model.encode([texts[i] for i in keep])
        fids[keep] = np.einsum("nd,nd->n", z[keep].astype(np.float64),
                               back[keep].astype(np.float64))
    return back, np.clip(fids, -1.0, 1.0)
