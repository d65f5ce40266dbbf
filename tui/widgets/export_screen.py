"""ExportScreen: ask where to write the session JSON (a file or a folder)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class ExportScreen(ModalScreen[str | None]):
    """Returns the path typed (Enter) or None (Escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, default: str) -> None:
        super().__init__(id="export-screen")
        self._default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box") as box:
            box.border_title = "Export session"
            box.border_subtitle = "Enter saves · Esc cancels"
            yield Static("Write the session (sentences, latents, A/B, blend path) as JSON to:")
            yield Input(self._default, id="export-path")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or self._default)

    def action_cancel(self) -> None:
        self.dismiss(None)
