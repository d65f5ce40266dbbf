"""The model's own latent distribution, fitted on corpus latents and saved beside the model.

`latent_prior.npz` (no pickles) holds two fits of the same corpus latents:

- `anchors`: real corpus latents (float16). Method "near" draws one and moves it `radius`
  radians along a uniformly random tangent direction — the sentences stay close to real ones,
  so they read like real ones, while the step makes most of them new.
- `mean` and `cov_factor`: a full-covariance Gaussian (cov = F F^T). Method "gaussian" draws
  mean + temperature * F eps, renormalised; kept as the baseline it is measured against.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .atomic import write_npz_atomic
from .latent import normalize
from .transforms import around

PRIOR_FILE = "latent_prior.npz"
NEAR_RADIUS = 0.7
"""Default step of method "near" (radians): chosen by measurement, see MODEL_CARD.md."""


class NoPriorError(ValueError):
    """The model folder has no latent prior."""


@dataclass(frozen=True)
class LatentPrior:
    anchors: np.ndarray
    mean: np.ndarray
    cov_factor: np.ndarray
    radius: float = NEAR_RADIUS
    model: str = ""

    @property
    def dim(self) -> int:
        return int(self.mean.shape[0])

    def sample(self, n: int, seed: int | None = 0, method: str = "near",
               radius: float | None = None, temperature: float = 1.0) -> np.ndarray:
        """n unit latents (n, D) float32."""
        rng = np.random.default_rng(seed)
        if method == "near":
            picks = rng.integers(0, len(self.anchors), n)
            angle = self.radius if radius is None else float(radius)
            z = self.anchors[picks].astype(np.float64)
            return np.concatenate([around(row, angle, 1, rng) for row in z])
        if method == "gaussian":
            eps = rng.standard_normal((n, self.cov_factor.shape[1]))
            return normalize(self.mean[None, :].astype(np.float64)
                             + temperature * eps @ self.cov_factor.T.astype(np.float64))
        raise ValueError(f"unknown sampling method {method!r}; use 'near' or 'gaussian'")


def fit(latents: np.ndarray, anchors: int = 2048, seed: int = 0, radius: float = NEAR_RADIUS,
        model: str = "") -> LatentPrior:
    """Fit both parts of the prior on corpus latents (N, D)."""
    z = np.asarray(latents, np.float64)
    if z.ndim != 2 or len(z) < 2:
        raise ValueError("fitting a prior needs at least two latents (N, D)")
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(z), size=min(anchors, len(z)), replace=False))
    mean = z.mean(0)
    cov = np.cov(z, rowvar=False) + 1e-6 * np.eye(z.shape[1])
    factor = np.linalg.cholesky(cov)
    return LatentPrior(z[pick].astype(np.float16), mean.astype(np.float32),
                       factor.astype(np.float32), float(radius), model)


def save(prior: LatentPrior, path: str | Path) -> Path:
    """Write the prior to `path` (a file, or a model folder) atomically."""
    path = Path(path)
    if path.is_dir():
        path = path / PRIOR_FILE
    write_npz_atomic(path, dict(anchors=prior.anchors.astype(np.float16), mean=prior.mean,
                                cov_factor=prior.cov_factor, radius=np.float64(prior.radius),
                                model=np.array(prior.model)))
    return path


def load(path: str | Path) -> LatentPrior:
    """Read a prior file, or the one in a model folder; NoPriorError if there is none."""
    path = Path(path)
    if path.is_dir():
        path = path / PRIOR_FILE
    if not path.is_file():
        raise NoPriorError(f"this model has no latent prior ({path.name} not found in "
                           f"{path.parent}); fit one with `textlatent index build --sentences FILE "
                           f"--out {path.parent}`")
    from .npzfile import read

    f = read(path, "a latent prior file", ("anchors", "mean", "cov_factor", "radius", "model"))
    try:
        prior = LatentPrior(np.asarray(f["anchors"]), np.asarray(f["mean"], np.float32),
                            np.asarray(f["cov_factor"], np.float32), float(f["radius"]),
                            str(f["model"]))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{path} is not a latent prior file: {exc}") from None
    d = prior.dim
    if prior.anchors.ndim != 2 or prior.anchors.shape[1] != d or prior.cov_factor.shape != (d, d):
        raise ValueError(f"{path} is not a latent prior file: shapes do not agree")
    return prior
