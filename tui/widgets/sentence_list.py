"""SentenceList: the sentences typed so far, each with the model's reconstruction beside it."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..session import Entry, Session, printable


class SentenceList(OptionList):
    """One row per sentence: its A/B role, the text, and what the model decoded from it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete", "remove", "Remove sentence",
                tooltip="Remove the highlighted sentence"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "sentence-list--role",
        "sentence-list--pending",
        "sentence-list--error",
        "sentence-list--exact",
        "sentence-list--arrow",
    }

    FULL_REDRAW_ROWS = 40  # small lists are simply rebuilt; long ones are updated row by row

    class Remove(Message):
        """The learner asked to remove one sentence."""

        def __init__(self, entry_id: int) -> None:
            super().__init__()
            self.entry_id = entry_id

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._ids: list[int] = []
        self._keys: list[tuple] = []
        self._waiting: str | None = "waiting for the model…"

    @property
    def highlighted_id(self) -> int | None:
        """Id of the highlighted sentence, if any."""
        if self.highlighted is None or not 0 <= self.highlighted < len(self._ids):
            return None
        return self._ids[self.highlighted]

    def set_waiting_text(self, text: str) -> None:
        """What pending rows say (e.g. while the model loads, or after it failed)."""
        self._waiting = text

    def _row(self, session: Session, entry: Entry) -> Table:
        role = session.role(entry)
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(width=2, no_wrap=True)
        grid.add_column(ratio=1)
        grid.add_column(width=1, no_wrap=True)
        grid.add_column(ratio=1)
        role_text = Text(role or "·", style=self.get_component_rich_style("sentence-list--role")
                         if role else self.get_component_rich_style("sentence-list--arrow"))
        text = Text(printable(entry.text) + (" …" if entry.truncated else ""))
        arrow = Text("→", style=self.get_component_rich_style("sentence-list--arrow"))
        if entry.error:
            recon = Text(entry.error, style=self.get_component_rich_style("sentence-list--error"))
        elif entry.reconstruction is None:
            recon = Text("encoding…" if self._waiting is None else self._waiting,
                         style=self.get_component_rich_style("sentence-list--pending"))
        else:
            recon = Text(printable(entry.reconstruction))
            if entry.reconstruction.strip() == entry.text.strip():
                recon.append(" ✓", self.get_component_rich_style("sentence-list--exact"))
        grid.add_row(role_text, text, arrow, recon)
        return grid

    def show_session(self, session: Session, highlight_id: int | None = None) -> None:
        """Bring the rows up to date with the session, keeping (or moving) the highlight.

        Past FULL_REDRAW_ROWS, only rows whose content changed are redrawn and new sentences
        are appended, so a session with hundreds of sentences stays responsive.
        """
        keep = self.highlighted_id if highlight_id is None else highlight_id
        entries = session.entries
        ids = [e.id for e in entries]
        keys = [self._row_key(session, e) for e in entries]
        old = len(self._ids)
        if ids[:old] != self._ids or len(entries) <= self.FULL_REDRAW_ROWS:
            self.set_options(Option(self._row(session, e)) for e in entries)
        else:
            for index, (entry, key) in enumerate(zip(entries[:old], keys)):
                if self._keys[index] != key:
                    self.replace_option_prompt_at_index(index, self._row(session, entry))
            if len(entries) > old:
                self.add_options(Option(self._row(session, e)) for e in entries[old:])
        self._ids, self._keys = ids, keys
        if keep in self._ids:
            self.highlighted = self._ids.index(keep)
        elif self._ids:
            self.highlighted = len(self._ids) - 1

    def _row_key(self, session: Session, entry: Entry) -> tuple:
        return (session.role(entry), entry.text, entry.truncated, entry.reconstruction,
                entry.error, self._waiting)

    def set_encoding(self) -> None:
        """Pending rows now say 'encoding…' (the model is ready)."""
        self._waiting = None

    def action_remove(self) -> None:
        entry_id = self.highlighted_id
        if entry_id is not None:
            self.post_message(self.Remove(entry_id))
