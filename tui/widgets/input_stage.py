"""InputStage (1. Input Data): type sentences; the list shows each one's reconstruction."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import Input, Static

from ..actions import bindings
from ..modes import mode
from ..session import Session
from ..text import printable
from .sentence_list import SentenceList
from .stage import Stage

MAX_PIECES_SHOWN = 24


class SentenceInput(Input):
    """The input line; a paste of several lines adds each line as a sentence."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("input")

    class PastedLines(Message):
        """Several non-empty lines were pasted."""

        def __init__(self, lines: list[str]) -> None:
            super().__init__()
            self.lines = lines

    async def _on_key(self, event: events.Key) -> None:
        """Enter submits here, in turn with the typed keys: as a binding it would run only
        after the keys already queued behind it (a paste without bracketed paste, fast
        typing) had been typed into the same sentence."""
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            await self.action_submit()
            return
        await super()._on_key(event)

    async def action_submit(self) -> None:
        """Submit what was typed and empty the input at once, for the next sentence."""
        value = self.value
        self.value = ""
        self.post_message(self.Submitted(self, value))

    def _on_paste(self, event: events.Paste) -> None:
        # Textual runs Input's own paste handler after this one unless the default is
        # prevented: one line is pasted as usual, several become sentences.
        lines = [ln.strip() for ln in event.text.splitlines() if ln.strip()]
        if len(lines) > 1:
            event.stop()
            event.prevent_default()
            self.post_message(self.PastedLines(lines))


def pieces_text(pieces: list[str] | None, limit: int = MAX_PIECES_SHOWN) -> Text:
    """The tokenizer's pieces as the model sees them: '▁the ▁cat ▁sat' with a count."""
    out = Text(no_wrap=False)
    if pieces is None:
        return out
    out.append(f"{len(pieces)} tokens: ", "bold")
    for i, piece in enumerate(pieces[:limit]):
        if i:
            out.append(" ")
        out.append(printable(piece), "reverse" if piece.startswith("<0x") else "underline")
    if len(pieces) > limit:
        out.append(f" … +{len(pieces) - limit}")
    return out


class InputStage(Stage):
    """An Input (Enter encodes) above the list of sentences so far."""

    STAGE = "input"
    NUMBER = 1
    DEFAULT_TITLE = "Input Data"

    _drawn: tuple | None = None

    def compose(self) -> ComposeResult:
        yield SentenceInput(placeholder="Type a sentence + Enter",
                            id="sentence-input", select_on_focus=False)
        yield Static("", id="input-status")
        yield Static("", id="input-pieces")
        yield SentenceList(id="sentences")

    @property
    def input(self) -> SentenceInput:
        return self.query_one("#sentence-input", SentenceInput)

    @property
    def sentences(self) -> SentenceList:
        return self.query_one(SentenceList)

    def set_status(self, text: str) -> None:
        """A one-line note under the input (loading, counts, hints)."""
        status = self.query_one("#input-status", Static)
        status.update(text)
        status.display = bool(text)

    def show_session(self, session: Session, focus: str) -> None:
        """Rows, hints that are true for what has focus now, and the selected sentence's pieces."""
        self.sentences.show_session(session)
        selected = session.selected
        key = (hint(session, focus), selected and selected.id, selected and selected.pieces)
        if key == self._drawn:
            return
        self._drawn = key
        self.set_status(key[0])
        pieces = self.query_one("#input-pieces", Static)
        pieces.update(pieces_text(selected.pieces if selected else None))
        pieces.display = bool(selected and selected.pieces)


def hint(session: Session, focus: str) -> str:
    """What to do next, given the mode and what has focus ('input', 'list', 'slider', …)."""
    return mode(session.transform).hint(session, focus)
