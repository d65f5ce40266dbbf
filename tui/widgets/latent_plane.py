"""The plane view: an exact 2-D slice of latent space through two latents.

Blend shows the plane of A and B: the unit circle, A and B on it, the slerp arc and the lerp
chord, every path point, and where each decoded row's own text lands (encode(text), projected on
the plane) joined to its point, so a row whose text snapped back to A is seen jumping to A.
Nothing is fitted: a latent in the plane is drawn where it is; one outside it is drawn at its
projection and its out-of-plane part is printed. Variations and edit use the plane of the source
and the current row, arithmetic the plane nearest its terms (theirs, for two), sample the plane
of the first sample and the current one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from textlatent.latent_map import Plane, arc, chord

from ..session import Session
from .braille import Canvas, canvas_rows, fit_box

OFF_FAR = 0.5  # an encoding with this much outside the plane is drawn faint
STYLE = {
    "circle": "dim",
    "arc": "bold",
    "chord": "dim",
    "link": "dim",
    "path": "bold",
    "current": "bold reverse",
    "encoded": "bold",
    "encoded-far": "dim",
    "anchor": "bold reverse",
}


@dataclass
class PlaneData:
    """What the plane view draws: plain coordinates in the plane (unit circle = the sphere)."""

    title: str
    anchors: list[tuple[str, tuple[float, float]]]
    rows: np.ndarray  # (n, 2) the path's points
    rows_off: np.ndarray  # (n,) their parts outside the plane
    encoded: list[tuple[float, float] | None]  # each row's text's own encoding (None: pending)
    encoded_off: list[float | None]
    current: int
    arc: np.ndarray | None = None  # blend: the slerp arc A -> B
    chord: np.ndarray | None = None  # blend: the lerp chord A -> B
    dip: tuple[float, float] | None = None  # blend with lerp: the current point before renorm.
    lines: list[str] = field(default_factory=list)


def plane_data(session: Session) -> PlaneData | str:
    """The plane picture of the session's current transform, or why there is none."""
    path = session.path
    if path is None or not len(path):
        return session.waiting_text()
    cur = max(0, min(len(path) - 1, session.t_index))
    mode = session.transform
    anchors: list[tuple[str, np.ndarray]]
    if mode == "blend":
        a, b = session.a.latent, session.b.latent
        plane = Plane.through(a, b)
        # A on the left, B on the right, the arc on top (like the slider): a turn and a mirror
        angle = math.atan2(*plane.xy(b)[0][::-1])
        plane = plane.turned(math.pi / 2 + angle / 2, mirror=True)
        anchors = [("A", a), ("B", b)]
        title = "plane of A and B"
    elif mode in ("vary", "edit"):
        src = session.selected.latent
        other = path[cur] if not np.allclose(path[cur], src) else path[(cur + 1) % len(path)]
        plane = Plane.through(src, other)
        anchors = [("S", src)]
        title = "plane of the source S and ◆"
    elif mode == "arithmetic":
        terms = [session.get(i).latent for i, _ in session.terms]
        plane = Plane.fitted(terms if len(terms) > 1 else [terms[0], path[cur]])
        anchors = [(str(k + 1), t) for k, t in enumerate(terms)]
        title = "plane of the terms" if len(terms) > 1 else "plane of the term and ◆"
    else:
        plane = Plane.through(path[0], path[cur] if cur else path[min(1, len(path) - 1)])
        anchors = []
        title = "plane of the first sample and ◆"
    rows, rows_off = plane.xy(path), plane.off(path)
    decoded = session.path_decoded or [None] * len(path)
    enc = [None if d is None or d.encoded is None else d.encoded for d in decoded]
    encoded = [None if e is None else tuple(plane.xy(e)[0]) for e in enc]
    encoded_off = [None if e is None else float(plane.off(e)[0]) for e in enc]
    data = PlaneData(title, [(name, tuple(plane.xy(z)[0])) for name, z in anchors],
                     rows, rows_off, encoded, encoded_off, cur)
    if mode == "blend":
        a_xy, b_xy = np.array(data.anchors[0][1]), np.array(data.anchors[1][1])
        data.arc = arc(math.atan2(a_xy[1], a_xy[0]), math.atan2(b_xy[1], b_xy[0]))
        data.chord = chord(a_xy, b_xy)
        if session.method == "lerp":
            t = session.t
            data.dip = tuple((1 - t) * a_xy + t * b_xy)
    data.lines = describe(session, data)
    return data


def describe(session: Session, data: PlaneData) -> list[str]:
    """The figures under the picture: the current point, its text's encoding, the dip."""
    cur = data.current
    label = session.current_label() or f"row {cur + 1}"
    off = data.rows_off[cur]
    out = [f"◆ {label}: " + ("in the plane (exact)" if off < 5e-4 else f"{off:.2f} off the plane")]
    if data.encoded[cur] is None:
        out.append("● encode(its text): waiting for the decode")
    else:
        cos = float(np.dot(session.path[cur], session.path_decoded[cur].encoded))
        out.append(f"● encode(its text): cos {cos:.2f} to ◆, {data.encoded_off[cur]:.2f} off "
                   "the plane")
    if data.dip is not None:
        out.append(f"× lerp: ‖(1−t)A+tB‖={math.hypot(*data.dip):.2f}, then rescaled to 1")
    return out


class LatentPlane(Static):
    """Draws a `PlaneData` (or a line saying why there is none)."""

    DEFAULT_CSS = """
    LatentPlane { height: auto; }
    """

    def __init__(self, *args, rows: int = 12, **kwargs) -> None:
        super().__init__("", *args, **kwargs)
        self.rows = rows
        self.data: PlaneData | str = ""

    def show(self, data: PlaneData | str) -> None:
        self.data = data
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        data = self.data
        extra = 0 if isinstance(data, str) else 2 + len(data.lines)
        self.update(self.picture(data, max(20, self.size.width or 40),
                                 canvas_rows(self, extra, self.rows)))

    @staticmethod
    def picture(data: PlaneData | str, width: int, height: int) -> Group | Text:
        if isinstance(data, str):
            return Text(data, style="dim")
        return Group(Text(f"{data.title} · circle = the unit sphere", style="italic",
                          no_wrap=True, overflow="ellipsis"),
                     draw(data, width, height),
                     Text("◆ point ● its text ∘ other rows ─ arc ┄ chord"
                          if data.arc is not None else "◆ current row ● its text ∘ other rows",
                          style="dim", no_wrap=True, overflow="ellipsis"),
                     *(Text(line, no_wrap=True, overflow="ellipsis") for line in data.lines))


def draw(data: PlaneData, width: int, height: int) -> Text:
    """The picture itself: width x height cells."""
    pts = [data.rows]
    pts += [np.array([xy]) for _, xy in data.anchors]
    pts += [np.array([e]) for e in data.encoded if e is not None]
    if data.arc is not None:
        pts.append(data.arc)
    canvas = Canvas(width, height, fit_box(np.concatenate(pts), pad=0.12, least=0.25))
    # layers in drawing priority: the faintest first
    circle = arc(0.0, 2 * math.pi, 360)
    canvas.points(circle, STYLE["circle"])
    if data.chord is not None:
        canvas.line(data.chord[0], data.chord[-1], STYLE["chord"], dash=2)
    if data.arc is not None:
        canvas.polyline(data.arc, STYLE["arc"])
    for i, e in enumerate(data.encoded):
        if e is not None:
            canvas.line(data.rows[i], e, STYLE["link"], dash=1)
    canvas.points(data.rows, STYLE["path"])
    canvas.mark(0.0, 0.0, "+", "dim", clamp=False)  # the origin, when it is in view
    for i, e in enumerate(data.encoded):
        if e is not None and i != data.current:
            far = (data.encoded_off[i] or 0) >= OFF_FAR
            canvas.mark(*e, "∘", STYLE["encoded-far" if far else "encoded"])
    if data.dip is not None:
        canvas.mark(*data.dip, "×", "bold")
    canvas.mark(*data.rows[data.current], "◆", STYLE["current"])
    if data.encoded[data.current] is not None:
        canvas.mark(*data.encoded[data.current], "●", STYLE["encoded"])
    for name, xy in data.anchors:
        canvas.mark(*xy, name, STYLE["anchor"])
    return canvas.render(trim=True)

