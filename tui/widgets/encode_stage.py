"""EncodeStage (2. Encode): the highlighted sentence's latent as a heat map, with its figures,
and how decoding it back went: the greedy try and any correction rounds, each with its fidelity.
`v` turns the picture to the latent space views: the plane, the map of meanings, the grid.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from ..modes import mode
from ..session import Entry, Session
from ..text import changed_words, fidelity_mark, printable
from .latent_heatmap import LatentHeatmap
from .latent_views import VIEWS, LatentViews
from .stage import Stage


def figures(z: np.ndarray, cos_ab: float | None) -> str:
    """D, norm, min/max and cos(A, B): pieces without spaces, so lines wrap between them."""
    cos = "—" if cos_ab is None else f"{cos_ab:+.3f}"
    return (f"D={z.size} · ‖z‖={float(np.linalg.norm(z)):.3f} · min={float(z.min()):+.3f} · "
            f"max={float(z.max()):+.3f} · cos(A,B)={cos}")


class EncodeStage(Stage):
    """What one sentence looks like to the model: D numbers on the unit sphere."""

    STAGE = "encode"
    NUMBER = 2
    DEFAULT_TITLE = "Encode"
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "encode-rounds--verified",
        "encode-rounds--source",
        "encode-rounds--best",
    }

    _drawn: tuple | None = None
    view: str = "heatmap"  # or one of the latent space views: "plane", "map", "grid"

    def compose(self) -> ComposeResult:
        yield Static("", id="encode-caption", classes="caption")
        yield LatentHeatmap(id="encode-heatmap", empty="highlight an encoded sentence")
        yield Static("", id="encode-figures", classes="figures")
        yield Static("", id="encode-rounds")
        yield LatentViews(id="encode-views")

    def cycle_view(self, session: Session) -> str:
        """Show the next picture: heatmap → plane → map → grid → heatmap; returns its name."""
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        heat = self.view == "heatmap"
        for part in ("#encode-caption", "#encode-heatmap", "#encode-figures", "#encode-rounds"):
            self.query_one(part).display = heat
        self.query_one(LatentViews).set_view(self.view)
        self._drawn = None
        self.show_session(session)
        return self.view

    @property
    def heatmap(self) -> LatentHeatmap:
        return self.query_one("#encode-heatmap", LatentHeatmap)

    def show_session(self, session: Session) -> None:
        """Show the selected sentence's latent (or say why there is none)."""
        if self.view != "heatmap":
            self.query_one(LatentViews).show_session(session)
            return
        entry = session.selected
        key = (entry and entry.id, entry and entry.ready, entry and entry.text,
               entry and mode(session.transform).mark(session, entry), session.cosine_ab(),
               session.model_error,
               entry and entry.reconstruction, entry and entry.fidelity)
        if key == self._drawn:
            return  # a slider move changes nothing here
        self._drawn = key
        caption = self.query_one("#encode-caption", Static)
        stats = self.query_one("#encode-figures", Static)
        rounds = self.query_one("#encode-rounds", Static)
        if entry is None or not entry.ready:
            if entry is None:
                why = "no sentence yet"
            elif session.model_error:
                why = "no model loaded: nothing can be encoded"
            else:
                why = "not encoded yet"
            caption.update(Text(why, style="dim"))
            self.heatmap.show(None)
            stats.update("")
            rounds.update("")
            return
        adapter = mode(session.transform)
        role = adapter.mark(session, entry)
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("z(")
        line.append(printable(entry.text), "bold")
        line.append(")")
        if role:  # what the current mode uses it as: A and B, a term's weight, the source
            line.append(f"  = {adapter.mark_words(role)}", "italic")
        caption.update(line)
        z = np.asarray(entry.latent, np.float32)
        self.heatmap.show(z)
        stats.update(figures(z, session.cosine_ab()))
        rounds.update(self.rounds_renderable(entry))

    def rounds_renderable(self, entry: Entry) -> Group | Text:
        """decode(z) back to text: the greedy try, then each correction round, with fidelity."""
        style = self.get_component_rich_style
        steps = entry.attempts
        if not steps or entry.fidelity is None:
            return Text("")
        best = max(range(len(steps)), key=lambda k: steps[k].fidelity)
        said = fidelity_mark(entry.fidelity, words=True)
        verified = said.startswith("✓")
        if len(steps) == 1:
            if verified:
                said += ": its text encodes back to z"
            return Text.assemble(("decode(z): greedy, ", "dim"), (said, "dim"))
        head = Text("decode(z): greedy did not verify, so each correction round moved the "
                    "query a step along z − encode(text) and decoded again (words that differ "
                    "from greedy's underlined):", style="dim")
        table = Table.grid(expand=True, padding=(0, 1, 0, 0))
        table.add_column(no_wrap=True)
        table.add_column(width=4, no_wrap=True, justify="right")
        table.add_column(ratio=1, overflow="fold")  # wrapped whole: rounds are never cut
        greedy = printable(steps[0].text)
        for k, step in enumerate(steps):
            sign = fidelity_mark(step.fidelity)
            text = printable(step.text)
            changed = changed_words(greedy, text) if k else set()
            line = Text(style=style("encode-rounds--best") if k == best else "")
            for i, word in enumerate(text.split()):  # words that differ from greedy's underlined
                line.append(" " if i else "")
                line.append(word, "underline" if i in changed else "")
            table.add_row(Text(step.source, style("encode-rounds--source")),
                          Text(sign, style("encode-rounds--verified") if sign == "✓" else ""),
                          line)
        kept = f"kept {steps[best].source}: " + (said if verified else f"the closest, {said}")
        return Group(head, table, Text(kept, style="dim"))
