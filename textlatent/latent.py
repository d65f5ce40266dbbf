"""Pure numpy operations on latent vectors: interpolation, arithmetic, neighbours."""

from __future__ import annotations

import numpy as np


def normalize(v: np.ndarray) -> np.ndarray:
    """Scale rows (or a single vector) to unit length.

    Zero vectors and vectors with NaN or infinity raise ValueError. Rows are first divided by
    their largest magnitude, so very large or very small vectors keep their direction.
    """
    v = np.asarray(v, dtype=np.float64)
    if not np.isfinite(v).all():
        raise ValueError("cannot normalize a vector with NaN or infinity")
    scale = np.abs(v).max(axis=-1, keepdims=True)
    if (scale == 0).any():
        raise ValueError("cannot normalize a zero vector")
    v = v / scale
    return (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)


def lerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """Straight-line blend, renormalised to the unit sphere."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)  # no overflow in the norm
    mid = (1.0 - t) * a + t * b
    if np.linalg.norm(mid) < 1e-6:
        return slerp(a, b, t)
    return normalize(mid)


def slerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """Spherical blend along the great circle from a (t=0) to b (t=1)."""
    a, b = normalize(a), normalize(b)
    # The angle from atan2 stays exact near 0 and pi, where arccos of a float32 dot does not:
    # b == -a must take the antipodal branch, or the blend passes through zero.
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    omega = 2.0 * np.arctan2(np.linalg.norm(a64 - b64), np.linalg.norm(a64 + b64))
    if omega < 1e-6:
        return normalize((1.0 - t) * a + t * b)
    if np.pi - omega < 1e-6:
        # Antipodal: any great circle works; pick one through a fixed orthogonal direction.
        ortho = np.zeros_like(a)
        ortho[np.argmin(np.abs(a))] = 1.0
        ortho = normalize(ortho - np.dot(ortho, a) * a)
        return normalize(np.cos(np.pi * t) * a + np.sin(np.pi * t) * ortho)
    so = np.sin(omega)
    return normalize(np.sin((1.0 - t) * omega) / so * a + np.sin(t * omega) / so * b)


def blend_path(a: np.ndarray, b: np.ndarray, steps: int = 9, method: str = "slerp") -> np.ndarray:
    """`steps` latents from a to b inclusive, shape (steps, D)."""
    if steps < 2:
        raise ValueError("a blend path needs at least 2 steps")
    fn = {"slerp": slerp, "lerp": lerp}.get(method)
    if fn is None:
        raise ValueError(f"unknown blend method {method!r}; use 'slerp' or 'lerp'")
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"blend needs two vectors of one size, got {a.shape} and {b.shape}")
    return np.stack([fn(a, b, float(t)) for t in np.linspace(0.0, 1.0, steps)]).astype(np.float32)


def arithmetic(base: np.ndarray, plus: list[np.ndarray] = (), minus: list[np.ndarray] = (),
               scale: float = 1.0) -> np.ndarray:
    """base + scale * (sum(plus) - sum(minus)), renormalised (e.g. king - man + woman)."""
    out = np.asarray(base, np.float64).copy()
    for v in plus:
        out = out + scale * np.asarray(v, np.float64)
    for v in minus:
        out = out - scale * np.asarray(v, np.float64)
    return normalize(out)


def perturb(z: np.ndarray, radius: float, n: int, seed: int | None = None) -> np.ndarray:
    """n unit vectors near z: Gaussian noise of expected norm `radius`, renormalised."""
    rng = np.random.default_rng(seed)
    z = normalize(z)
    noise = rng.standard_normal((n, z.shape[-1])).astype(np.float32)
    noise *= radius / np.sqrt(z.shape[-1])
    return normalize(z[None, :] + noise)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two vectors."""
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def nearest(query: np.ndarray, bank: np.ndarray, k: int = 5) -> list[tuple[int, float]]:
    """Indices and cosines of the k rows of `bank` most similar to `query`."""
    bank = normalize(np.asarray(bank, np.float32))
    sims = bank @ normalize(query)
    order = np.argsort(-sims)[:k]
    return [(int(i), float(sims[i])) for i in order]
