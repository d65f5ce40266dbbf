"""InputStage (1. Input Data): type sentences; see each one's reconstruction beside it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Static

from ..session import Session
from .sentence_list import SentenceList
from .stage import Stage


class InputStage(Stage):
    """An Input (Enter encodes) above the list of sentences so far."""

    STAGE = "input"
    NUMBER = 1
    DEFAULT_TITLE = "Input Data"

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Type a sentence + Enter",
                    id="sentence-input", select_on_focus=False)
        yield Static("", id="input-status")
        yield SentenceList(id="sentences")

    @property
    def input(self) -> Input:
        return self.query_one("#sentence-input", Input)

    @property
    def sentences(self) -> SentenceList:
        return self.query_one(SentenceList)

    def set_status(self, text: str) -> None:
        """A one-line note under the input (loading, counts, hints)."""
        status = self.query_one("#input-status", Static)
        status.update(text)
        status.display = bool(text)

    def show_session(self, session: Session, highlight_id: int | None = None) -> None:
        self.sentences.show_session(session, highlight_id)
        ready = sum(e.ready for e in session.entries)
        if not session.entries:
            self.set_status("No sentences yet: type one above, or press p for a starter pair.")
        elif session.a is None or session.b is None:
            self.set_status(f"{ready} encoded · highlight a row and press a / b to pick the ends")
        else:
            self.set_status("Enter encodes · Tab → list · a/b set the ends")
