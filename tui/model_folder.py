"""Model folders, checked cheaply (no torch) before the app starts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textlatent.paths import MODEL_FILES, builtin_model_path

if TYPE_CHECKING:
    from textlatent.backends.base import TextAutoencoder


def check_model_folder(path: str | Path | None) -> str | None:
    """A one-line problem with a model folder, or None if it looks loadable. Cheap: no torch."""
    if path is not None and not str(path).strip():
        return "--model needs a folder (it was given an empty path)"
    if isinstance(path, str) and path.startswith("hf:"):
        return None  # a Hub id: the hf backend checks it when it loads
    folder = builtin_model_path() if path is None else Path(path).expanduser()
    if path is None and not folder.is_dir():
        return f"the builtin model is not installed (no folder {folder})"
    if not folder.exists():
        return f"model folder not found: {folder}"
    if not folder.is_dir():
        return f"{folder} is not a folder (a model is a folder with {', '.join(MODEL_FILES)})"
    if path is not None and _other_backend(path):
        return None  # its backend checks it when it loads, and the app shows what it says
    missing = [f for f in MODEL_FILES if not (folder / f).is_file()]
    if missing:
        what = "the builtin model folder" if path is None else "model folder"
        return f"{what} {folder} is missing {', '.join(missing)}"
    return None


def _other_backend(path: str | Path) -> bool:
    """A source another backend than the builtin family claims (a transformers folder)."""
    from textlatent.backends import backend_for

    return backend_for(path).name != "gru"


def model_line(model: TextAutoencoder) -> str:
    """The header's line: backend, name, D, parameters ('gru · builtin · D=256 · 12.3M params')."""
    return (f"{model.backend} · {model.name} · D={model.dim} · "
            f"{short_count(model.num_parameters)} params")


def short_count(n: int) -> str:
    """12345 -> '12.3k', 4200000 -> '4.2M'."""
    return f"{n / 1e6:.1f}M" if n >= 1e6 else f"{n / 1e3:.1f}k" if n >= 1e3 else str(n)
