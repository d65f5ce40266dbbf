"""SlidePanel: the tutorial slide, one section at a time, with its position and contents."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Markdown, OptionList, Static
from textual.widgets.option_list import Option

from ..actions import section_keys
from ..slides import Section, Slide


class SlideContents(OptionList):
    """The slide's table of contents; Enter or a click opens a section."""

    BINDINGS: ClassVar[list[BindingType]] = section_keys()


class SlidePanel(Vertical):
    """Shows `slide.sections[index]`; the app drives it with next/previous/go."""

    index: reactive[int] = reactive(0, init=False)

    class SectionChanged(Message):
        """A different section is on show."""

        def __init__(self, panel: SlidePanel, index: int, section: Section) -> None:
            super().__init__()
            self.panel = panel
            self.index = index
            self.section = section

        @property
        def control(self) -> SlidePanel:
            return self.panel

    def __init__(self, slide: Slide, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.slide = slide
        self.border_title = slide.title

    @property
    def section(self) -> Section:
        return self.slide.sections[self.index]

    @property
    def position(self) -> str:
        """Where the learner is, e.g. '3/13'."""
        return f"{self.index + 1}/{len(self.slide.sections)}"

    def compose(self) -> ComposeResult:
        yield Static(self._position_text(), id="slide-position")
        with VerticalScroll(id="slide-body", can_focus=False):
            yield Markdown(self.section.markdown, id="slide-markdown")
        yield Static("Contents", id="slide-contents-title")
        yield SlideContents(*self._options(), id="slide-contents")

    def on_mount(self) -> None:
        self.border_subtitle = "[ ] section · s hide"
        self.query_one(SlideContents).highlighted = self.index

    def _options(self) -> list[Option]:
        options = []
        for i, section in enumerate(self.slide.sections):
            indent = "  " if section.level > 2 else ""
            number = f"{section.chapter + 1}. " if section.level == 2 else "· "
            options.append(Option(Text(f"{indent}{number}{section.title}"), id=f"section-{i}"))
        return options

    def _position_text(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {self.position} ", "reverse")
        text.append(f"  {self.section.title}")
        return text

    # -- navigation --------------------------------------------------------------------------
    def validate_index(self, index: int) -> int:
        return max(0, min(len(self.slide.sections) - 1, index))

    def go(self, index: int) -> None:
        self.index = index

    def next(self) -> None:
        self.index += 1

    def previous(self) -> None:
        self.index -= 1

    def go_chapter(self, number: int) -> bool:
        """Open the `number`-th chapter (1-based); False if there is no such chapter."""
        chapters = self.slide.chapters()
        if not 1 <= number <= len(chapters):
            return False
        self.index = chapters[number - 1]
        return True

    def watch_index(self, index: int) -> None:
        self.query_one("#slide-position", Static).update(self._position_text())
        self.query_one(Markdown).update(self.section.markdown)
        self.query_one("#slide-body", VerticalScroll).scroll_home(animate=False)
        contents = self.query_one(SlideContents)
        if contents.highlighted != index:
            contents.highlighted = index
        self.post_message(self.SectionChanged(self, index, self.section))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.index = event.option_index
