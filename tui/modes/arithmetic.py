"""Arithmetic: a weighted sum of sentence latents, e.g. A − B + C."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text

from textlatent.latent import cosine

from ..params import Field, step_value
from ..session import TERM_WEIGHT
from ..text import printable
from .base import Mode

if TYPE_CHECKING:
    from ..session import Entry, Session


def badge(weight: float) -> str:
    """A term's weight as the list shows it: +1, −2, +0.5."""
    return f"{'+' if weight > 0 else '−'}{abs(weight):g}"


class Arithmetic(Mode):
    name = "arithmetic"
    keys = frozenset({"clear_terms"})
    wrap_inputs = True
    empty_form: ClassVar[str] = "no terms yet: + / − on a sentence in the list"
    help = """\
A weighted sum of sentence latents, renormalised: **+** on a sentence in the list adds it as a
term with weight +1 (again: +2), **−** subtracts it; the list marks each term with its weight
(**+1**, **−2**) and the formula is the inputs line. **o** opens one weight per term (↑ / ↓
step it; 0 drops the term), **x** clears the terms. Figures: cos(z,t1)… how close the result is
to each term."""

    def mark(self, session: Session, entry: Entry) -> str:
        weight = dict(session.terms).get(entry.id)
        return "" if weight is None else badge(weight)

    def mark_words(self, mark: str) -> str:
        return f"a term, weight {mark}"

    def fields(self, session: Session) -> list[Field]:
        """One weight per term (t1, t2, …), in the order they were added."""
        return [Field(f"term{i}", f"t{i + 1}", float(w), TERM_WEIGHT, help=TERM_WEIGHT.help)
                for i, (_, w) in enumerate(session.terms)]

    def step(self, session: Session, key: str, delta: int) -> None:
        field = next((f for f in self.fields(session) if f.key == key), None)
        if field is not None:
            session.set_term_weight(int(key[4:]), step_value(field, delta))

    def inputs(self, session: Session) -> Text:
        """The formula, wrapped (never cut): z = +1·"a" −1·"b" …"""
        text = Text(overflow="fold")
        text.append("z = ", "bold")
        if not session.terms:
            text.append("— (+ / − on a sentence in the list)", "dim")
            return text
        for k, (entry_id, weight) in enumerate(session.terms):
            entry = session.get(entry_id)
            if k:
                text.append(" ")
            text.append(badge(weight), "bold")
            text.append(f"·{printable(entry.text) if entry else '?'}")
        return text

    def figures(self, session: Session) -> Text:
        text = super().figures(session)
        z = session.current_latent
        if z is None:
            return text
        for i, (entry_id, _) in enumerate(session.terms):
            entry = session.get(entry_id)
            if entry is not None and entry.ready:
                text.append(f" · cos(z,t{i + 1})={cosine(z, entry.latent):+.2f}")
        return text

    def list_hint(self, session: Session) -> str:
        return "+ / − add it as a term (again: bigger weight) · x clears terms · o weights"
