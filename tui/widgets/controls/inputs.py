"""Each transform's inputs and settings, as the Transform stage shows them.

One entry per registry transform: `inputs(session)` (what goes in: A and B, the source, the
prior, the terms, the direction) and `fields(session)` (its form). A transform with no entry
here still works: its inputs line names its roles and its form lists its parameters.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from textlatent.latent import cosine

from ...params import Field
from ...session import EDITABLE_KINDS, TERM_WEIGHT, Session, printable


def _line(text: Text, head: str, body: str, dim: bool = False) -> None:
    if text:
        text.append("\n")
    text.append(f"{head} ", "bold")
    text.append(body, "dim" if dim else "")


def _source(session: Session, text: Text) -> None:
    entry = session.selected
    _line(text, "source", printable(entry.text) if entry else "— (highlight a sentence)",
          dim=entry is None)


def blend_inputs(session: Session) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    a, b = session.a, session.b
    _line(text, "A", printable(a.text) if a else "— (a on a sentence)", dim=a is None)
    _line(text, "B", printable(b.text) if b else "— (b on a sentence)", dim=b is None)
    return text


def vary_inputs(session: Session) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    _source(session, text)
    return text


def sample_inputs(session: Session) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    prior = session.extras.prior
    if prior is None:
        _line(text, "prior", "none for this model", dim=True)
    else:
        _line(text, "prior", f"{len(prior.anchors)} corpus anchors, D={prior.dim}")
    return text


def arithmetic_inputs(session: Session) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    expression = session.expression()
    _line(text, "z =", expression or "— (+ / − on a sentence in the list)",
          dim=not expression)
    return text


def edit_inputs(session: Session) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    _source(session, text)
    direction = session.extras.directions.get(session.direction or "")
    if direction is not None:
        _line(text, "along", f"{direction.name}: {direction.description}".rstrip(": "))
    return text


def registry_fields(session: Session) -> list[Field]:
    """The current transform's editable parameters, straight from the registry."""
    return [Field(p.name, p.title, session.param_value(p.name), p, help=p.help)
            for p in session.spec.params if p.kind in EDITABLE_KINDS]


def sample_fields(session: Session) -> list[Field]:
    prior = session.extras.prior
    base = None if prior is None else float(prior.radius)
    fields = registry_fields(session)
    return [Field(f.key, f.title, f.value, f.param, base=base, help=f.help)
            if f.key == "radius" else f for f in fields]


def edit_fields(session: Session) -> list[Field]:
    names = tuple(sorted(session.extras.directions))
    direction = session.extras.directions.get(session.direction or "")
    base = None if direction is None else float(direction.default_strength)
    out = [Field("direction", "Direction", session.direction or "none", choices=names,
                 help="the attribute direction (shipped beside the model or built by you)")]
    for f in registry_fields(session):
        out.append(Field(f.key, f.title, f.value, f.param, base=base, help=f.help)
                   if f.key == "strength" else f)
    return out


def arithmetic_fields(session: Session) -> list[Field]:
    """One weight per term (t1, t2, …), in the order they were added."""
    return [Field(f"term{i}", f"t{i + 1}", float(w), TERM_WEIGHT, help=TERM_WEIGHT.help)
            for i, (_, w) in enumerate(session.terms)]


def default_inputs(session: Session) -> Text:
    roles = ", ".join(r.title for r in session.spec.roles)
    return Text(f"inputs: {roles}", style="dim")


INPUTS: dict[str, Callable[[Session], Text]] = {
    "blend": blend_inputs, "vary": vary_inputs, "sample": sample_inputs,
    "arithmetic": arithmetic_inputs, "edit": edit_inputs,
}
NO_FIELDS = {"arithmetic": "no terms yet: + / − on a sentence in the list"}
"""What a form without fields says instead."""
FIELDS: dict[str, Callable[[Session], list[Field]]] = {
    "sample": sample_fields, "edit": edit_fields, "arithmetic": arithmetic_fields,
}


def inputs(session: Session) -> Text:
    return INPUTS.get(session.transform, default_inputs)(session)


def fields(session: Session) -> list[Field]:
    return FIELDS.get(session.transform, registry_fields)(session)


def figures(session: Session) -> Text:
    """Where the current row's latent sits: cosines to what it came from."""
    text = Text()
    z = session.current_latent
    label = session.current_label()
    if z is None:
        return text
    text.append(f"row {label}", "bold")
    name = session.transform
    if name in ("vary", "edit") and session.selected is not None and session.selected.ready:
        text.append(f" · cos(z, source)={cosine(z, session.selected.latent):+.3f}")
    elif name == "arithmetic":
        for i, (entry_id, _) in enumerate(session.terms):
            entry = session.get(entry_id)
            if entry is not None and entry.ready:
                text.append(f" · cos(z,t{i + 1})={cosine(z, entry.latent):+.2f}")
    elif name == "sample":
        text.append(f" · {session.params.get('method')}")
    return text
