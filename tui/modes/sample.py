"""Sample: new sentences from the model's own latent distribution (its prior)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ..params import Field
from .base import Mode, line

if TYPE_CHECKING:
    from ..session import Session


class Sample(Mode):
    name = "sample"
    keys = frozenset({"reseed"})
    reseeds = True
    collapse = True
    needs_sentences = False
    help = """\
New sentences from the model's latent prior (latent_prior.npz beside the model): *near* takes a
real corpus latent and moves it a step (*Radius*) in a random direction; *gaussian* draws from
the fitted Gaussian (*Temperature* scales it). It needs no sentence of yours. **r** draws again
(a new seed); **o** opens the settings. Identical samples are listed once with their count
(**×3**)."""

    def fields(self, session: Session) -> list[Field]:
        prior = session.extras.prior
        base = None if prior is None else float(prior.radius)
        return [Field(f.key, f.title, f.value, f.param, base=base, help=f.help)
                if f.key == "radius" else f for f in super().fields(session)]

    def inputs(self, session: Session) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        prior = session.extras.prior
        if prior is None:
            line(text, "prior", "none for this model", dim=True)
        else:
            line(text, "prior", f"{len(prior.anchors)} corpus anchors, D={prior.dim}")
        return text

    def figures(self, session: Session) -> Text:
        text = super().figures(session)
        if session.current_latent is not None:
            text.append(f" · {session.params.get('method')}")
        return text

    def list_hint(self, session: Session) -> str:
        return "Sample needs no sentence · r new seed · o settings · t next mode"

    def other_hint(self, session: Session) -> str:
        return "r new seed · o settings · n adds the current text · t next mode · F1 help"
