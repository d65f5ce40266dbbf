"""Messages the worker threads post back to the app, and the encode step they run."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from textual.message import Message

from .path_decoder import WARNINGS_LOCK

if TYPE_CHECKING:
    from textlatent.backends.base import TextAutoencoder
    from textlatent.fidelity import Attempt, Decoded

_WARNINGS_LOCK = WARNINGS_LOCK  # one thread at a time may swap the warnings state


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

    with _WARNINGS_LOCK, warnings.catch_warnings(record=True) as caught:
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


class ModelLoaded(Message):
    """The model is ready to use."""

    def __init__(self, model: TextAutoencoder) -> None:
        super().__init__()
        self.model = model


class ModelFailed(Message):
    """The model could not be loaded; `error` says why in one line."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class Encoded(Message):
    """One sentence was encoded (or failed)."""

    def __init__(self, result: EncodeResult) -> None:
        super().__init__()
        self.result = result


class PathDecoded(Message):
    """Some rows of the path for `key` were decoded (row index -> text with its fidelity)."""

    def __init__(self, key: tuple, rows: dict[int, Decoded]) -> None:
        super().__init__()
        self.key = key
        self.rows = rows


class DecodeFailed(Message):
    """Decoding the blend path failed."""

    def __init__(self, key: tuple, error: str) -> None:
        super().__init__()
        self.key = key
        self.error = error


class ExtrasLoaded(Message):
    """The model folder's latent prior, sentence index and directions (what there is)."""

    def __init__(self, extras: object) -> None:
        super().__init__()
        self.extras = extras


class NeighborsFound(Message):
    """The nearest real sentences of one row's latent (`key`: path key and row)."""

    def __init__(self, key: tuple, neighbors: list[tuple[str, float]] | None,
                 note: str | None = None) -> None:
        super().__init__()
        self.key = key
        self.neighbors = neighbors
        self.note = note
