"""BlendSlider: pick t in [0, 1] from a few fixed steps between sentence A and sentence B."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from ..actions import bindings


def tick_label(stop: int, steps: int) -> str:
    """'0', '0.12', '0.5', '1' for a stop."""
    value = f"{stop / (steps - 1):.2f}".rstrip("0").rstrip(".")
    return "0" if stop == 0 else value


def tick_row(steps: int, index: int, gap: int, offset: int, width: int) -> str:
    """The axis under the track: labels that never touch, the ends and the knob's first."""
    ticks = [" "] * width
    taken = [False] * width
    widest = max(len(tick_label(stop, steps)) for stop in range(steps))
    if gap > widest:
        order = [0, steps - 1, index, *range(steps)]
    else:  # not room for all: the ends, the knob and the middle, evenly spaced
        order = [0, steps - 1, index, (steps - 1) // 2]
    for stop in dict.fromkeys(order):
        value = tick_label(stop, steps)
        start = max(0, min(width - len(value), offset + stop * gap - len(value) // 2))
        span = range(max(0, start - 1), min(width, start + len(value) + 1))  # one space around
        if any(taken[k] for k in span):
            continue
        for k, ch in enumerate(value):
            ticks[start + k] = ch
        for k in range(start, start + len(value)):
            taken[k] = True
    return "".join(ticks)


class BlendSlider(Widget, can_focus=True):
    """A row of `steps` stops from A (t = 0) to B (t = 1); arrows, h/l, home/end or a click."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("slider")
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
        text.append(tick_row(self.steps, self.index, gap, label, track + 2 * label),
                    track_style)
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
