"""Attribute directions: the mean latent difference between two sentence sets, as named files.

A direction is saved as `NAME.npz` (no pickles): `vector` (D,) float32, `description`,
`default_strength`, `model` and `n_pos` / `n_neg`. One built from pairs also keeps the pairs
(`pair_offsets.PairOffsets`: an edit then uses the mean offset of the pairs nearest its
sentence), a linear probe of the attribute and the strengths the critic tries
(`textlatent.edits`). Shipped directions live in the model
folder's `directions/`; user-built ones in the user data folder
(`$TEXTLATENT_DATA_DIR`, else platformdirs' user data folder for textlatent), under
`directions/<model name>/`. A user direction with a shipped one's name hides it.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .atomic import write_npz_atomic
from .latent import normalize
from .pair_offsets import PairOffsets, Probe

DATA_ENV = "TEXTLATENT_DATA_DIR"
DIRECTIONS = "directions"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
LOCAL_K = 4
"""Pairs averaged for a local offset when a direction is built from pairs (measured on the
edit dev set: `python -m textlatent.transform_eval edits --k K`; see MODEL_CARD.md)."""
KEY_DIMS = 64
"""Principal directions the pairs' search keys are projected on (keeps direction files small)."""
CRITIC_FACTORS = (1.0, 1.25, 1.5)
"""The strengths the critic tries, as multiples of the default strength."""


def critic_strengths(default_strength: float) -> tuple[float, ...]:
    """The strengths the critic tries for a direction with this default strength."""
    return tuple(round(f * default_strength, 4) for f in CRITIC_FACTORS)


class SkippedFileWarning(UserWarning):
    """A file in a directions folder could not be read and was left out."""


@dataclass(frozen=True)
class Direction:
    """A named latent direction and how strongly to apply it by default."""

    name: str
    vector: np.ndarray = field(repr=False)
    description: str = ""
    default_strength: float = 1.0
    model: str = ""
    n_pos: int = 0
    n_neg: int = 0
    source: str = ""
    """"model" (shipped beside the model) or "user"; empty when not loaded from a file."""
    pairs: PairOffsets | None = field(default=None, repr=False)
    """The pairs it was built from (local offsets), if it was built from pairs."""
    probe: Probe | None = field(default=None, repr=False)
    """p(attribute | latent), fitted on the pairs."""
    strengths: tuple[float, ...] = ()
    """The strengths the critic tries (empty: the default strength only)."""

    def offset(self, z: np.ndarray, texts: list[str] | None = None) -> np.ndarray:
        """The offset an edit of each row of z (n, D) adds at strength 1: the mean offset of
        the nearest pairs of its cell (local) when the direction keeps pairs, else `vector`
        (the global mean). `texts`, the rows' sentences, lets it prefer pairs with their verb."""
        z = np.atleast_2d(np.asarray(z, np.float64))
        if z.shape[-1] != self.vector.shape[0]:
            raise ValueError(f"direction {self.name!r} has {self.vector.shape[0]} dimensions, "
                             f"the latent {z.shape[-1]}")
        if self.pairs is not None and (self.pairs.k > 0 or self.pairs.cells is not None):
            words = None if texts is None else [re.findall(r"[a-z']+", t.lower())
                                                for t in texts]
            return self.pairs.offset(normalize(z), words=words)
        return np.repeat(self.vector.astype(np.float64)[None, :], len(z), axis=0)

    def apply(self, z: np.ndarray, strength: float | None = None) -> np.ndarray:
        """normalize(z + strength * offset(z)) for one latent (D,) or rows (n, D)."""
        k = self.default_strength if strength is None else float(strength)
        z = np.asarray(z, np.float64)
        out = normalize(normalize(np.atleast_2d(z)) + k * self.offset(z))
        return out[0] if z.ndim == 1 else out

    def to_dict(self) -> dict:
        return {"name": self.name, "description": self.description,
                "default_strength": self.default_strength, "source": self.source,
                "n_pos": self.n_pos, "n_neg": self.n_neg}


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"a direction name is 1-64 letters, digits, '-' or '_', starting with "
                         f"a letter or digit; got {name!r}")
    return name


def build(name: str, pos: np.ndarray, neg: np.ndarray, description: str = "",
          default_strength: float = 1.0, model: str = "") -> Direction:
    """Direction = mean(pos latents) - mean(neg latents)."""
    check_name(name)
    pos, neg = np.atleast_2d(pos).astype(np.float64), np.atleast_2d(neg).astype(np.float64)
    if len(pos) == 0 or len(neg) == 0:
        raise ValueError("a direction needs at least one positive and one negative sentence")
    if pos.shape[1] != neg.shape[1]:
        raise ValueError("positive and negative latents differ in size")
    vector = pos.mean(0) - neg.mean(0)
    if not np.isfinite(vector).all() or np.linalg.norm(vector) < 1e-6:
        raise ValueError("the two sets have the same mean latent: no direction between them")
    return Direction(name, vector.astype(np.float32), description, float(default_strength),
                     model, len(pos), len(neg))


def build_from_pairs(name: str, plain: np.ndarray, edited: np.ndarray, description: str = "",
                     default_strength: float = 1.0, model: str = "", k: int = 0,
                     key_dims: int | None = None, strengths: tuple[float, ...] = (),
                     cells: list[str] | None = None,
                     verbs: list[str] | None = None) -> Direction:
    """A direction from paired latents (row i of `edited` is row i of `plain` with the
    attribute): the mean offset, the pairs for local offsets (`k` neighbours, looked for in
    the sentence's own cell when `cells` names each pair's, with its verb and first word when
    `verbs` gives each pair's "first-word verb") and a probe."""
    plain, edited = np.atleast_2d(plain), np.atleast_2d(edited)
    if plain.shape != edited.shape:
        raise ValueError(f"{len(plain)} plain latents for {len(edited)} edited ones")
    d = build(name, edited, plain, description, default_strength, model)
    pairs = PairOffsets.build(plain, edited, min(k, len(plain)), key_dims, cells, verbs)
    return replace(d, pairs=pairs, probe=Probe.fit(plain, edited),
                   strengths=tuple(float(s) for s in strengths))


def save(direction: Direction, folder: str | Path, force: bool = True) -> Path:
    """Write `folder/NAME.npz` atomically; returns its path. Without `force`, an existing
    file is a FileExistsError and is left as it is."""
    folder = Path(folder)
    target = folder / f"{check_name(direction.name)}.npz"
    if not force and target.exists():
        raise FileExistsError(f"a direction {direction.name!r} already exists ({target}); "
                              f"give --force to replace it")
    folder.mkdir(parents=True, exist_ok=True)
    write_npz_atomic(target, dict(vector=direction.vector.astype(np.float32),
                                  description=np.array(direction.description),
                                  default_strength=np.float64(direction.default_strength),
                                  model=np.array(direction.model), n_pos=np.int64(direction.n_pos),
                                  n_neg=np.int64(direction.n_neg), **_extras(direction)),
                      compress=False)
    return target


def _extras(direction: Direction) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    if direction.pairs is not None:
        out.update(direction.pairs.arrays())
    if direction.probe is not None:
        out.update(direction.probe.arrays())
    if direction.strengths:
        out["strengths"] = np.asarray(direction.strengths, np.float64)
    return out


def load(path: str | Path, source: str = "") -> Direction:
    """Read a direction file; ValueError if it is not one."""
    from .npzfile import read

    path = Path(path)
    f = read(path, "a direction file", ("vector", "description", "default_strength", "model",
                                        "n_pos", "n_neg"))
    try:
        vector = np.asarray(f["vector"], np.float32)
        d = Direction(path.stem, vector, str(f["description"]), float(f["default_strength"]),
                      str(f["model"]), int(f["n_pos"]), int(f["n_neg"]), source,
                      PairOffsets.from_arrays(f), Probe.from_arrays(f),
                      tuple(float(x) for x in f["strengths"]) if "strengths" in f else ())
    except (KeyError, ValueError, TypeError) as exc:
        raise ValueError(f"{path} is not a direction file: {exc}") from None
    if vector.ndim != 1 or not np.isfinite(vector).all():
        raise ValueError(f"{path} is not a direction file: bad vector")
    if (d.pairs is not None and d.pairs.offsets.shape[1] != len(vector)
            or d.probe is not None and d.probe.w.shape != vector.shape):
        raise ValueError(f"{path} is not a direction file: its pairs or probe do not match "
                         f"its vector")
    return d


def user_folder(model_name: str) -> Path:
    """Where user-built directions for `model_name` are saved."""
    base = os.environ.get(DATA_ENV)
    if not base:
        from platformdirs import user_data_dir

        base = user_data_dir("textlatent")
    return Path(base) / DIRECTIONS / check_folder_name(model_name)


def check_folder_name(model_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", model_name) or "model"


def model_folder(model_dir: str | Path | None) -> Path | None:
    """The shipped directions folder of a model folder (None for a model without a folder)."""
    return None if model_dir is None else Path(model_dir) / DIRECTIONS


def available(model_dir: str | Path | None, model_name: str) -> dict[str, Direction]:
    """Every direction for the model, by name: shipped ones, then user ones over them."""
    found: dict[str, Direction] = {}
    for source, folder in (("model", model_folder(model_dir)), ("user", user_folder(model_name))):
        if folder is None or not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.npz")):
            if _NAME.fullmatch(path.stem):
                try:
                    found[path.stem] = load(path, source)
                except ValueError as exc:
                    warnings.warn(SkippedFileWarning(f"{exc}; skipped it"), stacklevel=2)
    return found


def find(name: str, model_dir: str | Path | None, model_name: str) -> Direction:
    """The direction called `name`; ValueError names the ones there are."""
    check_name(name)
    found = available(model_dir, model_name)
    if name not in found:
        known = ", ".join(sorted(found)) or "none"
        raise ValueError(f"no direction named {name!r} for model {model_name!r} "
                         f"(available: {known})")
    return found[name]
