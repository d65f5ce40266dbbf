"""The app's fidelity marks, the correction rounds on show, the model line in the header, a path
that fills in row by row on a slow model, and the app on the hf backend's stand-in."""

from __future__ import annotations

import io
import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import run_async, settle
from rich.console import Console

from textlatent import blend_path
from textlatent.decode_spec import DecodeSpec
from textlatent.fidelity import (
    DEFAULT,
    PATH_MIDDLE,
    VERIFIED_AT,
    decode_path,
    decode_verified,
    path_budgets,
)
from tui.app import TextLatentApp
from tui.export import session_document
from tui.path_decoder import batch_size, decode_progressively, nearest
from tui.session import Session
from tui.text import fidelity_mark

ROOT = Path(__file__).resolve().parents[2]
HF_TINY = ROOT / "tests" / "data" / "hf_tiny"
# Greedy decoding gets this held-out sentence's words in the wrong order; the default decode's
# correction rounds (fidelity.DEFAULT: 3) bring it back, in 2 rounds.
NEEDS_ROUNDS = ("the employers, initially taken by surprise at the pace of developments, "
                "regained their second wind")

pytestmark = pytest.mark.usefixtures("one_torch_thread", "app_isolated")




def shown(app, selector: str, width: int = 200) -> str:
    """What a Static shows, as plain text."""
    console = Console(width=width, record=True, file=io.StringIO(), force_terminal=False)
    console.print(app.query_one(selector).content)
    return console.export_text()


def list_row(app, index: int) -> str:
    option = app.main.input_stage.sentences.get_option_at_index(index)
    console = Console(width=120, record=True, file=io.StringIO(), force_terminal=False)
    console.print(option.prompt)
    return console.export_text()


# -- the mark ------------------------------------------------------------------------------------
def test_fidelity_mark_is_a_tick_when_verified_else_the_number_rounded_down():
    assert fidelity_mark(1.0) == "✓" and fidelity_mark(VERIFIED_AT) == "✓"
    assert fidelity_mark(0.978) == "0.97"
    assert fidelity_mark(0.99989) == "0.99"  # never "1.00" for a text that does not verify
    assert fidelity_mark(-0.123) == "-0.13"
    assert fidelity_mark(None) == "" and fidelity_mark(math.nan) == ""


# -- the path, row by row --------------------------------------------------------------------
def test_nearest_rows_come_first():
    assert nearest([0, 1, 2, 3, 4, 5, 6, 7, 8], 4, 3) == [4, 3, 5]
    assert nearest([0, 8], 7, 1) == [8]
    assert nearest([2, 3], 0, 0) == [2]


def test_path_budgets_correct_only_sentence_ends():
    assert path_budgets(4) == [DEFAULT, PATH_MIDDLE, PATH_MIDDLE, DEFAULT]
    assert path_budgets(1) == [DEFAULT]
    assert DecodeSpec().row_budgets(3, "none") == [PATH_MIDDLE] * 3


def test_progressive_decode_equals_the_library_path_decode(tiny_model):
    z = tiny_model.encode(["the cat sat on the mat", "a dog ran home"])
    path = blend_path(z[0], z[1], 9, "slerp")
    calls: list[list[int]] = []
    got: dict = {}

    def emit(rows):
        calls.append(sorted(rows))
        got.update(rows)

    # update_s=0: one row per call, the slider's row (6) first, then outwards from it
    took = decode_progressively(tiny_model, path, emit=emit, current=lambda: 6, update_s=0)
    assert took is not None and took > 0
    assert calls == [[6], [5], [7], [4], [8], [3], [2], [1], [0]]
    want = decode_path(tiny_model, path)
    assert [got[i].text for i in range(9)] == [d.text for d in want]
    np.testing.assert_allclose([got[i].fidelity for i in range(9)],
                               [d.fidelity for d in want], atol=1e-5)
    assert len(got[0].attempts) == DEFAULT.rounds + 1  # tiny random model: the ends never verify
    assert len(got[4].attempts) == 1  # the middle: one greedy decode with its fidelity

    calls.clear()  # a fast model: the first row alone, then the rest in one batched call
    decode_progressively(tiny_model, path, emit=emit, current=lambda: 0, update_s=60)
    assert calls == [[0], list(range(1, 9))]
    calls.clear()  # ... and once its speed is known, the next path in one call
    decode_progressively(tiny_model, path, emit=emit, update_s=60, row_seconds=took)
    assert calls == [list(range(9))]
    calls.clear()  # a slow one: about update_s worth of rows per call
    decode_progressively(tiny_model, path, emit=emit, current=lambda: 4, update_s=0.35,
                         row_seconds=0.1)
    assert calls[0] == [3, 4, 5]


def test_batch_size_aims_at_the_update_interval():
    assert batch_size(None, 0.25, 9) == 1
    assert batch_size(0.001, 0.25, 9) == 9
    assert batch_size(0.1, 0.25, 9) == 2
    assert batch_size(2.0, 0.25, 9) == 1
    assert batch_size(0.0, 0.25, 9) == 9


def test_progressive_decode_stops_when_cancelled(tiny_model):
    z = tiny_model.encode(["the cat sat on the mat", "a dog ran home"])
    path = blend_path(z[0], z[1], 9, "slerp")
    calls = []
    took = decode_progressively(tiny_model, path, emit=calls.append, update_s=0,
                                cancelled=lambda: len(calls) >= 2)
    assert took is None and len(calls) == 2


def test_session_fills_the_path_in_and_knows_its_progress(tiny_model):
    session = Session()
    a, b = session.add("x"), session.add("y")
    z = tiny_model.encode(["the cat sat", "a dog ran"])
    with session.batch():
        session.set_encoded(a.id, latent=z[0], reconstruction="x")
        session.set_encoded(b.id, latent=z[1], reconstruction="y")
        session.set_end("a", a.id)
        session.set_end("b", b.id)
    key, decoded = session.path_key, decode_path(tiny_model, session.path)
    assert session.path_progress == (0, 9) and session.current_text is None
    assert session.set_path_rows(key, {4: decoded[4]})
    assert session.path_progress == (1, 9) and session.path_texts is None
    assert session.current_decoded == decoded[4]
    assert not session.set_path_rows(("stale",), {0: decoded[0]})
    assert not session.set_path_rows(key, {9: decoded[0]})
    assert session.set_path_rows(key, {i: d for i, d in enumerate(decoded) if i != 4})
    assert session.path_progress is None and session.path_texts == [d.text for d in decoded]
    data = session_document(session, {})
    assert data["blend"]["fidelity"] == [round(d.fidelity, 6) for d in decoded]


# -- the app on the tiny model -------------------------------------------------------------------
@run_async
async def test_header_names_backend_model_dim_and_parameters(tiny_model):
    app = TextLatentApp(model=tiny_model, starters=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.sub_title.startswith(f"{tiny_model.backend} · {tiny_model.name} · "
                                        f"D={tiny_model.dim} · ")
        assert app.sub_title.endswith(" params")
        assert app.sub_title in app.main.query_one("HeaderTitle").render().plain


@run_async
async def test_every_decoded_text_shows_its_fidelity(tiny_model):
    app = TextLatentApp(model=tiny_model, starters=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press(*"the cat sat on the mat", "enter", *"a dog ran home", "enter")
        await settle(pilot)
        entry = app.session.entries[0]
        want = decode_verified(tiny_model, tiny_model.encode(["the cat sat on the mat"]))[0]
        assert entry.reconstruction == want.text
        assert entry.fidelity == pytest.approx(want.fidelity, abs=1e-5)
        assert not want.verified  # the random model's decode is gibberish
        assert list_row(app, 0).split("\n")[0].rstrip().endswith(fidelity_mark(entry.fidelity))
        rows = shown(app, "#decode-path").splitlines()
        decoded = app.session.path_decoded
        assert len(rows) == 9 and all(d is not None for d in decoded)
        for line, d in zip(rows, decoded):
            assert line.rstrip().endswith(" " + fidelity_mark(d.fidelity))
        box = app.query_one("#decoded")
        assert box.border_subtitle == f"fidelity {fidelity_mark(decoded[4].fidelity)}"
        assert not box.border_title  # no "decoding k/9…" once every row is in
        blend = app.main._latent()  # what c / w copy and save
        assert blend["fidelity"] == [round(decoded[4].fidelity, 6)]  # one per latent
        app.main.input_stage.sentences.focus()
        await pilot.pause()
        sentence = app.main._latent()
        assert sentence["kind"] == "sentence"
        assert sentence["fidelity"] == [round(app.session.selected.fidelity, 6)]
        exported = session_document(app.session, {})
        assert [s["fidelity"] for s in exported["sentences"]] == \
            [round(e.fidelity, 6) for e in app.session.entries]
        await pilot.press("f1")
        await pilot.pause()
        help_text = app.screen._markdown
        assert "**Fidelity**" in help_text and "cos(z, encode(text))" in help_text


class SlowModel:
    """A real tiny model whose every decode call takes `delay` seconds longer, like a large
    model on a small machine."""

    def __init__(self, model, delay: float) -> None:
        self._model, self.delay = model, delay

    def decode(self, *args, **kwargs):
        time.sleep(self.delay)
        return self._model.decode(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._model, name)


@run_async
async def test_a_slow_model_fills_the_path_in_while_the_slider_moves(tiny_model):
    app = TextLatentApp(model=SlowModel(tiny_model, 0.12), starters=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press(*"the cat sat on the mat", "enter", *"a dog ran home", "enter")
        app.main.transform_stage.slider.focus()
        seen_partial = None
        for _ in range(2000):
            await pilot.pause(0.01)
            progress = app.session.path_progress
            if progress and 0 < progress[0] < 9:
                seen_partial = progress
                break
        assert seen_partial is not None, "the path never showed a partly decoded state"
        assert app.query_one("#decoded").border_title.startswith("decoding ")
        assert "…" in shown(app, "#decode-path")
        before = app.session.t_index
        await pilot.press("right")
        await pilot.pause()
        assert app.session.t_index == before + 1  # the slider answers while rows decode
        assert app.main.transform_stage.slider.index == before + 1
        assert app.session.path_progress is not None  # ... and the decode was still running
        await settle(pilot)
        assert app.session.path_progress is None
        a, b = app.session.a, app.session.b
        want = decode_path(tiny_model, blend_path(a.latent, b.latent, 9, "slerp"))
        assert app.session.path_texts == [d.text for d in want]
        assert app.main.decode_stage.decoded_text == want[before + 1].text


class BrokenModel(SlowModel):
    """A real tiny model whose decoding breaks down once `broken` is set."""

    broken = False

    def decode(self, latents, *args, **kwargs):
        if self.broken and len(latents) > 1:
            raise RuntimeError("the decoder ran out of memory")
        return super().decode(latents, *args, **kwargs)


@run_async
async def test_a_path_whose_decode_fails_says_so_and_stops_counting(tiny_model):
    model = BrokenModel(tiny_model, 0.0)
    app = TextLatentApp(model=model, starters=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press(*"the cat sat on the mat", "enter", *"a dog ran home", "enter")
        await settle(pilot)
        model.broken = True  # from now on a decode of more than one row fails
        app.main.transform_stage.slider.focus()
        await pilot.press("m")
        await settle(pilot)
        assert app.session.path_error == "the decoder ran out of memory"
        assert app.session.path_progress is None and app.session.path_texts is None
        assert app.query_one("#decoded").border_title == "decoding failed"
        assert any("Decoding failed: the decoder ran out of memory" in n.message
                   for n in app._notifications)
        model.broken = False
        await pilot.press("m")  # a new path starts afresh
        await settle(pilot)
        assert app.session.path_error is None and app.session.path_texts is not None
        assert not app.query_one("#decoded").border_title


# -- the shipped model ---------------------------------------------------------------------------
@pytest.mark.slow
@run_async
async def test_shipped_model_ticks_exact_sentences_and_numbers_blend_middles(builtin_model):
    app = TextLatentApp(model=builtin_model)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        a = app.session.a
        assert a.exact and a.fidelity >= VERIFIED_AT
        index = app.session.index_of(a.id)
        assert list_row(app, index).split("\n")[0].rstrip().endswith("✓")
        decoded = app.session.path_decoded
        rows = shown(app, "#decode-path").splitlines()
        assert decoded[0].verified and rows[0].rstrip().endswith("✓")
        middle = decoded[4]
        assert not middle.verified and 0 < middle.fidelity < VERIFIED_AT
        assert rows[4].rstrip().endswith(" " + fidelity_mark(middle.fidelity))
        assert app.query_one("#decoded").border_subtitle == \
            f"fidelity {fidelity_mark(middle.fidelity)}"
        app.session.set_index(0)
        await pilot.pause()
        assert app.query_one("#decoded").border_subtitle == "✓ verified"


@pytest.mark.slow
@run_async
async def test_encode_stage_shows_the_correction_rounds(builtin_model):
    app = TextLatentApp(model=builtin_model, starters=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press(*"the dog barked all night", "enter")
        await settle(pilot)
        simple = shown(app, "#encode-rounds")
        assert "greedy" in simple and "✓ verified" in simple and "round" not in simple
        app.main.input_stage.input.value = NEEDS_ROUNDS
        await pilot.press("enter")
        await settle(pilot)
        entry = app.session.entries[-1]
        assert entry.exact and entry.fidelity >= VERIFIED_AT and len(entry.attempts) > 1
        assert entry.attempts[0].source == "greedy" and entry.attempts[0].text != NEEDS_ROUNDS
        text = shown(app, "#encode-rounds", width=220)
        lines = [" ".join(line.split()) for line in text.splitlines()]
        greedy = next(line for line in lines if line.startswith("greedy "))
        assert fidelity_mark(entry.attempts[0].fidelity) in greedy
        assert entry.attempts[0].text[:30] in greedy
        last = entry.attempts[-1]
        assert any(line.startswith(f"{last.source} ✓ {NEEDS_ROUNDS[:30]}") for line in lines)
        assert f"kept {last.source}: ✓ verified" in text
        # the list row: verified, so ✓ and no → line
        assert list_row(app, len(app.session.entries) - 1).rstrip().endswith("✓")


# -- the hf backend's offline stand-in -------------------------------------------------------------
@pytest.fixture
def hf_offline(monkeypatch):
    pytest.importorskip("transformers", reason="the hf backend needs transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.mark.hf
@pytest.mark.usefixtures("hf_offline")
@run_async
async def test_app_starts_on_the_hf_stand_in():
    app = TextLatentApp(model_path=HF_TINY, trust_remote_code=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert app.load_error is None and app.model is not None
        model = app.model
        assert app.sub_title.startswith(f"hf · {model.name} · D={model.dim} · ")
        assert all(e.ready and e.fidelity is not None for e in app.session.entries)
        assert app.session.path_texts is not None and app.main.decode_stage.decoded_text
        assert len(shown(app, "#decode-path").splitlines()) == 9


@pytest.mark.hf
@pytest.mark.usefixtures("hf_offline")
@run_async
async def test_app_on_the_hf_stand_in_refuses_its_code_without_the_setting():
    app = TextLatentApp(model_path=HF_TINY)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert app.model is None and "trust-remote-code" in app.load_error
        assert "\n" not in app.load_error
        assert "refusing to run" in shown(app, "#error-panel")
        assert app.sub_title == "no model"


@pytest.mark.hf
@pytest.mark.slow
@pytest.mark.usefixtures("hf_offline")
def test_tui_bench_runs_on_the_hf_stand_in(capsys):
    from textlatent.cli import main

    code = main(["tui", "--bench", "--runs", "1", "--model", str(HF_TINY),
                 "--trust-remote-code"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["runs"] == 1 and data["model_ready_s"] > 0 and data["slider_key_ms"] > 0


def test_cli_tui_passes_the_hf_settings_through(monkeypatch):
    from textlatent.cli import main

    seen = {}

    def fake_run_app(model, **kwargs):
        seen.update(model=model, **kwargs)
        return 0

    monkeypatch.setattr("tui.app.run_app", fake_run_app)
    assert main(["tui", "--model", "hf:owner/name", "--trust-remote-code",
                 "--allow-download"]) == 0
    assert seen == {"model": "hf:owner/name", "trust_remote_code": True, "allow_download": True}
    assert main(["tui", "--model", str(HF_TINY)]) == 0
    assert seen["trust_remote_code"] is False and seen["allow_download"] is False


def test_an_hf_folder_or_id_passes_the_apps_folder_check():
    from tui.model_folder import check_model_folder

    assert check_model_folder(str(HF_TINY)) is None
    assert check_model_folder("hf:owner/name") is None
    assert "missing" in check_model_folder(str(ROOT / "tests" / "data"))
