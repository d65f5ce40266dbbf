"""The Transform stage's modes in the real app under Pilot: blend, variations, sample,
arithmetic, edit; the Decode stage's choices, fidelity, nearest sentences and `n`.

Mechanics on the tiny random model (its texts are gibberish, but the app must show exactly
what the library makes of the same latents); behaviour on the shipped model (slow).
"""

from __future__ import annotations

import io
import re
import warnings

import numpy as np
import pytest
from helpers import EXTRAS_TEXTS, folder_with_extras, run_async, settle
from rich.console import Console

from textlatent import directions, transforms
from textlatent.fidelity import DEFAULT, GREEDY, decode_verified
from textlatent.latent import normalize
from tui.app import TextLatentApp
from tui.decoding import decode_defaults, row_budgets

pytestmark = pytest.mark.usefixtures("one_torch_thread", "app_isolated")


QUESTION = re.compile(r"\?|^(do|does|did|is|are|was|were|can|could|will|would|has|have)\b")




def rendered(renderable, width: int = 300) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), force_terminal=False)
    console.print(renderable)
    return console.export_text()


def caption(app) -> str:
    return str(app.query_one("#decoded-caption").render())


def notes(app) -> str:
    return "\n".join(f"{n.title}|{n.message}" for n in app._notifications)


def make_direction(model, name: str = "longer") -> directions.Direction:
    """A real direction for `model`, built and saved where the app looks for user ones."""
    pos = model.encode(["the cat sat on the big red mat", "the dog slept on the long rug"])
    neg = model.encode(["the cat sat", "the dog slept"])
    d = directions.build(name, pos, neg, "more words", 1.0, model.name)
    directions.save(d, directions.user_folder(model.name))
    return d


async def start(pilot) -> None:
    await settle(pilot)
    await pilot.press("escape")  # leave the input: keys work
    await pilot.pause()


@run_async
async def test_t_walks_every_mode_each_shows_rows_or_says_what_it_needs(tiny_model):
    app = TextLatentApp(model=tiny_model)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot)
        session = app.session
        assert session.transform == "blend" and len(session.path_texts) == 9
        await pilot.press("t")
        await settle(pilot)
        assert session.transform == "vary"
        source = session.selected
        z = transforms.get("vary").latents({"source": source.latent}, {})
        assert session.path_texts == tiny_model.decode(z)
        assert "Variations" in str(app.main.transform_stage.border_title)
        await pilot.press("t")
        await settle(pilot)
        # the tiny model ships no prior: one clear line, no traceback
        assert session.transform == "sample" and session.path is None
        assert "latent prior" in caption(app)
        await pilot.press("t")
        await settle(pilot)
        assert session.transform == "arithmetic" and "+ or −" in caption(app)
        await pilot.press("t")
        await settle(pilot)
        assert session.transform == "edit" and "no attribute directions" in caption(app)
        await pilot.press("t")
        await settle(pilot)
        assert session.transform == "blend" and len(session.path_texts) == 9


@run_async
async def test_every_mode_from_the_palette(tiny_model):
    app = TextLatentApp(model=tiny_model)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for name in transforms.names():
            title = f"Transform: {'variations' if name == 'vary' else name}"
            assert title in titles
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*title)
            await pilot.pause(0.3)
            await pilot.press("enter")
            await settle(pilot)
            assert app.session.transform == name


@run_async
async def test_variations_form_seed_and_adding_a_decoded_text(tiny_model):
    app = TextLatentApp(model=tiny_model)
    async with app.run_test(size=(140, 45)) as pilot:
        await start(pilot)
        session = app.session
        app.main.action_mode("vary")
        await pilot.press("o")  # the settings form: Count, Radius, Seed
        await pilot.press("up")  # Count 8 -> 9
        await pilot.press("right", "up", "up")  # Radius 0.70 -> 0.80
        await settle(pilot)
        assert session.params["n"] == 9 and session.params["radius"] == pytest.approx(0.8)
        z = transforms.get("vary").latents({"source": session.selected.latent},
                                           {"n": 9, "radius": 0.8, "seed": 0})
        first = tiny_model.decode(z)
        assert session.path_texts == first
        assert len(session.path_fidelity) == 9
        assert [r.label for r in session.rows()] == [f"v{i}" for i in range(1, 10)]
        assert "v9" in rendered(app.query_one("#decode-path").content)
        await pilot.press("escape")  # leaves the form for the sentence list
        assert app.focused is app.main.input_stage.sentences
        await pilot.press("r")  # a new seed, new variations; back to seed 0: the same ones
        await settle(pilot)
        assert session.params["seed"] == 1
        app.main.transform_stage.form.focus()
        await pilot.press("right", "down")  # Seed 1 -> 0
        await settle(pilot)
        assert session.params["seed"] == 0 and session.path_texts == first
        app.main.input_stage.sentences.focus()
        await pilot.press("right", "right")  # the list does not eat ←/→: the current row moves
        count = len(session.entries)
        text = session.current_text
        await pilot.press("n")
        await settle(pilot)
        # the tiny model cuts long gibberish to its token limit, as for a typed sentence
        assert len(session.entries) == count + 1
        assert session.entries[-1].text == tiny_model.fit(text)
        assert session.entries[-1].ready


@run_async
async def test_arithmetic_from_plus_and_minus_in_the_list(tiny_model):
    app = TextLatentApp(model=tiny_model, starters=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for text in ("the cat sat", "the cat", "the dog"):
            await pilot.press(*text, "enter")
        await settle(pilot)
        sentences = app.main.input_stage.sentences
        sentences.focus()
        for row, key in ((0, "plus"), (1, "minus"), (2, "plus")):
            sentences.highlighted = row
            await pilot.press(key)
        await settle(pilot)
        session = app.session
        assert session.transform == "arithmetic"
        assert [w for _, w in session.terms] == [1.0, -1.0, 1.0]
        za, zb, zc = (e.latent for e in session.entries)
        assert session.path_texts == tiny_model.decode(normalize(za - zb + zc)[None])
        ends = str(app.query_one("#transform-ends").render())
        assert "+1·the cat sat −1·the cat +1·the dog" in ends
        # the same sentence subtracted again: weight −2
        sentences.highlighted = 1
        await pilot.press("minus")
        await settle(pilot)
        assert session.terms[1][1] == -2.0
        await pilot.press("o", "right", "up", "up")  # t2's weight in the form: −2 -> −1.5
        await settle(pilot)
        assert [w for _, w in session.terms] == [1.0, -1.5, 1.0]
        assert session.path_texts == tiny_model.decode(normalize(za - 1.5 * zb + zc)[None])
        await pilot.press("escape", "x")
        await settle(pilot)
        assert session.terms == [] and "+ or −" in caption(app)


@run_async
async def test_edit_with_a_direction_and_its_strength(tiny_model):
    d = make_direction(tiny_model)
    app = TextLatentApp(model=tiny_model)
    async with app.run_test(size=(140, 45)) as pilot:
        await start(pilot)
        session = app.session
        assert "longer" in session.extras.directions
        app.main.action_mode("edit")
        await settle(pilot)
        source = session.selected
        assert session.path_texts == tiny_model.decode(d.apply(source.latent, 1.0)[None])
        await pilot.press("o", "right", "up")  # Strength auto (1) -> 1.25
        await settle(pilot)
        assert session.params["strength"] == pytest.approx(1.25)
        assert session.path_texts == tiny_model.decode(d.apply(source.latent, 1.25)[None])
        assert "longer" in str(app.query_one("#transform-ends").render())


@run_async
async def test_decoding_choices_greedy_beam_sampled(tiny_model):
    app = TextLatentApp(model=tiny_model)
    async with app.run_test(size=(140, 45)) as pilot:
        await start(pilot)
        session = app.session
        path = session.path.copy()
        assert session.decoding["how"] == "auto"
        await pilot.press("d", "up", "up", "up")  # auto -> greedy -> verified -> beam
        await settle(pilot)
        assert session.decoding["how"] == "beam"
        assert session.path_texts == tiny_model.decode(path, beam=4)
        assert "beam 4" in str(app.main.decode_stage.border_title)
        await pilot.press("up")  # sampled: temperature, top-p, seed appear in the form
        await settle(pilot)
        fields = [f.key for f in app.main.decode_stage.form.fields]
        assert fields == ["how", "temperature", "top_p", "seed"]
        want = tiny_model.decode(path, temperature=0.7, top_p=0.9, seed=0)
        assert session.path_texts == want
        with warnings.catch_warnings():  # gibberish over the tiny model's limit is cut
            warnings.simplefilter("ignore")
            scored = tiny_model.encode(want)
        np.testing.assert_allclose(session.path_fidelity,
                                   np.einsum("nd,nd->n", normalize(path), scored), atol=1e-5)
        assert "sampled T=0.7 p=0.9 seed 0" in caption(app)


def test_row_budgets_auto_corrects_only_sentences_encodings():
    """auto: a blend's two ends (sentences' encodings) get the library's default decode, every
    other row (blend middles, any other transform's rows) one greedy decode; verified corrects
    every row; beam and sampled are not budgeted (one batched call)."""
    options = decode_defaults()
    assert options["how"] == "auto"
    assert row_budgets(options, 5, blend=True) == [DEFAULT, GREEDY, GREEDY, GREEDY, DEFAULT]
    assert row_budgets(options, 5, blend=False) == [GREEDY] * 5
    assert row_budgets({**options, "how": "verified"}, 3, blend=False) == [DEFAULT] * 3
    assert row_budgets({**options, "how": "greedy"}, 3, blend=True) == [GREEDY] * 3
    assert row_budgets({**options, "how": "beam"}, 3, blend=True) is None
    assert row_budgets({**options, "how": "sampled"}, 3, blend=False) is None


def same_decodes(got, want) -> bool:
    """The same texts and tries; fidelities equal up to float noise (rows decode in batches of
    whatever size the path decoder picks)."""
    return [(d.text, [(s.source, s.text) for s in d.attempts]) for d in got] == \
        [(d.text, [(s.source, s.text) for s in d.attempts]) for d in want] and \
        np.allclose([d.fidelity for d in got], [d.fidelity for d in want], atol=1e-5)


@run_async
async def test_variations_verified_corrects_every_row(tiny_model):
    app = TextLatentApp(model=tiny_model)
    async with app.run_test(size=(140, 45)) as pilot:
        await start(pilot)
        session = app.session
        app.main.action_mode("vary")
        await settle(pilot)
        z = session.path.copy()
        greedy = decode_verified(tiny_model, z, GREEDY)
        # auto: these rows are no sentence's encoding, so one greedy decode each
        assert same_decodes(session.path_decoded, greedy)
        session.set_decoding("how", "verified")
        await settle(pilot)
        want = decode_verified(tiny_model, z, DEFAULT)
        assert same_decodes(session.path_decoded, want)
        assert session.path_texts == [d.text for d in want]
        assert any(len(d.attempts) > 1 for d in want)  # the tiny model's rows need rounds
        assert "verified" in str(app.main.decode_stage.border_title)


@run_async
async def test_bad_input_gives_a_line_in_the_stage_never_a_traceback(tiny_model):
    app = TextLatentApp(model=tiny_model)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot)
        await pilot.press("ctrl+l", "ctrl+l")  # no sentences at all
        await settle(pilot)
        for name, says in (("vary", "highlight a sentence"), ("edit", "highlight a sentence"),
                           ("arithmetic", "+ or −"), ("sample", "latent prior"),
                           ("blend", "pick A and B")):
            app.main.action_mode(name)
            await settle(pilot)
            assert says in str(app.main.transform_stage.heatmap.render()), name
        await pilot.press("n")
        await pilot.pause()
        assert "No decoded text here yet" in notes(app)
        await pilot.press("i")  # a sentence typed: one end only, blend still waits
        app.main.input_stage.input.focus()
        await pilot.press(*"just one", "enter")
        await settle(pilot)
        assert app.session.waiting_for == "ends"
        await pilot.press("escape", "t")  # variations of that one sentence do work
        await settle(pilot)
        assert app.session.transform == "vary" and len(app.session.path_texts) == 8


@pytest.mark.slow
@run_async
async def test_shipped_model_every_mode(builtin_model):
    """The shipped model with its folder's prior, index and directions."""
    app = TextLatentApp(model=builtin_model, starters=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pilot.press(*"the cat sat on the mat", "enter", *"the dog slept on the rug",
                          "enter")
        await settle(pilot)
        session = app.session
        extras = session.extras
        assert extras.prior is not None and extras.index is not None
        assert {"question", "negation", "past"} <= set(extras.directions)
        # blend: the ends come back, the neighbours of the middle are real sentences
        assert session.path_texts[0] == "the cat sat on the mat"
        assert "nearest real sentences" in await neighbors_shown(pilot)
        app.main.input_stage.sentences.focus()
        app.main.input_stage.sentences.highlighted = 0
        await pilot.press("t")  # variations at the default radius: some differ, all words
        await settle(pilot)
        texts = session.path_texts
        assert len(texts) == 8 and any(t != "the cat sat on the mat" for t in texts)
        app.main.input_stage.sentences.highlighted = 1  # "the dog slept on the rug"
        app.main.action_mode("edit")  # the shipped `question` direction
        await settle(pilot)
        assert session.direction == "question"
        d = extras.directions["question"]
        source = session.selected
        assert len(d.strengths) > 1  # one row for each strength the critic tries
        want = builtin_model.decode(np.stack([d.apply(source.latent, k) for k in d.strengths]))
        assert session.path_texts == want
        assert any(QUESTION.search(t) for t in want), want  # a question word or mark
        # the critic's scores: the rows' texts encoded again, scored as `textlatent edit` does
        from textlatent.edits import scores

        z = np.repeat(source.latent[None].astype(np.float64), len(want), axis=0)
        offset = np.repeat(d.offset(z[:1], [source.text]), len(want), axis=0)
        attribute, content = scores(d, z, builtin_model.encode(want), offset)
        shown = rendered(app.query_one("#transform-figures").content)
        here = session.t_index
        assert f"attribute {attribute[here]:.2f} · content {content[here]:.2f}" in shown
        assert "critic picks x" in shown, shown
        app.main.action_mode("sample")
        await settle(pilot)
        assert len(session.path_texts) == 8 and all(t.strip() for t in session.path_texts)
        app.main.action_mode("arithmetic")
        app.main.input_stage.sentences.highlighted = 0
        await pilot.press("plus")
        await settle(pilot)
        assert session.path_texts == ["the cat sat on the mat"]
        assert session.path_fidelity[0] >= 0.9999
        assert "✓" in rendered(app.query_one("#decode-path").content)


@run_async
async def test_copy_and_export_carry_the_current_transform(tiny_model, tmp_path):
    import json

    app = TextLatentApp(model=tiny_model)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot)
        app.main.action_mode("vary")
        await settle(pilot)
        app.main.transform_stage.form.focus()  # not the list: `c` copies the current row
        await pilot.pause()
        app.main.action_copy_latent()
        data = json.loads(app.clipboard)
        assert data["kind"] == "vary" and data["row"] == "v1"
        assert data["texts"] == [app.session.current_text] and len(data["latents"][0]) == 16
        path = app.export_session(tmp_path / "s.json")
        saved = json.loads(path.read_text(encoding="utf-8"))
        assert saved["transform"]["name"] == "vary"
        assert saved["transform"]["texts"] == app.session.path_texts
        assert saved["transform"]["labels"] == [f"v{i}" for i in range(1, 9)]


async def neighbors_shown(pilot) -> str:
    """Wait until the current point's nearest sentences are drawn (they follow a short rest)."""
    app = pilot.app
    stage = app.main.decode_stage
    for _ in range(100):
        await settle(pilot)
        if stage._neighbors[0] is not None and \
                stage._neighbors[0] == stage.neighbors_key(app.session):
            return str(app.query_one("#decode-neighbors").render())
        await pilot.pause(0.05)
    raise AssertionError("the nearest sentences never came")


@pytest.fixture
def tiny_folder_with_extras(tiny_model_dir, tiny_model, tmp_path):
    """A copy of the tiny model's folder with what `textlatent index build` writes into it."""
    folder = folder_with_extras(tiny_model_dir, tiny_model, tmp_path / "tiny-with-extras")
    return folder, EXTRAS_TEXTS


@run_async
async def test_a_model_folder_with_an_index_and_a_prior(tiny_folder_with_extras, tiny_model):
    folder, texts = tiny_folder_with_extras
    app = TextLatentApp(model_path=folder)
    async with app.run_test(size=(140, 45)) as pilot:
        await start(pilot)
        session = app.session
        assert session.extras.index is not None and session.extras.prior is not None
        shown = await neighbors_shown(pilot)
        found = session.extras.index.search(session.current_latent, k=3)[0]
        assert "nearest real sentences" in shown
        for n in found:
            assert f"{n.cos:.2f} {n.text}" in shown
        app.main.action_mode("sample")  # the tiny model's own prior: samples, same seed
        await settle(pilot)
        z = transforms.get("sample").latents({"prior": session.extras.prior}, {"seed": 0})
        assert session.path_texts == tiny_model.decode(z)
        await pilot.press("right")
        shown = await neighbors_shown(pilot)
        assert session.extras.index.search(session.current_latent, k=1)[0][0].text in shown
