"""The builtin family: a GRU sentence autoencoder in a folder of config.json, model.safetensors
and tokenizer.model."""

from __future__ import annotations

from pathlib import Path

from .backend import GRUAutoencoder
from .folder import is_gru_folder, read_folder, save_model_folder
from .model import ModelConfig, SentenceAutoencoder


def load(source: str | Path, device: str = "cpu", **_options) -> GRUAutoencoder:
    """Load a builtin-family model folder (the registry's entry point)."""
    return GRUAutoencoder.load(Path(source), device)


__all__ = ["GRUAutoencoder", "ModelConfig", "SentenceAutoencoder", "is_gru_folder", "load",
           "read_folder", "save_model_folder"]
