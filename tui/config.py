"""User settings remembered between runs (the theme), in the user config folder."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from textlatent.atomic import write_text_atomic

CONFIG_ENV = "TEXTLATENT_CONFIG_DIR"
SETTINGS_FILE = "settings.json"


def config_dir() -> Path:
    """$TEXTLATENT_CONFIG_DIR, else the platform's user config folder for textlatent."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("textlatent"))


def load_settings(folder: Path | None = None) -> dict[str, Any]:
    """Saved settings; a missing or unreadable file gives {}."""
    path = (folder or config_dir()) / SETTINGS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_settings(updates: dict[str, Any], folder: Path | None = None) -> bool:
    """Merge `updates` into the settings file; False (and nothing raised) if it can't be written."""
    folder = folder or config_dir()
    data = load_settings(folder)
    data.update(updates)
    try:
        write_text_atomic(folder / SETTINGS_FILE, json.dumps(data, indent=2) + "\n")
    except OSError:
        return False
    return True
