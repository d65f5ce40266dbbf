"""One home per model for what it carries beside its weights: attribute directions, the
nearest-sentence index, the latent prior and map data.

- a model folder (the builtin one included) keeps its extras in itself: `index.npz`,
  `latent_prior.npz`, `directions/*.npz`;
- an `hf:OWNER/NAME[@REVISION]` id keeps them in the user data folder, under
  `models/OWNER--NAME@REVISION/` (revision `main` when none is given), so an id is never
  taken for a path.

Directions the user builds go to the user data folder, keyed by model name
(`directions.user_folder`). `home(source)` says where a model's extras live, `model_name(folder)`
reads a model folder's name (the one place that reads it from config.json), and `load(model,
source)` finds every extra that fits a loaded model, each missing or unusable one as a one-line
note: the CLI and the app both use it. No torch here.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .paths import CONFIG_FILE, builtin_model_path

DATA_ENV = "TEXTLATENT_DATA_DIR"
HF_PREFIX = "hf:"
INDEX_FILE = "index.npz"
"""= index.INDEX_FILE (kept here so that finding a home imports no numpy)."""
PRIOR_FILE = "latent_prior.npz"
"""= prior.PRIOR_FILE."""
MAP_FILE = "latent_map.npz"
DIRECTIONS = "directions"
FILES = {"index": INDEX_FILE, "prior": PRIOR_FILE, "map": MAP_FILE, "directions": DIRECTIONS}
"""The extras a home can hold, by kind: index, prior, map data and the directions folder."""


def user_data_dir() -> Path:
    """The user data folder: $TEXTLATENT_DATA_DIR, else the platform's (platformdirs)."""
    base = os.environ.get(DATA_ENV)
    if not base:
        from platformdirs import user_data_dir as platform_dir

        base = platform_dir("textlatent")
    return Path(base)


def model_name(folder: str | Path) -> str:
    """The name of the model in `folder`: config.json's "name", else the folder's name.
    ValueError if the folder has no readable config."""
    path = Path(folder) / CONFIG_FILE
    if not path.is_file():
        raise ValueError(f"model folder not found: {folder}" if not Path(folder).exists()
                         else f"model config not found: {path}")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path} is not a valid model config: {exc}") from None
    name = raw.get("name") if isinstance(raw, dict) else None
    return name if isinstance(name, str) and name else Path(folder).name


def is_hub_id(source: object) -> bool:
    return isinstance(source, str) and source.startswith(HF_PREFIX)


@dataclass(frozen=True)
class Home:
    """Where one model's extras live."""

    source: str
    """How the model was named: a folder, `hf:` id or "builtin"."""
    folder: Path
    """The folder holding index, prior, map data and the model's own directions (it may not
    exist yet for an `hf:` id)."""
    name: str | None = None
    """The model's name, when it is known without loading the model."""

    def path(self, kind: str) -> Path:
        """The file (or folder, for "directions") of one kind of extra: index, prior, map,
        directions."""
        return self.folder / FILES[kind]

    @property
    def build_hint(self) -> str:
        """The command that builds this model's index and prior."""
        model = "" if self.source == "builtin" else f" --model {self.source}"
        return f"`textlatent index build --sentences FILE{model}`"


def home(source: str | Path | None) -> Home:
    """The home of the extras of the model named `source` (None: the builtin model).
    ValueError for a malformed `hf:` id."""
    if source is None:
        folder = builtin_model_path()
        return Home("builtin", folder, _name_or_none(folder))
    if is_hub_id(source):
        from .backends.hf import parse_id

        repo, revision = parse_id(str(source))
        key = f"{repo.replace('/', '--')}@{revision or 'main'}"
        return Home(str(source), user_data_dir() / "models" / key,
                    f"{repo}@{revision}" if revision else repo)
    folder = Path(source).expanduser()
    return Home(str(source), folder, _name_or_none(folder))


def _name_or_none(folder: Path) -> str | None:
    try:
        return model_name(folder)
    except ValueError:
        return None


@dataclass
class Found:
    """The extras that fit a model; what is missing or unusable has a one-line note by kind
    ("prior", "index", "directions"), and files skipped as unreadable one under "skipped"."""

    prior: Any = None
    index: Any = None
    directions: dict = field(default_factory=dict)
    latent_map: Any = None
    notes: dict[str, str] = field(default_factory=dict)


def load_prior(place: Home, model: Any):
    """The model's latent prior; NoPriorError if there is none, ValueError if it does not
    fit the model."""
    from . import prior as prior_mod

    path = place.path("prior")
    if not path.is_file():
        raise prior_mod.NoPriorError(f"this model has no latent prior ({path.name} "
                                     f"not found in {place.folder}); fit one with "
                                     f"{place.build_hint}")
    found = prior_mod.load(path)
    if found.dim != model.dim:
        raise ValueError(f"the latent prior has {found.dim} dimensions, the model {model.dim}")
    return found


def load_index(place: Home, model: Any, path: str | Path | None = None):
    """The model's sentence index (or the one at `path`); FileNotFoundError if there is none,
    ValueError if it was built with another model."""
    from . import index as index_mod

    path = Path(path) if path is not None else place.path("index")
    if not path.is_file():
        raise FileNotFoundError(f"this model has no sentence index ({path.name} not "
                                f"found in {path.parent}); build one with {place.build_hint}")
    found = index_mod.load(path)
    if found.model and found.model != model.name:
        raise ValueError(f"the index was built with model {found.model!r}, not {model.name!r}")
    if found.dim != model.dim:
        raise ValueError(f"the index holds {found.dim}-dimensional latents, the model makes "
                         f"{model.dim}")
    return found


def load_map(place: Home, model: Any, index: Any = None):
    """The model's map of meanings; FileNotFoundError (naming the command that builds one) if
    there is none, ValueError if it does not fit the model or its index."""
    from . import latent_map

    found = latent_map.load(place.path("map"))
    latent_map.check_fits(found, index, model.name, model.dim)
    return found


def load_directions(place: Home | None, name: str, dim: int | None = None) -> dict:
    """The directions for a model called `name` (shipped in its home, then the user's), of
    size `dim` when given; an unreadable file is skipped with a warning."""
    from . import directions as directions_mod

    found = directions_mod.available(None if place is None else place.folder, name)
    return {k: d for k, d in found.items() if dim is None or d.vector.shape[0] == dim}


def load(model: Any, source: str | Path | None) -> Found:
    """Every extra that fits `model` (loaded from `source`), each problem as a note. Warnings
    (an unreadable direction file) become notes too."""
    found = Found()
    place: Home | None = home(source)
    if source is None and place.name != model.name:  # not the builtin model: no home
        place = None
        found.notes["prior"] = f"model {model.name!r} has no latent prior: nothing to sample from"
        found.notes["index"] = "no sentence index for this model"
        found.notes["map"] = (f"model {model.name!r} has no folder with a map of meanings: "
                              "build one with `textlatent map --build --out DIR`")
    else:
        try:
            found.prior = load_prior(place, model)
        except (OSError, ValueError) as exc:
            found.notes["prior"] = f"no latent prior: {exc}"
        try:
            found.index = load_index(place, model)
        except (OSError, ValueError) as exc:
            found.notes["index"] = f"no nearest sentences: {exc}"
        try:
            found.latent_map = load_map(place, model, found.index)
        except (OSError, ValueError) as exc:
            found.notes["map"] = str(exc)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            found.directions = load_directions(place, model.name, model.dim)
        except (OSError, ValueError) as exc:
            found.notes["directions"] = f"directions could not be read: {exc}"
    from .directions import SkippedFileWarning

    skipped = [str(w.message) for w in caught if issubclass(w.category, SkippedFileWarning)]
    if skipped:
        found.notes["skipped"] = "; ".join(skipped)
    if not found.directions and "directions" not in found.notes:
        where = "" if place is None else f" in {place.folder}"
        found.notes["directions"] = (f"model {model.name!r} has no attribute directions{where}: "
                                     f"build one with `textlatent direction build`")
    return found


# -- writing extras ------------------------------------------------------------------------------
def _describe(kind: str, path: Path) -> str:
    """What an existing extra is, for a refusal to replace it."""
    if kind == "index":
        from . import index as index_mod

        try:
            found = index_mod.load(path)
        except (OSError, ValueError):
            return f"{path} (unreadable)"
        return f"its {len(found)}-sentence index {path}"
    return f"its latent prior {path}"


def check_index_target(folder: Path, with_prior: bool = True,
                       force: bool = False) -> dict[str, Path]:
    """The index (and prior) files `save_index` would write in `folder`; without `force`,
    FileExistsError if any is there (naming what it would replace)."""
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"--out must be a folder: {folder}")
    targets = {kind: folder / FILES[kind] for kind in ("index", "prior")[:1 + with_prior]}
    there = [_describe(kind, path) for kind, path in targets.items() if path.exists()]
    if there and not force:
        raise FileExistsError(f"{folder} already has {' and '.join(there)}; give --force to "
                              f"replace {'them' if len(there) > 1 else 'it'}")
    return targets


def save_index(folder: str | Path, index: Any, prior: Any = None,
               force: bool = False) -> dict[str, Path]:
    """Write `index` (and `prior`) into `folder`: both or neither. Without `force`, existing
    ones are a FileExistsError naming what would be replaced, and nothing is written."""
    import contextlib

    from . import index as index_mod
    from . import prior as prior_mod

    folder = Path(folder)
    parts = [("index", index, index_mod.save)]
    if prior is not None:
        parts.append(("prior", prior, prior_mod.save))
    targets = check_index_target(folder, prior is not None, force)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for kind, obj, save in parts:
            written.append(save(obj, targets[kind].with_name(targets[kind].name + ".new")))
        for kind, path in zip(targets, written):
            os.replace(path, targets[kind])
    finally:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
    return targets


def check_direction_target(name: str, dest: Path, shipped: Path | None,
                           force: bool = False) -> Path:
    """The file a new direction `name` goes to in folder `dest`. Without `force`, replacing
    a direction there, or hiding one shipped with the model (in `shipped`), is refused."""
    from . import directions as directions_mod

    directions_mod.check_name(name)
    if dest.exists() and not dest.is_dir():
        raise ValueError(f"--dest must be a folder; {dest} is a file")
    target = dest / f"{name}.npz"
    if force:
        return target
    if target.exists():
        raise FileExistsError(f"a direction {name!r} already exists ({target}); give --force "
                              f"to replace it")
    if shipped is not None and (shipped / f"{name}.npz").is_file() and \
            shipped.resolve() != dest.resolve():
        raise FileExistsError(f"{name!r} is a direction shipped with the model "
                              f"({shipped / f'{name}.npz'}); a direction of that name would hide "
                              f"it: pick another name, or give --force")
    return target
