"""textlatent: see how a generative model works — encode sentences, blend latents, decode."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .latent import arithmetic, blend_path, cosine, lerp, nearest, perturb, slerp

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .autoencoder import TextAutoencoder


def load_model(path=None, device: str = "cpu") -> TextAutoencoder:
    """Load a model folder (None = the builtin model). Imports torch on first use."""
    from .autoencoder import load_model as _load

    return _load(path, device)


__all__ = ["load_model", "blend_path", "slerp", "lerp", "arithmetic", "perturb", "cosine",
           "nearest", "__version__"]
