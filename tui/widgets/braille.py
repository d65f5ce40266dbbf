"""A character canvas for 2-D pictures: braille dots (2 x 4 per cell) and text marks over them.

Plain data in, a Rich `Text` out. Coordinates are the picture's own (x right, y up); the canvas
keeps the aspect ratio (a braille dot is about as wide as it is tall), so a circle stays round.
Each dot belongs to a layer; a cell takes the style of the highest layer among its dots, and a
text mark replaces the cell. Styles are Rich style strings: keep them readable without colour
(bold / dim / reverse carry the meaning, colour only helps).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from rich.text import Text

_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # [row][col] of a cell


class Canvas:
    """width x height cells showing the box [x0, x1] x [y0, y1] (widened to keep the aspect)."""

    def __init__(self, width: int, height: int, box: tuple[float, float, float, float]):
        self.width, self.height = max(1, width), max(1, height)
        x0, x1, y0, y1 = box
        dx, dy = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
        self.scale = min(2 * self.width / dx, 4 * self.height / dy)  # dots per unit
        self.cx, self.cy = (x0 + x1) / 2, (y0 + y1) / 2
        self.bits = np.zeros((self.height, self.width), np.uint8)
        self.layer = np.full((self.height, self.width), -1, np.int16)
        self.marks: dict[tuple[int, int], tuple[str, str]] = {}
        self.styles: list[str] = []

    def _style_id(self, style: str) -> int:
        if style not in self.styles:
            self.styles.append(style)
        return self.styles.index(style)

    def dot_xy(self, x: float, y: float) -> tuple[int, int]:
        """The dot (column, row) of a point; rows count down from the top."""
        col = math.floor((x - self.cx) * self.scale + self.width)
        row = math.floor((self.cy - y) * self.scale + 2 * self.height)
        return col, row

    def cell(self, x: float, y: float) -> tuple[int, int] | None:
        """The cell (column, row) of a point, None outside the canvas."""
        col, row = self.dot_xy(x, y)
        c, r = col // 2, row // 4
        return (c, r) if 0 <= c < self.width and 0 <= r < self.height else None

    def _set(self, col: int, row: int, level: int) -> None:
        c, r = col // 2, row // 4
        if 0 <= c < self.width and 0 <= r < self.height:
            self.bits[r, c] |= _BITS[row % 4][col % 2]
            self.layer[r, c] = max(self.layer[r, c], level)

    def points(self, xy: np.ndarray, style: str, every: int = 1) -> None:
        """A dot at each point (every `every`-th one)."""
        level = self._style_id(style)
        for x, y in np.asarray(xy, np.float64)[::max(1, every)]:
            self._set(*self.dot_xy(x, y), level)

    def line(self, a: Iterable[float], b: Iterable[float], style: str, dash: int = 0) -> None:
        """A straight line of dots from a to b (every other gap of `dash` dots left out)."""
        level = self._style_id(style)
        (c0, r0), (c1, r1) = self.dot_xy(*a), self.dot_xy(*b)
        n = max(abs(c1 - c0), abs(r1 - r0), 1)
        for i in range(n + 1):
            if dash and (i // dash) % 2:
                continue
            self._set(round(c0 + (c1 - c0) * i / n), round(r0 + (r1 - r0) * i / n), level)

    def polyline(self, xy: np.ndarray, style: str, dash: int = 0) -> None:
        xy = np.asarray(xy, np.float64)
        for a, b in zip(xy[:-1], xy[1:]):
            self.line(a, b, style, dash)

    def density(self, xy: np.ndarray, style: str, share: float = 0.5,
                fill: float = 0.2) -> None:
        """A dot where the points fall most densely: the `share` of occupied dots holding the
        most points, and at most `fill` of the canvas's dots (so a crowd of points still shows
        its shape, and a background stays a background)."""
        level = self._style_id(style)
        cols, rows = self._dots(np.asarray(xy, np.float64))
        if not len(cols):
            return
        cells, counts = np.unique(cols * (4 * self.height) + rows, return_counts=True)
        # the most crowded first; ties in a fixed scattered order, so no region is favoured
        tie = np.random.default_rng(0).random(len(cells))
        most = min(len(cells) * share, 8 * self.width * self.height * fill)
        keep = np.lexsort((tie, -counts))[:max(1, round(most))]
        for cell in cells[keep].tolist():
            self._set(cell // (4 * self.height), cell % (4 * self.height), level)

    def layers(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """What is drawn so far (to reuse as a background)."""
        return self.bits.copy(), self.layer.copy(), list(self.styles)

    def restore(self, drawn: tuple[np.ndarray, np.ndarray, list[str]]) -> None:
        """Start from what `layers()` returned (a canvas of the same size)."""
        self.bits[:], self.layer[:] = drawn[0], drawn[1]
        self.styles = list(drawn[2])

    def _dots(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cols = np.floor((xy[:, 0] - self.cx) * self.scale + self.width).astype(np.int64)
        rows = np.floor((self.cy - xy[:, 1]) * self.scale + 2 * self.height).astype(np.int64)
        keep = (cols >= 0) & (cols < 2 * self.width) & (rows >= 0) & (rows < 4 * self.height)
        return cols[keep], rows[keep]

    def mark(self, x: float, y: float, text: str, style: str = "", clamp: bool = True,
             avoid: bool = False) -> bool:
        """Write `text` starting at the cell of (x, y), moved inside the edges when `clamp`
        and, when `avoid`, beside a mark already there; False if it fell outside."""
        col, row = self.dot_xy(x, y)
        c, r = col // 2, row // 4
        if clamp:
            c = min(max(c, 0), max(0, self.width - len(text)))
            r = min(max(r, 0), self.height - 1)
        if not (0 <= r < self.height and 0 <= c < self.width):
            return False
        if avoid:
            for dc, dr in ((0, 0), (1, 0), (-1, 0), (0, -1), (0, 1), (2, 0), (-2, 0), (1, -1),
                           (-1, -1), (1, 1), (-1, 1)):
                cells = [(c + dc + i, r + dr) for i in range(len(text))]
                if all(0 <= cc < self.width and 0 <= rr < self.height
                       and (cc, rr) not in self.marks for cc, rr in cells):
                    c, r = c + dc, r + dr
                    break
        for i, ch in enumerate(text):
            if c + i < self.width:
                self.marks[(c + i, r)] = (ch, style)
        return True

    def render(self, trim: bool = False) -> Text:
        """The canvas as lines of text (without its empty top and bottom rows when `trim`)."""
        out = Text(no_wrap=True, overflow="crop")
        used = [r for r in range(self.height)
                if self.bits[r].any() or any(rr == r for _, rr in self.marks)]
        rows = range(used[0], used[-1] + 1) if trim and used else range(self.height)
        for r in rows:
            if r != rows[0]:
                out.append("\n")
            run, run_style = [], None
            for c in range(self.width):
                mark = self.marks.get((c, r))
                if mark is not None:
                    ch, style = mark
                elif self.bits[r, c]:
                    ch, style = chr(0x2800 + int(self.bits[r, c])), \
                        self.styles[int(self.layer[r, c])]
                else:
                    ch, style = " ", ""
                if style != run_style and run:
                    out.append("".join(run), run_style or "")
                    run = []
                run_style = style
                run.append(ch)
            if run:
                out.append("".join(run), run_style or "")
        return out


def fit_box(xy: np.ndarray, pad: float = 0.08,
            least: float = 0.0) -> tuple[float, float, float, float]:
    """The bounding box of points, padded by a share of its size, at least `least` across."""
    xy = np.asarray(xy, np.float64).reshape(-1, 2)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    mid, half = (lo + hi) / 2, np.maximum((hi - lo) * (1 + 2 * pad), least) / 2
    return float(mid[0] - half[0]), float(mid[0] + half[0]), float(mid[1] - half[1]), \
        float(mid[1] + half[1])


def canvas_rows(widget, extra: int, default: int) -> int:
    """Rows for a picture: what a widget of fractional height has left after `extra` lines of
    text, else `default` (a widget of automatic height)."""
    height = widget.styles.height
    if height is not None and (height.is_fraction or height.is_percent) and widget.size.height:
        return max(3, widget.size.height - extra)
    return default
