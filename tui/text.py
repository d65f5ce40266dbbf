"""Text helpers for drawing: terminal-safe text and how a fidelity is written (no Textual)."""

from __future__ import annotations

import math
import unicodedata

from textlatent.fidelity import VERIFIED_AT


def printable(text: str) -> str:
    """Text safe to draw in a terminal, one cell per cell that terminals agree on.

    Control characters become visible symbols; emoji variation selectors are dropped,
    because terminals disagree on whether they widen the character before them (tmux does
    not, Rich does), which shifts everything after them by a column.
    """
    out = []
    for ch in text:
        if ch in "\t\n\r":
            out.append(" ")
        elif ch in "\ufe0e\ufe0f":
            continue
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            out.append("\N{REPLACEMENT CHARACTER}")
        else:
            out.append(ch)
    return "".join(out)


def fidelity_mark(fidelity: float | None, *, words: bool = False, rounds: int = 0) -> str:
    """How a decode's fidelity is written, everywhere in the app.

    ✓ for a verified decode (its text encodes back to its latent), else the cosine rounded down
    ('0.97', never 1.00 unverified); '' when unknown. `words=True` writes it out: '✓ verified'
    or 'fidelity 0.97', with 'after N correction rounds' when `rounds`.
    """
    if fidelity is None or math.isnan(fidelity):
        return ""
    mark = "✓" if fidelity >= VERIFIED_AT else f"{math.floor(fidelity * 100) / 100:.2f}"
    if not words:
        return mark
    said = "✓ verified" if mark == "✓" else f"fidelity {mark}"
    if rounds:
        said += f" after {rounds} correction round{'s' * (rounds > 1)}"
    return said
