"""What the learner has done so far: sentences, roles, the transform and its path (no Textual).

Every change goes through a Session method, and every method that changes something ends in
one `changed()` call that tells the listeners (the main screen redraws from it). Several
changes can be made as one with `with session.batch():`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from textlatent import transforms as registry
from textlatent.fidelity import Attempt, Decoded
from textlatent.latent import cosine

from .decoding import DECODE_PARAMS, decode_defaults
from .text import ENGLISH_SHARE_WARNING, english_share

METHODS = ("slerp", "lerp")
TRANSFORMS: tuple[str, ...] = tuple(registry.names())  # the Transform stage's modes
EDITABLE_KINDS = (int, float, str)  # parameters the forms can step through (not tuples)
TERM_WEIGHT = registry.Param("weight", "Weight", float, 1.0, -10.0, 10.0,
                             help="this term's weight in the sum (0 drops the term)")
ROLE_INPUTS = ("a", "b", "source", "terms", "prior", "direction")
"""The registry roles the session can fill: blend's ends, the highlighted sentence, arithmetic's
terms, the model's prior and edit's direction (a new mode reuses these names)."""
UNDO_DEPTH = 1  # the last remove or clear; older states would hold their latents forever
BYTE_SHARE_WARNING = 0.3  # this share of byte-fallback pieces or more: probably not English


def byte_share(pieces: list[str]) -> float:
    """The share of tokenizer pieces that are byte fallbacks like <0xE2>."""
    if not pieces:
        return 0.0
    return sum(p.startswith("<0x") and p.endswith(">") for p in pieces) / len(pieces)


@dataclass
class Entry:
    """One sentence the learner typed (or a starter) and what the model made of it."""

    id: int
    text: str
    latent: np.ndarray | None = None
    reconstruction: str | None = None
    truncated: bool = False
    error: str | None = None
    pieces: list[str] | None = None
    fidelity: float | None = None  # cos(z, encode(reconstruction))
    attempts: tuple[Attempt, ...] = ()  # the decode's tries: greedy, then any correction rounds

    @property
    def ready(self) -> bool:
        return self.latent is not None

    @property
    def exact(self) -> bool:
        """The model gave the sentence back unchanged."""
        return self.reconstruction is not None and \
            self.reconstruction.strip() == self.text.strip()

    english: float | None = None  # the share of its words in the English word list

    @property
    def foreign(self) -> bool:
        """Likely not English (the model only knows English): many byte-fallback pieces, or
        few words from the English word list."""
        if self.pieces is None:
            return False
        return byte_share(self.pieces) >= BYTE_SHARE_WARNING or \
            (self.english is not None and self.english < ENGLISH_SHARE_WARNING)


@dataclass(frozen=True)
class Row:
    """One row of the Decode stage: a label and where it sits (t for a blend, else the row)."""

    label: str
    t: float


@dataclass
class Extras:
    """What a model folder may carry beside the model: a latent prior, a sentence index and
    attribute directions (each None / empty when the model has none)."""

    prior: Any = None
    index: Any = None
    directions: dict[str, Any] = field(default_factory=dict)
    latent_map: Any = None  # the map of meanings (textlatent.latent_map.LatentMap)
    notes: dict[str, str] = field(default_factory=dict)
    """Why one is missing, by kind ("prior", "index", "directions", "map"): one line each."""


WAITING = {
    "ends": "pick A and B first (a / b on a sentence in the list)",
    "encoding": "encoding the sentences…",
    "model": "no model loaded: nothing to transform",
    "source": "highlight a sentence in the list: it is the source",
    "terms": "add terms: + or − on a sentence in the list (again: a bigger weight)",
    "prior": "this model has no latent prior (latent_prior.npz): nothing to sample from",
    "direction": "this model has no attribute directions: build one with "
                 "`textlatent direction build`",
}


@dataclass
class Session:
    """The app's state; the widgets only draw it."""

    steps: int = 9
    entries: list[Entry] = field(default_factory=list)
    a_id: int | None = None
    b_id: int | None = None
    selected_id: int | None = None
    t_index: int = 4
    transform: str = "blend"
    mode_params: dict[str, dict[str, Any]] = field(default_factory=lambda: {
        name: {p.name: p.default for p in t.params} for name, t in registry.REGISTRY.items()})
    decoding: dict[str, Any] = field(default_factory=decode_defaults)
    terms: list[tuple[int, float]] = field(default_factory=list)
    """Arithmetic's terms: (sentence id, weight), in the order they were added."""
    extras: Extras = field(default_factory=Extras)
    model_error: str | None = None
    path: np.ndarray | None = None
    path_key: tuple | None = None
    path_labels: list[str] | None = None
    transform_error: str | None = None  # why the transform gave no path (its inputs' fault)
    path_decoded: list[Decoded | None] | None = None  # rows as they arrive (None: pending)
    path_error: str | None = None  # why decoding the path stopped
    next_end: str = "a"
    _next_id: int = 0
    _listeners: list[Callable[[Session], None]] = field(default_factory=list, repr=False)
    _batch: int = 0
    _dirty: bool = False
    _undo: list[tuple[str, dict[str, Any]]] = field(default_factory=list, repr=False)

    # -- change notification -----------------------------------------------------------------
    def subscribe(self, listener: Callable[[Session], None]) -> None:
        """Call `listener(session)` after every change (once per batch)."""
        self._listeners.append(listener)

    def changed(self) -> None:
        """The one step after every change: refresh the path latents, then tell listeners."""
        if self._batch:
            self._dirty = True
            return
        self.update_path()
        for listener in list(self._listeners):
            listener(self)

    @contextmanager
    def batch(self) -> Iterator[Session]:
        """Make several changes; listeners hear about them once, at the end."""
        self._batch += 1
        try:
            yield self
        finally:
            self._batch -= 1
            if not self._batch and self._dirty:
                self._dirty = False
                self.changed()

    # -- sentences ---------------------------------------------------------------------------
    def add(self, text: str, *, select: bool = True) -> Entry:
        entry = Entry(self._next_id, text)
        self._next_id += 1
        self.entries.append(entry)
        if select or self.selected_id is None:
            self.selected_id = entry.id
        self.changed()
        return entry

    def add_typed(self, text: str) -> Entry:
        """A sentence the learner typed: the first two (while A / B are unset) become A, B."""
        with self.batch():
            entry = self.add(text)
            if self.a_id is None:
                self.a_id = entry.id
            elif self.b_id is None:
                self.b_id = entry.id
        return entry

    def get(self, entry_id: int | None) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def index_of(self, entry_id: int | None) -> int | None:
        return next((i for i, e in enumerate(self.entries) if e.id == entry_id), None)

    def find_text(self, text: str) -> Entry | None:
        return next((e for e in self.entries if e.text == text and not e.error), None)

    @property
    def selected(self) -> Entry | None:
        return self.get(self.selected_id)

    def select(self, entry_id: int | None) -> None:
        if entry_id != self.selected_id and (entry_id is None or self.get(entry_id)):
            self.selected_id = entry_id
            self.changed()

    def set_encoded(self, entry_id: int, *, latent: np.ndarray | None = None,
                    reconstruction: str | None = None, text: str | None = None,
                    truncated: bool = False, pieces: list[str] | None = None,
                    error: str | None = None, fidelity: float | None = None,
                    attempts: tuple[Attempt, ...] = ()) -> Entry | None:
        """Store what the model made of a sentence; an error removes the sentence."""
        entry = self.get(entry_id)
        if entry is None:
            return None
        if error:
            self._drop([entry_id])
        else:
            entry.latent, entry.reconstruction = latent, reconstruction
            entry.truncated, entry.pieces = truncated, pieces
            entry.fidelity, entry.attempts = fidelity, tuple(attempts)
            entry.english = english_share(entry.text)  # all of it, before any cut
            if text:
                entry.text = text
        self.changed()
        return entry

    def _state(self) -> dict[str, Any]:
        return {"entries": list(self.entries), "a_id": self.a_id, "b_id": self.b_id,
                "selected_id": self.selected_id, "t_index": self.t_index,
                "terms": list(self.terms)}

    def _drop(self, ids: list[int]) -> None:
        gone = set(ids)
        index = self.index_of(self.selected_id)
        self.entries = [e for e in self.entries if e.id not in gone]
        if self.a_id in gone:
            self.a_id = None
        if self.b_id in gone:
            self.b_id = None
        self.terms = [(i, w) for i, w in self.terms if i not in gone]
        if self.selected_id in gone:
            # the row below moves up into the removed one's place (or the last row, at the end)
            index = min(index or 0, len(self.entries) - 1)
            self.selected_id = self.entries[index].id if self.entries else None

    def remove(self, entry_id: int) -> Entry | None:
        """Remove one sentence (undoable); the highlight stays at the same row."""
        entry = self.get(entry_id)
        if entry is None:
            return None
        self._push_undo(f"remove {entry.text!r}")
        self._drop([entry_id])
        self.changed()
        return entry

    def clear(self) -> int:
        """Remove every sentence (undoable); returns how many there were."""
        count = len(self.entries)
        if count:
            self._push_undo(f"clear {count} sentences")
        self.entries = []
        self.terms = []
        self.a_id = self.b_id = self.selected_id = None
        self.t_index = self.steps // 2
        self.next_end = "a"
        self.changed()
        return count

    def _push_undo(self, what: str) -> None:
        self._undo.append((what, self._state()))
        del self._undo[:-UNDO_DEPTH]

    @property
    def can_undo(self) -> str | None:
        """What `undo()` would undo, or None."""
        return self._undo[-1][0] if self._undo else None

    def undo(self) -> str | None:
        """Bring back what the last remove / clear took away; returns what was undone."""
        if not self._undo:
            return None
        what, state = self._undo.pop()
        kept = {e.id for e in state["entries"]}
        newer = [e for e in self.entries if e.id not in kept]  # added since: keep them too
        self.entries = state["entries"] + newer
        for key in ("a_id", "b_id", "selected_id", "t_index", "terms"):
            setattr(self, key, state[key])
        self.changed()
        return what

    # -- roles -------------------------------------------------------------------------------
    @property
    def a(self) -> Entry | None:
        return self.get(self.a_id)

    @property
    def b(self) -> Entry | None:
        return self.get(self.b_id)

    def set_end(self, which: str, entry_id: int) -> None:
        """Make a sentence end A or B of the blend."""
        if which not in ("a", "b"):
            raise ValueError(f"no end {which!r}")
        setattr(self, f"{which}_id", entry_id)
        self.next_end = "b" if which == "a" else "a"
        self.changed()

    def pick(self, entry_id: int) -> str:
        """Enter on a sentence: it becomes A, the next one B, and so on; returns 'a' or 'b'."""
        which = self.next_end
        self.set_end(which, entry_id)
        return which

    def set_pair(self, a_text: str, b_text: str) -> tuple[Entry, Entry]:
        """Blend two texts (added if new), slider in the middle."""
        with self.batch():
            a = self.find_text(a_text) or self.add(a_text, select=False)
            b = self.find_text(b_text) or self.add(b_text, select=False)
            self.a_id, self.b_id, self.selected_id = a.id, b.id, a.id
            self.t_index = self.steps // 2
            self.next_end = "a"
            self.changed()
        return a, b

    def role(self, entry: Entry) -> str:
        """'A', 'B', 'AB' or '' for an entry."""
        return ("A" if entry.id == self.a_id else "") + ("B" if entry.id == self.b_id else "")

    def cosine_ab(self) -> float | None:
        a, b = self.a, self.b
        if a is None or b is None or not a.ready or not b.ready:
            return None
        return cosine(a.latent, b.latent)

    def set_model_error(self, error: str) -> None:
        self.model_error = error
        self.changed()

    # -- the transform -----------------------------------------------------------------------
    @property
    def spec(self) -> registry.Transform:
        """The current transform's registry entry."""
        return registry.get(self.transform)

    @property
    def params(self) -> dict[str, Any]:
        """The current transform's parameters (blend's steps live in `steps`)."""
        return self.mode_params[self.transform]

    @property
    def method(self) -> str:
        return str(self.mode_params["blend"].get("method", "slerp"))

    def set_transform(self, name: str) -> None:
        """Switch the Transform stage's mode (a registry name)."""
        registry.get(name)
        if name != self.transform:
            self.transform = name
            self.t_index = self.steps // 2 if name == "blend" else 0
            self.changed()

    def cycle_transform(self, delta: int = 1) -> str:
        names = list(TRANSFORMS)
        self.set_transform(names[(names.index(self.transform) + delta) % len(names)])
        return self.transform

    def param_value(self, name: str) -> Any:
        if self.transform == "blend" and name == "steps":
            return self.steps
        return self.params.get(name)

    def set_param(self, name: str, value: Any, mode: str | None = None) -> None:
        """Set a parameter of `mode` (default: the current one); ValueError if out of range."""
        mode = mode or self.transform
        value = registry.get(mode).param(name).check(value)
        if mode == "blend" and name == "steps":
            if value != self.steps:
                self.steps = value
                self.t_index = min(self.t_index, value - 1)
                self.changed()
            return
        if self.mode_params[mode].get(name) != value:
            self.mode_params[mode] = {**self.mode_params[mode], name: value}
            self.changed()

    def set_decoding(self, name: str, value: Any) -> None:
        """Set one of the Decode stage's choices; ValueError if out of range."""
        value = DECODE_PARAMS[name].check(value)
        if self.decoding.get(name) != value:
            self.decoding = {**self.decoding, name: value}
            self.changed()

    def toggle_method(self) -> str:
        self.set_param("method", "lerp" if self.method == "slerp" else "slerp", "blend")
        return self.method

    # arithmetic's terms
    def add_term(self, entry_id: int, weight: float) -> float:
        """Add `weight` to a sentence's term (a new term if it has none); 0 drops it.

        Returns the term's weight now."""
        if self.get(entry_id) is None:
            raise ValueError("no such sentence")
        weights = dict(self.terms)
        total = round(weights.get(entry_id, 0.0) + weight, 6)
        if not -10.0 <= total <= 10.0:
            raise ValueError("a weight must be between -10 and 10")
        if total == 0:
            self.terms = [(i, w) for i, w in self.terms if i != entry_id]
        elif entry_id in weights:
            self.terms = [(i, total if i == entry_id else w) for i, w in self.terms]
        else:
            self.terms = [*self.terms, (entry_id, total)]
        self.changed()
        return total

    def set_term_weight(self, position: int, weight: float) -> None:
        """Set the weight of arithmetic's term at `position`; 0 drops it."""
        weight = TERM_WEIGHT.check(weight)
        entry_id, old = self.terms[position]
        if weight != old:
            self.add_term(entry_id, round(weight - old, 6))

    def clear_terms(self) -> None:
        if self.terms:
            self.terms = []
            self.changed()

    # the model folder's extras
    def set_extras(self, extras: Extras) -> None:
        self.extras = extras
        if self.direction is None and extras.directions:
            names = sorted(extras.directions)
            self.mode_params["edit"] = {**self.mode_params["edit"],
                                        "direction": "question" if "question" in names
                                        else names[0]}
        self.changed()

    @property
    def direction(self) -> str | None:
        """Edit's direction name (None until the model's directions are known)."""
        name = self.mode_params["edit"].get("direction")
        return name if name in self.extras.directions else None

    def set_direction(self, name: str) -> None:
        if name not in self.extras.directions:
            known = ", ".join(sorted(self.extras.directions)) or "none"
            raise ValueError(f"no direction {name!r} (this model has: {known})")
        self.set_param_raw("edit", "direction", name)

    def cycle_direction(self, delta: int = 1) -> str | None:
        names = sorted(self.extras.directions)
        if not names:
            return None
        here = names.index(self.direction) if self.direction in names else -delta
        self.set_direction(names[(here + delta) % len(names)])
        return self.direction

    def set_param_raw(self, mode: str, name: str, value: Any) -> None:
        """A value that is no registry parameter (edit's direction name)."""
        if self.mode_params[mode].get(name) != value:
            self.mode_params[mode] = {**self.mode_params[mode], name: value}
            self.changed()

    # rows and the current row
    @property
    def t(self) -> float:
        return self.t_index / (self.steps - 1)

    def t_values(self) -> list[float]:
        return [round(i / (self.steps - 1), 6) for i in range(self.steps)]

    @property
    def row_count(self) -> int:
        """How many rows the Decode stage shows (blend: its steps even before the path)."""
        if self.path is not None:
            return len(self.path)
        return self.steps if self.transform == "blend" else 0

    def rows(self) -> list[Row]:
        """The Decode stage's labelled rows: blend's A…B, else the registry's labels."""
        if self.transform == "blend":
            out = []
            for i, t in enumerate(self.t_values()):
                end = "A" if i == 0 else "B" if i == self.steps - 1 else " "
                out.append(Row(f"{end} {t:4.2f}", t))
            return out
        return [Row(label, float(i)) for i, label in enumerate(self.path_labels or [])]

    def move(self, delta: int) -> None:
        self.set_index(self.t_index + delta)

    def set_index(self, index: int) -> None:
        index = max(0, min(max(self.row_count, 1) - 1, index))
        if index != self.t_index:
            self.t_index = index
            self.changed()

    # what the transform needs
    def _role_input(self, role: registry.Role) -> tuple[str | None, Any, Any, list[Entry]]:
        """One registry role filled from the session: (why it is missing, or None; the value;
        its identity for the path key; the sentences it uses, which must be encoded)."""
        name = role.name
        if name in ("a", "b"):
            entry = self.a if name == "a" else self.b
            if entry is None:
                return "ends", None, None, []
            return None, entry.latent, entry.id, [entry]
        if name == "source":
            entry = self.selected
            if entry is None:
                return "source", None, None, []
            return None, entry.latent, entry.id, [entry]
        if name == "terms":
            entries = [self.get(i) for i, _ in self.terms]
            if not entries or any(e is None for e in entries):
                return "terms", None, None, []
            return None, [e.latent for e in entries], tuple(self.terms), entries
        if name == "prior":
            prior = self.extras.prior
            return ("prior" if prior is None else None), prior, id(prior), []
        if name == "direction":
            if self.direction is None:
                return "direction", None, None, []
            return None, self.extras.directions[self.direction], self.direction, []
        raise ValueError(f"the app has no input for role {name!r} of {self.transform}")

    def _inputs(self) -> tuple[str | None, dict[str, Any], tuple]:
        """(why it cannot run, or None; the registry inputs; their identity for the key).

        Each role of the current transform is filled from the session by its name (ROLE_INPUTS);
        a missing input is named before one that is still encoding."""
        filled = [(role, self._role_input(role)) for role in self.spec.roles]
        for _, (why, _, _, _) in filled:
            if why:
                return why, {}, ()
        if not all(e.ready for _, (_, _, _, entries) in filled for e in entries):
            return "encoding", {}, ()
        inputs = {role.name: value for role, (_, value, _, _) in filled}
        return None, inputs, tuple(ident for _, (_, _, ident, _) in filled)

    def registry_params(self) -> dict[str, Any]:
        """The current transform's parameters as the registry takes them."""
        spec = self.spec
        names = {p.name for p in spec.params}
        params = {k: v for k, v in self.params.items() if k in names}
        if spec.name == "blend":
            params["steps"] = self.steps
        if spec.name == "arithmetic":
            params["weights"] = tuple(w for _, w in self.terms) or None
        return params

    @property
    def waiting_for(self) -> str | None:
        """Why there is no path: a WAITING key ('model', 'ends', 'encoding', 'source',
        'terms', 'prior', 'direction'); None if there is one to show."""
        if self.transform == "blend" and (self.a is None or self.b is None):
            return "ends"
        if self.model_error:
            return "model"
        return self._inputs()[0]

    def waiting_text(self) -> str:
        """One line on why the stages are empty (a transform's own error included)."""
        if self.transform_error:
            return self.transform_error
        reason = self.waiting_for or "ends"
        if reason in ("prior", "direction", "index"):
            return self.extras.notes.get(reason, WAITING[reason])
        return WAITING[reason]

    def wanted_key(self) -> tuple | None:
        """What the path should show: (transform, inputs, params, decoding), or None."""
        if self.model_error:
            return None
        why, _, ident = self._inputs()
        if why:
            return None
        return (self.transform, ident, tuple(sorted(self.registry_params().items())),
                tuple(sorted(self.decoding.items())))

    def update_path(self) -> bool:
        """Recompute the path latents if what they depend on changed; True if they did."""
        key = self.wanted_key()
        if key == self.path_key:
            return False
        self.path_key = key
        self.path_decoded = None
        self.path = self.path_labels = self.path_error = self.transform_error = None
        if key is not None:
            _, inputs, _ = self._inputs()
            try:
                self.path, self.path_labels = self.spec.run(inputs, self.registry_params())
            except ValueError as exc:  # e.g. arithmetic terms that cancel out
                self.path_key = None
                self.transform_error = f"{self.spec.title}: {exc}"
                return True
            self.t_index = max(0, min(len(self.path) - 1, self.t_index))
        return True

    def set_path_texts(self, key: tuple, texts: list[str],
                       fidelity: list[float] | None = None) -> bool:
        """Store every row's text (and fidelity, NaN when unknown) if they are for the current
        path; False if they are stale."""
        if self.path is None or len(texts) != len(self.path):
            return False
        fids = [math.nan] * len(texts) if fidelity is None else [float(f) for f in fidelity]
        return self.set_path_rows(key, {i: Decoded(t, f) for i, (t, f)
                                        in enumerate(zip(texts, fids))})

    def set_path_rows(self, key: tuple, rows: dict[int, Decoded]) -> bool:
        """Store some decoded rows if they are for the current path; False if they are stale.

        Rows arrive as they are decoded; `path_texts` is there once every row is in.
        """
        if key != self.path_key or self.path is None \
                or any(not 0 <= i < len(self.path) for i in rows):
            return False
        if self.path_decoded is None:
            self.path_decoded = [None] * len(self.path)
        for i, decoded in rows.items():
            self.path_decoded[i] = decoded
        self.changed()
        return True

    def set_path_failed(self, key: tuple, error: str) -> bool:
        """Decoding the current path stopped with `error`; False if the key is stale."""
        if key != self.path_key or self.path is None:
            return False
        self.path_error = error
        self.changed()
        return True

    @property
    def path_texts(self) -> list[str] | None:
        """Every row's text, once all are decoded."""
        if self.path_decoded is None or any(d is None for d in self.path_decoded):
            return None
        return [d.text for d in self.path_decoded]

    @property
    def path_fidelity(self) -> list[float] | None:
        """Every row's fidelity (NaN: unknown), once all are decoded."""
        if self.path_texts is None:
            return None
        return [d.fidelity for d in self.path_decoded]

    @property
    def path_progress(self) -> tuple[int, int] | None:
        """(rows decoded, rows) while a path is decoding; None when there is none, it is done
        or it failed."""
        if self.path is None or self.path_texts is not None or self.path_error:
            return None
        done = 0 if self.path_decoded is None else sum(d is not None for d in self.path_decoded)
        return done, len(self.path)

    def raw_lerp_norm(self) -> float | None:
        """‖(1−t)·A + t·B‖ before renormalising: how far a straight line dips inside the sphere."""
        a, b = self.a, self.b
        if self.transform != "blend" or self.path is None or a is None or b is None:
            return None
        z = (1 - self.t) * a.latent + self.t * b.latent
        return float(np.linalg.norm(z))

    @property
    def current_latent(self) -> np.ndarray | None:
        if self.path is None or not 0 <= self.t_index < len(self.path):
            return None
        return self.path[self.t_index]

    @property
    def current_decoded(self) -> Decoded | None:
        """The current row's decode (text, fidelity, tries), once it has arrived."""
        if self.path_decoded is None or not 0 <= self.t_index < len(self.path_decoded):
            return None
        return self.path_decoded[self.t_index]

    @property
    def current_text(self) -> str | None:
        decoded = self.current_decoded
        return None if decoded is None else decoded.text

    @property
    def current_fidelity(self) -> float | None:
        decoded = self.current_decoded
        return None if decoded is None or math.isnan(decoded.fidelity) else decoded.fidelity

    def current_label(self) -> str:
        rows = self.rows()
        return rows[self.t_index].label.strip() if 0 <= self.t_index < len(rows) else ""
