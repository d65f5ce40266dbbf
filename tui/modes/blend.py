"""Blend: the path from sentence A to sentence B, picked with the slider."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from textlatent.latent import cosine

from ..text import printable
from .base import ROWS, Mode, line

if TYPE_CHECKING:
    from ..session import Entry, Session


def method_note(session: Session) -> str:
    """What slerp and lerp do differently at this t, in numbers."""
    raw = session.raw_lerp_norm()
    if raw is None:
        return ""
    straight = f"‖(1−t)A+tB‖={raw:.3f}"
    if session.method == "lerp":
        return f"lerp: straight line, {straight} → rescaled to 1"
    return f"slerp: along the sphere (a straight line has {straight})"


class Blend(Mode):
    name = "blend"
    keys = frozenset({"move", "jump", "toggle_method", "next_pair"})
    compare = ROWS
    slider = True
    help = """\
Blend sentence **A** into sentence **B**: the points between their latents, decoded. The slider
picks t (**←** / **→**, **Home** / **End** on it); **a** / **b** in the list set the ends,
**Enter** sets A then B; **p** blends the next starter pair. **m** switches slerp (along the
sphere) and lerp (a straight line, rescaled to length 1). Figures: cos(z,A) and cos(z,B), how
close z(t) is to each end; ‖(1−t)A+tB‖, how far the straight line dips inside the sphere. In
the path **•** marks a row whose text differs from the row above (new words underlined)."""

    def mark(self, session: Session, entry: Entry) -> str:
        return session.role(entry)

    def mark_words(self, mark: str) -> str:
        return " and ".join(mark)

    def inputs(self, session: Session) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        a, b = session.a, session.b
        line(text, "A", printable(a.text) if a else "— (a on a sentence)", dim=a is None)
        line(text, "B", printable(b.text) if b else "— (b on a sentence)", dim=b is None)
        return text

    def figures(self, session: Session) -> Text:
        figures = Text()
        figures.append(f"t={session.t:.3f}", "bold")
        figures.append(f" · {session.method}")
        z, a, b = session.current_latent, session.a, session.b
        if z is not None and a is not None and b is not None:
            figures.append(f" · cos(z,A)={cosine(z, a.latent):+.2f}")
            figures.append(f" · cos(z,B)={cosine(z, b.latent):+.2f}")
            figures.append("\n" + method_note(session))
        return figures

    def list_hint(self, session: Session) -> str:
        end = session.next_end.upper()
        return f"Enter makes it {end} · a / b set A / B · Delete removes · c copies its z"

    def other_hint(self, session: Session) -> str:
        if session.a is None or session.b is None:
            return "Press 2, highlight a sentence, then a / b to pick the ends"
        return "1 types · 2 picks sentences · 3 moves the slider (← →) · F1 help"

    def where(self, session: Session) -> str:
        return f"at t = {session.t:.3f} ({session.method})"
