"""Local offsets: a direction's pairs, kept so an edit can use the pairs nearest its sentence.

A `PairOffsets` holds, for each (plain, edited) pair of a direction, the plain side's latent
as a search key (float16, optionally projected on a few principal directions of the keys) and
the pair's offset, edited - plain (float16). `offset(z)` is the mean offset of the `k` pairs
whose plain side is nearest z by cosine; with k = 0 it is the global mean.

Pairs may also carry a cell (the statement's shape, tense and number, e.g.
"lexical/present/singular"): a linear classifier fitted on the plain sides then says which
cell a sentence's latent is in, and its neighbours are looked for among that cell's pairs
("does not" for a present singular lexical verb, "was" for "is"). Pairs may also name their
first word and verb: given the sentence's words, the neighbours are then looked for first
among the cell's pairs with a verb the sentence has ("walked -> did not walk" for "She
walked ..."), and among those, with its first word ("The" -> "Did the").
A linear probe (logistic regression on the two sides' latents) says how much a latent carries
the attribute.
Pure numpy: no torch, no model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .latent import normalize


def _unit_rows(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(n, 1e-12)


@dataclass(frozen=True)
class PairOffsets:
    """Pairs' plain-side keys and offsets, and how many neighbours an edit averages."""

    keys: np.ndarray = field(repr=False)
    """(n, d) float16 plain-side latents, projected by `basis` when there is one."""
    offsets: np.ndarray = field(repr=False)
    """(n, D) float16 edited - plain (saved as int8 with one scale a pair)."""
    k: int = 0
    """Neighbours averaged (0: the global mean of every offset)."""
    basis: np.ndarray | None = field(default=None, repr=False)
    """(d, D) float32 projection of the keys, or None (keys are full latents)."""
    cells: np.ndarray | None = field(default=None, repr=False)
    """(n,) int: each pair's cell, an index into `cell_names`; None: one cell."""
    cell_names: tuple[str, ...] = ()
    classifier: Classifier | None = field(default=None, repr=False)
    """Which cell a latent is in (fitted on the plain sides)."""
    verbs: tuple[str, ...] = field(default=(), repr=False)
    """Each pair's plain side as "first-word verb", lowercase ("" unknown), or () for none."""

    def __post_init__(self) -> None:
        if self.keys.ndim != 2 or self.offsets.ndim != 2 or len(self.keys) != len(self.offsets):
            raise ValueError("pair keys and offsets differ in number or shape")
        dim = self.offsets.shape[1] if self.basis is None else self.basis.shape[0]
        if self.keys.shape[1] != dim or (self.basis is not None
                                         and self.basis.shape[1] != self.offsets.shape[1]):
            raise ValueError("pair keys, projection and offsets do not match in size")
        if not 0 <= self.k <= len(self.keys):
            raise ValueError(f"k must be between 0 and {len(self.keys)}")
        if self.verbs and len(self.verbs) != len(self.keys):
            raise ValueError("pair verbs and keys differ in number")
        if self.cells is not None:
            if (self.cells.shape != (len(self.keys),) or self.classifier is None
                    or self.classifier.w.shape != (len(self.cell_names), self.offsets.shape[1])
                    or len(self.cells) and not 0 <= self.cells.min() <= self.cells.max()
                    < len(self.cell_names)):
                raise ValueError("pair cells, cell names and classifier do not match")

    def __len__(self) -> int:
        return len(self.keys)

    def _query(self, z: np.ndarray) -> np.ndarray:
        q = z if self.basis is None else z @ self.basis.T
        return _unit_rows(q)

    def offset(self, z: np.ndarray, k: int | None = None,
               words: list[list[str]] | None = None) -> np.ndarray:
        """The mean offset of the k pairs nearest each row of z (n, D) -> (n, D) float64;
        `words` (each row's lowercase words, in order) prefers pairs whose verb is among them,
        then those that also open with the same word."""
        k = self.k if k is None else k
        z = np.atleast_2d(np.asarray(z, np.float64))
        if self.cells is None:
            if k <= 0 or k >= len(self.keys):
                mean = self.offsets.astype(np.float64).mean(0, keepdims=True)
                return np.repeat(mean, len(z), axis=0)
            groups = [np.arange(len(self.keys))] * len(z)
        else:
            cell = self.classifier.predict(z)
            groups = [np.flatnonzero(self.cells == c) for c in cell]
            groups = [g if len(g) >= max(k, 1) else np.arange(len(self.keys)) for g in groups]
        if words is not None and self.verbs and k > 0:
            groups = [self._same_words(g, w) for g, w in zip(groups, words)]
        keys = self.keys
        q = self._query(z)
        out = np.empty_like(z)
        for i, g in enumerate(groups):
            if k <= 0 or len(g) <= 1:
                out[i] = self.offsets[g].astype(np.float64).mean(0)
                continue
            sims = _unit_rows(keys[g].astype(np.float64)) @ q[i]
            kk = min(k, len(g))
            out[i] = self.offsets[g[np.argpartition(-sims, kk - 1)[:kk]]].astype(
                np.float64).mean(0)
        return out

    def _same_words(self, group: np.ndarray, words: list[str]) -> np.ndarray:
        """The pairs of `group` sharing the most with the sentence: its verb (2), its first
        word (1); the whole group when none shares either."""
        if not words:
            return group
        have = set(words)
        score = np.zeros(len(group))
        for j, i in enumerate(group):
            first, _, verb = self.verbs[i].partition(" ")
            score[j] = 2 * (verb in have) + (first == words[0])
        best = score.max()
        return group if best == 0 else group[score == best]

    def cell(self, z: np.ndarray) -> list[str]:
        """The cell each row of z is placed in ("" when the pairs have no cells)."""
        if self.cells is None:
            return [""] * len(np.atleast_2d(z))
        return [self.cell_names[c] for c in self.classifier.predict(z)]

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays saved in a direction file."""
        off = self.offsets.astype(np.float32)
        scale = np.maximum(np.abs(off).max(axis=1), 1e-12) / 127.0
        out = {"pair_keys": self.keys.astype(np.float16),
               "pair_offsets": np.round(off / scale[:, None]).astype(np.int8),
               "pair_offset_scale": scale.astype(np.float32), "pair_k": np.int64(self.k)}
        if self.basis is not None:
            out["pair_basis"] = self.basis.astype(np.float32)
        if self.cells is not None:
            out.update(pair_cells=self.cells.astype(np.int16),
                       pair_cell_names=np.array(self.cell_names),
                       cell_w=self.classifier.w.astype(np.float32),
                       cell_b=self.classifier.b.astype(np.float32))
        if self.verbs:
            out["pair_verbs"] = np.frombuffer("\n".join(self.verbs).encode(), np.uint8)
        return out

    @classmethod
    def from_arrays(cls, f) -> PairOffsets | None:
        """From a loaded direction file's arrays; None when it keeps no pairs."""
        if "pair_keys" not in f:
            return None
        basis = np.asarray(f["pair_basis"], np.float32) if "pair_basis" in f else None
        cells = names = classifier = None
        if "pair_cells" in f:
            cells = np.asarray(f["pair_cells"], np.int64)
            names = tuple(str(x) for x in np.asarray(f["pair_cell_names"]).reshape(-1))
            classifier = Classifier(np.asarray(f["cell_w"], np.float32),
                                    np.asarray(f["cell_b"], np.float32))
        verbs = ()
        if "pair_verbs" in f:
            verbs = tuple(np.asarray(f["pair_verbs"], np.uint8).tobytes().decode().split("\n"))
        offsets = np.asarray(f["pair_offsets"])
        if offsets.dtype == np.int8:
            scale = np.asarray(f["pair_offset_scale"], np.float32)
            if scale.shape != (len(offsets),):
                raise ValueError("pair offsets and their scales differ in number")
            offsets = offsets.astype(np.float32) * scale[:, None]
        return cls(np.asarray(f["pair_keys"], np.float16), offsets.astype(np.float16),
                   int(f["pair_k"]), basis, cells, names or (), classifier, verbs)

    @classmethod
    def build(cls, plain: np.ndarray, edited: np.ndarray, k: int = 0,
              dims: int | None = None, cells: list[str] | None = None,
              verbs: list[str] | None = None) -> PairOffsets:
        """From the two sides' latents (n, D); `dims` projects the keys on that many principal
        directions of the plain latents (None: keep full keys); `cells` names each pair's cell
        (None, or fewer than two different ones: no cells); `verbs` each pair's verb word."""
        plain, edited = np.asarray(plain, np.float64), np.asarray(edited, np.float64)
        basis = None
        keys = plain
        if dims is not None and dims < plain.shape[1]:
            _, _, vt = np.linalg.svd(plain, full_matrices=False)
            basis = vt[:dims].astype(np.float32)
            keys = plain @ basis.T
        idx = names = classifier = None
        if cells is not None and len(set(cells)) > 1:
            names = tuple(sorted(set(cells)))
            idx = np.array([names.index(c) for c in cells], np.int64)
            classifier = Classifier.fit(plain, idx, len(names))
        verbs = tuple(v.lower() for v in verbs) if verbs and any(verbs) else ()
        return cls(keys.astype(np.float16), (edited - plain).astype(np.float16), k, basis,
                   idx, names or (), classifier, verbs)


@dataclass(frozen=True)
class Probe:
    """p(attribute | latent) = sigmoid(w . z + b), fitted on the pairs' two sides."""

    w: np.ndarray = field(repr=False)
    b: float = 0.0

    def __call__(self, z: np.ndarray) -> np.ndarray:
        s = np.atleast_2d(np.asarray(z, np.float64)) @ self.w.astype(np.float64) + self.b
        return 1.0 / (1.0 + np.exp(-np.clip(s, -50, 50)))

    def arrays(self) -> dict[str, np.ndarray]:
        return {"probe_w": self.w.astype(np.float32), "probe_b": np.float64(self.b)}

    @classmethod
    def from_arrays(cls, f) -> Probe | None:
        if "probe_w" not in f:
            return None
        return cls(np.asarray(f["probe_w"], np.float32), float(f["probe_b"]))

    @classmethod
    def fit(cls, plain: np.ndarray, edited: np.ndarray, l2: float = 1e-3,
            steps: int = 300) -> Probe:
        """Logistic regression (edited = 1, plain = 0) by Newton-free gradient descent with
        momentum on unit latents; deterministic."""
        x = normalize(np.concatenate([plain, edited]).astype(np.float64)).astype(np.float64)
        y = np.concatenate([np.zeros(len(plain)), np.ones(len(edited))])
        w, b = np.zeros(x.shape[1]), 0.0
        vw, vb, lr = np.zeros_like(w), 0.0, 4.0
        for _ in range(steps):
            p = 1.0 / (1.0 + np.exp(-np.clip(x @ w + b, -50, 50)))
            gw = x.T @ (p - y) / len(y) + l2 * w
            gb = float(np.mean(p - y))
            vw, vb = 0.9 * vw - lr * gw, 0.9 * vb - lr * gb
            w, b = w + vw, b + vb
        return cls(w.astype(np.float32), float(b))


@dataclass(frozen=True)
class Classifier:
    """Which of C classes a latent is in: argmax(w z + b), softmax regression."""

    w: np.ndarray = field(repr=False)
    """(C, D) float32."""
    b: np.ndarray = field(repr=False)
    """(C,) float32."""

    def predict(self, z: np.ndarray) -> np.ndarray:
        z = normalize(np.atleast_2d(np.asarray(z, np.float64))).astype(np.float64)
        return np.argmax(z @ self.w.T.astype(np.float64) + self.b, axis=1)

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, classes: int, l2: float = 1e-5,
            steps: int = 1000) -> Classifier:
        """Softmax regression by gradient descent with momentum on unit latents;
        deterministic."""
        x = normalize(np.asarray(x, np.float64)).astype(np.float64)
        onehot = np.eye(classes)[y]
        w, b = np.zeros((classes, x.shape[1])), np.zeros(classes)
        vw, vb, lr = np.zeros_like(w), np.zeros_like(b), 4.0
        for _ in range(steps):
            s = x @ w.T + b
            p = np.exp(s - s.max(1, keepdims=True))
            p /= p.sum(1, keepdims=True)
            gw = (p - onehot).T @ x / len(x) + l2 * w
            gb = (p - onehot).mean(0)
            vw, vb = 0.9 * vw - lr * gw, 0.9 * vb - lr * gb
            w, b = w + vw, b + vb
        return cls(w.astype(np.float32), b.astype(np.float32))
