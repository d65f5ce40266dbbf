"""EncodeStage (2. Encode): the highlighted sentence's latent as a heat map, with its figures."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from ..session import Session, printable
from .latent_heatmap import LatentHeatmap
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

    _drawn: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="encode-caption", classes="caption")
        yield LatentHeatmap(id="encode-heatmap", empty="highlight an encoded sentence")
        yield Static("", id="encode-figures", classes="figures")

    @property
    def heatmap(self) -> LatentHeatmap:
        return self.query_one("#encode-heatmap", LatentHeatmap)

    def show_session(self, session: Session) -> None:
        """Show the selected sentence's latent (or say why there is none)."""
        entry = session.selected
        key = (entry and entry.id, entry and entry.ready, entry and entry.text,
               entry and session.role(entry), session.cosine_ab(), session.model_error)
        if key == self._drawn:
            return  # a slider move changes nothing here
        self._drawn = key
        caption = self.query_one("#encode-caption", Static)
        stats = self.query_one("#encode-figures", Static)
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
            return
        role = session.role(entry)
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("z(")
        line.append(printable(entry.text), "bold")
        line.append(")")
        if role:
            line.append(f"  = {' and '.join(role)}", "italic")
        caption.update(line)
        z = np.asarray(entry.latent, np.float32)
        self.heatmap.show(z)
        stats.update(figures(z, session.cosine_ab()))
