"""Messages the worker threads post back to the app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from .encoding import EncodeResult

if TYPE_CHECKING:
    from textlatent.backends.base import TextAutoencoder
    from textlatent.fidelity import Decoded


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


class Warned(Message):
    """A Python warning was raised while the app runs (say, a text cut to the model's limit)."""

    def __init__(self, text: str, kind: str) -> None:
        super().__init__()
        self.text = text
        self.kind = kind
