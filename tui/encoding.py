"""The encode step the app's encode worker runs for each sentence (no Textual)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .path_decoder import WARNINGS_LOCK

if TYPE_CHECKING:
    from textlatent.backends.base import TextAutoencoder
    from textlatent.fidelity import Attempt


@dataclass
class EncodeResult:
    """What the model made of one sentence (or why it could not)."""

    entry_id: int
    latent: np.ndarray | None = None
    reconstruction: str | None = None
    seen_text: str | None = None
    truncated: bool = False
    error: str | None = None
    pieces: list[str] | None = None
    fidelity: float | None = None
    attempts: tuple[Attempt, ...] = ()


def encode_one(model: TextAutoencoder, entry_id: int, text: str) -> EncodeResult:
    """Encode one text and reconstruct it with the default decode (`decode_spec.decode`: greedy,
    checked against the latent, corrected where it does not verify), keeping the tries.

    A text over the model's token limit is cut by the library with a TruncationWarning;
    we catch it and report the part the model actually saw.
    """
    from textlatent.backends.base import TruncationWarning
    from textlatent.decode_spec import decode

    with WARNINGS_LOCK, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            latent = model.encode([text])
            decoded = decode(model, latent)[0]
            truncated = any(issubclass(w.category, TruncationWarning) for w in caught)
            seen = model.fit(text) if truncated else text
            pieces = model.pieces(seen)
        except (ValueError, TypeError) as exc:
            return EncodeResult(entry_id, error=str(exc))
        except Exception as exc:  # any failure becomes a notification
            return EncodeResult(entry_id, error=f"{type(exc).__name__}: {exc}")
    return EncodeResult(entry_id, latent[0], decoded.text, seen, truncated, pieces=pieces,
                        fidelity=decoded.fidelity, attempts=decoded.attempts)
