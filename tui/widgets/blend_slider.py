"""BlendSlider: pick t in [0, 1] from a few fixed steps between sentence A and sentence B."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class BlendSlider(Widget, can_focus=True):
    """A row of `steps` stops from A (t = 0) to B (t = 1); arrows, h/l, home/end or a click."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "step(-1)", "t−", key_display="←", tooltip="Towards A"),
        Binding("right,l", "step(1)", "t+", key_display="→", tooltip="Towards B"),
        Binding("home", "jump(0)", "t = 0", show=False, tooltip="Jump to A (t = 0)"),
        Binding("end", "jump(-1)", "t = 1", show=False, tooltip="Jump to B (t = 1)"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "blend-slider--track",
        "blend-slider--knob",
        "blend-slider--end",
    }

    index: reactive[int] = reactive(0)

    class Changed(Message):
        """The slider moved to a new stop."""

        def __init__(self, slider: BlendSlider, index: int) -> None:
            super().__init__()
            self.slider = slider
            self.index = index

        @property
        def control(self) -> BlendSlider:
            return self.slider

    def __init__(self, steps: int = 9, index: int | None = None, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        if steps < 2:
            raise ValueError("a slider needs at least 2 steps")
        self.steps = steps
        self.set_reactive(BlendSlider.index, steps // 2 if index is None else index)

    @property
    def t(self) -> float:
        return self.index / (self.steps - 1)

    def validate_index(self, index: int) -> int:
        return max(0, min(self.steps - 1, index))

    def watch_index(self, old: int, new: int) -> None:
        if old != new:
            self.post_message(self.Changed(self, new))

    def action_step(self, delta: int) -> None:
        self.index += delta

    def action_jump(self, index: int) -> None:
        self.index = index if index >= 0 else self.steps - 1

    # -- layout ------------------------------------------------------------------------------
    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 2

    def _geometry(self, width: int) -> tuple[int, int, int]:
        """(left label width, track width, gap between stops)."""
        label = 3
        track = max(self.steps, width - 2 * label)
        gap = max(1, (track - 1) // (self.steps - 1))
        return label, gap * (self.steps - 1) + 1, gap

    def render(self) -> Text:
        label, track, gap = self._geometry(self.size.width)
        track_style = self.get_component_rich_style("blend-slider--track")
        knob_style = self.get_component_rich_style("blend-slider--knob")
        end_style = self.get_component_rich_style("blend-slider--end")
        text = Text(no_wrap=True, overflow="crop")
        text.append(" A ", end_style)
        for pos in range(track):
            stop, on_stop = divmod(pos, gap)
            if on_stop == 0 and stop == self.index:
                text.append("●", knob_style)
            elif on_stop == 0:
                text.append("┼" if 0 < stop < self.steps - 1 else "│", track_style)
            else:
                text.append("━" if stop < self.index else "─", track_style)
        text.append(" B ", end_style)
        text.append("\n")
        ticks = [" "] * (track + 2 * label)
        for stop in range(self.steps):
            value = f"{stop / (self.steps - 1):.2f}".rstrip("0").rstrip(".")
            if stop == 0:
                value = "0"
            centre = label + stop * gap - len(value) // 2
            if gap >= len(value) + 1 or stop in (0, self.index, self.steps - 1):
                for k, ch in enumerate(value):
                    if 0 <= centre + k < len(ticks):
                        ticks[centre + k] = ch
        text.append("".join(ticks), track_style)
        return text

    # -- mouse -------------------------------------------------------------------------------
    def stop_at(self, x: int) -> int:
        """The stop nearest to content column x."""
        label, track, gap = self._geometry(self.size.width)
        return self.validate_index(round((x - label) / gap))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None:
            self.focus()
            self.index = self.stop_at(offset.x)
