"""DecodeStage (4. Decode): the text decoded at the current t, and the whole path A → B."""

from __future__ import annotations

import difflib
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from ..session import Session, printable
from .stage import Stage


def changed_words(before: str, after: str) -> set[int]:
    """Indices of the words in `after` that are new compared with `before`."""
    old, new = before.split(), after.split()
    out: set[int] = set()
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(a=old, b=new).get_opcodes():
        if tag in ("replace", "insert"):
            out.update(range(j1, j2))
    return out


class DecodeStage(Stage):
    """The decoded sentence large; below it all steps, the current one marked."""

    STAGE = "decode"
    NUMBER = 4
    DEFAULT_TITLE = "Decode"
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "decode-path--current",
        "decode-path--changed",
        "decode-path--t",
        "decode-path--pending",
    }

    def compose(self) -> ComposeResult:
        yield Static("", id="decoded-caption", classes="caption")
        yield Static("", id="decoded")
        yield Static("", id="decode-path")

    _text: str | None = None

    @property
    def decoded_text(self) -> str | None:
        """The decoded text on show (None while decoding or with no blend)."""
        return self._text

    def show_session(self, session: Session) -> None:
        caption = self.query_one("#decoded-caption", Static)
        decoded = self.query_one("#decoded", Static)
        path = self.query_one("#decode-path", Static)
        self._text = session.current_text
        if session.path is None:
            self._text = None
            caption.update(Text("pick A and B to see the path between them", style="dim"))
            decoded.update("")
            decoded.set_class(True, "-empty")
            path.update("")
            return
        caption.update(Text(f"decode(z) at t = {session.t:.3f} ({session.method})",
                            style="dim"))
        decoded.set_class(self._text is None, "-empty")
        decoded.update(Text("decoding…") if self._text is None else Text(printable(self._text)))
        path.update(self._path_text(session))

    def _path_text(self, session: Session) -> Text:
        style = self.get_component_rich_style
        texts = session.path_texts
        out = Text(no_wrap=True, overflow="ellipsis", end="")
        for i, t in enumerate(session.t_values()):
            if i:
                out.append("\n")
            current = i == session.t_index
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append("▶ " if current else "  ")
            end = "A" if i == 0 else "B" if i == session.steps - 1 else " "
            line.append(f"{end} {t:4.2f} ", style("decode-path--t"))
            if texts is None:
                line.append("…", style("decode-path--pending"))
            else:
                previous = printable(texts[i - 1] if i else texts[0])
                current_text = printable(texts[i])
                changed = changed_words(previous, current_text) if i else set()
                line.append("• " if current_text != previous else "  ",
                            style("decode-path--changed"))
                for k, word in enumerate(current_text.split()):
                    if k:
                        line.append(" ")
                    line.append(word, style("decode-path--changed") if k in changed else "")
            if current:
                line.stylize(style("decode-path--current"))
            out.append_text(line)
        return out
