"""Model backends: one seam for every model family, and the registry `load_model` picks from.

A backend is a module with `load(source, device, **options) -> TextAutoencoder`. The registry
holds, per family, a cheap test of whether it claims a source (a folder or an id) and the module
to import when it does, so nothing heavy is imported until a model is loaded.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..paths import CONFIG_FILE, builtin_model_path
from .base import BATCH, MAX_CHARS, ModelError, TextAutoencoder, TruncationWarning, check_latents

HF_PREFIX = "hf:"


@dataclass(frozen=True)
class BackendSpec:
    """A registered family: its name, whether it claims a source, and its module."""

    name: str
    claims: Callable[[str | Path], bool]
    module: str


def _config(source: str | Path) -> dict | None:
    try:
        raw = json.loads((Path(source) / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return raw if isinstance(raw, dict) else None


def _claims_hf(source: str | Path) -> bool:
    if isinstance(source, str) and source.startswith(HF_PREFIX):
        return True
    raw = _config(source)
    return raw is not None and "model" not in raw and ("model_type" in raw or "auto_map" in raw)


def _claims_gru(source: str | Path) -> bool:
    raw = _config(source)
    return raw is not None and isinstance(raw.get("model"), dict)


REGISTRY: list[BackendSpec] = [
    BackendSpec("hf", _claims_hf, "textlatent.backends.hf"),
    BackendSpec("gru", _claims_gru, "textlatent.backends.gru"),
]
DEFAULT = "gru"  # gives the clear "missing config.json"-style errors for anything unclaimed


def register(spec: BackendSpec) -> None:
    """Add a family in front of the others (a later registration is asked first)."""
    REGISTRY.insert(0, spec)


def backend_for(source: str | Path) -> BackendSpec:
    """The family that claims a folder or id (the default family when none does)."""
    for spec in REGISTRY:
        if spec.claims(source):
            return spec
    return next(spec for spec in REGISTRY if spec.name == DEFAULT)


def load_model(path: str | Path | None = None, device: str = "cpu", *,
               trust_remote_code: bool = False, allow_download: bool = False) -> TextAutoencoder:
    """Load a model: None = the builtin one; a model folder; or `hf:OWNER/NAME[@REVISION]`.

    `trust_remote_code` and `allow_download` matter only to backends that run a model's own
    code or fetch it (hf). Raises ModelError with a one-line message when it cannot load.
    """
    source: str | Path = builtin_model_path() if path is None else path
    spec = backend_for(source)
    module = importlib.import_module(spec.module)
    return module.load(source, device, trust_remote_code=trust_remote_code,
                       allow_download=allow_download)


__all__ = ["BATCH", "MAX_CHARS", "BackendSpec", "ModelError", "REGISTRY", "TextAutoencoder",
           "TruncationWarning", "backend_for", "check_latents", "load_model", "register"]
