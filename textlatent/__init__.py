"""textlatent: see how a generative model works — encode sentences, blend latents, decode."""

from __future__ import annotations

from .backends import ModelError, TextAutoencoder, TruncationWarning, check_latents, load_model
from .latent import arithmetic, blend_path, cosine, lerp, nearest, perturb, slerp

__version__ = "0.1.0"

__all__ = ["load_model", "ModelError", "TruncationWarning", "TextAutoencoder", "check_latents",
           "blend_path", "slerp", "lerp", "arithmetic", "perturb", "cosine", "nearest",
           "__version__"]
