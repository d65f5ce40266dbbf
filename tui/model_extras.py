"""Load what a model carries beside itself (latent prior, sentence index, attribute
directions) for the app, through the library's one home per model (`textlatent.extras`).
Runs in the app's load worker; every missing or unusable part becomes a one-line note the
stages show, never an exception.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .session import Extras


def load_extras(model: Any, model_path: str | Path | None) -> Extras:
    """The prior, index, directions and map of meanings that fit `model` (same size and
    model name)."""
    from textlatent import extras as extras_mod

    try:
        found = extras_mod.load(model, model_path)
    except ValueError as exc:  # a malformed hf: id (the model could not have loaded)
        return Extras(notes={kind: str(exc) for kind in ("prior", "index", "directions", "map")})
    return Extras(prior=found.prior, index=found.index, directions=found.directions,
                  latent_map=found.latent_map, notes=found.notes)
