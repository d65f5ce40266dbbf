"""Editing sentences along a direction, with the encoder as critic.

`edit(model, direction, texts)` decodes each sentence moved along the direction at a few
strengths (the direction's `strengths`, else its default one), re-encodes every candidate and
keeps the one that carries the attribute with the most content kept:

- attribute: the direction's probe, p(attribute | encode(candidate)); for a direction without
  one, the share of the offset the candidate moved, (encode(candidate) - z) . u / |offset|;
- content: the cosine between the source's and the candidate's latents once the offset's own
  direction u is taken out of both.

The chosen candidate is the one with the most content among those whose attribute is at least
`CARRIES` (0.5), else the one with the most attribute. A forced strength decodes that one only
(and still reports both scores).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .fidelity import DEFAULT, Budget, Decoded, decode_verified
from .latent import normalize

CARRIES = 0.5
"""Attribute score from which a candidate counts as carrying the attribute."""


@dataclass(frozen=True)
class Candidate:
    """One decoded strength and its scores."""

    strength: float
    text: str
    fidelity: float
    attribute: float
    content: float

    def to_dict(self) -> dict:
        return {"strength": self.strength, "text": self.text,
                "fidelity": round(self.fidelity, 6), "attribute": round(self.attribute, 4),
                "content": round(self.content, 4)}


@dataclass(frozen=True)
class EditResult:
    """An edited sentence: the chosen candidate, its strength and scores, and every candidate.

    A front end shows `text`, `strength` ("x1.5"), `attribute` and `content` (both in [0, 1]
    for a direction with a probe; `content` is a cosine) and whether the critic chose
    (`chosen_by`)."""

    source: str
    direction: str
    text: str
    fidelity: float
    strength: float
    attribute: float
    content: float
    chosen_by: str
    """"critic" (best of several strengths) or "strength" (one strength, given or default)."""
    candidates: tuple[Candidate, ...]

    def to_dict(self) -> dict:
        return {"source": self.source, "direction": self.direction, "text": self.text,
                "fidelity": round(self.fidelity, 6), "strength": self.strength,
                "attribute": round(self.attribute, 4), "content": round(self.content, 4),
                "chosen_by": self.chosen_by,
                "candidates": [c.to_dict() for c in self.candidates]}


def scores(direction, z: np.ndarray, back: np.ndarray,
           offset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(attribute, content) of candidates whose re-encodings are `back` (n, D), made from
    source latents z (n, D) with offsets `offset` (n, D)."""
    z, back = np.asarray(z, np.float64), np.asarray(back, np.float64)
    off = np.asarray(offset, np.float64)
    size = np.maximum(np.linalg.norm(off, axis=1, keepdims=True), 1e-12)
    u = off / size
    if direction.probe is not None:
        attribute = direction.probe(back)
    else:
        attribute = np.einsum("nd,nd->n", back - z, u) / size[:, 0]
    zr = z - np.einsum("nd,nd->n", z, u)[:, None] * u
    br = back - np.einsum("nd,nd->n", back, u)[:, None] * u
    content = np.einsum("nd,nd->n", zr, br) / np.maximum(
        np.linalg.norm(zr, axis=1) * np.linalg.norm(br, axis=1), 1e-12)
    blank = ~np.any(back != 0, axis=1)
    attribute[blank], content[blank] = 0.0, 0.0
    return attribute, content


def choose(candidates: Sequence[Candidate]) -> int:
    """Index of the kept candidate: most content among those carrying the attribute, else the
    most attribute (ties: the lower strength)."""
    carrying = [i for i, c in enumerate(candidates) if c.attribute >= CARRIES]
    if carrying:
        return max(carrying, key=lambda i: (candidates[i].content, -abs(candidates[i].strength)))
    return max(range(len(candidates)),
               key=lambda i: (candidates[i].attribute, -abs(candidates[i].strength)))


def edit(model, direction, texts: Sequence[str], strength: float | None = None,
         budget: Budget = DEFAULT, z: np.ndarray | None = None,
         decode: Callable[[np.ndarray], list[Decoded]] | None = None) -> list[EditResult]:
    """Each text edited along `direction`: the critic's pick among the direction's strengths,
    or the one `strength` given. `z` may pass the texts' latents already encoded; `decode`
    (latents -> `Decoded` rows) replaces the `budget` decode."""
    texts = list(texts)
    if not texts:
        return []
    z = normalize(model.encode(texts) if z is None else np.atleast_2d(z)).astype(np.float64)
    if strength is not None:
        ks, chosen_by = [float(strength)], "strength"
    elif len(direction.strengths) > 1:
        ks, chosen_by = [float(k) for k in direction.strengths], "critic"
    else:
        ks, chosen_by = [float(direction.default_strength)], "strength"
    offset = direction.offset(z, texts)
    rows = np.concatenate([normalize(z + k * offset) for k in ks])  # strength-major
    decoded = decode(rows) if decode else decode_verified(model, rows, budget)
    cand_texts = [d.text for d in decoded]
    from .fidelity import _reencode  # the re-encoding the decode's fidelity also uses

    zz = np.tile(z, (len(ks), 1))
    back, _ = _reencode(model, zz.astype(np.float32), cand_texts)
    attribute, content = scores(direction, zz, back, np.tile(offset, (len(ks), 1)))
    out = []
    n = len(texts)
    for i, text in enumerate(texts):
        cands = tuple(Candidate(k, decoded[j * n + i].text, decoded[j * n + i].fidelity,
                                float(attribute[j * n + i]), float(content[j * n + i]))
                      for j, k in enumerate(ks))
        best = cands[choose(cands)]
        out.append(EditResult(text, direction.name, best.text, best.fidelity, best.strength,
                              best.attribute, best.content, chosen_by, cands))
    return out
