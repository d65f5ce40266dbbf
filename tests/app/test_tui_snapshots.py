"""Snapshot tests of the app's looks (pytest-textual-snapshot), on the tiny random model.

The tiny model's weights come from a fixed seed, so its (gibberish) decodes are the same on
every run; notifications are cleared and the cursor does not blink, so nothing depends on time.
Update with: pytest tests/app/test_tui_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest
from helpers import folder_with_extras

from tui.app import TextLatentApp

pytestmark = pytest.mark.usefixtures("one_torch_thread", "app_isolated")


async def settle(pilot) -> None:
    """Wait for the workers and the messages they post; then drop the toasts."""
    app = pilot.app
    for _ in range(40):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            break
    app.clear_notifications()
    await pilot.wait_for_scheduled_animations()
    # Layout can take more than one pass (a scrollbar appearing re-wraps a list): wait until
    # the screen renders the same twice in a row, so the snapshot never catches it half-way.
    previous = None
    for _ in range(40):
        await pilot.pause(0.05)
        current = app.export_screenshot()
        if current == previous:
            break
        previous = current


def test_start_screen(snap_compare, tiny_model):
    """After the model loads, 140x45: the whole path from A 0.00 to B 1.00 is on screen."""
    assert snap_compare(TextLatentApp(model=tiny_model), terminal_size=(140, 45),
                        run_before=settle)


def test_start_screen_100x30(snap_compare, tiny_model):
    """100x30 with the slide: the whole path still fits, figures wrap instead of being cut."""
    assert snap_compare(TextLatentApp(model=tiny_model), terminal_size=(100, 30),
                        run_before=settle)


def test_blend_in_the_middle(snap_compare, tiny_model):
    """Two typed sentences blended with lerp; the slider has focus at t = 0.5."""

    async def run_before(pilot) -> None:
        app = pilot.app
        await settle(pilot)
        await pilot.press("ctrl+l", "ctrl+l")
        await pilot.press(*"the cat sat on the mat", "enter", *"the dog slept on the rug",
                          "enter")
        await settle(pilot)
        app.main.transform_stage.slider.focus()
        await pilot.press("m", "home", "right", "right", "right", "right")
        await settle(pilot)

    assert snap_compare(TextLatentApp(model=tiny_model), terminal_size=(150, 45),
                        run_before=run_before)


def test_slide_on_how_the_process_works(snap_compare, tiny_model):
    """The slide panel on its 'How the Process Works' chapter, at 200x60."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        app = pilot.app
        titles = [s.title for s in app.slide.sections]
        app.main.input_stage.sentences.focus()
        app.main.slide_panel.go(titles.index("How the Process Works"))
        await settle(pilot)
        assert pilot.app.main.slide_panel.section.title == "How the Process Works"

    assert snap_compare(TextLatentApp(model=tiny_model), terminal_size=(200, 60),
                        run_before=run_before)


def test_small_terminal(snap_compare, tiny_model):
    """80x24: the slide hides itself and the stages sit in two scrolling columns."""
    assert snap_compare(TextLatentApp(model=tiny_model), terminal_size=(80, 24),
                        run_before=settle)


def test_variations(snap_compare, tiny_model):
    """Variations of a typed sentence at 140x45: count 6, seed 0, the third row current."""

    async def run_before(pilot) -> None:
        app = pilot.app
        await settle(pilot)
        await pilot.press("ctrl+l", "ctrl+l")
        await pilot.press(*"the cat sat on the mat", "enter", "escape")
        await settle(pilot)
        await pilot.press("t", "o", "down", "down", "escape")  # variations, count 8 -> 6
        app.main.input_stage.sentences.focus()
        await pilot.press("right", "right")
        await settle(pilot)
        assert app.session.transform == "vary" and len(app.session.path_texts) == 6

    assert snap_compare(TextLatentApp(model=tiny_model), terminal_size=(140, 45),
                        run_before=run_before)


def test_edit(snap_compare, tiny_model, tmp_path, monkeypatch):
    """Edit along a user-built direction at 100x30, three steps up to strength 1."""
    from textlatent import directions

    monkeypatch.setenv("TEXTLATENT_DATA_DIR", str(tmp_path / "data"))
    pos = tiny_model.encode(["the cat sat on the big red mat", "the dog slept on the long rug"])
    neg = tiny_model.encode(["the cat sat", "the dog slept"])
    directions.save(directions.build("longer", pos, neg, "more words", 1.0, tiny_model.name),
                    directions.user_folder(tiny_model.name))

    async def run_before(pilot) -> None:
        app = pilot.app
        await settle(pilot)
        await pilot.press("ctrl+l", "ctrl+l")
        await pilot.press(*"the dog slept", "enter", "escape")
        await settle(pilot)
        app.main.action_mode("edit")
        await pilot.press("o", "right", "right", "up", "up", "escape")  # steps 1 -> 3
        await settle(pilot)
        assert app.session.direction == "longer" and len(app.session.path_texts) == 3

    assert snap_compare(TextLatentApp(model=tiny_model), terminal_size=(100, 30),
                        run_before=run_before)


# -- every Transform mode at three sizes (tests/test_tui_modes.py checks each mode has them) ---
SIZES = {"140x45": (140, 45), "100x30": (100, 30), "80x24": (80, 24)}


@pytest.fixture
def tiny_folder_with_prior(tiny_model_dir, tiny_model, tmp_path, monkeypatch):
    """The tiny model's folder with a prior and an index beside it, and a user direction."""
    from textlatent import directions

    folder = folder_with_extras(tiny_model_dir, tiny_model, tmp_path / "tiny-with-extras")
    pos = tiny_model.encode(["the cat sat on the big red mat", "the dog slept on the long rug"])
    neg = tiny_model.encode(["the cat sat", "the dog slept"])
    directions.save(directions.build("longer", pos, neg, "more words", 1.0, tiny_model.name),
                    directions.user_folder(tiny_model.name))
    return folder


async def _settle_all(pilot) -> None:
    """Settle, then again once the nearest sentences (looked up after a short rest) are in."""
    await pilot.pause(0.4)
    await settle(pilot)
    await pilot.pause(0.4)
    await settle(pilot)


async def _mode_scene(pilot, name: str) -> None:
    """The starters and three typed sentences (seven in all), the list focused, then the mode
    with its inputs."""
    app = pilot.app
    await settle(pilot)
    for text in ("the cat sat on the mat", "the dog slept on the rug",
                 "a bird sang in the old tree by the river"):
        await pilot.press(*text, "enter")
    await pilot.press("escape")
    await settle(pilot)
    if name == "arithmetic":
        await pilot.press("up", "up", "plus", "down", "minus", "down", "plus")
    elif name == "edit":
        app.main.action_mode("edit")
        await pilot.press("o", "right", "right", "up", "up", "escape")  # three steps
    elif name != "blend":
        app.main.action_mode(name)
    await _settle_all(pilot)
    assert app.session.transform == name and app.session.path_texts, name


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ["blend", "vary", "sample", "arithmetic", "edit"])
def test_mode_snapshot(snap_compare, tiny_model, tiny_folder_with_prior, name, size):
    """Each mode as a learner works in it: the list (focused: a double border) with its marks,
    the mode's inputs and settings, and every decoded row."""
    app = TextLatentApp(model=tiny_model, model_path=tiny_folder_with_prior)
    assert snap_compare(app, terminal_size=SIZES[size],
                        run_before=lambda pilot: _mode_scene(pilot, name))


def test_mode_snapshot_no_color(snap_compare, tiny_model, tiny_folder_with_prior, monkeypatch):
    """NO_COLOR at 80x24: focus is still visible (the double border of the focused stage)."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = TextLatentApp(model=tiny_model, model_path=tiny_folder_with_prior)
    assert snap_compare(app, terminal_size=(80, 24),
                        run_before=lambda pilot: _mode_scene(pilot, "arithmetic"))
