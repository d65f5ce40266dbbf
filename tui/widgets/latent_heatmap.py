"""LatentHeatmap: every value of a latent vector as one cell of a diverging heat map.

Colour alone is not enough (256-colour terminals, NO_COLOR, colour-blind readers), so each
cell is also a bar whose height encodes the value: ▁ is the most negative, █ the most
positive, and values near zero sit in the middle (▄▅).
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
from rich.style import Style
from rich.text import Text
from textual import events
from textual.color import Color
from textual.geometry import Size
from textual.widget import Widget

GLYPHS = "▁▂▃▄▅▆▇█"
SATURATION = 2.5  # the colour scale saturates at SATURATION / sqrt(D): a few values in 100


def glyph_for(value: float, scale: float) -> str:
    """The bar glyph for a value on a symmetric scale (-scale .. +scale)."""
    frac = (max(-1.0, min(1.0, value / scale)) + 1.0) / 2.0
    return GLYPHS[min(len(GLYPHS) - 1, int(frac * len(GLYPHS)))]


def grid_shape(dim: int, width: int) -> tuple[int, int]:
    """(cells per row, characters per cell) for `dim` values in `width` columns.

    Rows hold a power of two of cells so the grid reads as neat blocks; cells are two
    characters wide when the whole vector fits on one such row.
    """
    width = max(1, width)
    cell = 2 if dim * 2 <= width else 1
    fit = max(1, width // cell)
    cols = 1 << int(math.log2(fit))
    return min(dim, cols) if dim > 0 else 1, cell


class LatentHeatmap(Widget):
    """A grid of all D values of one latent, with a legend; hover a cell to read its value."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "latent-heatmap--positive",
        "latent-heatmap--negative",
        "latent-heatmap--zero",
        "latent-heatmap--legend",
    }

    def __init__(self, *, legend: bool = True, empty: str = "no latent yet",
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._values: np.ndarray | None = None
        self._legend = legend
        self._empty = empty

    @property
    def values(self) -> np.ndarray | None:
        """The latent being shown (read-only copy semantics: don't mutate)."""
        return self._values

    @property
    def scale(self) -> float:
        """Where the colour and bar scale saturates."""
        dim = 1 if self._values is None else max(1, self._values.size)
        return SATURATION / math.sqrt(dim)

    def show(self, latent: np.ndarray | None, empty: str | None = None) -> None:
        """Show a latent (or a message when None)."""
        before = None if self._values is None else self._values.size
        self._values = None if latent is None else np.asarray(latent, np.float32).ravel()
        if empty is not None:
            self._empty = empty
        self.tooltip = None
        after = None if self._values is None else self._values.size
        self.refresh(layout=before != after)  # same size: same layout, just new cells

    # -- layout ------------------------------------------------------------------------------
    def _grid_rows(self, width: int) -> tuple[int, int]:
        """(rows of cells drawn, rows the whole vector needs) at this width.

        A `max-height` in the CSS caps the rows drawn; the legend then says how many of the
        values are on show (the first ones, in order).
        """
        if self._values is None:
            return 0, 0
        cols, _ = grid_shape(self._values.size, width)
        needed = math.ceil(self._values.size / cols)
        legend = 1 if self._legend else 0
        cap = self.styles.max_height
        if cap is not None and cap.is_cells:
            needed_shown = max(1, min(needed, int(cap.value) - legend))
        else:
            needed_shown = needed
        height = self.styles.height
        if height is not None and not height.is_auto and self.size.height:
            # a fixed or fractional height: draw the rows that fit
            needed_shown = max(1, min(needed_shown, self.size.height - legend))
        return needed_shown, needed

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if self._values is None:
            return 1
        return self._grid_rows(width)[0] + (1 if self._legend else 0)

    def on_resize(self, event: events.Resize) -> None:
        self.refresh()

    # -- drawing -----------------------------------------------------------------------------
    def _colours(self) -> tuple[Color, Color, Color]:
        _, base = self.background_colors
        pos = base + self.get_component_styles("latent-heatmap--positive").color
        neg = base + self.get_component_styles("latent-heatmap--negative").color
        zero = base + self.get_component_styles("latent-heatmap--zero").color
        return pos, neg, zero

    def render(self) -> Text:
        if self._values is None:
            return Text(self._empty, style=self.get_component_rich_style("latent-heatmap--legend"))
        values, scale = self._values, self.scale
        cols, cell = grid_shape(values.size, self.size.width)
        rows, _ = self._grid_rows(self.size.width)
        shown = min(values.size, rows * cols)
        pos, neg, zero = self._colours()
        text = Text(no_wrap=True, overflow="crop")
        for start in range(0, shown, cols):
            if start:
                text.append("\n")
            for v in values[start:start + cols]:
                v = float(v)
                frac = min(1.0, abs(v) / scale)
                colour = zero.blend(pos if v >= 0 else neg, frac)
                text.append(glyph_for(v, scale) * cell, Style(color=colour.rich_color))
        if self._legend:
            text.append("\n")
            text.append_text(self._legend_text(scale, pos, neg, zero, shown))
        return text

    def _legend_text(self, scale: float, pos: Color, neg: Color, zero: Color,
                     shown: int) -> Text:
        dim = self.get_component_rich_style("latent-heatmap--legend")
        legend = Text(no_wrap=True, overflow="ellipsis")
        legend.append("▁▂▃", Style(color=neg.rich_color))
        legend.append(f"−{scale:.2f} ", dim)
        legend.append("▄▅", Style(color=zero.rich_color))
        legend.append("0 ", dim)
        legend.append("▆▇█", Style(color=pos.rich_color))
        legend.append(f"+{scale:.2f}", dim)
        total = self._values.size
        legend.append(f" · D={total}" if shown == total else f" · {shown}/{total} shown", dim)
        return legend

    # -- mouse -------------------------------------------------------------------------------
    def index_at(self, x: int, y: int) -> int | None:
        """The value index under content offset (x, y), if any."""
        if self._values is None:
            return None
        cols, cell = grid_shape(self._values.size, self.size.width)
        if x < 0 or y < 0 or x >= cols * cell:
            return None
        index = y * cols + x // cell
        rows, _ = self._grid_rows(self.size.width)
        return index if y < rows and index < self._values.size else None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        offset = event.get_content_offset(self)
        index = None if offset is None else self.index_at(offset.x, offset.y)
        if index is None:
            self.tooltip = None
        else:
            self.tooltip = Text(f"z[{index}] = {float(self._values[index]):+.4f}")
