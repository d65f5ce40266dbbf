"""Variations: sentences at a chosen angle around the highlighted sentence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from textlatent.latent import cosine

from ..text import printable
from .base import SOURCE, Mode, line

if TYPE_CHECKING:
    from ..session import Entry, Session


def source_line(session: Session, text: Text) -> None:
    entry = session.selected
    line(text, "source", printable(entry.text) if entry else "— (highlight a sentence)",
         dim=entry is None)


def source_cosine(session: Session, text: Text) -> None:
    z, source = session.current_latent, session.selected
    if z is not None and source is not None and source.ready:
        text.append(f" · cos(z, source)={cosine(z, source.latent):+.3f}")


class Vary(Mode):
    name = "vary"
    keys = frozenset({"reseed"})
    reseeds = True
    compare = SOURCE
    collapse = True
    help = """\
Sentences around the **highlighted** sentence (the source, marked **src** in the list): each
row is a latent at the angle *Radius* (radians) from the source's, in a random direction; cos(z,
source) = cos(radius). **r** draws new directions (a new seed); **o** opens the settings (Count,
Radius, Seed). **•** marks a row whose text differs from the source; identical rows are listed
once with their count (**×3**)."""

    def mark(self, session: Session, entry: Entry) -> str:
        return "src" if entry.id == session.selected_id else ""

    def inputs(self, session: Session) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        source_line(session, text)
        return text

    def figures(self, session: Session) -> Text:
        text = super().figures(session)
        source_cosine(session, text)
        return text

    def list_hint(self, session: Session) -> str:
        return "The highlighted sentence is the source · r new seed · o settings · Del removes"
