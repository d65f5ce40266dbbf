"""Mode: what the app shows and does for one Transform mode of the registry.

The Session keeps state; a Mode says, for its registry transform, which session inputs it takes
and how the sentence list marks them, its settings form (from the registry's `Param`s) and how a
key steps it, its inputs line and figures, the keys that act in it (footer and the line under the
input), its F1 section, whether `r` reseeds it, and what "changed" means for its rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text

from textlatent import transforms as registry

from ..params import Field, step_value
from ..text import printable

if TYPE_CHECKING:
    from ..session import Entry, Session

EDITABLE_KINDS = (int, float, str)  # parameters a form can step through (not tuples)

ROWS = "rows"
"""`compare` value: each row against the row above it (a path)."""
SOURCE = "source"
"""`compare` value: each row against the source sentence."""


def line(text: Text, head: str, body: str, dim: bool = False) -> None:
    """One 'head body' line of an inputs text."""
    if text:
        text.append("\n")
    text.append(f"{head} ", "bold")
    text.append(body, "dim" if dim else "")


class Mode:
    """The default adapter: a registry transform shown by its roles and parameters."""

    name: ClassVar[str] = ""
    keys: ClassVar[frozenset[str]] = frozenset()
    """Mode-bound screen actions that act in this mode (see `MODE_ACTIONS`)."""
    slider: ClassVar[bool] = False
    """Its rows are a path picked with the blend slider (else ←/→ step through the rows)."""
    reseeds: ClassVar[bool] = False
    """`r` draws a new seed for this mode's rows."""
    compare: ClassVar[str | None] = None
    """What a row's "changed" mark compares with: ROWS, SOURCE or None (no marks)."""
    collapse: ClassVar[bool] = False
    """Identical rows are listed once with a count (×3)."""
    wrap_inputs: ClassVar[bool] = False
    """Its inputs line wraps (arithmetic's formula) instead of being cut with an ellipsis."""
    empty_form: ClassVar[str] = "no settings"
    help: ClassVar[str] = ""
    """Its F1 section (markdown, no heading): what it does, its keys, what its figures mean."""

    @property
    def spec(self) -> registry.Transform:
        return registry.get(self.name)

    @property
    def title(self) -> str:
        return self.spec.title

    # -- the sentence list ---------------------------------------------------------------------
    def mark(self, session: Session, entry: Entry) -> str:
        """What the list shows beside a sentence this mode uses (a role, a weight), else ''."""
        return ""

    def mark_words(self, mark: str) -> str:
        """A mark as the Encode stage's caption says it."""
        return {"src": "the source"}.get(mark, mark)

    # -- the Transform stage ---------------------------------------------------------------------
    def fields(self, session: Session) -> list[Field]:
        """Its settings form, straight from the registry's parameters."""
        return [Field(p.name, p.title, session.param_value(p.name), p, help=p.help)
                for p in self.spec.params if p.kind in EDITABLE_KINDS]

    def step(self, session: Session, key: str, delta: int) -> None:
        """One key press on field `key`, from the value the session holds now (so a burst of
        presses counts every one); ValueError if out of range."""
        field = next((f for f in self.fields(session) if f.key == key), None)
        if field is not None:
            session.set_param(key, step_value(field, delta), self.name)

    def inputs(self, session: Session) -> Text:
        """What goes in, one line each."""
        roles = ", ".join(r.title for r in self.spec.roles)
        return Text(f"inputs: {roles}", style="dim")

    def figures(self, session: Session) -> Text:
        """Where the current row's latent sits (cosines to what it came from)."""
        text = Text()
        if session.current_latent is not None:
            text.append(f"row {session.current_label()}", "bold")
        return text

    # -- keys and hints ----------------------------------------------------------------------
    def acts(self, action: str, session: Session) -> bool:
        """Whether a mode-bound action does something in this mode now."""
        if action == "row":
            return session.row_count > 1
        return action in self.keys

    def hint(self, session: Session, focus: str) -> str:
        """The line under the input: what the keys do here, for what has focus."""
        if focus == "input":
            if not session.entries:
                return "Enter encodes · Esc leaves the input (then p: a starter pair)"
            return "Enter encodes · Esc or Tab leaves the input"
        if not session.entries and self.needs_sentences:
            return "No sentences yet: press 1 to type one, or p for a starter pair"
        if focus == "list":
            return self.list_hint(session)
        return self.other_hint(session)

    needs_sentences: ClassVar[bool] = True

    def list_hint(self, session: Session) -> str:
        return "Delete removes · c copies its z · + / − make it an arithmetic term"

    def other_hint(self, session: Session) -> str:
        settings = " · o settings" if self.fields(session) else ""
        return f"1 types · 2 picks sentences{settings} · t next mode · F1 help"

    # -- the Decode stage ----------------------------------------------------------------------
    def where(self, session: Session) -> str:
        """The decode caption's 'at …' part."""
        return f"row {session.current_label()}"

    def legend(self) -> str:
        """The line under the path: what its marks mean in this mode."""
        changed = {ROWS: "• differs from the row above (new words underlined) · ",
                   SOURCE: "• differs from the source (new words underlined) · "}
        same = "×N identical rows · " if self.collapse else ""
        return f"{changed.get(self.compare or '', '')}{same}✓ the text encodes back to z"

    def baseline(self, session: Session, index: int, texts: list[str | None]) -> str | None:
        """The text row `index` is compared with for its "changed" mark (None: no mark)."""
        if self.compare == ROWS:
            return texts[index - 1] if index else None
        if self.compare == SOURCE:
            source = session.selected
            return None if source is None else printable(source.text)
        return None
