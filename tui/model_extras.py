"""Load what a model folder may carry beside the model: latent prior, sentence index and
attribute directions. Runs in the app's load worker; every missing or unusable part becomes a
one-line note the stages show, never an exception.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .session import Extras


def model_folder(model: Any, model_path: str | Path | None) -> Path | None:
    """The model's folder: the one it was loaded from, else the builtin one when the model is
    the builtin model (same name), else None."""
    if model_path is not None:
        folder = Path(model_path)
        return folder if folder.is_dir() else None
    from textlatent.paths import CONFIG_FILE, builtin_model_path

    folder = builtin_model_path()
    try:
        name = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8")).get("name")
    except (OSError, ValueError, AttributeError):
        return None
    return folder if name == model.name else None


def load_extras(model: Any, model_path: str | Path | None) -> Extras:
    """The prior, index and directions that fit `model` (same size, same model name)."""
    from textlatent import directions as directions_mod
    from textlatent import index as index_mod
    from textlatent import prior as prior_mod

    extras = Extras()
    folder = model_folder(model, model_path)
    where = "" if folder is None else f" in {folder}"
    if folder is None:
        extras.notes["prior"] = (f"model {model.name!r} has no folder with a latent prior: "
                                 "nothing to sample from")
        extras.notes["index"] = "no sentence index for this model"
        extras.notes["map"] = (f"model {model.name!r} has no folder with a map of meanings: "
                               "build one with `textlatent map --build --out DIR`")
    else:
        try:
            prior = prior_mod.load(folder)
            if prior.dim != model.dim:
                raise ValueError(f"the latent prior has {prior.dim} dimensions, the model "
                                 f"{model.dim}")
            extras.prior = prior
        except (OSError, ValueError) as exc:
            extras.notes["prior"] = f"no latent prior: {exc}"
        try:
            index = index_mod.load(folder)
            if index.model and index.model != model.name:
                raise ValueError(f"the index was built with model {index.model!r}")
            if index.dim != model.dim:
                raise ValueError(f"the index holds {index.dim}-dimensional latents, the model "
                                 f"makes {model.dim}")
            extras.index = index
        except (OSError, ValueError) as exc:
            extras.notes["index"] = f"no nearest sentences: {exc}"
        load_map(extras, model, folder)
    try:
        found = directions_mod.available(folder, model.name)
    except (OSError, ValueError) as exc:
        found = {}
        extras.notes["directions"] = f"directions could not be read: {exc}"
    extras.directions = {name: d for name, d in found.items()
                         if d.vector.shape[0] == model.dim}
    if not extras.directions and "directions" not in extras.notes:
        extras.notes["directions"] = (f"model {model.name!r} has no attribute directions"
                                      f"{where}: build one with `textlatent direction build`")
    return extras


def load_map(extras: Extras, model: Any, folder: Path) -> None:
    """The map of meanings beside the index (latent_map.npz), or a note saying why not."""
    from textlatent import latent_map

    try:
        found = latent_map.load(folder)
        latent_map.check_fits(found, extras.index, model.name, model.dim)
        extras.latent_map = found
    except (OSError, ValueError) as exc:
        extras.notes["map"] = str(exc)
