"""The registry of latent transforms: blend, vary, sample, arithmetic and edit.

Each transform is one `Transform` spec: a name and title, the inputs it takes (`Role`s), its
parameters (`Param`s, with ranges, defaults and help) and `latents(inputs, params) -> (n, D)`
plus one label per row. The CLI and the app are driven by this table, so a new mode is one
entry here. Pure numpy on top of `latent.py`: no torch, no model; the caller encodes texts and
decodes the rows.

Inputs are keyed by role name. A role of kind "latent" takes one unit vector (D,) — the latent
of a sentence; a variadic one takes a list of them. Kind "prior" takes a `LatentPrior`
(`textlatent.prior`), kind "direction" a `Direction` (`textlatent.directions`).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .latent import blend_path, normalize

VARY_RADIUS = 0.7
"""Default angle (radians) of `vary`: chosen by measurement, see MODEL_CARD.md."""


@dataclass(frozen=True)
class Role:
    """One input of a transform."""

    name: str
    title: str
    kind: str = "latent"
    """"latent" (a sentence's latent), "prior" or "direction"."""
    variadic: bool = False
    """Takes a list of latents (arithmetic's terms) instead of one."""
    help: str = ""


@dataclass(frozen=True)
class Param:
    """One parameter: its type, default and allowed values."""

    name: str
    title: str
    kind: type
    """int, float, str (with `choices`) or tuple (a tuple of floats, each in [low, high])."""
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    optional: bool = False
    """None is allowed (and means: let the transform pick, e.g. a seed or a direction's own
    strength)."""

    def check(self, value: Any) -> Any:
        """The value converted to this parameter's type; ValueError if it is out of range."""
        if value is None:
            if self.optional:
                return None
            raise ValueError(f"{self.name} needs a value")
        if self.kind is tuple:
            try:
                items = tuple(float(v) for v in value)
            except (TypeError, ValueError):
                raise ValueError(f"{self.name} must be a list of numbers") from None
            for v in items:
                self._in_range(v)
            return items
        if self.kind is str:
            value = str(value)
            if self.choices and value not in self.choices:
                raise ValueError(f"{self.name} must be one of {', '.join(self.choices)}; "
                                 f"got {value!r}")
            return value
        if isinstance(value, bool):
            raise ValueError(f"{self.name} must be a number, not {value!r}")
        if self.kind is int:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(f"{self.name} must be a whole number, not {value!r}")
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise ValueError(f"{self.name} must be a whole number, not {value!r}") from None
        else:
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{self.name} must be a number, not {value!r}") from None
        self._in_range(value)
        return value

    def _in_range(self, value: float) -> None:
        if not math.isfinite(value):
            raise ValueError(f"{self.name} must be a finite number")
        low = -math.inf if self.low is None else self.low
        high = math.inf if self.high is None else self.high
        if not low <= value <= high:
            raise ValueError(f"{self.name} must be {self.range_text()}, got {value:g}")

    def range_text(self) -> str:
        """'between 0 and pi', 'at least 1', ... (empty for a parameter without a range)."""
        if self.low is not None and self.high is not None:
            return f"between {_bound(self.low)} and {_bound(self.high)}"
        if self.low is not None:
            return f"at least {_bound(self.low)}"
        return f"at most {_bound(self.high)}" if self.high is not None else ""

    def parse_text(self, text: str) -> Any:
        """A command-line word -> a checked value (argparse.ArgumentTypeError if it is not)."""
        try:
            value: Any = text
            if self.kind is int:
                value = int(text)
            elif self.kind is float:
                value = float(text)
        except ValueError:
            what = "a whole number" if self.kind is int else "a number"
            raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None
        try:
            return self.check(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    def add_argument(self, parser, *flags: str, **overrides: Any) -> argparse.Action:
        """Add this parameter to an argparse parser (or group) as `--name` (or `flags`): its
        type checks the range, its choices are argparse's, its help says the default.
        `overrides` go to `add_argument` as they are (e.g. a command's own default)."""
        flags = flags or (f"--{self.name.replace('_', '-')}",)
        default = overrides.pop("default", self.default)
        help_text = overrides.pop("help", self.help)
        if default is not None and "%(default)" not in help_text:
            help_text = f"{help_text} (default %(default)s)" if help_text else "default %(default)s"
        options: dict[str, Any] = {"default": default, "help": help_text}
        if self.kind is str and self.choices:
            options["choices"] = self.choices
        elif self.kind is not tuple:
            options["type"] = self.parse_text
            if self.kind is int and self.low is not None and self.low >= 0:
                options["metavar"] = "N"
        options.update(overrides)
        return parser.add_argument(*flags, **options)


def _bound(value: float) -> str:
    """A range end for a message: pi by name, whole numbers without a point."""
    if value == math.pi:
        return "pi"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class Transform:
    """A registered transform: what it takes and how it makes latents."""

    name: str
    title: str
    help: str
    roles: tuple[Role, ...]
    params: tuple[Param, ...]
    _make: Callable[[Mapping[str, Any], dict], tuple[np.ndarray, list[str]]] = field(repr=False)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}

    def check_params(self, params: Mapping[str, Any] | None = None) -> dict:
        """Defaults filled in, every value checked; ValueError on an unknown name or bad value."""
        params = dict(params or {})
        unknown = set(params) - {p.name for p in self.params}
        if unknown:
            raise ValueError(f"{self.name} has no parameter {sorted(unknown)[0]!r}")
        return {p.name: p.check(params.get(p.name, p.default)) for p in self.params}

    def check_inputs(self, inputs: Mapping[str, Any], dim: int | None = None) -> dict:
        """Every role present and well formed; latents as float32 unit vectors of one size
        (`dim`, the model's, when given); a prior or direction of that size too."""
        out: dict[str, Any] = {}
        dims = set() if dim is None else {int(dim)}
        for role in self.roles:
            if role.name not in inputs or inputs[role.name] is None:
                raise ValueError(f"{self.name} needs an input for {role.name!r} ({role.title})")
            value = inputs[role.name]
            if role.kind != "latent":
                out[role.name] = value
                continue
            rows = [value] if not role.variadic else list(value)
            if not rows:
                raise ValueError(f"{self.name} needs at least one {role.title.lower()}")
            z = normalize(np.stack([_vector(r, role.name) for r in rows]))
            if dim is not None and z.shape[1] != dim:
                raise ValueError(f"input {role.name!r} has {z.shape[1]} numbers; the model's "
                                 f"latents have {dim}")
            dims.add(z.shape[1])
            out[role.name] = z if role.variadic else z[0]
        if len(dims) > 1:
            raise ValueError(f"{self.name}: inputs differ in size {sorted(dims)}")
        size = next(iter(dims), None)
        for role in self.roles:
            if role.kind in _KINDS:
                _check_kind(out[role.name], role, size)
        return out

    def run(self, inputs: Mapping[str, Any], params: Mapping[str, Any] | None = None,
            dim: int | None = None) -> tuple[np.ndarray, list[str]]:
        """(latents (n, D) float32 unit rows, one label per row). With `dim` (the model's
        latent size), inputs of another size are a ValueError."""
        z, labels = self._make(self.check_inputs(inputs, dim), self.check_params(params))
        z = normalize(np.atleast_2d(z))
        assert len(labels) == len(z)
        return z, labels

    def latents(self, inputs: Mapping[str, Any], params: Mapping[str, Any] | None = None,
                dim: int | None = None) -> np.ndarray:
        """The transform's latents, shape (n, D), float32, unit rows."""
        return self.run(inputs, params, dim)[0]

    def labels(self, inputs: Mapping[str, Any], params: Mapping[str, Any] | None = None,
               dim: int | None = None) -> list[str]:
        return self.run(inputs, params, dim)[1]


_KINDS = {"prior": ("a latent prior (textlatent.prior.LatentPrior)", ("sample", "dim")),
          "direction": ("a direction (textlatent.directions.Direction)", ("apply", "vector"))}


def _check_kind(value: Any, role: Role, size: int | None) -> None:
    """A prior or direction input has the right type (by its methods) and size."""
    what, attrs = _KINDS[role.kind]
    if not all(hasattr(value, a) for a in attrs):
        raise ValueError(f"input {role.name!r} must be {what}, not {type(value).__name__}")
    have = int(value.dim) if role.kind == "prior" else int(np.shape(value.vector)[-1])
    if size is not None and have != size:
        raise ValueError(f"the {role.title.lower()} has {have} dimensions, the latents {size}")


def _vector(value: Any, role: str) -> np.ndarray:
    try:
        v = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"input {role!r} must be one latent vector of numbers") from None
    if v.ndim != 1 or v.size < 2:
        raise ValueError(f"input {role!r} must be one latent vector (at least 2 numbers), got "
                         f"shape {v.shape}")
    return v


# -- the transforms ------------------------------------------------------------------------------
def tangent_directions(z: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """n unit vectors orthogonal to unit z, uniform over the tangent space's sphere."""
    g = rng.standard_normal((n, z.shape[-1]))
    g -= np.outer(g @ z, z)
    return g / np.linalg.norm(g, axis=1, keepdims=True)


def around(z: np.ndarray, angle: float | np.ndarray, n: int,
           rng: np.random.Generator) -> np.ndarray:
    """n unit vectors at `angle` radians from unit z (cos to z = cos(angle)), random directions."""
    z = normalize(z).astype(np.float64)
    u = tangent_directions(z, n, rng)
    angle = np.broadcast_to(np.asarray(angle, np.float64), (n,))[:, None]
    return normalize(np.cos(angle) * z[None, :] + np.sin(angle) * u)


def _blend(inputs: Mapping[str, Any], p: dict) -> tuple[np.ndarray, list[str]]:
    z = blend_path(inputs["a"], inputs["b"], p["steps"], p["method"])
    return z, [f"{t:.2f}" for t in np.linspace(0.0, 1.0, p["steps"])]


def _vary(inputs: Mapping[str, Any], p: dict) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(p["seed"])
    z = around(inputs["source"], p["radius"], p["n"], rng)
    return z, [f"v{i + 1}" for i in range(p["n"])]


def _sample(inputs: Mapping[str, Any], p: dict) -> tuple[np.ndarray, list[str]]:
    prior = inputs["prior"]
    z = prior.sample(p["n"], seed=p["seed"], method=p["method"], radius=p["radius"],
                     temperature=p["temperature"])
    return z, [f"s{i + 1}" for i in range(p["n"])]


def _arithmetic(inputs: Mapping[str, Any], p: dict) -> tuple[np.ndarray, list[str]]:
    terms = inputs["terms"]
    weights = p["weights"]
    if weights is None:
        weights = (1.0,) + tuple((-1.0) ** i for i in range(1, len(terms)))
    if len(weights) != len(terms):
        raise ValueError(f"{len(weights)} weights for {len(terms)} terms")
    total = np.asarray(weights, np.float64) @ terms.astype(np.float64)
    if np.linalg.norm(total) < 1e-6:
        raise ValueError("the terms cancel out: the sum is the zero vector")
    return normalize(total)[None, :], ["result"]


def _edit(inputs: Mapping[str, Any], p: dict) -> tuple[np.ndarray, list[str]]:
    direction = inputs["direction"]
    strength = direction.default_strength if p["strength"] is None else p["strength"]
    ks = np.linspace(strength / p["steps"], strength, p["steps"])
    if p["strength"] is None and p["steps"] == 1 and len(direction.strengths) > 1:
        ks = np.asarray(direction.strengths, np.float64)  # the critic's candidates, one row each
    vector = np.asarray(direction.vector, np.float64)
    for k in ks:
        if np.linalg.norm(inputs["source"] + k * vector) < 1e-6:
            raise ValueError(f"direction {direction.name!r} at strength {k:g} takes the "
                             f"sentence to the origin: no direction is left to decode")
    z = np.stack([direction.apply(inputs["source"], float(k)) for k in ks])
    return z, [f"{k:+.2f}" for k in ks]


SEED = Param("seed", "Seed", int, 0, 0, 2**32 - 1, help="same seed, same output")

REGISTRY: dict[str, Transform] = {t.name: t for t in (
    Transform(
        "blend", "Blend", "the path from sentence A to sentence B",
        (Role("a", "A"), Role("b", "B")),
        (Param("steps", "Steps", int, 9, 2, 101, help="points on the path, both ends included"),
         Param("method", "Method", str, "slerp", choices=("slerp", "lerp"),
               help="along the sphere (slerp) or a straight line renormalised (lerp)")),
        _blend),
    Transform(
        "vary", "Variations", "sentences at a chosen angle around one sentence",
        (Role("source", "Source"),),
        (Param("n", "Count", int, 8, 1, 256, help="how many variations"),
         Param("radius", "Radius", float, VARY_RADIUS, 0.0, math.pi,
               help="angle from the source in radians (cosine = cos(radius))"),
         SEED),
        _vary),
    Transform(
        "sample", "Sample", "new sentences from the model's own latent distribution",
        (Role("prior", "Latent prior", kind="prior",
              help="the model's latent_prior.npz (textlatent.prior)"),),
        (Param("n", "Count", int, 8, 1, 256, help="how many samples"),
         SEED,
         Param("method", "Method", str, "near", choices=("near", "gaussian"),
               help="near: a real corpus latent moved a step along a random direction; "
                    "gaussian: the fitted full-covariance Gaussian"),
         Param("radius", "Radius", float, None, 0.0, math.pi, optional=True,
               help="near: the step's angle in radians (default: the prior's own)"),
         Param("temperature", "Temperature", float, 1.0, 0.0, 2.0,
               help="gaussian: scale of the deviations from the mean")),
        _sample),
    Transform(
        "arithmetic", "Arithmetic", "a weighted sum of sentence latents, e.g. A - B + C",
        (Role("terms", "Terms", variadic=True),),
        (Param("weights", "Weights", tuple, None, -10.0, 10.0, optional=True,
               help="one weight per term (default: +1, -1, +1, -1, ...)"),),
        _arithmetic),
    Transform(
        "edit", "Edit", "move a sentence along a named attribute direction",
        (Role("source", "Source"), Role("direction", "Direction", kind="direction")),
        (Param("strength", "Strength", float, None, -10.0, 10.0, optional=True,
               help="multiple of the direction (default: the edit's critic picks among the "
                    "direction's strengths, or its default one)"),
         Param("steps", "Steps", int, 1, 1, 32,
               help="rows at strength/steps, 2*strength/steps, ... strength (with the "
                    "default strength and 1 step: one row for each strength the critic "
                    "tries)")),
        _edit),
)}


def get(name: str) -> Transform:
    """The registered transform called `name`; ValueError names the known ones."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown transform {name!r}; known: {', '.join(REGISTRY)}") from None


def names() -> Sequence[str]:
    return tuple(REGISTRY)
