"""The app as a learner meets it, under Pilot on the tiny model: what scrolls into view, how a
burst of keys counts, what focus looks like, which warnings and notifications show."""

from __future__ import annotations

import io
import json
import warnings

import pytest
from helpers import burst, in_view, run_async, run_cli, screen_lines, settle
from rich.console import Console

from tui.app import TextLatentApp

pytestmark = pytest.mark.usefixtures("one_torch_thread", "app_isolated")


def notes(app) -> list[str]:
    return [f"{n.title}|{n.message}" for n in app._notifications]


def highlight_in_view(app) -> bool:
    lst = app.main.input_stage.sentences
    index = lst.highlighted
    return in_view(lst, lst._index_to_line[index], lst._heights[index])


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
@run_async
async def test_the_highlighted_and_the_newest_sentence_are_scrolled_into_view(tiny_model, size):
    app = TextLatentApp(model=tiny_model)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for text in ("the cat sat on the mat and looked at the small dog", "the dog ran"):
            await pilot.press(*text, "enter")
            await settle(pilot)
            assert highlight_in_view(app), text  # a new row is shown whole
        await pilot.press("escape", "home")
        await settle(pilot)
        assert app.session.selected is app.session.entries[0] and highlight_in_view(app)
        await pilot.press("end")
        await settle(pilot)
        assert app.session.selected is app.session.entries[-1] and highlight_in_view(app)
        assert any("the dog ran" in line and "z(" not in line for line in screen_lines(app))


@run_async
async def test_each_enter_of_a_burst_encodes_what_was_typed_before_it(tiny_model):
    """A paste without bracketed paste arrives as keys: one sentence per Enter."""
    app = TextLatentApp(model=tiny_model, starters=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        burst(app, *"The fish swims.", "enter", *"The fish sleeps.", "enter", *"and")
        await settle(pilot)
        assert [e.text for e in app.session.entries] == ["The fish swims.", "The fish sleeps."]
        assert app.main.input_stage.input.value == "and"


@run_async
async def test_every_key_of_a_burst_steps_a_form(tiny_model):
    app = TextLatentApp(model=tiny_model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("escape", "o")
        await settle(pilot)
        burst(app, "up", "up", "up")
        await settle(pilot)
        assert app.session.steps == 12
        # arithmetic weights: two presses, two notches
        app.main.input_stage.sentences.focus()
        await pilot.press("plus")
        await settle(pilot)
        app.main.transform_stage.form.focus()
        await pilot.pause()
        burst(app, "down", "down")
        await settle(pilot)
        assert app.session.terms[0][1] == pytest.approx(0.5)
        # the decoding choices too
        app.main.action_focus_decoding()
        await pilot.pause()
        burst(app, "up", "up")
        await settle(pilot)
        assert app.session.decoding["how"] == "verified"


@pytest.mark.parametrize("no_color", [False, True])
@run_async
async def test_focus_is_marked_without_colour(tiny_model, monkeypatch, no_color):
    """The focused area's border differs in its line style, not only its colour, and the
    stage the slide lights up is marked another way again."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = TextLatentApp(model=tiny_model)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        main = app.main
        lit = main.query_one("#stage-decode")
        lit.set_highlight(True)
        await pilot.pause()
        kinds = {s.id: s.styles.border_top[0]
                 for s in (main.input_stage, main.encode_stage, lit)}
        assert kinds["stage-input"] != kinds["stage-encode"] != kinds["stage-decode"]
        assert kinds["stage-input"] != kinds["stage-decode"]
        panel = main.slide_panel
        before = panel.styles.border_top[0]
        main.query_one("#slide-contents").focus()
        await pilot.pause()
        assert panel.styles.border_top[0] != before
        focused = [line for line in screen_lines(app) if "▶" in line and "Input" in line]
        assert focused or kinds["stage-input"] in ("double", "thick", "heavy")


@pytest.mark.parametrize("width", [80, 100])
@run_async
async def test_the_footer_has_no_stray_characters_and_says_how_to_show_the_slide(tiny_model,
                                                                                  width):
    app = TextLatentApp(model=tiny_model)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        footer = screen_lines(app)[-1]
        assert "▏" not in footer and "palettei" not in footer, footer
        assert "s Slide" in footer, footer
        if width >= 100:
            assert "m Method" in footer  # blend's own keys, in blend
        await pilot.press("t")
        await settle(pilot)
        footer = screen_lines(app)[-1]
        assert "m Method" not in footer and "t−" not in footer, footer


@run_async
async def test_a_sentence_in_another_language_gets_the_english_only_warning(tiny_model):
    app = TextLatentApp(model=tiny_model, starters=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"Le chat est assis sur le tapis et il dort.", "enter")
        await settle(pilot)
        entry = app.session.entries[-1]
        assert entry.foreign
        assert any("Not English?" in n for n in notes(app))
        assert any("only knows English" in line for line in screen_lines(app))
        await pilot.press(*"The cat sat on the mat.", "enter")
        await settle(pilot)
        assert not app.session.entries[-1].foreign


@run_async
async def test_clear_takes_its_question_away_when_done(tiny_model):
    app = TextLatentApp(model=tiny_model)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("escape", "ctrl+l")
        await pilot.pause()
        assert any(n.startswith("Clear?|") for n in notes(app))
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert not app.session.entries
        assert not any(n.startswith("Clear?|") for n in notes(app)), notes(app)
        assert any("Cleared" in n for n in notes(app))


@run_async
async def test_a_warning_raised_in_a_worker_goes_to_the_app_not_the_terminal(tiny_model, capsys):
    """The library's truncation warning, raised in a thread worker as the neighbours' re-ranking
    raises it, is a notification; nothing is printed (it would show after ctrl+q)."""
    app = TextLatentApp(model=tiny_model, starters=False)
    long = " ".join(["the cat sat on the mat"] * 12)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            app.run_worker(lambda: tiny_model.encode([long]), thread=True)
            await settle(pilot)
        assert any("TruncationWarning|" in n and "tokens" in n for n in notes(app)), notes(app)
    _, err = capsys.readouterr()
    assert "warning" not in err.lower(), err


@run_async
async def test_the_latent_w_saves_is_read_by_decode(tiny_model, tiny_model_dir, tmp_path, capsys):
    app = TextLatentApp(model=tiny_model)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.main.transform_stage.slider.focus()
        await pilot.press("w")
        await pilot.pause()
        blend = app.session.current_latent.copy()
        app.main.input_stage.sentences.focus()
        await pilot.press("w")
        await pilot.pause()
        session_file = app.export_session(tmp_path / "session.json")
    saved = sorted(tmp_path.glob("textlatent-latent-*.json"))
    assert len(saved) == 2, "two saves in one second keep both files"
    for path in [*saved, session_file]:
        code, out, err = run_cli(capsys, "decode", str(path), "--model", str(tiny_model_dir),
                                 "--decode", "greedy", "--json")
        assert code == 0, err
        texts = json.loads(out)["texts"]
        assert texts and all(isinstance(t, str) for t in texts)
    data = next(d for d in map(json.loads, (p.read_text() for p in saved))
                if d["kind"] == "blend")
    assert data["latents"][0] == pytest.approx(blend.tolist(), abs=1e-5)
    # encode --json is the same format
    code, out, _ = run_cli(capsys, "encode", "the cat sat", "--model", str(tiny_model_dir),
                           "--json")
    assert {"model", "dim", "texts", "latents"} <= set(json.loads(out)) <= set(data) | {"dim"}


@run_async
async def test_identical_variations_are_listed_once_with_their_count(tiny_model):
    """Radius 0: every variation is the source's own latent, so every row reads the same."""
    app = TextLatentApp(model=tiny_model, starters=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"the cat sat on the mat", "enter", "escape")
        await settle(pilot)
        with app.session.batch():  # one decode to wait for
            app.session.set_transform("vary")
            app.session.set_param("radius", 0.0)
        await settle(pilot)
        texts = app.session.path_texts
        assert len(texts) == 8 and len(set(texts)) == 1
        console = Console(width=200, record=True, file=io.StringIO(), force_terminal=False)
        console.print(app.query_one("#decode-path").content)
        path = console.export_text().splitlines()
        assert len(path) == 1 and "▶ v1" in path[0] and path[0].rstrip().split()[-2] == "×8", path
