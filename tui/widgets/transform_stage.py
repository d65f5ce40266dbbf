"""TransformStage (3. Transform): blend A into B with a slider; see the blended latent."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from textlatent.latent import cosine

from ..session import Session, printable
from .blend_slider import BlendSlider
from .latent_heatmap import LatentHeatmap
from .stage import Stage

WAITING = {
    "ends": "pick A and B first (2, then a / b on a sentence)",
    "encoding": "encoding A and B…",
    "model": "no model loaded: nothing to blend",
}


def method_note(session: Session) -> str:
    """What slerp and lerp do differently at this t, in numbers."""
    raw = session.raw_lerp_norm()
    if raw is None:
        return ""
    straight = f"‖(1−t)A+tB‖={raw:.3f}"
    if session.method == "lerp":
        return f"lerp: straight line, {straight} → rescaled to 1"
    return f"slerp: along the sphere (a straight line has {straight})"


class TransformStage(Stage):
    """The Transform stage; blend is its mode for now: z(t) = slerp or lerp(A, B, t)."""

    STAGE = "transform"
    NUMBER = 3
    DEFAULT_TITLE = "Transform"

    def __init__(self, title: str | None = None, blurb: str = "", *, steps: int = 9,
                 index: int | None = None, id: str | None = None) -> None:
        super().__init__(title, blurb, id=id)
        self._steps = steps
        self._index = index

    def compose(self) -> ComposeResult:
        yield Static("", id="transform-ends", classes="caption")
        yield BlendSlider(self._steps, self._index, id="blend-slider")
        yield Static("", id="transform-figures", classes="figures")
        yield LatentHeatmap(id="transform-heatmap", empty=WAITING["ends"])

    @property
    def slider(self) -> BlendSlider:
        return self.query_one(BlendSlider)

    @property
    def heatmap(self) -> LatentHeatmap:
        return self.query_one("#transform-heatmap", LatentHeatmap)

    def show_session(self, session: Session) -> None:
        """Draw the ends, t, the method and the blended latent."""
        ends = Text(no_wrap=True, overflow="ellipsis")
        a, b = session.a, session.b
        ends.append("A ", "bold")
        ends.append(printable(a.text) if a else "— (a on a sentence)")
        ends.append("\n")
        ends.append("B ", "bold")
        ends.append(printable(b.text) if b else "— (b on a sentence)")
        self.query_one("#transform-ends", Static).update(ends)
        if self.slider.index != session.t_index:
            with self.slider.prevent(BlendSlider.Changed):
                self.slider.index = session.t_index
        figures = Text()
        figures.append(f"t={session.t:.3f}", "bold")
        figures.append(f" · {session.method}")
        z = session.current_latent
        if z is not None and a is not None and b is not None:
            figures.append(f" · cos(z,A)={cosine(z, a.latent):+.2f}")
            figures.append(f" · cos(z,B)={cosine(z, b.latent):+.2f}")
            figures.append("\n" + method_note(session))
        self.query_one("#transform-figures", Static).update(figures)
        if z is None:
            self.heatmap.show(None, WAITING.get(session.waiting_for or "ends"))
        else:
            self.heatmap.show(z)
