"""What the learner has done so far: sentences, latents, A/B and the blend path (no Textual)."""

from __future__ import annotations

import json
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from textlatent.latent import blend_path, cosine

METHODS = ("slerp", "lerp")
SESSION_FORMAT = "textlatent-session/1"


def printable(text: str) -> str:
    """Text safe to draw in a terminal: control characters become visible symbols."""
    out = []
    for ch in text:
        if ch in "\t\n\r":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            out.append("\N{REPLACEMENT CHARACTER}")
        else:
            out.append(ch)
    return "".join(out)


def latent_list(z: np.ndarray) -> list[float]:
    """A latent as a JSON-friendly list (6 decimals is far below what changes a decode)."""
    return [round(float(v), 6) for v in np.asarray(z, np.float32).ravel()]


@dataclass
class Entry:
    """One sentence the learner typed (or a starter) and what the model made of it."""

    id: int
    text: str
    latent: np.ndarray | None = None
    reconstruction: str | None = None
    truncated: bool = False
    error: str | None = None

    @property
    def ready(self) -> bool:
        return self.latent is not None


@dataclass
class Session:
    """The app's state; the widgets only draw it."""

    steps: int = 9
    method: str = "slerp"
    entries: list[Entry] = field(default_factory=list)
    a_id: int | None = None
    b_id: int | None = None
    t_index: int = 4
    path: np.ndarray | None = None
    path_key: tuple[int, int, str] | None = None
    path_texts: list[str] | None = None
    _next_id: int = 0

    # -- sentences ---------------------------------------------------------------------------
    def add(self, text: str) -> Entry:
        entry = Entry(self._next_id, text)
        self._next_id += 1
        self.entries.append(entry)
        return entry

    def get(self, entry_id: int | None) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def find_text(self, text: str) -> Entry | None:
        return next((e for e in self.entries if e.text == text and not e.error), None)

    def remove(self, entry_id: int) -> None:
        self.entries = [e for e in self.entries if e.id != entry_id]
        if self.a_id == entry_id:
            self.a_id = None
        if self.b_id == entry_id:
            self.b_id = None

    def clear(self) -> None:
        self.entries.clear()
        self.a_id = self.b_id = None
        self.t_index = self.steps // 2

    @property
    def a(self) -> Entry | None:
        return self.get(self.a_id)

    @property
    def b(self) -> Entry | None:
        return self.get(self.b_id)

    def role(self, entry: Entry) -> str:
        """'A', 'B', 'AB' or '' for an entry."""
        return ("A" if entry.id == self.a_id else "") + ("B" if entry.id == self.b_id else "")

    def cosine_ab(self) -> float | None:
        a, b = self.a, self.b
        if a is None or b is None or not a.ready or not b.ready:
            return None
        return cosine(a.latent, b.latent)

    # -- blend -------------------------------------------------------------------------------
    @property
    def t(self) -> float:
        return self.t_index / (self.steps - 1)

    def t_values(self) -> list[float]:
        return [round(i / (self.steps - 1), 6) for i in range(self.steps)]

    def move(self, delta: int) -> None:
        self.t_index = max(0, min(self.steps - 1, self.t_index + delta))

    def wanted_key(self) -> tuple[int, int, str] | None:
        """The (A, B, method) the path should show, or None when A or B is not ready."""
        a, b = self.a, self.b
        if a is None or b is None or not a.ready or not b.ready:
            return None
        return (a.id, b.id, self.method)

    def update_path(self) -> bool:
        """Recompute the path latents if A, B or the method changed; True if it changed."""
        key = self.wanted_key()
        if key == self.path_key:
            return False
        self.path_key = key
        self.path_texts = None
        if key is None:
            self.path = None
        else:
            self.path = blend_path(self.a.latent, self.b.latent, self.steps, self.method)
        return True

    @property
    def current_latent(self) -> np.ndarray | None:
        return None if self.path is None else self.path[self.t_index]

    @property
    def current_text(self) -> str | None:
        return None if self.path_texts is None else self.path_texts[self.t_index]

    # -- export ------------------------------------------------------------------------------
    def to_dict(self, model: dict[str, Any]) -> dict[str, Any]:
        """Everything needed to look at this session again, as JSON-ready data."""
        ready = [e for e in self.entries if e.ready]
        index = {e.id: i for i, e in enumerate(ready)}

        def end(entry: Entry | None) -> dict[str, Any] | None:
            if entry is None or entry.id not in index:
                return None
            return {"index": index[entry.id], "text": entry.text}

        blend = None
        if self.path is not None:
            blend = {
                "method": self.method,
                "steps": self.steps,
                "t": self.t_values(),
                "texts": self.path_texts,
                "current": self.t_index,
                "latents": [latent_list(z) for z in self.path],
            }
        return {
            "format": SESSION_FORMAT,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "model": model,
            "sentences": [
                {"text": e.text, "reconstruction": e.reconstruction, "truncated": e.truncated,
                 "latent": latent_list(e.latent)}
                for e in ready
            ],
            "a": end(self.a),
            "b": end(self.b),
            "cosine_ab": self.cosine_ab(),
            "blend": blend,
        }


def default_export_name() -> str:
    return time.strftime("textlatent-session-%Y%m%d-%H%M%S.json")


def write_export(data: dict[str, Any], target: str | Path) -> Path:
    """Write session JSON to `target` (a file, or a folder that gets a default name)."""
    path = Path(target).expanduser()
    if path.is_dir():
        path = path / default_export_name()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path.resolve()
