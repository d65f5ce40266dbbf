"""ParamForm: a one-line-per-few-fields form of parameters, stepped from the keyboard.

←/→ pick a field, ↑/↓ (or +/−) step its value. The form only draws `Field`s and posts
`Stepped`; the screen changes the session, which redraws the form. Every transform's form and
the Decode stage's choices are this widget, filled from the registry's `Param`s.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
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
            self.refresh()

    def action_leave(self) -> None:
        """Esc: give the keys back to the screen (the sentence list takes the focus)."""
        self.screen.focus_next("#sentences")

    def action_step(self, delta: int) -> None:
        if self.field is not None:
            self.post_message(self.Stepped(self, self.field, delta))

    def render(self) -> Text:
        if not self.fields:
            return Text(self.empty, style="dim")
        title = self.get_component_rich_style("param-form--title")
        chosen = self.get_component_rich_style("param-form--chosen")
        text = Text()
        for i, f in enumerate(self.fields):
            if i:
                text.append("  ")
            mark = self.has_focus and i == self.chosen
            text.append(f"{f.title} ", title)
            value = f.shown()
            text.append(f"‹{value}›" if mark else value, chosen if mark else "bold")
        return text
