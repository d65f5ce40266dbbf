"""Pictures of the latent space in two dimensions (pure numpy; no model, no plotting).

- The plane of two latents (`Plane`): exact, no fitting. Unit latents in that plane lie on its
  unit circle; any other latent is drawn at its orthogonal projection, and the part of it that
  leaves the plane (`Plane.off`) is reported beside it.
- The map of meanings (`LatentMap`): every index sentence at a 2-D point, and a way to place new
  latents. Two kinds: "pca" (the top two principal directions of the index latents, a linear
  projection any latent goes through) and a non-linear map computed offline ("tsne": openTSNE
  coordinates of the index sentences; a new latent is placed at the similarity-weighted mean of
  its nearest index sentences). `neighbourhood_preservation` measures how well a map keeps each
  point's nearest latent neighbours near it.

The map's data lives beside the index in the model folder as `latent_map.npz` (no pickles):
the kind, the index sentences' coordinates as float16 and, for "pca", the projection.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .atomic import write_npz_atomic
from .latent import normalize

MAP_FILE = "latent_map.npz"
KINDS = ("pca", "tsne")
PLACE_K = 10
"""Index sentences a new latent's place on a non-linear map is taken from."""
PLACE_SHARPNESS = 20.0
"""How strongly the nearest of them pull: weights exp(sharpness · (cos − best cos))."""
NEIGHBOURS = 10
"""Neighbourhood preservation compares each point's this many nearest neighbours."""
BUILD_COMMAND = "textlatent map --build [--model DIR] --out DIR"


# -- the plane of two latents ---------------------------------------------------------------------
@dataclass(frozen=True)
class Plane:
    """An orthonormal basis (2, D) of a plane through the origin of latent space."""

    basis: np.ndarray

    @classmethod
    def through(cls, first: np.ndarray, second: np.ndarray) -> Plane:
        """The plane spanned by two latents, `first` on the +x axis, `second` above it (y ≥ 0).

        Parallel latents span no plane: the second axis is then any direction orthogonal to
        the first (its coordinate is 0, so the picture is still exact).
        """
        e1 = _unit_vec(first)
        v = np.asarray(second, np.float64).ravel()
        rest = v - (v @ e1) * e1
        if np.linalg.norm(rest) < 1e-9 * max(1.0, float(np.linalg.norm(v))):
            rest = np.zeros_like(e1)
            rest[int(np.argmin(np.abs(e1)))] = 1.0
            rest -= (rest @ e1) * e1
        return cls(np.stack([e1, rest / np.linalg.norm(rest)]))

    @classmethod
    def fitted(cls, latents: np.ndarray) -> Plane:
        """The plane through the origin nearest to several latents (their top two right
        singular vectors), turned so the first latent lies on the +x axis and the second above
        it. For two latents it is the plane they span."""
        z = np.atleast_2d(np.asarray(latents, np.float64))
        if len(z) < 2:
            raise ValueError("a plane needs two latents")
        if len(z) == 2:
            return cls.through(z[0], z[1])
        _, _, vt = np.linalg.svd(z, full_matrices=False)
        span = vt[:2]
        first = span.T @ (span @ z[0])
        second = span.T @ (span @ z[1])
        if np.linalg.norm(first) < 1e-9:
            first = span[0]
        return cls.through(first, second if np.linalg.norm(second) > 1e-9 else span[1])

    def turned(self, angle: float, mirror: bool = False) -> Plane:
        """The same plane with its axes turned by `angle` (radians), after mirroring y."""
        c, s = np.cos(angle), np.sin(angle)
        m = np.array([[c, -s], [s, c]]) @ np.diag([1.0, -1.0 if mirror else 1.0])
        return Plane(m @ self.basis)

    def xy(self, latents: np.ndarray) -> np.ndarray:
        """Coordinates (n, 2) of latents' orthogonal projections on the plane."""
        return np.atleast_2d(np.asarray(latents, np.float64)) @ self.basis.T

    def off(self, latents: np.ndarray) -> np.ndarray:
        """Length (n,) of each latent's part orthogonal to the plane."""
        z = np.atleast_2d(np.asarray(latents, np.float64))
        inside = np.sum(self.xy(z) ** 2, axis=1)
        return np.sqrt(np.maximum(np.sum(z * z, axis=1) - inside, 0.0))


def arc(start: float, end: float, n: int = 64) -> np.ndarray:
    """n points (n, 2) of the unit circle from angle `start` to `end` (radians): the slerp
    arc between two unit latents in their plane."""
    phi = np.linspace(float(start), float(end), max(2, n))
    return np.stack([np.cos(phi), np.sin(phi)], axis=1)


def chord(a: np.ndarray, b: np.ndarray, n: int = 64) -> np.ndarray:
    """n points (n, 2) of the straight line from a to b (lerp before renormalising)."""
    t = np.linspace(0.0, 1.0, max(2, n))[:, None]
    return (1 - t) * np.asarray(a, np.float64) + t * np.asarray(b, np.float64)


def _unit_vec(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, np.float64).ravel()
    norm = np.linalg.norm(v)
    if not np.isfinite(norm) or norm == 0:
        raise ValueError("a plane needs two nonzero latents")
    return v / norm


# -- the map of meanings -------------------------------------------------------------------------
@dataclass
class LatentMap:
    """2-D coordinates of an index's sentences, and how new latents are placed among them."""

    kind: str
    coords: np.ndarray  # (n, 2) float16: one point per index sentence
    model: str = ""
    components: np.ndarray | None = None  # pca: (2, D) float32
    offset: np.ndarray | None = None  # pca: (2,) float32, subtracted after projecting

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown map kind {self.kind!r} (known: {', '.join(KINDS)})")
        if self.coords.ndim != 2 or self.coords.shape[1] != 2:
            raise ValueError(f"map coordinates must be (n, 2), not {self.coords.shape}")
        if self.kind == "pca" and (self.components is None or self.offset is None):
            raise ValueError("a PCA map needs its components and offset")

    def __len__(self) -> int:
        return len(self.coords)

    @property
    def dim(self) -> int | None:
        """Size of the latents a PCA map projects (None: placed through the index)."""
        return None if self.components is None else int(self.components.shape[1])

    def place(self, latents: np.ndarray, index=None) -> np.ndarray:
        """Map coordinates (n, 2) of latents (n, D).

        PCA projects them; a non-linear map needs the `index` it was built on and puts each at
        the weighted mean of its PLACE_K nearest index sentences' points.
        """
        z = normalize(np.atleast_2d(np.asarray(latents, np.float32)))
        if self.kind == "pca":
            if z.shape[1] != self.dim:
                raise ValueError(f"the map projects {self.dim}-dimensional latents, not "
                                 f"{z.shape[1]}")
            return z @ self.components.T - self.offset
        if index is None:
            raise ValueError("placing a latent on this map needs the sentence index")
        if len(index) != len(self):
            raise ValueError(f"the map has {len(self)} points, the index {len(index)}")
        return place_by_neighbours(index.scores(z), self.coords.astype(np.float32))


def place_by_neighbours(scores: np.ndarray, coords: np.ndarray, k: int = PLACE_K,
                        sharpness: float = PLACE_SHARPNESS) -> np.ndarray:
    """Points (m, 2) at the weighted mean of the coords of each row's k best scores (m, n)."""
    scores = np.atleast_2d(scores)
    k = min(k, scores.shape[1])
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    s = np.take_along_axis(scores, top, axis=1)
    w = np.exp(sharpness * (s - s.max(axis=1, keepdims=True)))
    w /= w.sum(axis=1, keepdims=True)
    return np.einsum("mk,mkd->md", w, coords[top]).astype(np.float32)


def fit_pca(index) -> LatentMap:
    """A PCA map of an index: its latents' top two principal directions (centred), expressed
    in the model's latent space so any latent can be projected."""
    bank = np.asarray(index.latents, np.float32)
    mean = bank.mean(axis=0)
    sample = bank
    if len(bank) > 20000:
        sample = bank[np.random.default_rng(0).choice(len(bank), 20000, replace=False)]
    _, _, vt = np.linalg.svd((sample - mean).astype(np.float64), full_matrices=False)
    comps = vt[:2]
    # sign: the largest loading of each axis positive, so a rebuild draws the same way round
    comps *= np.sign(comps[np.arange(2), np.argmax(np.abs(comps), axis=1)])[:, None]
    full = comps if index.basis is None else comps @ index.basis.astype(np.float64)
    offset = mean.astype(np.float64) @ comps.T
    coords = bank.astype(np.float64) @ comps.T - offset
    return LatentMap("pca", coords.astype(np.float16), index.model,
                     full.astype(np.float32), offset.astype(np.float32))


def fit_tsne(index, seed: int = 0, n_jobs: int = 1) -> LatentMap:
    """A t-SNE map of an index (openTSNE, an optional extra: `pip install openTSNE`)."""
    try:
        from openTSNE import TSNE
    except ImportError:
        raise ValueError("a t-SNE map needs openTSNE (pip install 'textlatent[map-build]')") \
            from None
    bank = normalize(np.asarray(index.latents, np.float32))
    emb = TSNE(n_components=2, perplexity=30, metric="cosine", random_state=seed,
               n_jobs=n_jobs, verbose=False).fit(bank)
    coords = np.asarray(emb, np.float64)
    coords -= coords.mean(axis=0)
    return LatentMap("tsne", coords.astype(np.float16), index.model)


def neighbourhood_preservation(latents: np.ndarray, points: np.ndarray,
                               k: int = NEIGHBOURS) -> float:
    """The mean share of each latent's k nearest latents (cosine) that are among its k
    nearest points on the map (Euclidean): 1 keeps every neighbourhood, k/n is chance."""
    z = normalize(np.asarray(latents, np.float32)).astype(np.float64)
    p = np.asarray(points, np.float64)
    if len(z) != len(p) or len(z) <= k:
        raise ValueError(f"need more than {k} points, and one map point per latent")
    sim = z @ z.T
    np.fill_diagonal(sim, -np.inf)
    sq = np.sum(p * p, axis=1)
    dist = sq[:, None] + sq[None, :] - 2 * p @ p.T
    np.fill_diagonal(dist, np.inf)
    near_z = np.argpartition(-sim, k - 1, axis=1)[:, :k]
    near_p = np.argpartition(dist, k - 1, axis=1)[:, :k]
    shared = [len(set(a) & set(b)) for a, b in zip(near_z.tolist(), near_p.tolist())]
    return float(np.mean(shared) / k)


# -- the file ------------------------------------------------------------------------------------
def save(m: LatentMap, path: str | Path) -> Path:
    """Write the map to `path` (a file, or a folder for MAP_FILE) atomically."""
    path = Path(path)
    if path.is_dir():
        path = path / MAP_FILE
    extra = {} if m.kind != "pca" else {"components": m.components.astype(np.float32),
                                         "offset": m.offset.astype(np.float32)}
    write_npz_atomic(path, dict(kind=np.array(m.kind), coords=m.coords.astype(np.float16),
                                model=np.array(m.model), **extra))
    return path


def load(path: str | Path) -> LatentMap:
    """Read a map file, or the one in a folder; FileNotFoundError (saying how to build one)
    if there is none."""
    path = Path(path)
    if path.is_dir():
        path = path / MAP_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no map of meanings ({path.name} not found in {path.parent}); "
                                f"build one with `textlatent map --build --out {path.parent}`")
    try:
        with np.load(path, allow_pickle=False) as f:
            pca = "components" in f.files
            return LatentMap(str(f["kind"]), np.asarray(f["coords"], np.float16), str(f["model"]),
                             np.asarray(f["components"], np.float32) if pca else None,
                             np.asarray(f["offset"], np.float32) if pca else None)
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise ValueError(f"{path} is not a map of meanings: {exc}") from None


def check_fits(m: LatentMap, index, model_name: str, dim: int) -> None:
    """ValueError unless the map belongs to this index and model."""
    if m.model and model_name and m.model != model_name:
        raise ValueError(f"the map was built with model {m.model!r}")
    if index is None:
        raise ValueError("the map needs the model's sentence index (index.npz)")
    if len(index) != len(m):
        raise ValueError(f"the map has {len(m)} points, the index {len(index)}: rebuild it "
                         f"with `{BUILD_COMMAND}`")
    if m.dim is not None and m.dim != dim:
        raise ValueError(f"the map projects {m.dim}-dimensional latents, the model makes {dim}")


# -- similarity ---------------------------------------------------------------------------------
def cosine_matrix(latents: np.ndarray) -> np.ndarray:
    """cos(z_i, z_j) for every pair of latents (n, D) -> (n, n), exactly 1 on the diagonal."""
    z = normalize(np.atleast_2d(np.asarray(latents, np.float32))).astype(np.float64)
    out = np.clip(z @ z.T, -1.0, 1.0)
    np.fill_diagonal(out, 1.0)
    return out
