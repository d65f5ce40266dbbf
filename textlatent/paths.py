"""What a model folder holds and where the builtin one lives. No torch: cheap to import."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE = "config.json", "model.safetensors", "tokenizer.model"
MODEL_FILES = (CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE)


def builtin_model_path() -> Path:
    """Folder of the embedded default model."""
    return Path(str(resources.files("textlatent") / "models" / "builtin"))
