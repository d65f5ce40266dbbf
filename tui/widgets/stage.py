"""Stage: a titled box for one of the slide's four steps, lit up when the slide talks about it."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.containers import Container, Vertical


class Stage(Vertical):
    """Base for the four stages; subclasses set STAGE and compose their contents."""

    STAGE: ClassVar[str] = ""
    NUMBER: ClassVar[int] = 0
    DEFAULT_TITLE: ClassVar[str] = ""

    def __init__(self, title: str | None = None, blurb: str = "", *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id or f"stage-{self.STAGE}", classes=classes)
        self.border_title = title or f"{self.NUMBER}. {self.DEFAULT_TITLE}"
        self.blurb = blurb
        self.tooltip = blurb or None
        self.add_class("stage")

    def on_resize(self, event: events.Resize) -> None:
        """The slide's line about this stage goes on the border when it fits whole."""
        fits = len(self.blurb) + 6 <= event.size.width
        self.border_subtitle = self.blurb if fits else ""

    @property
    def highlighted(self) -> bool:
        return self.has_class("-highlight")

    def set_highlight(self, on: bool) -> None:
        """Light the stage up (the slide is on a section about it) or not."""
        self.set_class(on, "-highlight")


class StageArea(Container):
    """Holds the stages: two columns when there is room, one scrolling column when not."""

    TWO_COLUMNS_AT: ClassVar[int] = 72

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width >= self.TWO_COLUMNS_AT, "-two-col")
