"""HelpScreen (F1): what the app shows, and every key, generated from the bindings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

INTRO = """\
# textlatent — keys and help

The main area follows the slide's four steps: **1. Input Data** (type a sentence, Enter
encodes it), **2. Encode** (the highlighted sentence's latent vector: every value is a cell,
▁ most negative … █ most positive), **3. Transform** (blend sentence A into sentence B; the
slider picks t), **4. Decode** (the sentence the decoder writes at t, and the whole path).
The side panel shows the tutorial slide; when a section talks about a stage, that stage
lights up.
"""


def binding_rows(app: App, bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    """(keys, what they do) per description; every key is listed, e.g. '← / h'."""
    rows: dict[str, list[str]] = {}
    for binding in Binding.make_bindings(bindings):
        if not binding.description:
            continue
        text = binding.tooltip or binding.description
        plain = replace(binding, key_display=None)
        rows.setdefault(text, []).append(app.get_key_display(plain))
    return [(" / ".join(dict.fromkeys(keys)), text) for text, keys in rows.items()]


def help_markdown(app: App, groups: list[tuple[str, Iterable[BindingType]]]) -> str:
    """The help page: an intro, then one key table per group of bindings."""
    parts = [INTRO]
    for title, bindings in groups:
        rows = binding_rows(app, bindings)
        if not rows:
            continue
        parts.append(f"\n## {title}\n\n| Key | Does |\n|---|---|")
        for keys, desc in rows:
            keys = keys.replace("|", "\\|")
            parts.append(f"| `{keys}` | {desc} |")
    return "\n".join(parts) + "\n"


class HelpScreen(ModalScreen[None]):
    """A modal page of help; Escape, F1 or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close help"),
    ]

    def __init__(self, markdown: str) -> None:
        super().__init__(id="help-screen")
        self._markdown = markdown

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Help"
            body.border_subtitle = "Esc to close"
            yield Markdown(self._markdown, id="help-markdown")

    def on_mount(self) -> None:
        self.query_one("#help-body", VerticalScroll).focus()
