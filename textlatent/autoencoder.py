"""TextAutoencoder: a model folder loaded for use — encode texts to latents, decode latents."""

from __future__ import annotations

import json
import threading
import unicodedata
import warnings
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from .atomic import atomic_write, write_bytes_atomic, write_text_atomic
from .model import ModelConfig, SentenceAutoencoder
from .paths import CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE, builtin_model_path
from .tokenizer import BOS_ID, EOS_ID, PAD_ID, UNK_ID, Tokenizer, replace_surrogates

BATCH = 256
MAX_CHARS = 4096
# Characters that carry no content: a text made only of these is "empty".
_BLANK_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}


class ModelError(ValueError):
    """A model folder that cannot be loaded; the message names the problem."""


class TruncationWarning(UserWarning):
    """A text was longer than the model's token limit and was cut."""


def load_model(path: str | Path | None = None, device: str = "cpu") -> TextAutoencoder:
    """Load a model folder (config.json, model.safetensors, tokenizer.model); None = builtin."""
    return TextAutoencoder.load(builtin_model_path() if path is None else Path(path), device)


class TextAutoencoder:
    """Encode sentences to unit latent vectors and decode latents to sentences.

    Input contract (also in docs/input-contract.md):

    - `encode` takes a str or a list/tuple of str. Anything else is a TypeError, as is a
      non-str item ("text 3 is bytes, not str"). An empty list, and a text made only of
      whitespace, control and format characters ("", "  ", "\\x00", "\\u200b", ...), is a
      ValueError ("text 3 is empty ...").
    - Every other text is accepted as it is: NUL and control characters, right-to-left text,
      combining marks, emoji, CJK, private-use and unassigned code points all reach the
      tokenizer, which falls back to bytes for anything outside its vocabulary.
    - Lone surrogates (undecodable bytes, broken UTF-16) are replaced with U+FFFD.
    - A text longer than the model's limit is cut, with a `TruncationWarning` per text that
      names it: over `max_tokens - 1` tokens, the ids are cut to that many; over MAX_CHARS
      (4096) characters, only the first MAX_CHARS are tokenized. Turn the warning into an
      error with `warnings.simplefilter("error", TruncationWarning)`.
    - Any number of texts per call: they are encoded in batches of BATCH.
    - `decode` takes latents of shape (n, D) or (D,) as any real numbers (lists, ints, any
      float width). Wrong shape, non-numbers (str, bool, complex, None), NaN or infinity and
      all-zero rows are a ValueError. Rows are renormalised to unit length in float64, so
      very large or very small rows keep their direction. Decoded texts are valid Unicode.
    - Decoding options out of range (beam, temperature, top_p, max_tokens) are a ValueError.

    Thread-safe: one instance may be shared by many threads; calls into the network are
    serialised by a lock, so every call gives the same result as it would alone.
    """

    def __init__(self, net: SentenceAutoencoder, tokenizer: Tokenizer, name: str = "model",
                 device: str = "cpu", meta: dict | None = None):
        self.net = net.to(device).eval()
        self.tokenizer = tokenizer
        self.name = name
        self.device = torch.device(device)
        self.meta = meta or {}
        self._lock = threading.Lock()

    # -- properties --------------------------------------------------------------------------
    @property
    def config(self) -> ModelConfig:
        return self.net.cfg

    @property
    def dim(self) -> int:
        return self.net.cfg.latent_dim

    @property
    def max_tokens(self) -> int:
        return self.net.cfg.max_tokens

    @property
    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.net.parameters())

    # -- loading and saving ------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path, device: str = "cpu") -> TextAutoencoder:
        path = Path(path)
        if not path.exists():
            raise ModelError(f"model folder not found: {path}")
        if not path.is_dir():
            raise ModelError(f"model path is not a folder: {path}")
        for fname in (CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE):
            if not (path / fname).is_file():
                raise ModelError(f"model folder {path} is missing {fname}")
        try:
            raw = json.loads((path / CONFIG_FILE).read_text(encoding="utf-8"))
            cfg = ModelConfig.from_dict(raw["model"])
            _check_config(cfg)
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise ModelError(f"{path / CONFIG_FILE} is not a valid model config: {exc}") from exc
        try:
            tok = Tokenizer(path / TOKENIZER_FILE)
        except (ValueError, OSError) as exc:
            raise ModelError(str(exc)) from exc
        if tok.vocab_size != cfg.vocab_size:
            raise ModelError(
                f"tokenizer has {tok.vocab_size} pieces but config.json says vocab_size "
                f"{cfg.vocab_size}"
            )
        try:
            state = load_file(str(path / WEIGHTS_FILE))
        except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
            raise ModelError(
                f"{path / WEIGHTS_FILE} is not a readable safetensors file: {exc}"
            ) from exc
        try:
            cfg.check_size()  # refuse absurd shapes before allocating anything
            net = SentenceAutoencoder(cfg)
            expected = net.state_dict()
        except (RuntimeError, ValueError, TypeError, OverflowError) as exc:
            raise ModelError(f"{path / CONFIG_FILE} describes an impossible network: "
                             f"{_first_line(exc)}") from exc
        missing = sorted(set(expected) - set(state))
        extra = sorted(set(state) - set(expected))
        if missing or extra:
            raise ModelError(f"weights do not match config.json: missing {missing[:3]}, "
                             f"unexpected {extra[:3]}")
        for key, tensor in state.items():
            if tensor.shape != expected[key].shape:
                raise ModelError(f"weights do not match config.json: {key} has shape "
                                 f"{tuple(tensor.shape)}, expected {tuple(expected[key].shape)}")
            if not tensor.is_floating_point():
                raise ModelError(f"{path / WEIGHTS_FILE}: {key} has dtype {tensor.dtype}, "
                                 "not floating point")
        state = {k: v.float() for k, v in state.items()}
        for key, tensor in state.items():
            if not bool(torch.isfinite(tensor).all()):
                raise ModelError(f"{path / WEIGHTS_FILE}: {key} contains NaN or infinity")
        net.load_state_dict(state, assign=True)
        name = raw.get("name")
        meta = raw.get("meta")
        return cls(net, tok, name=name if isinstance(name, str) and name else path.name,
                   device=device, meta=meta if isinstance(meta, dict) else {})

    def save(self, path: str | Path, name: str | None = None, half: bool = False,
             meta: dict | None = None) -> Path:
        """Write a model folder that `load_model(path)` reads back."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        save_model_folder(path, self.net, self.tokenizer.path, name or self.name,
                          half=half, meta=meta if meta is not None else self.meta)
        return path

    # -- encode ------------------------------------------------------------------------------
    def tokenize(self, texts: list[str]) -> list[list[int]]:
        """Validate texts and turn them into ids, cut to the model's limit (with a warning).

        Raises TypeError / ValueError as described in the class docstring; warns with
        TruncationWarning for each text that is cut.
        """
        texts = _check_texts(texts)
        limit = self.max_tokens - 1
        out = []
        for i, text in enumerate(texts):
            ids = self.tokenizer.encode(text[:MAX_CHARS])
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

    def encode(self, texts: list[str] | str) -> np.ndarray:
        """Texts -> float32 array (n, D) of unit vectors (see the class docstring for the
        input contract: TypeError, ValueError for empty texts, TruncationWarning)."""
        if isinstance(texts, str):
            texts = [texts]
        ids = self.tokenize(texts)
        chunks = []
        with self._lock, torch.inference_mode():
            for start in range(0, len(ids), BATCH):
                batch = ids[start:start + BATCH]
                lengths = torch.tensor([max(len(x), 1) for x in batch])
                padded = torch.full((len(batch), int(lengths.max())), PAD_ID, dtype=torch.long)
                for row, seq in enumerate(batch):
                    padded[row, :len(seq)] = torch.tensor(seq or [EOS_ID], dtype=torch.long)
                z = self.net.encode(padded.to(self.device), lengths.to(self.device))
                chunks.append(z.float().cpu().numpy())
        return np.concatenate(chunks).astype(np.float32)

    # -- decode ------------------------------------------------------------------------------
    def decode(self, latents: np.ndarray, *, beam: int = 1, temperature: float = 0.0,
               top_p: float = 1.0, seed: int | None = None,
               max_tokens: int | None = None) -> list[str]:
        """Latents (n, D) or (D,) -> texts. Rows are renormalised to unit length.

        ValueError for latents of the wrong shape, non-numbers, NaN/inf or all-zero rows, and
        for options out of range.
        """
        z = check_latents(latents, self.dim)
        max_tokens = self.max_tokens if max_tokens is None else int(max_tokens)
        if not 1 <= max_tokens <= 4 * self.max_tokens:
            raise ValueError(f"max_tokens must be between 1 and {4 * self.max_tokens}")
        if isinstance(beam, bool) or not isinstance(beam, (int, np.integer)) \
                or not 1 <= beam <= 32:
            raise ValueError("beam must be a whole number between 1 and 32")
        if temperature < 0 or not np.isfinite(temperature):
            raise ValueError("temperature must be >= 0")
        if not 0 < top_p <= 1:
            raise ValueError("top_p must be in (0, 1]")
        gen = None
        if temperature > 0:
            gen = torch.Generator(device=self.device)
            gen.manual_seed(int(seed) if seed is not None else int(torch.seed() % 2**31))
        texts = []
        with self._lock, torch.inference_mode():
            for start in range(0, len(z), BATCH):
                zt = torch.from_numpy(z[start:start + BATCH]).to(self.device)
                if beam > 1 and temperature <= 0:
                    ids = self.net.beam_search(zt, max_tokens, beam)
                else:
                    ids = self.net.generate(zt, max_tokens, temperature, top_p, gen)
                texts.extend(self.tokenizer.decode(seq) for seq in ids)
        return texts

    def reconstruct(self, texts: list[str] | str, **decode_args) -> list[str]:
        """encode then decode: what the model makes of each text."""
        return self.decode(self.encode(texts), **decode_args)


def _check_texts(texts: list[str]) -> list[str]:
    """The input contract of `encode` (see TextAutoencoder): returns the texts to tokenize."""
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


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _check_config(cfg: ModelConfig) -> None:
    """Types and ranges of config.json's model section; raises ValueError naming the field."""
    for key, value in cfg.to_dict().items():
        if key == "dropout":
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not 0 <= value < 1:
                raise ValueError(f"dropout must be a number in [0, 1), got {value!r}")
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2**24:
            raise ValueError(f"{key} must be a whole number from 0 to 2**24, got {value!r}")
    for key in ("vocab_size", "emb_dim", "enc_hidden", "enc_layers", "latent_dim", "dec_hidden",
                "dec_layers"):
        if getattr(cfg, key) < 1:
            raise ValueError(f"{key} must be at least 1")
    if cfg.max_tokens < 2:
        raise ValueError("max_tokens must be at least 2")
    specials = (cfg.pad_id, cfg.unk_id, cfg.bos_id, cfg.eos_id)
    if specials != (PAD_ID, UNK_ID, BOS_ID, EOS_ID):
        raise ValueError(f"special ids (pad, unk, bos, eos) must be "
                         f"{(PAD_ID, UNK_ID, BOS_ID, EOS_ID)}, got {specials}")


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


def save_model_folder(path: Path, net: SentenceAutoencoder, tokenizer_file: Path, name: str,
                      half: bool = False, meta: dict | None = None) -> None:
    """Atomically write config.json, model.safetensors and tokenizer.model into `path`."""
    path.mkdir(parents=True, exist_ok=True)
    state = {k: (v.half() if half and v.is_floating_point() else v).detach().cpu().contiguous()
             for k, v in net.state_dict().items()}
    atomic_write(path / WEIGHTS_FILE, lambda p: save_file(state, str(p)))
    config = {"name": name, "model": net.cfg.to_dict(), "meta": meta or {}}
    write_text_atomic(path / CONFIG_FILE, json.dumps(config, indent=2) + "\n")
    tok_bytes = Path(tokenizer_file).read_bytes()
    if Path(tokenizer_file).resolve() != (path / TOKENIZER_FILE).resolve():
        write_bytes_atomic(path / TOKENIZER_FILE, tok_bytes)


__all__ = ["TextAutoencoder", "load_model", "ModelError", "TruncationWarning", "BOS_ID"]
