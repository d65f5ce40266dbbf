"""DecodeStage (4. Decode): the text decoded at the current row, and every row of the path.

The rows come from the session as (label, latent) pairs, so any transform's path draws here.
Each decoded text carries its fidelity, cos(z, encode(text)): ✓ when the text encodes back to
its latent, else the number. Rows fill in as they are decoded.
"""

from __future__ import annotations

import difflib
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from textlatent.fidelity import Decoded

from ..session import Session, fidelity_mark, printable
from .stage import Stage

WAITING = {
    "ends": "pick A and B to see the path between them",
    "encoding": "encoding A and B…",
    "model": "no model loaded: nothing to decode",
}


def fidelity_note(decoded: Decoded) -> str:
    """The current decode's fidelity in words, and how many correction rounds it took."""
    mark = fidelity_mark(decoded.fidelity)
    if not mark:
        return ""
    rounds = sum(step.source.startswith("round") for step in decoded.steps)
    said = "✓ verified" if mark == "✓" else f"fidelity {mark}"
    if rounds:
        return f"{said} after {rounds} correction round{'s' * (rounds > 1)}"
    return said


def changed_words(before: str, after: str) -> set[int]:
    """Indices of the words in `after` that are new compared with `before`."""
    old, new = before.split(), after.split()
    out: set[int] = set()
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(a=old, b=new).get_opcodes():
        if tag in ("replace", "insert"):
            out.update(range(j1, j2))
    return out


class DecodeStage(Stage):
    """The decoded sentence large; below it all rows, the current one marked."""

    STAGE = "decode"
    NUMBER = 4
    DEFAULT_TITLE = "Decode"
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "decode-path--current",
        "decode-path--changed",
        "decode-path--t",
        "decode-path--pending",
        "decode-path--verified",
        "decode-path--fidelity",
    }

    def compose(self) -> ComposeResult:
        yield Static("", id="decoded-caption", classes="caption")
        yield Static("", id="decoded")
        yield Static("", id="decode-path")
        yield Static("• the text changed from the row above; new words underlined · "
                     "✓ the text encodes back to z, else cos(z, encode(text))",
                     id="decode-legend", classes="figures")

    _text: str | None = None

    @property
    def decoded_text(self) -> str | None:
        """The decoded text on show (None while decoding or with no path)."""
        return self._text

    _session: Session | None = None

    def on_resize(self) -> None:
        """A new size may change whether the path's rows can wrap: draw it again."""
        if self._session is not None:
            self.call_after_refresh(self.show_session, self._session)

    def show_session(self, session: Session) -> None:
        self._session = session
        caption = self.query_one("#decoded-caption", Static)
        decoded = self.query_one("#decoded", Static)
        path = self.query_one("#decode-path", Static)
        self._text = session.current_text
        if session.path is None:
            self._text = None
            caption.update(Text(WAITING.get(session.waiting_for or "ends"), style="dim"))
            decoded.update("")
            decoded.border_title = decoded.border_subtitle = None
            decoded.set_class(True, "-empty")
            path.update("")
            return
        caption.update(Text(f"decode(z) at t = {session.t:.3f} ({session.method})",
                            style="dim"))
        # on the box's border: rows decoded so far while the path decodes, and the fidelity
        progress, current = session.path_progress, session.current_decoded
        decoded.border_title = "decoding failed" if session.path_error else None \
            if progress is None else f"decoding {progress[0]}/{progress[1]}…"
        decoded.border_subtitle = None if current is None else fidelity_note(current) or None
        decoded.set_class(self._text is None, "-empty")
        waiting = "not decoded" if session.path_error else "decoding…"
        decoded.update(Text(waiting) if self._text is None else Text(printable(self._text)))
        path.update(self._path_renderable(session))

    TRANSFORM_MIN_HEIGHT = 9  # what the Transform stage above keeps (app.tcss min-height)

    def _room(self) -> int:
        """Lines the path may take: the column, less Transform's minimum and our other parts."""
        column = self.parent
        path = self.query_one("#decode-path", Static)
        if column is None or not column.size.height:
            return 0
        fixed = self.outer_size.height - path.outer_size.height
        return column.size.height - self.TRANSFORM_MIN_HEIGHT - fixed - 1

    def _height(self, table: Table) -> int:
        width = self.query_one("#decode-path", Static).size.width
        if not width:
            return 1 << 30
        console = self.app.console
        return len(console.render_lines(table, console.options.update_width(width), pad=False))

    def _path_renderable(self, session: Session) -> Table:
        """Rows wrap when the wrapped path still fits the column; else one line each."""
        if session.path_decoded is not None:
            table = self._path_table(session, wrap=True)
            if self._height(table) <= self._room():
                return table
        return self._path_table(session, wrap=False)

    def _path_table(self, session: Session, wrap: bool = True) -> Table:
        """One row per latent: ▶ on the current one, its label, • if the text changed, and its
        fidelity (✓ or the number); a row not decoded yet shows …"""
        style = self.get_component_rich_style
        decoded = session.path_decoded or [None] * len(session.rows())
        texts = [None if d is None else d.text for d in decoded]
        table = Table.grid(expand=True, padding=(0, 1, 0, 0))
        table.add_column(no_wrap=True)
        short = not wrap
        table.add_column(ratio=1, no_wrap=short, overflow="ellipsis" if short else "fold")
        table.add_column(width=4, no_wrap=True, justify="right")
        for i, row in enumerate(session.rows()):
            current = i == session.t_index
            head = Text(no_wrap=True)
            head.append("▶" if current else " ")
            head.append(f" {row.label}", style("decode-path--t"))
            line = Text(no_wrap=short, overflow="ellipsis" if short else "fold")
            mark = Text(no_wrap=True)
            if texts[i] is None:
                line.append("…", style("decode-path--pending"))
            else:
                previous = printable(texts[i - 1] if i and texts[i - 1] is not None
                                     else texts[i])
                text = printable(texts[i])
                sign = fidelity_mark(decoded[i].fidelity)
                mark.append(sign, style("decode-path--verified" if sign == "✓"
                                        else "decode-path--fidelity"))
                changed = changed_words(previous, text) if i else set()
                line.append("• " if text != previous else "  ", style("decode-path--changed"))
                for k, word in enumerate(text.split()):
                    if k:
                        line.append(" ")
                    line.append(word, style("decode-path--changed") if k in changed else "")
            if current:
                head.stylize(style("decode-path--current"))
                line.stylize(style("decode-path--current"))
            table.add_row(head, line, mark,
                          style=style("decode-path--current") if current else "")
        return table
