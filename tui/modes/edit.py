"""Edit: move the highlighted sentence along a named attribute direction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ..params import Field, step_value
from .base import SOURCE, Mode, line
from .vary import source_cosine, source_line

if TYPE_CHECKING:
    from ..session import Entry, Session


class Edit(Mode):
    name = "edit"
    compare = SOURCE
    help = """\
Move the **highlighted** sentence (the source, **src** in the list) along an attribute direction
(question, negation, past… shipped beside the model or built with `textlatent direction build`):
z = source + strength · direction, renormalised. **o** opens the settings: *Direction* (↑ / ↓
cycle), *Strength* (auto: the direction's measured one) and *Steps* (rows at strength/steps …
strength). **•** marks a row whose text differs from the source."""

    def mark(self, session: Session, entry: Entry) -> str:
        return "src" if entry.id == session.selected_id else ""

    def fields(self, session: Session) -> list[Field]:
        names = tuple(sorted(session.extras.directions))
        direction = session.extras.directions.get(session.direction or "")
        base = None if direction is None else float(direction.default_strength)
        out = [Field("direction", "Direction", session.direction or "none", choices=names,
                     help="the attribute direction (shipped beside the model or built by you)")]
        for f in super().fields(session):
            out.append(Field(f.key, f.title, f.value, f.param, base=base, help=f.help)
                       if f.key == "strength" else f)
        return out

    def step(self, session: Session, key: str, delta: int) -> None:
        if key == "direction":
            if session.cycle_direction(delta) is None:
                raise ValueError(session.waiting_text())
            return
        field = next((f for f in self.fields(session) if f.key == key), None)
        if field is not None:
            session.set_param(key, step_value(field, delta), self.name)

    def inputs(self, session: Session) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        source_line(session, text)
        direction = session.extras.directions.get(session.direction or "")
        if direction is not None:
            line(text, "along", f"{direction.name}: {direction.description}".rstrip(": "))
        return text

    def figures(self, session: Session) -> Text:
        text = super().figures(session)
        source_cosine(session, text)
        return text

    def list_hint(self, session: Session) -> str:
        return "The highlighted sentence is the source · o direction and strength · Del removes"
