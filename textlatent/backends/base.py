"""The seam every model family plugs into: the input contract once, and the surface the CLI and
the app use (`name`, `dim`, `max_tokens`, `num_parameters`, `encode`, `decode`, `reconstruct`,
`pieces`, `fit`). No torch here: a backend imports what it needs.

Input contract (also in docs/input-contract.md):

- `encode` takes a str or a list/tuple of str. Anything else is a TypeError, as is a non-str item
  ("text 3 is bytes, not str"). An empty list, and a text made only of whitespace, control and
  format characters ("", "  ", "\\x00", "\\u200b", ...), is a ValueError ("text 3 is empty ...").
- Every other text is accepted as it is: NUL and control characters, right-to-left text,
  combining marks, emoji, CJK, private-use and unassigned code points all reach the tokenizer.
- Lone surrogates (undecodable bytes, broken UTF-16) are replaced with U+FFFD.
- A text longer than the model's limit is cut, with a `TruncationWarning` per text that names it:
  over `max_tokens - 1` tokens, the ids are cut to that many; over MAX_CHARS (4096) characters,
  only the first MAX_CHARS are tokenized. Turn the warning into an error with
  `warnings.simplefilter("error", TruncationWarning)`.
- Any number of texts per call: they are encoded in batches of `batch_size`.
- `decode` takes latents of shape (n, D) or (D,) as any real numbers (lists, ints, any float
  width). Wrong shape, non-numbers (str, bool, complex, None), NaN or infinity and all-zero rows
  are a ValueError. Rows are renormalised to unit length in float64, so very large or very small
  rows keep their direction. Decoded texts are valid Unicode.
- Decoding options out of range (beam, temperature, top_p, max_tokens) are a ValueError.

Thread-safe: one instance may be shared by many threads; calls into the network are serialised
by a lock, so every call gives the same result as it would alone.
"""

from __future__ import annotations

import secrets
import threading
import unicodedata
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..tokenizer import replace_surrogates

BATCH = 256
MAX_CHARS = 4096
MAX_BEAM = 32
# Characters that carry no content: a text made only of these is "empty".
_BLANK_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}


class ModelError(ValueError):
    """A model that cannot be loaded; the message names the problem in one line."""


class TruncationWarning(UserWarning):
    """A text was longer than the model's token limit and was cut."""


@dataclass(frozen=True)
class DecodeOptions:
    """Checked decoding options. `seed` is always set when `temperature > 0`."""

    beam: int = 1
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int | None = None
    max_tokens: int = 64

    @property
    def sampling(self) -> bool:
        return self.temperature > 0


class TextAutoencoder(ABC):
    """A loaded model: texts -> unit latents (n, D) -> texts. See the module docstring for the
    input contract, which this class enforces for every backend.

    A backend implements `dim`, `max_tokens`, `num_parameters`, `_token_ids`, `_detokenize`,
    `_piece_strings`, `_encode_ids` and `_decoder`; it is called with the lock held and with
    checked inputs only.
    """

    backend: str = "base"  # the family, shown beside the model's name

    def __init__(self, name: str = "model", batch_size: int = BATCH):
        self.name = name
        self.batch_size = batch_size
        self._lock = threading.Lock()

    # -- what a backend provides ----------------------------------------------------------------
    @property
    @abstractmethod
    def dim(self) -> int:
        """Size D of a latent."""

    @property
    @abstractmethod
    def max_tokens(self) -> int:
        """Token limit of one text (its end token included)."""

    @property
    @abstractmethod
    def num_parameters(self) -> int:
        """Parameters in the network."""

    @abstractmethod
    def _token_ids(self, text: str) -> list[int]:
        """One checked text -> its ids, without end token or limit."""

    @abstractmethod
    def _detokenize(self, ids: list[int]) -> str:
        """Ids -> text."""

    @abstractmethod
    def _piece_strings(self, ids: list[int]) -> list[str]:
        """Ids -> the tokenizer's piece for each id."""

    @abstractmethod
    def _encode_ids(self, batch: list[list[int]]) -> np.ndarray:
        """At most `batch_size` id lists -> (n, D) unit latents. Called with the lock held."""

    @abstractmethod
    def _decoder(self, options: DecodeOptions) -> Callable[[np.ndarray], list[str]]:
        """A function decoding unit float32 rows (at most `batch_size`) with these options.

        Made once per `decode` call (so a seeded sampler runs on across batches) and called
        with the lock held.
        """

    # -- the surface ----------------------------------------------------------------------------
    @property
    def summary(self) -> str:
        """One line naming the backend and the model: 'gru · builtin · D=256 · 12.3M parameters'."""
        return (f"{self.backend} · {self.name} · D={self.dim} · "
                f"{self.num_parameters / 1e6:.1f}M parameters")

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Validate texts and turn them into ids, cut to the model's limit (with a warning).

        Raises TypeError / ValueError as described in the module docstring; warns with
        TruncationWarning for each text that is cut.
        """
        texts = check_texts(texts)
        limit = self.max_tokens - 1
        out = []
        for i, text in enumerate(texts):
            ids = self._token_ids(text[:MAX_CHARS])
            if len(text) > MAX_CHARS:
                size = f"{len(text)} characters"
            elif len(ids) > limit:
                size = f"{len(ids)} tokens"
            else:
                out.append(ids)
                continue
            warnings.warn(f"text {i} has {size}; cut to the model's limit of {limit} tokens",
                          TruncationWarning, stacklevel=3)
            out.append(ids[:limit])
        return out

    def pieces(self, text: str) -> list[str]:
        """The pieces the model sees for one text (after any cut), for display."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TruncationWarning)
            ids = self.tokenize([text])[0]
        return self._piece_strings(ids)

    def fit(self, text: str) -> str:
        """The text as the model sees it: unchanged when within the limit, else its kept part."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", TruncationWarning)
            ids = self.tokenize([text])[0]
        if not any(issubclass(w.category, TruncationWarning) for w in caught):
            return check_texts([text])[0]
        return self._detokenize(ids)

    def encode(self, texts: Sequence[str] | str) -> np.ndarray:
        """Texts -> float32 array (n, D) of unit vectors (TypeError, ValueError for empty
        texts, TruncationWarning for cut ones)."""
        if isinstance(texts, str):
            texts = [texts]
        ids = self.tokenize(texts)
        chunks = []
        with self._lock:
            for start in range(0, len(ids), self.batch_size):
                chunks.append(self._encode_ids(ids[start:start + self.batch_size]))
        return np.concatenate(chunks).astype(np.float32)

    def decode_options(self, *, beam: int = 1, temperature: float = 0.0, top_p: float = 1.0,
                       seed: int | None = None, max_tokens: int | None = None) -> DecodeOptions:
        """Check decoding options (ValueError when out of range) and fill in the defaults."""
        max_tokens = self.max_tokens if max_tokens is None else int(max_tokens)
        if not 1 <= max_tokens <= 4 * self.max_tokens:
            raise ValueError(f"max_tokens must be between 1 and {4 * self.max_tokens}")
        if isinstance(beam, bool) or not isinstance(beam, (int, np.integer)) \
                or not 1 <= beam <= MAX_BEAM:
            raise ValueError(f"beam must be a whole number between 1 and {MAX_BEAM}")
        if temperature < 0 or not np.isfinite(temperature):
            raise ValueError("temperature must be >= 0")
        if not 0 < top_p <= 1:
            raise ValueError("top_p must be in (0, 1]")
        if temperature > 0:
            seed = int(seed) if seed is not None else secrets.randbelow(2**31)
        return DecodeOptions(int(beam), float(temperature), float(top_p), seed, max_tokens)

    def decode(self, latents: np.ndarray, *, beam: int = 1, temperature: float = 0.0,
               top_p: float = 1.0, seed: int | None = None,
               max_tokens: int | None = None) -> list[str]:
        """Latents (n, D) or (D,) -> texts. Rows are renormalised to unit length.

        Beam search when `beam > 1` and `temperature == 0`; top-p sampling when
        `temperature > 0` (seeded by `seed`); greedy otherwise. ValueError for latents of the
        wrong shape, non-numbers, NaN/inf or all-zero rows, and for options out of range.
        """
        z = check_latents(latents, self.dim)
        options = self.decode_options(beam=beam, temperature=temperature, top_p=top_p,
                                      seed=seed, max_tokens=max_tokens)
        texts: list[str] = []
        with self._lock:
            run = self._decoder(options)
            for start in range(0, len(z), self.batch_size):
                texts.extend(run(z[start:start + self.batch_size]))
        return texts

    def reconstruct(self, texts: Sequence[str] | str, **decode_args) -> list[str]:
        """encode then decode: what the model makes of each text."""
        return self.decode(self.encode(texts), **decode_args)


def check_texts(texts: Sequence[str]) -> list[str]:
    """The input contract of `encode`: returns the texts to tokenize (surrogates replaced)."""
    if not isinstance(texts, (list, tuple)):
        raise TypeError("texts must be a list of strings")
    if not texts:
        raise ValueError("no texts given")
    clean = []
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"text {i} is {type(text).__name__}, not str")
        text = replace_surrogates(text)
        if all(unicodedata.category(c) in _BLANK_CATEGORIES for c in text):
            raise ValueError(f"text {i} is empty (nothing but whitespace or control characters)")
        clean.append(text)
    return clean


def check_latents(latents: np.ndarray, dim: int) -> np.ndarray:
    """Validate latents of shape (n, dim) or (dim,) and return unit float32 rows.

    Raises ValueError for anything that is not a finite, non-zero array of real numbers of that
    shape. Rows are rescaled in float64, so very large or very small (but non-zero) rows keep
    their direction.
    """
    try:
        arr = np.asarray(latents)
    except (ValueError, TypeError, RecursionError) as exc:
        raise ValueError(f"latents are not a numeric array: {exc}") from exc
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.floating)
                                   or np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f"latents must be numbers, got dtype {arr.dtype}")
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise ValueError(f"latents must have shape (n, {dim}), got {tuple(np.shape(latents))}")
    if arr.shape[0] == 0:
        raise ValueError("no latents given")
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        raise ValueError("latents contain NaN or infinity")
    scale = np.abs(arr).max(axis=1, keepdims=True)
    if (scale == 0).any():
        raise ValueError("a latent is all zeros; it has no direction to decode")
    arr = arr / scale
    return np.ascontiguousarray(arr / np.linalg.norm(arr, axis=1, keepdims=True),
                                dtype=np.float32)
