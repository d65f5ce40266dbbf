"""Edit: move the highlighted sentence along a named attribute direction."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
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
z = source + strength · offset, renormalised, where the offset is the mean of the direction's
pairs nearest the source. **o** opens the settings: *Direction* (↑ / ↓ cycle), *Strength*
(auto: one row for each strength the critic tries, else the direction's measured one) and
*Steps* (rows at strength/steps … strength). **•** marks a row whose text differs from the
source. Under the settings, the encoder as critic: each decoded row is encoded again and scored
for *attribute* (does its latent carry the attribute, by the probe fitted on the direction's
pairs; 0–1) and *content* (how much of the source it keeps: the cosine outside the direction);
the critic picks the row with the most content among those that carry the attribute, as
`textlatent edit` does."""

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
        critic = critic_scores(session)
        if critic is not None:
            best, attribute, content = critic
            here = session.t_index
            if 0 <= here < len(attribute):
                text.append(f" · attribute {attribute[here]:.2f} · content {content[here]:.2f}")
            labels = session.path_labels or []
            text.append(f"\ncritic picks x{labels[best].lstrip('+')}: attribute "
                        f"{attribute[best]:.2f} · content {content[best]:.2f}", "bold")
        return text

    def list_hint(self, session: Session) -> str:
        return "The highlighted sentence is the source · o direction and strength · Del removes"


def critic_scores(session: Session) -> tuple[int, np.ndarray, np.ndarray] | None:
    """(the row the critic keeps, attribute and content of every row) once every row is
    decoded with its re-encoding; None before (or without a direction or source)."""
    from textlatent.edits import Candidate, choose, scores

    direction = session.extras.directions.get(session.direction or "")
    source, rows, labels = session.selected, session.path_decoded, session.path_labels
    if direction is None or source is None or not source.ready or not rows or not labels:
        return None
    if any(d is None or d.encoded is None for d in rows) or len(labels) != len(rows):
        return None
    z = np.repeat(np.asarray(source.latent, np.float64)[None], len(rows), axis=0)
    offset = direction.offset(z[:1], [source.text])
    attribute, content = scores(direction, z, np.stack([d.encoded for d in rows]),
                                np.repeat(offset, len(rows), axis=0))
    candidates = [Candidate(float(label), d.text, d.fidelity, float(a), float(c))
                  for label, d, a, c in zip(labels, rows, attribute, content)]
    return choose(candidates), attribute, content
