"""LatentViews: the Encode stage's pictures of the latent space, one shown at a time.

The plane (exact), the map of meanings (the model's index as a background) and the similarity
grid. Each is fed plain data built from the session; a view redraws only when what it shows
changed, and the map places the session's latents once per latent.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical

from ..session import Session
from .latent_map import LatentMapView, MapPlacer, map_data
from .latent_plane import LatentPlane, plane_data
from .similarity_grid import SimilarityGrid, grid_data

VIEWS = ("heatmap", "plane", "map", "grid")
TITLES = {"plane": "the plane", "map": "the map of meanings", "grid": "the similarity grid"}
HELP = """\
- **v** turns the Encode stage's picture: heat map → **plane** → **map** → **grid**.
  **The plane** is an exact slice through two latents (blend: A and B; variations and edit:
  the source S and the current row; arithmetic: the terms; sample: the first and the current
  sample). The circle is the unit sphere: A and B lie on it, the slerp arc runs along it, the
  lerp chord cuts inside it (**×** is the point before rescaling). **◆** is the current point,
  **●** where its decoded text's own encoding lands (**∘** for the other rows), joined to its
  point: a row that snapped back to A is seen jumping to A. A latent outside the plane is drawn
  at its projection and the figure says how far off it is.
  **The map of meanings** places the model's index sentences on a 2-D map (faint dots), your
  sentences (their list numbers, A and B), the rows, the current point **◆** and its nearest
  real sentences **▪**. Close on the map means close in meaning; the map is an approximation
  (the model card says how good).
  **The grid** is cos(zᵢ, zⱼ) × 100 between the sentences in the list, shaded (░ ▒ ▓ █ for .3
  .5 .7 .9): similar meaning, high cosine. The highlighted sentence's row and column are lit.
"""


class LatentViews(Vertical):
    """Shows one of the plane, the map and the grid (none while the heat map is shown)."""

    DEFAULT_CSS = """
    LatentViews { height: auto; display: none; }
    LatentViews > * { display: none; }
    LatentViews > .-shown { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view = "heatmap"
        self._drawn: tuple | None = None
        self._placer: MapPlacer | None = None
        self._placer_for: tuple | None = None
        self._session: Session | None = None

    def compose(self) -> ComposeResult:
        yield LatentPlane(id="view-plane")
        yield LatentMapView(id="view-map")
        yield SimilarityGrid(id="view-grid")

    def set_view(self, view: str) -> None:
        self.view = view
        self.display = view != "heatmap"
        for name in ("plane", "map", "grid"):
            self.query_one(f"#view-{name}").set_class(name == view, "-shown")
        self._drawn = None
        self.call_after_refresh(self._redraw)

    def placer(self, session: Session) -> MapPlacer | None:
        extras = session.extras
        key = (id(extras.latent_map), id(extras.index))
        if key != self._placer_for:
            self._placer_for = key
            self._placer = None if extras.latent_map is None or extras.index is None \
                else MapPlacer(extras.latent_map, extras.index)
        return self._placer

    def on_resize(self) -> None:
        self.call_after_refresh(self._redraw)

    def _redraw(self) -> None:
        """Draw again once laid out: how many sentences the grid holds follows its size."""
        if self._session is not None:
            self._drawn = None
            self.show_session(self._session)

    def show_session(self, session: Session) -> None:
        """Draw the shown view from the session, if what it shows changed."""
        self._session = session
        if self.view not in TITLES:
            return  # the heat map is shown: nothing to draw here
        decoded = session.path_decoded
        done = None if decoded is None else sum(d is not None for d in decoded)
        entries = tuple((e.id, e.ready) for e in session.entries)
        key = (self.view, session.path_key, session.t_index, done, session.method,
               session.selected_id, entries, session.a_id, session.b_id,
               id(session.extras), self.size, session.waiting_text())
        if key == self._drawn:
            return
        self._drawn = key
        widget = self.query_one(f"#view-{self.view}")
        try:
            if self.view == "plane":
                data = plane_data(session)
            elif self.view == "map":
                data = map_data(session, self.placer(session))
            else:
                data = grid_data(session, self.query_one(SimilarityGrid).capacity)
        except (ValueError, IndexError, AttributeError) as exc:  # a drawing never crashes
            data = f"cannot draw {TITLES[self.view]} here: {exc}"
        widget.show(data)
