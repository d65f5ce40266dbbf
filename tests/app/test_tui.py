"""Pilot tests for the terminal app, on whatever model the fixtures give (tiny by default)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest
from helpers import run_async, settle
from rich.console import Console
from textual import work

from textlatent import blend_path
from textlatent.fidelity import decode_path, decode_verified
from tui.actions import ACTIONS, palette_actions
from tui.app import TextLatentApp, check_model_folder, run_app
from tui.messages import ModelLoaded
from tui.modes import MODES
from tui.screens.export import ExportScreen
from tui.screens.help import HelpScreen
from tui.slides import STAGES, load_pairs, load_slide, load_starters, parse_slide
from tui.text import printable
from tui.widgets.latent_heatmap import GLYPHS, LatentHeatmap, glyph_for, grid_shape
from tui.widgets.slide_panel import SlidePanel
from tui.widgets.stage import Stage

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("one_torch_thread", "app_isolated")



@pytest.fixture
def model(request):
    """The tiny random model; TEXTLATENT_TUI_MODEL=builtin runs the same tests on the real one,
    and a test parametrised over `BOTH_MODELS` runs on each."""
    name = getattr(request, "param", None) or os.environ.get("TEXTLATENT_TUI_MODEL", "tiny")
    return request.getfixturevalue("builtin_model" if name == "builtin" else "tiny_model")



def expected_path(model, a: str, b: str, method: str = "slerp", steps: int = 9) -> list[str]:
    """The path's texts with the library's default path decode (ends corrected, middle greedy)."""
    za, zb = model.encode([a])[0], model.encode([b])[0]
    return path_texts(model, blend_path(za, zb, steps, method))


def path_texts(model, path) -> list[str]:
    return [d.text for d in decode_path(model, path)]


def default_reconstruction(model, text: str) -> str:
    """What the app shows under a sentence: the default decode of its latent."""
    return decode_verified(model, model.encode([text]))[0].text


def rendered(renderable, width: int = 300) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), force_terminal=False)
    console.print(renderable)
    return console.export_text()


def notes(app) -> list[str]:
    return [f"{n.title}|{n.message}" for n in app._notifications]


def row_index(app, text: str) -> int:
    return next(i for i, e in enumerate(app.session.entries) if e.text == text)


async def choose_ends(pilot, a_text: str, b_text: str) -> None:
    """Highlight sentences in the list and press a / b, as a learner would."""
    app = pilot.app
    sentences = app.main.input_stage.sentences
    sentences.focus()
    await pilot.pause()
    sentences.highlighted = row_index(app, a_text)
    await pilot.press("a")
    sentences.highlighted = row_index(app, b_text)
    await pilot.press("b")
    await settle(pilot)


BOTH_MODELS = pytest.mark.parametrize(
    "model", ["tiny", pytest.param("builtin", marks=pytest.mark.slow)], indirect=True)
"""The key Pilot checks run on the tiny model and again on the shipped one (slow)."""


# -- start-up --------------------------------------------------------------------------------
@BOTH_MODELS
@run_async
async def test_start_encodes_starters_and_shows_blend(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        a_text, b_text = load_pairs()[0]
        texts = [e.text for e in app.session.entries]
        for s in load_starters():
            assert any(s.startswith(t.rstrip(" …")) for t in texts)
        assert app.session.a.text == a_text and app.session.b.text == b_text
        assert all(e.ready for e in app.session.entries)
        assert app.main.transform_stage.slider.index == 4
        assert app.main.decode_stage.decoded_text == expected_path(model, a_text, b_text)[4]
        assert model.name in app.sub_title and f"D={model.dim}" in app.sub_title
        assert app.focused is app.main.input_stage.input


@run_async
async def test_typing_works_while_the_model_loads(model):
    gate = threading.Event()

    class SlowApp(TextLatentApp):
        @work(thread=True, exclusive=True, group="load")
        def load_model_worker(self) -> None:
            gate.wait(20)
            self.post_message(ModelLoaded(model))

    app = SlowApp(starters=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.main.encode_stage.loading and "loading" in app.sub_title
        await pilot.press(*"a red fox", "enter")
        await pilot.pause()
        entry = app.session.entries[0]
        assert entry.text == "a red fox" and not entry.ready
        gate.set()
        await settle(pilot)
        assert entry.reconstruction == default_reconstruction(model, "a red fox")
        assert not app.main.encode_stage.loading


# -- input -----------------------------------------------------------------------------------
@BOTH_MODELS
@run_async
async def test_typed_sentence_shows_its_reconstruction(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        before = len(app.session.entries)
        await pilot.press(*"the bird flew home", "enter")
        await settle(pilot)
        assert len(app.session.entries) == before + 1
        entry = app.session.entries[-1]
        expected = default_reconstruction(model, "the bird flew home")
        assert entry.reconstruction == expected
        option = app.main.input_stage.sentences.get_option_at_index(before)
        shown = " ".join(rendered(option.prompt).split())
        assert " ".join(printable(expected).split())[:20] in shown
        assert app.main.input_stage.input.value == ""
        np.testing.assert_allclose(entry.latent, model.encode(["the bird flew home"])[0])
        # the Encode stage shows the new (highlighted) sentence's latent
        np.testing.assert_allclose(app.main.encode_stage.heatmap.values, entry.latent)


@run_async
async def test_empty_input_notifies_and_keeps_sentences(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        before = [e.text for e in app.session.entries]
        await pilot.press("enter")
        await pilot.press(*"   ", "enter")
        await settle(pilot)
        assert [e.text for e in app.session.entries] == before
        assert sum("Empty input" in n for n in notes(app)) == 2


@run_async
async def test_markup_like_text_is_shown_as_typed(model):
    app = TextLatentApp(model=model, starters=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = "[b]x[/] [y]"
        await pilot.press(*text, "enter")
        await settle(pilot)
        assert app.session.entries[0].text == text and app.session.entries[0].ready
        option = app.main.input_stage.sentences.get_option_at_index(0)
        assert text in rendered(option.prompt)


@run_async
async def test_too_long_sentence_is_cut_with_a_notification(model):
    long = " ".join(["the cat sat on the mat and then it slept"] * 12)
    app = TextLatentApp(model=model, starters=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.main.input_stage.input.value = long
        await pilot.press("enter")
        await settle(pilot)
        entry = app.session.entries[0]
        assert entry.truncated and len(entry.text) < len(long)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert entry.reconstruction == default_reconstruction(model, long)
        assert any("truncated" in n for n in notes(app))


@run_async
async def test_first_two_typed_sentences_become_a_and_b_and_clear(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.main.input_stage.sentences.focus()
        before = [e.text for e in app.session.entries]
        await pilot.press("ctrl+l")  # asks first
        await settle(pilot)
        assert [e.text for e in app.session.entries] == before
        assert any("again" in n for n in notes(app))
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert app.session.entries == [] and app.session.path is None
        await pilot.press("u")  # undo brings everything back
        await settle(pilot)
        assert [e.text for e in app.session.entries] == before
        await pilot.press("ctrl+l", "ctrl+l")
        await settle(pilot)
        assert app.session.entries == [] and app.session.path is None
        assert app.main.decode_stage.decoded_text is None
        app.main.input_stage.input.focus()
        await pilot.press(*"one small step", "enter", *"a giant leap", "enter")
        await settle(pilot)
        assert (app.session.a.text, app.session.b.text) == ("one small step", "a giant leap")
        assert app.main.decode_stage.decoded_text == expected_path(
            model, "one small step", "a giant leap")[4]


# -- transform and decode --------------------------------------------------------------------
@BOTH_MODELS
@pytest.mark.parametrize("method", ["slerp", "lerp"])
@run_async
async def test_every_slider_position_shows_the_decoded_blend(model, method):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        starters = load_starters()
        a_text, b_text = app.session.entries[0].text, app.session.entries[1].text
        assert a_text.startswith(starters[0][:10])
        await choose_ends(pilot, a_text, b_text)
        if method == "lerp":
            await pilot.press("m")
            await settle(pilot)
        assert app.session.method == method
        a, b = app.session.a, app.session.b
        assert (a.text, b.text) == (a_text, b_text)
        expected = path_texts(model, blend_path(a.latent, b.latent, 9, method))
        app.main.transform_stage.slider.focus()
        await pilot.press("home")
        await settle(pilot)
        for i in range(9):
            if i:
                await pilot.press("right" if i % 2 else "l")
                await settle(pilot)
            assert app.main.transform_stage.slider.index == i
            assert app.main.decode_stage.decoded_text == expected[i]
            shown = str(app.query_one("#decoded").render())
            assert printable(expected[i]).strip()[:20] in shown
            np.testing.assert_allclose(app.main.transform_stage.heatmap.values,
                                       blend_path(a.latent, b.latent, 9, method)[i], atol=1e-6)
        assert app.session.path_texts == expected


@run_async
async def test_fifty_fast_slider_presses_end_on_the_final_position(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.main.input_stage.sentences.focus()
        keys = ["right", "left", "right", "h", "l", "m", "right"] * 7 + ["left"]
        assert len(keys) == 50
        await pilot.press(*keys)
        await settle(pilot)
        final = 4
        for key in keys:
            if key in ("right", "l"):
                final = min(8, final + 1)
            elif key in ("left", "h"):
                final = max(0, final - 1)
        method = "lerp" if keys.count("m") % 2 else "slerp"
        assert app.session.method == method
        assert app.main.transform_stage.slider.index == final
        a, b = app.session.a, app.session.b
        expected = path_texts(model, blend_path(a.latent, b.latent, 9, method))
        assert app.main.decode_stage.decoded_text == expected[final]
        assert printable(expected[final]).strip()[:20] in str(app.query_one("#decoded").render())


@run_async
async def test_next_starter_pair(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.main.input_stage.sentences.focus()
        await pilot.press("p")
        await settle(pilot)
        a_text, b_text = load_pairs()[1]
        assert (app.session.a.text, app.session.b.text) == (a_text, b_text)
        assert app.main.decode_stage.decoded_text == expected_path(model, a_text, b_text)[4]


# -- the slide -------------------------------------------------------------------------------
@run_async
async def test_section_keys_walk_the_slide_and_the_stage_highlight_follows(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        app.main.input_stage.sentences.focus()
        panel = app.query_one(SlidePanel)
        sections = app.slide.sections
        seen_stages = set()
        for i, section in enumerate(sections):
            if i:
                await pilot.press("]")
                await pilot.pause()
            assert panel.index == i and panel.position == f"{i + 1}/{len(sections)}"
            for stage in app.query(Stage):
                assert stage.highlighted == (stage.STAGE == section.stage), (section, stage)
            seen_stages.update(s.STAGE for s in app.query(Stage) if s.highlighted)
        assert seen_stages == set(STAGES)
        await pilot.press("]")  # past the end stays on the last section
        assert panel.index == len(sections) - 1
        await pilot.press("[")
        assert panel.index == len(sections) - 2
        await pilot.press("3")  # stage 3: the slider, and the slide's part about it
        await pilot.pause()
        assert panel.section.title == "3. Transform"
        assert app.focused is app.main.transform_stage.slider
        assert app.main.transform_stage.highlighted
        # the contents list opens any section
        contents = app.query_one("#slide-contents")
        contents.focus()
        contents.highlighted = next(i for i, s in enumerate(sections) if s.stage == "transform")
        await pilot.press("enter")
        await pilot.pause()
        assert panel.section.stage == "transform"
        assert app.main.transform_stage.has_class("-highlight")


@run_async
async def test_slide_panel_hides_on_small_terminals_and_toggles(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = app.query_one(SlidePanel)
        app.main.input_stage.sentences.focus()
        assert not panel.display
        await pilot.press("s")
        await pilot.pause()
        assert panel.display
        await pilot.press("s")
        await pilot.pause()
        assert not panel.display
        await pilot.press("]")  # section keys bring the slide back
        await pilot.pause()
        assert panel.display and panel.index == 1
    app = TextLatentApp(model=model)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        assert app.query_one(SlidePanel).display
        app.main.input_stage.sentences.focus()
        await pilot.press("s")
        await pilot.pause()
        assert not app.query_one(SlidePanel).display


# -- help, palette, export, clipboard, screenshot, theme -------------------------------------
@run_async
async def test_f1_opens_help_generated_from_the_action_table(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen._markdown
        for act in ACTIONS:
            assert (f"| `{act.keys_text}` | {act.help} |" in text) == act.table, act
        for name, mode in MODES.items():  # one section per transform mode, by its name
            title = f"{mode.title} (in use)" if name == app.session.transform else mode.title
            assert f"### {title}\n\n{mode.help}" in text
        assert text.index("### Blend (in use)") < text.index("### Variations")
        assert "`t / palette`" not in text
        assert "`← / h`" in text and "`] / PgDn`" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


@run_async
async def test_command_palette_runs_app_actions(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        acting = {a.palette for a in palette_actions()
                  if a.target == "app" or app.main.check_action(a.action.split("(")[0], ())}
        assert acting | {"Theme", "Quit"} <= set(titles)
        # a command of another mode only is not offered (x clears arithmetic's terms)
        assert "Clear arithmetic terms" not in titles and "Blend method: slerp / lerp" in titles
        # bug 2: one screenshot entry (ours, which saves here), no Keys panel beside F1 help
        assert len(titles) == len(set(titles)) and "Screenshot" not in titles
        assert "Keys" not in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Blend method")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.method == "lerp"


@run_async
async def test_export_writes_session_json(model, tmp_path):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.main.input_stage.sentences.focus()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        target = tmp_path / "out" / "session.json"
        app.screen.query_one("#export-path").value = str(target)
        await pilot.press("enter")  # the folder does not exist: it asks first
        await pilot.pause()
        assert not target.exists() and "does not exist" in str(
            app.screen.query_one("#export-warning").render())
        await pilot.press("enter")
        await pilot.pause()
        data = json.loads(target.read_text())
        assert {"format", "model", "sentences", "a", "b", "blend"} <= set(data)
        assert data["model"]["name"] == model.name and data["model"]["dim"] == model.dim
        assert len(data["sentences"]) == len(app.session.entries)
        first = data["sentences"][0]
        assert {"text", "reconstruction", "latent"} <= set(first)
        assert len(first["latent"]) == model.dim
        assert data["a"]["text"] == app.session.a.text and data["b"]["text"] == app.session.b.text
        blend = data["blend"]
        assert blend["t"] == pytest.approx([i / 8 for i in range(9)])
        assert blend["texts"] == app.session.path_texts and blend["method"] == "slerp"
        assert any("Session exported" in n and str(target) in n for n in notes(app))
        # a folder (here: the current one) gets a default file name; Escape cancels
        path = app.export_session(tmp_path)
        assert path.parent == tmp_path and json.loads(path.read_text())["sentences"]
        await pilot.press("e", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)


@run_async
async def test_export_failure_is_a_notification(model, tmp_path):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        blocker = tmp_path / "file"
        blocker.write_text("x")
        assert app.export_session(blocker / "sub" / "s.json") is None
        await pilot.pause()
        assert any("Could not export" in n for n in notes(app))


@run_async
async def test_copy_latent_puts_json_on_the_clipboard(model, tmp_path):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.main.transform_stage.slider.focus()
        await pilot.press("c")
        await pilot.pause()
        data = json.loads(app.clipboard)
        assert data["kind"] == "blend" and data["t"] == 0.5
        assert len(data["latents"][0]) == model.dim
        np.testing.assert_allclose(data["latents"][0], app.session.current_latent, atol=1e-5)
        assert data["texts"] == [app.main.decode_stage.decoded_text]
        # bug 9: it says what was attempted (OSC 52), not that it worked, and offers a file
        note = notes(app)[-1]
        assert "OSC 52" in note and "Copied to clipboard" not in note and "w saves" in note
        await pilot.press("w")
        await pilot.pause()
        saved = list(tmp_path.glob("textlatent-latent-*.json"))
        assert len(saved) == 1 and json.loads(saved[0].read_text())["kind"] == "blend"


@run_async
async def test_copy_in_the_sentence_list_copies_the_highlighted_sentence(model):
    """Bug 8: `c` in the list copies the sentence the Encode stage shows, not the blend."""
    app = TextLatentApp(model=model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        sentences = app.main.input_stage.sentences
        sentences.focus()
        sentences.highlighted = 1
        await pilot.press("c")
        await pilot.pause()
        data = json.loads(app.clipboard)
        entry = app.session.entries[1]
        assert data["kind"] == "sentence" and data["texts"] == [entry.text]
        np.testing.assert_allclose(data["latents"][0], entry.latent, atol=1e-5)
        np.testing.assert_allclose(app.main.encode_stage.heatmap.values, entry.latent)


@run_async
async def test_screenshot_action_saves_svg(model, tmp_path):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        shots = list(tmp_path.glob("textlatent-*.svg"))
        assert len(shots) == 1 and shots[0].read_text().lstrip().startswith("<svg")
        assert any("Screenshot saved" in n for n in notes(app))


@run_async
async def test_theme_is_remembered(model, tmp_path):
    app = TextLatentApp(model=model, starters=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.theme = "nord"
        await pilot.pause()
    saved = json.loads((tmp_path / "config" / "settings.json").read_text())
    assert saved["theme"] == "nord"
    app = TextLatentApp(model=model, starters=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == "nord"


# -- bad models ------------------------------------------------------------------------------
def test_missing_model_folder_is_one_clear_line(capsys, tmp_path):
    assert run_app("/nope/model") != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "/nope/model" in err and "not found" in err
    assert "Traceback" not in err
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text("{}")
    assert "model.safetensors" in check_model_folder(tmp_path / "m")


@run_async
async def test_corrupt_model_shows_an_error_panel(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    for name in ("config.json", "model.safetensors", "tokenizer.model"):
        (folder / name).write_text("not a model")
    assert check_model_folder(folder) is None  # passes the cheap check; fails to load
    app = TextLatentApp(model_path=folder)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.load_error
        panel = app.query_one("#error-panel")
        assert panel.display and "Could not load the model" in str(panel.render())
        assert any("Model failed to load" in n for n in notes(app))
        await pilot.press(*"still typing", "enter")
        await settle(pilot)
        assert app.session.entries[-1].text == "still typing"
        assert not app.session.entries[-1].ready


@pytest.mark.slow
def test_importing_the_app_does_not_import_torch():
    code = ("import sys, tui, tui.app; from tui.app import TextLatentApp; "
            "TextLatentApp(starters=False); "
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# -- pieces ----------------------------------------------------------------------------------
def test_slide_sections():
    slide = load_slide()
    titles = [s.title for s in slide.sections]
    assert titles == ["Overview", "Key Concepts", "Latent Space", "Encoding", "Decoding",
                      "How the Process Works", "1. Input Data", "2. Encode", "3. Transform",
                      "4. Decode", "Applications", "Generative vs Traditional Models", "FAQ"]
    stages = {s.title: s.stage for s in slide.sections if s.stage}
    assert stages == {"Latent Space": "encode", "Encoding": "encode", "Decoding": "decode",
                      "1. Input Data": "input", "2. Encode": "encode",
                      "3. Transform": "transform", "4. Decode": "decode"}
    process = slide.sections[titles.index("How the Process Works")]
    assert "### 3. Transform" in process.body and "modified or sampled" in process.body
    assert set(slide.step_blurbs()) == set(STAGES)
    tiny = parse_slide("# T\n\nsub\n\n## A\n\na\n\n```\n## not a heading\n```\n## B\n### c\nx\n")
    assert [s.title for s in tiny.sections] == ["A", "B", "c"] and tiny.subtitle == "sub"


def test_heatmap_glyphs_encode_sign_and_size_without_colour():
    assert glyph_for(-1.0, 0.5) == GLYPHS[0] and glyph_for(1.0, 0.5) == GLYPHS[-1]
    assert glyph_for(-0.01, 1.0) in "▃▄" and glyph_for(0.01, 1.0) in "▄▅"
    heights = [GLYPHS.index(glyph_for(v, 1.0)) for v in np.linspace(-1, 1, 17)]
    assert heights == sorted(heights)
    assert grid_shape(16, 38) == (16, 2)
    assert grid_shape(256, 74) == (64, 1)
    assert grid_shape(256, 38) == (32, 1)
    widget = LatentHeatmap()
    assert widget.index_at(0, 0) is None


# -- the bugs of the app's second pass (each failed before its fix) ---------------------------
@pytest.fixture
def builtin_model_dir_copy(tmp_path) -> Path:
    from textlatent.paths import builtin_model_path

    return Path(shutil.copytree(builtin_model_path(), tmp_path / "model"))


def main_screen(app):
    """The screen holding the stages."""
    return getattr(app, "main", app)


def fully_visible(app, widget) -> bool:
    """The widget is on screen with nothing clipped (no scrolling needed to read it)."""
    geometry = app.screen.find_widget(widget)
    region = geometry.region
    return region.height > 0 and region.intersection(geometry.clip) == region


@run_async
async def test_bug1_ctrl_c_says_how_to_quit_without_markup(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        main_screen(app).input_stage.sentences.focus()
        await pilot.press("ctrl+c")
        await pilot.pause()
        note = notes(app)[-1]
        assert "ctrl+q" in note and "[b]" not in note and "[/b]" not in note


@run_async
async def test_bug2_palette_has_one_screenshot_entry_that_saves_here(model, tmp_path):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        commands = list(app.get_system_commands(app.screen))
        shots = [c for c in commands if "screenshot" in c.title.lower()]
        assert len(shots) == 1
        assert "Keys" not in [c.title for c in commands]  # F1 help is the one key list
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*shots[0].title)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        await settle(pilot)
        assert len(list(tmp_path.glob("textlatent-*.svg"))) == 1


@pytest.fixture(scope="module")
def model_d512(tiny_model_dir, tmp_path_factory):
    """A tiny random network with the shipped model's D = 512: the latents take its room."""
    import torch

    from textlatent import load_model
    from textlatent.backends.gru import ModelConfig, SentenceAutoencoder, save_model_folder
    from textlatent.tokenizer import Tokenizer

    tok = tiny_model_dir / "tokenizer.model"
    torch.manual_seed(0)
    cfg = ModelConfig(vocab_size=Tokenizer(tok).vocab_size, emb_dim=16, enc_hidden=16,
                      latent_dim=512, dec_hidden=24, max_tokens=24)
    folder = tmp_path_factory.mktemp("d512") / "model"
    save_model_folder(folder, SentenceAutoencoder(cfg), tok, "tiny-d512")
    return load_model(folder)


@pytest.mark.parametrize("size", [(140, 45), (120, 40), (100, 30), (80, 24)])
@run_async
async def test_bug3_the_whole_path_is_on_screen(model_d512, size):
    app = TextLatentApp(model=model_d512)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        path = app.query_one("#decode-path")
        assert fully_visible(app, path), path.region
        assert path.region.height >= app.session.steps
        lines = rendered(path.content, width=path.content_region.width).splitlines()
        assert "B 1.00" in lines[-1] or "B 1.00" in "".join(lines[-3:])
        for figures in ("#transform-figures", "#encode-figures"):
            widget = app.query_one(figures)
            assert fully_visible(app, widget) or not widget.display
            assert "…" not in str(widget.render())
        screen.transform_stage.slider.focus()
        await pilot.press("end")
        await settle(pilot)
        assert app.session.t_index == app.session.steps - 1 and fully_visible(app, path)


@run_async
async def test_bug4_slider_axis_labels_never_run_together(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        slider = main_screen(app).transform_stage.slider
        slider.focus()
        for key in ["right", "right", "left", "home", "end"]:
            await pilot.press(key)
            await settle(pilot)
            axis = str(slider.render()).splitlines()[1]
            for label in axis.split():
                assert label in ("0", "1") or (label.startswith("0.") and len(label) <= 4), axis


@run_async
async def test_bug5_page_keys_turn_the_slide_from_either_list(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        panel = app.query_one(SlidePanel)
        for widget in (main_screen(app).input_stage.sentences,
                       app.query_one("#slide-contents")):
            widget.focus()
            await pilot.pause()
            start = panel.index
            await pilot.press("pagedown")
            await pilot.pause()
            assert panel.index == start + 1
            await pilot.press("pageup")
            await pilot.pause()
            assert panel.index == start


@run_async
async def test_bug6_delete_keeps_the_highlight_in_place(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        sentences = screen.input_stage.sentences
        texts = [e.text for e in app.session.entries]
        sentences.focus()
        sentences.highlighted = 1
        await pilot.press("delete")
        await settle(pilot)
        assert [e.text for e in app.session.entries] == texts[:1] + texts[2:]
        assert sentences.highlighted == 1
        await pilot.press("delete")
        await settle(pilot)
        assert [e.text for e in app.session.entries] == texts[:1] + texts[3:]
        shown = screen.encode_stage.heatmap.values
        np.testing.assert_allclose(shown, app.session.entries[1].latent)


@run_async
async def test_bug7_corrupt_model_says_so_in_every_stage(tmp_path, builtin_model_dir_copy):
    (builtin_model_dir_copy / "model.safetensors").write_bytes(
        (builtin_model_dir_copy / "model.safetensors").read_bytes()[:1000])
    app = TextLatentApp(model_path=builtin_model_dir_copy)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        assert app.load_error
        screen = main_screen(app)
        heat = str(screen.transform_stage.heatmap.render())
        caption = str(app.query_one("#decoded-caption").render())
        assert "encoding A and B" not in heat and "no model" in heat
        assert "pick A and B" not in caption and "no model" in caption


@run_async
async def test_bug10_emoji_variation_selectors_are_not_drawn(model):
    """☀️ is one cell in tmux, two in Rich: drawing it without U+FE0F keeps borders straight."""
    app = TextLatentApp(model=model, starters=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        main_screen(app).input_stage.input.value = "sunny ☀️ day"
        await pilot.press("enter")
        await settle(pilot)
        option = main_screen(app).input_stage.sentences.get_option_at_index(0)
        text = rendered(option.prompt, width=60)
        assert "☀" in text and "\ufe0f" not in text
        assert app.session.entries[0].text == "sunny ☀️ day"  # the model still gets it all


def test_bug11_model_without_a_subcommand_and_an_empty_model(capsys, tmp_path):
    from textlatent.cli import main

    assert main(["--model", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "not found" in err and "invalid choice" not in err
    assert main(["tui", "--model", ""]) == 2
    err = capsys.readouterr().err
    assert "empty" in err and "missing" not in err


# -- friction of the second pass ---------------------------------------------------------------
def hint_text(app) -> str:
    return str(app.query_one("#input-status").render())


@run_async
async def test_focus_hints_are_true_and_esc_leaves_the_input(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        screen = app.main
        assert app.focused is screen.input_stage.input and "Enter encodes" in hint_text(app)
        await pilot.press("p")  # in the input, p types
        assert screen.input_stage.input.value == "p"
        await pilot.press("backspace", "escape")
        await pilot.pause()
        assert app.focused is screen.input_stage.sentences
        assert "Enter makes it A" in hint_text(app)
        # a / b only act where the highlight they use is visible: in the list
        screen.transform_stage.slider.focus()
        await pilot.pause()
        a_before = app.session.a_id
        await pilot.press("a")
        await pilot.pause()
        assert app.session.a_id == a_before
        for number, widget in [(1, screen.input_stage.input), (2, screen.input_stage.sentences),
                               (3, screen.transform_stage.slider)]:
            if app.focused is screen.input_stage.input:
                await pilot.press("escape")
            await pilot.press(str(number))
            await pilot.pause()
            assert app.focused is widget
            assert screen.slide_panel.section.title.startswith(f"{number}.")
        await pilot.press("escape")  # back from the input for the next key
        panel_index = screen.slide_panel.index
        await pilot.press("7")  # 5-9 are not bound: nothing changes
        await pilot.pause()
        assert screen.slide_panel.index == panel_index


@run_async
async def test_enter_on_sentences_sets_a_then_b(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        sentences = app.main.input_stage.sentences
        sentences.focus()
        sentences.highlighted = 0
        await pilot.press("enter")
        sentences.highlighted = 1
        await pilot.press("enter")
        await settle(pilot)
        first, second = app.session.entries[:2]
        assert (app.session.a, app.session.b) == (first, second)
        assert app.main.decode_stage.decoded_text == expected_path(
            model, first.text, second.text)[4]


@run_async
async def test_delete_and_undo(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        texts = [e.text for e in app.session.entries]
        app.main.input_stage.sentences.focus()
        app.main.input_stage.sentences.highlighted = 2
        await pilot.press("delete")
        await settle(pilot)
        assert len(app.session.entries) == len(texts) - 1 and "u undoes" in notes(app)[-1]
        await pilot.press("u")
        await settle(pilot)
        assert [e.text for e in app.session.entries] == texts
        assert app.session.a.ready and app.main.decode_stage.decoded_text is not None


@run_async
async def test_export_asks_before_overwriting(model, tmp_path):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        target = tmp_path / "old.json"
        target.write_text("keep me")
        app.main.input_stage.sentences.focus()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-path").value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert target.read_text() == "keep me"
        assert "exists" in str(app.screen.query_one("#export-warning").render())
        await pilot.press("escape")
        await pilot.pause()
        assert target.read_text() == "keep me" and not isinstance(app.screen, ExportScreen)


@run_async
async def test_multi_line_paste_adds_each_line(model):
    from textual import events

    app = TextLatentApp(model=model, starters=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        field = app.main.input_stage.input
        field.post_message(events.Paste("the first line\n\n  the second line \nthe third\n"))
        await settle(pilot)
        assert [e.text for e in app.session.entries] == [
            "the first line", "the second line", "the third"]
        assert all(e.ready for e in app.session.entries) and field.value == ""
        field.post_message(events.Paste("just one line"))
        await pilot.pause()
        assert field.value == "just one line" and len(app.session.entries) == 3


@run_async
async def test_input_stage_shows_pieces_and_warns_on_non_english(model):
    app = TextLatentApp(model=model, starters=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pilot.press(*"the cat sat", "enter")
        await settle(pilot)
        pieces = model.pieces("the cat sat")
        shown = str(app.query_one("#input-pieces").render())
        assert f"{len(pieces)} tokens" in shown and pieces[0] in shown
        assert not app.session.entries[0].foreign
        app.main.input_stage.input.value = "你好世界"
        await pilot.press("enter")
        await settle(pilot)
        entry = app.session.entries[-1]
        assert entry.foreign and any("Not English?" in n for n in notes(app))
        row = rendered(app.main.input_stage.sentences.get_option_at_index(1).prompt)
        assert "⚠" in row


@run_async
async def test_method_toggle_shows_what_differs(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        figures = app.query_one("#transform-figures")
        a, b = app.session.a.latent, app.session.b.latent
        raw = float(np.linalg.norm(0.5 * a + 0.5 * b))
        before = str(figures.render())
        assert "slerp" in before and f"{raw:.3f}" in before
        app.main.input_stage.sentences.focus()
        await pilot.press("m")
        await settle(pilot)
        after = str(figures.render())
        assert after != before and "lerp: straight line" in after and f"{raw:.3f}" in after


@run_async
async def test_help_explains_the_symbols_and_notifications_are_short(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.main.input_stage.sentences.focus()
        await pilot.press("c", "p")
        await settle(pilot)
        assert all(n.timeout <= 6 for n in app._notifications)
        await pilot.press("f1")
        await pilot.pause()
        text = app.screen._markdown
        for symbol in ("✓", "•", "cos(z,A)", "cos(A,B)", "▁", "⚠", "‖(1−t)A+tB‖"):
            assert symbol in text


@run_async
async def test_drawing_never_starts_work_and_a_new_path_key_does(model):
    app = TextLatentApp(model=model)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        started = []
        original = app.decode_path
        app.decode_path = lambda key, path: started.append(key) or original(key, path)
        for _ in range(3):
            app.main.redraw()
        app.session.set_index(2)  # a slider move picks from the decoded path: no work
        await settle(pilot)
        assert started == []
        app.session.toggle_method()
        await settle(pilot)
        assert started == [app.session.path_key] and app.main.path_key == started[0]
        assert app.main.decode_stage.decoded_text == app.session.path_texts[2]


@run_async
async def test_a_late_session_change_while_the_screen_is_torn_down_draws_nothing(model):
    """A worker's result can land while the app closes and the stages are already gone: the
    session still takes it, and the screen does not try to draw stages that are not there."""
    from tui.widgets.input_stage import InputStage

    app = TextLatentApp(model=model, starters=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await app.main.query_one(InputStage).remove()
        app.session.changed()  # before the fix: NoMatches from the redraw
        await pilot.pause()
        assert app.return_code is None and app._exception is None
