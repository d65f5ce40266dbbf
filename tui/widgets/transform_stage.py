"""TransformStage (3. Transform): the mode (blend, variations, sample, arithmetic, edit), its
inputs and settings, and the current row's latent.

The modes come from the transform registry (`textlatent.transforms`); what each shows is its
adapter's (`tui/modes/`), its settings are a `ParamForm`. Blend also has its slider.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from textlatent import transforms as registry

from ..modes import mode
from ..session import WAITING, Session
from .blend_slider import BlendSlider
from .controls.form import ParamForm
from .latent_heatmap import LatentHeatmap
from .stage import Stage


def mode_bar(session: Session) -> Text:
    """Every mode, the current one marked: `t` cycles."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for i, name in enumerate(registry.names()):
        if i:
            text.append(" ")
        title = registry.get(name).title
        if name == session.transform:
            text.append(f"[{title}]", "bold reverse")
        else:
            text.append(title, "dim")
    return text


class TransformStage(Stage):
    """The Transform stage: one registry transform at a time."""

    STAGE = "transform"
    NUMBER = 3
    DEFAULT_TITLE = "Transform"

    def __init__(self, title: str | None = None, blurb: str = "", *, steps: int = 9,
                 index: int | None = None, id: str | None = None) -> None:
        super().__init__(title, blurb, id=id)
        self._steps = steps
        self._index = index
        self._title = str(self.border_title)

    def compose(self) -> ComposeResult:
        yield Static("", id="transform-modes", classes="caption")
        yield Static("", id="transform-ends", classes="caption")
        yield BlendSlider(self._steps, self._index, id="blend-slider")
        yield ParamForm(id="transform-form")
        yield Static("", id="transform-figures", classes="figures")
        yield LatentHeatmap(id="transform-heatmap", empty=WAITING["ends"])

    @property
    def slider(self) -> BlendSlider:
        return self.query_one(BlendSlider)

    @property
    def form(self) -> ParamForm:
        return self.query_one("#transform-form", ParamForm)

    @property
    def heatmap(self) -> LatentHeatmap:
        return self.query_one("#transform-heatmap", LatentHeatmap)

    def show_session(self, session: Session) -> None:
        """Draw the modes, the inputs, the settings and the current latent."""
        self.query_one("#transform-modes", Static).update(mode_bar(session))
        self.border_title = f"{self._title}: {session.spec.title}"
        adapter = mode(session.transform)
        ends = self.query_one("#transform-ends", Static)
        ends.set_class(adapter.wrap_inputs, "-wrap")
        ends.update(adapter.inputs(session))
        blend = adapter.slider
        if self.has_class("-blend") != blend:
            self.set_class(blend, "-blend")
            self.slider.display = blend
        if blend:
            if self.slider.steps != session.steps:
                self.slider.steps = session.steps
                self.slider.refresh()
            if self.slider.index != session.t_index:
                with self.slider.prevent(BlendSlider.Changed):
                    self.slider.index = session.t_index
        self.form.show(adapter.fields(session), adapter.empty_form, owner=session.transform)
        z = session.current_latent
        self.query_one("#transform-figures", Static).update(adapter.figures(session))
        if z is None:
            self.heatmap.show(None, session.waiting_text())
        else:
            self.heatmap.show(z)
