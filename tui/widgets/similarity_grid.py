"""The similarity grid: cos(z_i, z_j) for every pair of sentences in the list, as a shaded grid
with values, the highlighted sentence's row and column lit.

Each cell is a shade (░ ▒ ▓ █ for higher cosines) and the cosine in hundredths, so it reads
without colour; the sentences are numbered as in the list.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from textlatent.latent_map import cosine_matrix

from ..session import Session
from ..text import printable
from .braille import canvas_rows

MAX_SENTENCES = 12
CELL = 4  # a shade and three characters of value
SHADES = ((0.9, "█"), (0.7, "▓"), (0.5, "▒"), (0.3, "░"))


@dataclass
class GridData:
    """Numbered sentences (their list numbers), their cosines, the highlighted one's row."""

    numbers: list[int]
    texts: list[str]
    cos: np.ndarray
    lit: int | None
    hidden: int = 0  # ready sentences left out (more than fit)


def grid_data(session: Session, fit: int = MAX_SENTENCES) -> GridData | str:
    """The ready sentences around the highlighted one, up to `fit` (at least two), and their
    cosines."""
    ready = [(i, e) for i, e in enumerate(session.entries) if e.ready]
    if len(ready) < 2:
        return "the grid needs two encoded sentences: type some in the input"
    fit = max(2, min(fit, MAX_SENTENCES))
    sel = next((k for k, (_, e) in enumerate(ready) if e.id == session.selected_id), 0)
    start = max(0, min(sel - fit // 2, len(ready) - fit))
    shown = ready[start:start + fit]
    lit = next((k for k, (_, e) in enumerate(shown) if e.id == session.selected_id), None)
    cos = cosine_matrix(np.stack([e.latent for _, e in shown]))
    return GridData([i + 1 for i, _ in shown], [e.text for _, e in shown], cos, lit,
                    len(ready) - len(shown))


def shade(c: float) -> str:
    return next((ch for at, ch in SHADES if c >= at), " ")


def value(c: float) -> str:
    """Hundredths in three characters: '100', ' 83', '-12'."""
    return f"{round(c * 100):>3d}"


def fits(width: int) -> int:
    """Sentences whose columns fit `width` cells."""
    return max(2, min(MAX_SENTENCES, (width - 4) // CELL))


def draw(data: GridData) -> Text:
    out = Text(no_wrap=True, overflow="crop")
    out.append("    ")
    for k, n in enumerate(data.numbers):
        out.append(f"{n:>{CELL}d}", "bold reverse" if k == data.lit else "bold")
    for r, n in enumerate(data.numbers):
        out.append("\n")
        out.append(f"{n:>3d} ", "bold reverse" if r == data.lit else "bold")
        for c in range(len(data.numbers)):
            cos = float(data.cos[r, c])
            lit = data.lit is not None and data.lit in (r, c)
            out.append(shade(cos), "dim")
            out.append(value(cos), "bold" if lit else "dim" if r == c else "")
    return out


class SimilarityGrid(Static):
    """Draws a `GridData` (or a line saying why there is none)."""

    DEFAULT_CSS = """
    SimilarityGrid { height: auto; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("", *args, **kwargs)
        self.data: GridData | str = ""

    @property
    def capacity(self) -> int:
        """Sentences that fit: by width, and by height when the grid fills a short stage (a
        title, a header row, two lines about the highlighted sentence and one saying how many
        more there are, besides the rows)."""
        return min(fits(self.size.width or 40), canvas_rows(self, 5, MAX_SENTENCES))

    def show(self, data: GridData | str) -> None:
        self.data = data
        self.update(self.picture(data))

    @staticmethod
    def picture(data: GridData | str) -> Group | Text:
        if isinstance(data, str):
            return Text(data, style="dim")
        lines = [Text("cos(zᵢ,zⱼ)×100 of the list's sentences · ░.3 ▒.5 ▓.7 █.9",
                      style="italic", no_wrap=True, overflow="ellipsis"), draw(data)]
        if data.lit is not None:
            lines.append(Text.assemble((f"{data.numbers[data.lit]}: ", "bold"),
                                       printable(data.texts[data.lit]),
                                       no_wrap=True, overflow="ellipsis"))
            row = data.cos[data.lit].copy()
            row[data.lit] = -2
            best = int(np.argmax(row))
            lines.append(Text.assemble(("closest ", "dim"), (f"{data.numbers[best]}: ", "bold"),
                                       printable(data.texts[best]),
                                       (f"  cos {data.cos[data.lit, best]:.2f}", "dim"),
                                       no_wrap=True, overflow="ellipsis"))
        if data.hidden:
            lines.append(Text(f"{data.hidden} more: move in the list to see them", style="dim",
                              no_wrap=True, overflow="ellipsis"))
        return Group(*lines)
