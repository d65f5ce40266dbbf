"""ParamForm: a one-line-per-few-fields form of parameters, stepped from the keyboard.

←/→ pick a field, ↑/↓ (or +/−) step its value. The form only draws `Field`s and posts
`Stepped`; the screen changes the session, which redraws the form. Every transform's form and
the Decode stage's choices are this widget, filled from the registry's `Param`s.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget

from ...actions import bindings
from ...params import Field


class ParamForm(Widget, can_focus=True):
    """Fields side by side; the chosen one is marked when the form has focus."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("form", target="focused")
    COMPONENT_CLASSES: ClassVar[set[str]] = {"param-form--title", "param-form--chosen"}

    class Stepped(Message):
        """The learner stepped a field: `delta` notches (+1 up, −1 down)."""

        def __init__(self, form: ParamForm, field: Field, delta: int) -> None:
            super().__init__()
            self.form = form
            self.field = field
            self.delta = delta

        @property
        def control(self) -> ParamForm:
            return self.form

    def __init__(self, empty: str = "", *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.fields: list[Field] = []
        self.chosen = 0
        self.empty = empty
        self._owner = ""

    def show(self, fields: list[Field], empty: str | None = None, owner: str = "") -> None:
        """Draw these fields, keeping the chosen one by key; a new `owner` (another
        transform) starts at the first field."""
        fields = list(fields)
        if fields == self.fields and owner == self._owner and empty in (None, self.empty):
            return  # nothing new to draw: no relayout on every session change
        key = self.fields[self.chosen].key if self.fields and owner == self._owner else None
        if owner != self._owner:
            self.chosen = 0
        self._owner = owner
        self.fields = fields
        keys = [f.key for f in self.fields]
        self.chosen = keys.index(key) if key in keys else min(self.chosen, max(len(keys) - 1, 0))
        if empty is not None:
            self.empty = empty
        self.tooltip = self.field.help if self.field else None
        self.refresh(layout=True)

    @property
    def field(self) -> Field | None:
        return self.fields[self.chosen] if self.fields else None

    def action_choose(self, delta: int) -> None:
        if self.fields:
            self.chosen = (self.chosen + delta) % len(self.fields)
            self.tooltip = self.field.help
            self.refresh(layout=True)  # the marks may move a field to another line

    def action_leave(self) -> None:
        """Esc: give the keys back to the screen (the sentence list takes the focus)."""
        self.screen.focus_next("#sentences")

    def action_step(self, delta: int) -> None:
        if self.field is not None:
            self.post_message(self.Stepped(self, self.field, delta))

    def _cells(self) -> list[tuple[str, str]]:
        """(title, value) of each field as drawn."""
        out = []
        for i, f in enumerate(self.fields):
            value = f.shown()
            out.append((f.title, f"‹{value}›" if self.has_focus and i == self.chosen else value))
        return out

    def _rows(self, width: int) -> list[list[int]]:
        """Fields per line: a field moves to the next line whole, never split."""
        rows: list[list[int]] = [[]]
        used = 0
        for i, (title, value) in enumerate(self._cells()):
            size = len(title) + 1 + len(value)
            gap = 2 if rows[-1] else 0
            if rows[-1] and used + gap + size > width:
                rows.append([])
                used, gap = 0, 0
            rows[-1].append(i)
            used += gap + size
        return rows

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self._rows(width))) if self.fields else 1

    def on_focus(self) -> None:
        self.refresh(layout=True)

    def on_blur(self) -> None:
        self.refresh(layout=True)

    def render(self) -> Text:
        if not self.fields:
            return Text(self.empty, style="dim")
        title_style = self.get_component_rich_style("param-form--title")
        chosen = self.get_component_rich_style("param-form--chosen")
        cells = self._cells()
        text = Text(no_wrap=True, overflow="ellipsis")
        for r, row in enumerate(self._rows(self.size.width or 1 << 20)):
            if r:
                text.append("\n")
            for k, i in enumerate(row):
                title, value = cells[i]
                if k:
                    text.append("  ")
                text.append(f"{title} ", title_style)
                mark = self.has_focus and i == self.chosen
                text.append(value, chosen if mark else "bold")
        return text
