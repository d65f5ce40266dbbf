"""textlatent: see how a generative model works — encode sentences, blend latents, decode."""

from __future__ import annotations

from .backends import ModelError, TextAutoencoder, TruncationWarning, check_latents, load_model
from .decode_spec import DecodeSpec, decode
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

__all__ = ["load_model", "ModelError", "TruncationWarning", "TextAutoencoder", "check_latents",
           "blend_path", "slerp", "lerp", "arithmetic", "perturb", "cosine", "nearest",
           "fidelity", "decode_verified", "decode_path", "decode_scored", "Budget", "Decoded",
           "GREEDY", "DEFAULT", "VERIFIED_AT", "DecodeSpec", "decode", "__version__"]
