"""TextAutoencoder: a model folder loaded for use — encode texts to latents, decode latents."""

from __future__ import annotations

import json
import threading
import unicodedata
import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from .model import ModelConfig, SentenceAutoencoder
from .tokenizer import BOS_ID, EOS_ID, PAD_ID, Tokenizer

CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE = "config.json", "model.safetensors", "tokenizer.model"
BATCH = 256
MAX_CHARS = 4096


class ModelError(ValueError):
    """A model folder that cannot be loaded; the message names the problem."""


class TruncationWarning(UserWarning):
    """A text was longer than the model's token limit and was cut."""


def builtin_model_path() -> Path:
    """Folder of the embedded default model."""
    return Path(str(resources.files("textlatent") / "models" / "builtin"))


def load_model(path: str | Path | None = None, device: str = "cpu") -> TextAutoencoder:
    """Load a model folder (config.json, model.safetensors, tokenizer.model); None = builtin."""
    return TextAutoencoder.load(builtin_model_path() if path is None else Path(path), device)


class TextAutoencoder:
    """Encode sentences to unit latent vectors and decode latents to sentences. Thread-safe."""

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
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
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
        net = SentenceAutoencoder(cfg)
        expected = net.state_dict()
        missing = sorted(set(expected) - set(state))
        extra = sorted(set(state) - set(expected))
        if missing or extra:
            raise ModelError(f"weights do not match config.json: missing {missing[:3]}, "
                             f"unexpected {extra[:3]}")
        for key, tensor in state.items():
            if tensor.shape != expected[key].shape:
                raise ModelError(f"weights do not match config.json: {key} has shape "
                                 f"{tuple(tensor.shape)}, expected {tuple(expected[key].shape)}")
        net.load_state_dict({k: v.float() for k, v in state.items()})
        name = raw.get("name") or path.name
        return cls(net, tok, name=name, device=device, meta=raw.get("meta", {}))

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
        """Validate texts and turn them into ids, cut to the model's limit (with a warning)."""
        texts = _check_texts(texts)
        limit = self.max_tokens - 1
        out = []
        for i, text in enumerate(texts):
            ids = self.tokenizer.encode(text[:MAX_CHARS])
            if len(ids) > limit or len(text) > MAX_CHARS:
                warnings.warn(
                    f"text {i} has {len(ids)} tokens; cut to the model's limit of {limit}",
                    TruncationWarning, stacklevel=3,
                )
                ids = ids[:limit]
            out.append(ids)
        return out

    def encode(self, texts: list[str] | str) -> np.ndarray:
        """Texts -> float32 array (n, D) of unit vectors."""
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
        """Latents (n, D) or (D,) -> texts. Rows are renormalised to unit length."""
        z = check_latents(latents, self.dim)
        max_tokens = self.max_tokens if max_tokens is None else int(max_tokens)
        if not 1 <= max_tokens <= 4 * self.max_tokens:
            raise ValueError(f"max_tokens must be between 1 and {4 * self.max_tokens}")
        if beam < 1 or beam > 32:
            raise ValueError("beam must be between 1 and 32")
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
    if not isinstance(texts, (list, tuple)):
        raise TypeError("texts must be a list of strings")
    if not texts:
        raise ValueError("no texts given")
    clean = []
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"text {i} is {type(text).__name__}, not str")
        # Lone surrogates cannot be encoded as UTF-8: replace them so nothing crashes.
        text = text.encode("utf-8", "replace").decode("utf-8")
        if not text.strip() or all(unicodedata.category(c)[0] in "CZ" for c in text):
            raise ValueError(f"text {i} is empty")
        clean.append(text)
    return clean


def check_latents(latents: np.ndarray, dim: int) -> np.ndarray:
    """Validate latents of shape (n, dim) or (dim,) and return unit float32 rows."""
    try:
        arr = np.asarray(latents)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"latents are not a numeric array: {exc}") from exc
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.floating)
                                   or np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f"latents must be numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise ValueError(f"latents must have shape (n, {dim}), got {tuple(np.shape(latents))}")
    if arr.shape[0] == 0:
        raise ValueError("no latents given")
    if not np.isfinite(arr).all():
        raise ValueError("latents contain NaN or infinity")
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    if (norms < 1e-8).any():
        raise ValueError("a latent is all zeros; it has no direction to decode")
    return np.ascontiguousarray(arr / norms, dtype=np.float32)


def save_model_folder(path: Path, net: SentenceAutoencoder, tokenizer_file: Path, name: str,
                      half: bool = False, meta: dict | None = None) -> None:
    """Atomically write config.json, model.safetensors and tokenizer.model into `path`."""
    path.mkdir(parents=True, exist_ok=True)
    state = {k: (v.half() if half and v.is_floating_point() else v).detach().cpu().contiguous()
             for k, v in net.state_dict().items()}
    _atomic(path / WEIGHTS_FILE, lambda p: save_file(state, str(p)))
    config = {"name": name, "model": net.cfg.to_dict(), "meta": meta or {}}
    _atomic(path / CONFIG_FILE, lambda p: p.write_text(json.dumps(config, indent=2) + "\n"))
    tok_bytes = Path(tokenizer_file).read_bytes()
    if Path(tokenizer_file).resolve() != (path / TOKENIZER_FILE).resolve():
        _atomic(path / TOKENIZER_FILE, lambda p: p.write_bytes(tok_bytes))


def _atomic(target: Path, write) -> None:
    import os

    tmp = target.with_name(target.name + ".tmp")
    write(tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)


__all__ = ["TextAutoencoder", "load_model", "ModelError", "TruncationWarning", "BOS_ID"]
