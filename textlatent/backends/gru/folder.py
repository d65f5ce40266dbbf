"""The builtin family's model folder: config.json + model.safetensors + tokenizer.model.

Loading validates everything before it allocates (no pickles); saving writes each file
atomically.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from ...atomic import atomic_write, write_bytes_atomic, write_text_atomic
from ...paths import CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE
from ...tokenizer import BOS_ID, EOS_ID, PAD_ID, UNK_ID, Tokenizer
from ..base import ModelError
from .model import ModelConfig, SentenceAutoencoder


def is_gru_folder(path: Path) -> bool:
    """Whether `path` looks like a folder of this family (its config.json has a "model" map)."""
    try:
        raw = json.loads((path / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(raw, dict) and isinstance(raw.get("model"), dict)


def read_folder(path: Path) -> tuple[SentenceAutoencoder, Tokenizer, str, dict]:
    """Validate and read a model folder -> (network, tokenizer, name, meta); ModelError if not."""
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
        check_config(cfg)
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
                         f"{first_line(exc)}") from exc
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
    return (net, tok, name if isinstance(name, str) and name else path.name,
            meta if isinstance(meta, dict) else {})


def save_model_folder(path: Path, net: SentenceAutoencoder, tokenizer_file: Path, name: str,
                      half: bool = False, meta: dict | None = None) -> None:
    """Atomically write config.json, model.safetensors and tokenizer.model into `path`."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    state = {k: (v.half() if half and v.is_floating_point() else v).detach().cpu().contiguous()
             for k, v in net.state_dict().items()}
    atomic_write(path / WEIGHTS_FILE, lambda p: save_file(state, str(p)))
    config = {"name": name, "model": net.cfg.to_dict(), "meta": meta or {}}
    write_text_atomic(path / CONFIG_FILE, json.dumps(config, indent=2) + "\n")
    tok_bytes = Path(tokenizer_file).read_bytes()
    if Path(tokenizer_file).resolve() != (path / TOKENIZER_FILE).resolve():
        write_bytes_atomic(path / TOKENIZER_FILE, tok_bytes)


def first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def check_config(cfg: ModelConfig) -> None:
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
