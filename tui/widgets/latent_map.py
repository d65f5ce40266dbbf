"""The map of meanings: the model's index sentences as a faint 2-D background, with the
session's sentences (numbered as in the list, A and B by name), the current mode's rows, the
current point and its nearest real sentences on it.

The map's projection and coordinates come from the model folder (`latent_map.npz`, see
`textlatent.latent_map`); a model without one gets a line saying how to build it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from textlatent.latent_map import BUILD_COMMAND

from ..session import Session
from ..text import printable
from .braille import Canvas, canvas_rows

NEAREST = 3  # real sentences shown around the current point
LEAST_VIEW = 0.5  # the view spans at least this share of the whole map each way
KIND_NAMES = {"pca": "PCA", "tsne": "t-SNE"}


@dataclass
class MapData:
    """What the map view draws, in map coordinates."""

    title: str
    background: np.ndarray  # (n, 2) every index sentence
    box: tuple[float, float, float, float]
    sentences: list[tuple[str, tuple[float, float]]]  # (mark, point)
    rows: np.ndarray  # (m, 2) the current transform's rows (may be empty)
    current: int | None
    nearest: list[tuple[tuple[float, float], str]] = field(default_factory=list)
    zoomed: bool = False  # the box is the part of the map around the session's points


class MapPlacer:
    """Places the session's latents on the model's map, remembering what it placed."""

    def __init__(self, latent_map, index) -> None:
        self.map = latent_map
        self.index = index
        bg = np.asarray(latent_map.coords, np.float32)
        lo, hi = np.percentile(bg, 0.5, axis=0), np.percentile(bg, 99.5, axis=0)
        pad = (hi - lo) * 0.04
        self.background = bg
        self.box = (float(lo[0] - pad[0]), float(hi[0] + pad[0]),
                    float(lo[1] - pad[1]), float(hi[1] + pad[1]))
        self._cache: dict[tuple, np.ndarray] = {}

    def place(self, key: tuple, latents: np.ndarray) -> np.ndarray:
        if key not in self._cache:
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[key] = self.map.place(latents, self.index) if len(latents) \
                else np.zeros((0, 2), np.float32)
        return self._cache[key]

    def nearest(self, z: np.ndarray, k: int = NEAREST) -> list[tuple[tuple[float, float], str]]:
        found = self.index.search(z, k)[0]
        return [(tuple(self.background[n.row]), n.text) for n in found]


def map_data(session: Session, placer: MapPlacer | None) -> MapData | str:
    """The map picture of the session, or why there is none."""
    if placer is None:
        return session.extras.notes.get(
            "map", f"this model has no map of meanings: build one with `{BUILD_COMMAND}`")
    ready = [(i, e) for i, e in enumerate(session.entries) if e.ready]
    marks = []
    if ready:
        key = ("entries", tuple((e.id, e.text) for _, e in ready))
        pts = placer.place(key, np.stack([e.latent for _, e in ready]))
        for (i, e), xy in zip(ready, pts):
            role = session.role(e)
            marks.append((role[0] if role else str(i + 1), tuple(xy)))
    rows = np.zeros((0, 2), np.float32)
    current = nearest = None
    if session.path is not None and len(session.path):
        rows = placer.place(("path", session.path_key), session.path)
        current = max(0, min(len(rows) - 1, session.t_index))
        nearest = placer.nearest(session.path[current])
    kind = KIND_NAMES.get(placer.map.kind, placer.map.kind)
    title = f"{kind} map of the model's {len(placer.background):,} index sentences"
    shown = [xy for _, xy in marks] + [xy for xy, _ in nearest or []] + list(map(tuple, rows))
    box = view_box(placer.box, shown)
    return MapData(title, placer.background, box, marks, rows, current, nearest or [],
                   zoomed=box != placer.box)


def view_box(whole: tuple[float, float, float, float],
             points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """The part of the map around `points`: their box, padded, at least LEAST_VIEW of the
    whole map each way and inside it (the whole map when there are none)."""
    if not points:
        return whole
    xy = np.asarray(points, np.float64)
    out = []
    for axis, (lo, hi) in enumerate((whole[:2], whole[2:])):
        a, b = float(xy[:, axis].min()), float(xy[:, axis].max())
        span = max((b - a) * 1.3, (hi - lo) * LEAST_VIEW)
        mid = min(max((a + b) / 2, lo + span / 2), hi - span / 2)
        out += [max(lo, mid - span / 2), min(hi, mid + span / 2)]
    return out[0], out[1], out[2], out[3]


class LatentMapView(Static):
    """Draws a `MapData` (or a line saying why there is none)."""

    DEFAULT_CSS = """
    LatentMapView { height: auto; }
    """

    def __init__(self, *args, rows: int = 12, **kwargs) -> None:
        super().__init__("", *args, **kwargs)
        self.rows = rows
        self.data: MapData | str = ""
        self._background: tuple | None = None  # (size, box, points) and the drawn background

    def show(self, data: MapData | str) -> None:
        self.data = data
        self.update(self.picture(max(20, self.size.width or 40)))

    def on_resize(self) -> None:
        self.update(self.picture(max(20, self.size.width or 40)))

    def picture(self, width: int) -> Group | Text:
        data = self.data
        if isinstance(data, str):
            return Text(data, style="dim")
        nearest = data.nearest
        if canvas_rows(self, 2 + len(nearest), self.rows) < 6:  # a short stage: the map first
            nearest = nearest[:1]
        rows = canvas_rows(self, 2 + len(nearest), self.rows)
        lines = [Text(data.title + (" · the part around yours" if data.zoomed else ""),
                      style="italic", no_wrap=True, overflow="ellipsis"),
                 self.draw(data, width, rows),
                 Text("◆ point ∙ rows 1 2 A B yours ▪ nearest real", style="dim",
                      no_wrap=True, overflow="ellipsis")]
        for _, text in nearest:
            lines.append(Text(f"▪ {printable(text)}", no_wrap=True, overflow="ellipsis"))
        return Group(*lines)

    def draw(self, data: MapData, width: int, height: int) -> Text:
        canvas = Canvas(width, height, data.box)
        key = (width, height, data.box, id(data.background))
        if self._background is None or self._background[0] != key:
            canvas.density(data.background, "dim")
            self._background = (key, canvas.layers())
        else:
            canvas.restore(self._background[1])
        if len(data.rows) > 1:
            canvas.polyline(data.rows, "bold")
        # the most important first: later marks step aside rather than cover them
        if data.current is not None:
            canvas.mark(*data.rows[data.current], "◆", "bold reverse")
        for mark, xy in data.sentences:
            canvas.mark(*xy, mark, "bold reverse", avoid=True)
        for xy, _ in data.nearest:
            canvas.mark(*xy, "▪", "bold", avoid=True)
        for i, xy in enumerate(data.rows):
            if i != data.current and canvas.cell(*xy) not in canvas.marks:
                canvas.mark(*xy, "∙", "bold")
        return canvas.render()
