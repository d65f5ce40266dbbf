"""Model folders, checked cheaply (no torch) before the app starts."""

from __future__ import annotations

from pathlib import Path

from textlatent.paths import MODEL_FILES, builtin_model_path


def check_model_folder(path: str | Path | None) -> str | None:
    """A one-line problem with a model folder, or None if it looks loadable. Cheap: no torch."""
    if path is not None and not str(path).strip():
        return "--model needs a folder (it was given an empty path)"
    folder = builtin_model_path() if path is None else Path(path).expanduser()
    if path is None and not folder.is_dir():
        return f"the builtin model is not installed (no folder {folder})"
    if not folder.exists():
        return f"model folder not found: {folder}"
    if not folder.is_dir():
        return f"{folder} is not a folder (a model is a folder with {', '.join(MODEL_FILES)})"
    missing = [f for f in MODEL_FILES if not (folder / f).is_file()]
    if missing:
        what = "the builtin model folder" if path is None else "model folder"
        return f"{what} {folder} is missing {', '.join(missing)}"
    return None


def short_count(n: int) -> str:
    """12345 -> '12.3k', 4200000 -> '4.2M'."""
    return f"{n / 1e6:.1f}M" if n >= 1e6 else f"{n / 1e3:.1f}k" if n >= 1e3 else str(n)
