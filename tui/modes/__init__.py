"""One adapter per Transform mode of the registry (`textlatent.transforms`).

A new mode is one registry entry and one `Mode` here (a test checks every registry transform
has one, with its F1 section, palette command and snapshot).
"""

from __future__ import annotations

from .arithmetic import Arithmetic
from .base import Mode
from .blend import Blend
from .edit import Edit
from .sample import Sample
from .vary import Vary

MODES: dict[str, Mode] = {m.name: m for m in (Blend(), Vary(), Sample(), Arithmetic(), Edit())}

MODE_ACTIONS = frozenset({"move", "row", "jump", "toggle_method", "next_pair", "reseed",
                          "clear_terms"})
"""Screen actions that act only in some modes: the footer shows them where they act."""


def mode(name: str) -> Mode:
    """The adapter of registry transform `name` (a plain `Mode` for one with none yet)."""
    found = MODES.get(name)
    if found is None:
        found = Mode()
        found.name = name  # type: ignore[misc]
    return found


__all__ = ["MODES", "MODE_ACTIONS", "Mode", "mode"]
