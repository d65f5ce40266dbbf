"""SentenceList: the sentences typed so far, each with the model's reconstruction under it."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.binding import BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..actions import bindings, section_keys
from ..modes import mode
from ..session import Entry, Session
from ..text import fidelity_mark, printable


class SentenceList(OptionList):
    """One row per sentence: the current mode's mark (A/B, a term's weight, src) and its
    text; the reconstruction under it unless exact;
    at the right the reconstruction's fidelity (✓ verified, else cos(z, encode(text)))."""

    BINDINGS: ClassVar[list[BindingType]] = [*bindings("list"), *section_keys()]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "sentence-list--role",
        "sentence-list--pending",
        "sentence-list--error",
        "sentence-list--exact",
        "sentence-list--arrow",
        "sentence-list--warning",
        "sentence-list--fidelity",
    }

    FULL_REDRAW_ROWS = 40  # small lists are simply rebuilt; long ones are updated row by row

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._ids: list[int] = []
        self._keys: list[tuple] = []
        self._waiting: str | None = "waiting for the model…"
        self._session: Session | None = None
        self._short = False

    @property
    def highlighted_id(self) -> int | None:
        """Id of the highlighted sentence, if any."""
        if self.highlighted is None or not 0 <= self.highlighted < len(self._ids):
            return None
        return self._ids[self.highlighted]

    def set_waiting_text(self, text: str | None) -> None:
        """What pending rows say (while the model loads, after it failed; None: encoding…)."""
        self._waiting = text

    def _row(self, session: Session, entry: Entry) -> Table:
        style = self.get_component_rich_style
        role = mode(session.transform).mark(session, entry)
        grid = Table.grid(expand=True, padding=(0, 1, 0, 0))
        grid.add_column(width=3, no_wrap=True)
        grid.add_column(ratio=1)
        grid.add_column(width=4, no_wrap=True, justify="right")  # ✓ or the fidelity: 0.97
        role_text = Text(role or "·", style=style("sentence-list--role")
                         if role else style("sentence-list--arrow"))
        text = Text(printable(entry.text) + (" …" if entry.truncated else ""))
        notes = []  # the lines under the sentence
        if entry.error:
            notes.append(Text("→ " + entry.error, style("sentence-list--error")))
        elif entry.reconstruction is None:
            notes.append(Text("→ " + ("encoding…" if self._waiting is None else self._waiting),
                              style("sentence-list--pending")))
        elif not entry.exact:
            notes.append(Text("→ " + printable(entry.reconstruction),
                              style("sentence-list--arrow")))
        if entry.foreign:
            notes.append(Text("⚠ not English? the model only knows English",
                              style("sentence-list--warning")))
        for note in notes:  # short terminals: one line each, so the list shows more sentences
            note.no_wrap, note.overflow = self._short, "ellipsis"
        mark = fidelity_mark(entry.fidelity) if entry.reconstruction is not None else ""
        mark_style = style("sentence-list--exact" if mark == "✓" else "sentence-list--fidelity")
        grid.add_row(role_text, Group(text, *notes), Text(mark, mark_style))
        return grid

    def show_session(self, session: Session) -> None:
        """Bring the rows up to date with the session; the highlight follows session.selected.

        Past FULL_REDRAW_ROWS, only rows whose content changed are redrawn and new sentences
        are appended, so a session with hundreds of sentences stays responsive.
        """
        self._session = session
        self._short = self.screen.has_class("-short")
        entries = session.entries
        ids = [e.id for e in entries]
        keys = [self._row_key(session, e) for e in entries]
        old = len(self._ids)
        if ids == self._ids and keys == self._keys:
            pass
        elif ids[:old] != self._ids or len(entries) <= self.FULL_REDRAW_ROWS:
            self.set_options(Option(self._row(session, e)) for e in entries)
        else:
            for index, (entry, key) in enumerate(zip(entries[:old], keys)):
                if self._keys[index] != key:
                    self.replace_option_prompt_at_index(index, self._row(session, entry))
            if len(entries) > old:
                self.add_options(Option(self._row(session, e)) for e in entries[old:])
        changed = (ids, keys) != (self._ids, self._keys)
        self._ids, self._keys = ids, keys
        index = session.index_of(session.selected_id)
        if index is not None and self.highlighted != index:
            self.highlighted = index
            changed = True
        if changed:
            # once the rows are laid out at their wrapped heights, show the whole highlighted row
            self.call_after_refresh(self.scroll_to_highlight)

    def on_resize(self) -> None:
        short = self.screen.has_class("-short")
        if short != self._short and self._session is not None:
            self._short = short
            self.show_session(self._session)  # its rows wrap another way now
        self.call_after_refresh(self.scroll_to_highlight)

    def _row_key(self, session: Session, entry: Entry) -> tuple:
        return (self._short, mode(session.transform).mark(session, entry), entry.text,
                entry.truncated,
                entry.reconstruction, entry.error, entry.foreign, entry.fidelity, self._waiting)
