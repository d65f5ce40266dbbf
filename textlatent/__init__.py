"""textlatent: see how a generative model works — encode sentences, blend latents, decode."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .fidelity import (
    DEFAULT,
    GREEDY,
    VERIFIED_AT,
    Budget,
    Decoded,
    decode_path,
    decode_scored,
    decode_verified,
    fidelity,
)
from .latent import arithmetic, blend_path, cosine, lerp, nearest, perturb, slerp

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .autoencoder import TextAutoencoder


def load_model(path=None, device: str = "cpu") -> TextAutoencoder:
    """Load a model folder (None = the builtin model). Imports torch on first use."""
    from .autoencoder import load_model as _load

    return _load(path, device)


__all__ = ["load_model", "blend_path", "slerp", "lerp", "arithmetic", "perturb", "cosine",
           "nearest", "fidelity", "decode_verified", "decode_path", "decode_scored", "Budget",
           "Decoded", "GREEDY", "DEFAULT", "VERIFIED_AT", "__version__"]
