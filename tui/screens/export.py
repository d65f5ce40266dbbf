"""ExportScreen: ask where to write the session JSON; confirm before overwriting or mkdir."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..export import default_export_name, export_target


def export_warning(target: str) -> str | None:
    """Why writing to `target` needs a second Enter (it overwrites, or creates folders)."""
    path = export_target(target)
    if path.exists():
        return f"{path} exists: Enter again overwrites it."
    missing = next((p for p in reversed(path.parents) if not p.exists()), None)
    if missing is not None:
        return f"Folder {missing} does not exist: Enter again creates it."
    return None


class ExportScreen(ModalScreen[str | None]):
    """Returns the path typed (Enter; a second Enter confirms) or None (Escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, default: str | None = None) -> None:
        super().__init__(id="export-screen")
        self._default = default or default_export_name()
        self._confirming: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box") as box:
            box.border_title = "Export session"
            box.border_subtitle = "Enter saves · Esc cancels"
            yield Static("Write the session (sentences, latents, A/B, blend path) as JSON to:")
            yield Input(self._default, id="export-path")
            yield Static("", id="export-warning")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        target = event.value.strip() or self._default
        warning = export_warning(target)
        if warning and self._confirming != target:
            self._confirming = target
            self.query_one("#export-warning", Static).update(warning)
            return
        self.dismiss(target)

    def action_cancel(self) -> None:
        self.dismiss(None)
