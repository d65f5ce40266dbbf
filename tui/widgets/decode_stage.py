"""DecodeStage (4. Decode): the text decoded at the current row, and every row of the path.

The rows come from the session as (label, latent) pairs, so any transform's path draws here.
Each decoded text carries its fidelity, cos(z, encode(text)): ✓ when the text encodes back to
its latent, else the number. Rows fill in as they are decoded.
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from textlatent.fidelity import Decoded

from ..decoding import DECODE_PARAMS, USED_BY, describe
from ..modes import mode
from ..params import Field
from ..session import Session
from ..text import changed_words, fidelity_mark, printable
from .controls.form import ParamForm
from .stage import Stage

WAITING = {
    "ends": "pick A and B to see the path between them",
    "encoding": "encoding A and B…",
    "model": "no model loaded: nothing to decode",
}


def decoding_fields(session: Session) -> list[Field]:
    """The Decode stage's form: how to decode, and the settings that way uses."""
    options = session.decoding
    names = ("how", *USED_BY[options["how"]])
    return [Field(n, DECODE_PARAMS[n].title, options[n], DECODE_PARAMS[n],
                  help=DECODE_PARAMS[n].help) for n in names]


def fidelity_note(decoded: Decoded) -> str:
    """The current decode's fidelity in words, and how many correction rounds it took."""
    rounds = sum(a.source.startswith("round") for a in decoded.attempts)
    return fidelity_mark(decoded.fidelity, words=True, rounds=rounds)


def collapsed(texts: list[str | None]) -> dict[str, tuple[int, int]]:
    """Each decoded text's first row and how many rows read the same."""
    out: dict[str, tuple[int, int]] = {}
    for i, text in enumerate(texts):
        if text is not None:
            first, count = out.get(text, (i, 0))
            out[text] = (first, count + 1)
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

    def __init__(self, title: str | None = None, blurb: str = "", *,
                 id: str | None = None) -> None:
        super().__init__(title, blurb, id=id)
        self._title = str(self.border_title)

    def open_form(self) -> None:
        """Show the decoding choices (hidden on short screens until asked for) and focus them."""
        self.form.add_class("-open")
        self.form.focus()

    def on_descendant_blur(self) -> None:
        self.form.remove_class("-open")

    def compose(self) -> ComposeResult:
        yield ParamForm(id="decode-form")
        yield Static("", id="decoded-caption", classes="caption")
        yield Static("", id="decoded")
        yield Static("", id="decode-neighbors", classes="figures")
        yield Static("", id="decode-path")
        # two lines in a narrow column: the number's meaning is in the help and README
        yield Static("", id="decode-legend", classes="figures")

    _text: str | None = None

    @property
    def decoded_text(self) -> str | None:
        """The decoded text on show (None while decoding or with no path)."""
        return self._text

    _session: Session | None = None
    _neighbors: tuple[tuple | None, list[tuple[str, float]] | None, str | None] = \
        (None, None, None)

    @property
    def form(self) -> ParamForm:
        return self.query_one("#decode-form", ParamForm)

    @staticmethod
    def neighbors_key(session: Session) -> tuple | None:
        """What the nearest sentences on show belong to: the path and the current row."""
        if session.path_key is None or session.current_latent is None:
            return None
        return (session.path_key, session.t_index)

    def set_neighbors(self, key: tuple | None, found: list[tuple[str, float]] | None,
                      note: str | None = None) -> None:
        self._neighbors = (key, found, note)
        if self._session is not None:
            self._show_neighbors(self._session)

    def _show_neighbors(self, session: Session) -> None:
        widget = self.query_one("#decode-neighbors", Static)
        key, found, note = self._neighbors
        if session.path is None:
            widget.update("")
            return
        short = self.screen.has_class("-short")
        if session.extras.index is None:
            note = "" if short else session.extras.notes.get("index", "")
            widget.update(Text(note, no_wrap=True, overflow="ellipsis"))
            widget.display = bool(note)
            return
        widget.display = True
        if key != self.neighbors_key(session):
            widget.update(Text("nearest real sentences: looking…", no_wrap=True))
            return
        if found is None:
            widget.update(Text(note or "", no_wrap=True, overflow="ellipsis"))
            return
        text = Text(no_wrap=True, overflow="ellipsis")
        if short:  # one line: the nearest
            text.append(f"nearest real: {found[0][1]:.2f} {printable(found[0][0])}")
        else:
            text.append("nearest real sentences")
            for sentence, cos in found[:3]:
                text.append(f"\n {cos:.2f} {printable(sentence)}")
        widget.update(text)

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
        self.form.show(decoding_fields(session))
        self.border_title = f"{self._title} · {describe(session.decoding)}"
        self._show_neighbors(session)
        self.query_one("#decode-legend", Static).update(mode(session.transform).legend())
        if session.path is None:
            self._text = None
            caption.update(Text(session.waiting_text(), style="dim"))
            decoded.update("")
            decoded.border_title = decoded.border_subtitle = None
            decoded.set_class(True, "-empty")
            path.update("")
            return
        how = describe(session.decoding)
        where = mode(session.transform).where(session)
        caption.update(Text(f"decode(z) {where} · {how}", style="dim", no_wrap=True,
                            overflow="ellipsis"))
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
        table.add_column(min_width=4, no_wrap=True, justify="right")
        adapter = mode(session.transform)
        counts = collapsed(texts) if adapter.collapse else {}
        current_row = counts.get(texts[session.t_index], (session.t_index, 1))[0] \
            if 0 <= session.t_index < len(texts) and texts[session.t_index] is not None \
            else session.t_index
        for i, row in enumerate(session.rows()):
            if counts and texts[i] is not None and counts[texts[i]][0] != i:
                continue  # shown once, with its count, on its first row
            current = i == current_row
            head = Text(no_wrap=True)
            head.append("▶" if current else " ")
            head.append(f" {row.label}", style("decode-path--t"))
            line = Text(no_wrap=short, overflow="ellipsis" if short else "fold")
            mark = Text(no_wrap=True)
            if texts[i] is None:
                line.append("…", style("decode-path--pending"))
            else:
                text = printable(texts[i])
                base = adapter.baseline(session, i, texts)
                previous = text if base is None else printable(base)
                sign = fidelity_mark(decoded[i].fidelity)
                mark.append(sign, style("decode-path--verified" if sign == "✓"
                                        else "decode-path--fidelity"))
                changed = changed_words(previous, text)
                line.append("• " if text != previous else "  ", style("decode-path--changed"))
                for k, word in enumerate(text.split()):
                    if k:
                        line.append(" ")
                    line.append(word, style("decode-path--changed") if k in changed else "")
                times = counts.get(texts[i], (i, 1))[1]
                if times > 1:
                    line.append(f" ×{times}", style("decode-path--t"))
            if current:
                head.stylize(style("decode-path--current"))
                line.stylize(style("decode-path--current"))
            table.add_row(head, line, mark,
                          style=style("decode-path--current") if current else "")
        return table
