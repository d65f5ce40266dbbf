"""The app's entries in the command palette, and the key groups the help screen lists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.binding import Binding, BindingType

from .widgets.blend_slider import BlendSlider
from .widgets.sentence_list import SentenceList

if TYPE_CHECKING:
    from .app import TextLatentApp

EXTRA_KEYS: list[BindingType] = [
    Binding("tab", "", "Next area (input, sentences, slider, contents)"),
    Binding("shift+tab", "", "Previous area"),
    Binding("enter", "", "Encode the typed sentence / open a contents entry"),
    Binding("up,down", "", "Move in a list"),
    Binding("ctrl+p", "", "Command palette (all actions, theme)"),
    Binding("ctrl+q", "", "Quit"),
]


def help_groups(app: TextLatentApp) -> list[tuple[str, Iterable[BindingType]]]:
    """Bindings to list on the help screen, by where they work."""
    return [("Keys (when not typing in the input)", app.BINDINGS),
            ("Sentence list", SentenceList.BINDINGS),
            ("Blend slider", BlendSlider.BINDINGS),
            ("Moving around", EXTRA_KEYS)]


def app_commands(app: TextLatentApp) -> Iterable[SystemCommand]:
    """SystemCommands for the app's own actions."""
    yield SystemCommand("Encode", "Encode the sentence typed in the input", app.action_encode)
    yield SystemCommand("Set A", "Blend from the highlighted sentence", app.action_set_a)
    yield SystemCommand("Set B", "Blend to the highlighted sentence", app.action_set_b)
    yield SystemCommand("Blend method", "Switch between slerp and lerp",
                        app.action_toggle_method)
    yield SystemCommand("Copy blend latent", "Copy z at the current t as JSON",
                        lambda: app.action_copy_latent("blend"))
    yield SystemCommand("Copy sentence latent", "Copy the highlighted sentence's z as JSON",
                        lambda: app.action_copy_latent("sentence"))
    yield SystemCommand("Export session", "Write the session to a JSON file",
                        app.action_export)
    yield SystemCommand("Save screenshot", "Save an SVG screenshot in the current folder",
                        app.action_screenshot)
    yield SystemCommand("Starter pair", "Blend the next starter pair", app.action_next_pair)
    yield SystemCommand("Clear", "Remove all sentences", app.action_clear)
    yield SystemCommand("Slide", "Show or hide the slide", app.action_toggle_slide)
    yield SystemCommand("Help", "Keys and what the app shows", app.action_help)
