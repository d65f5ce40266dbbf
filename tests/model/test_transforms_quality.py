"""Behaviour of each transform on the shipped model, with its shipped prior, index and
directions (slow: decodes with the real model)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import run_cli

from textlatent import directions, prior, transforms
from textlatent import index as index_mod
from textlatent.direction_sets import moved
from textlatent.evaluate import english_words, valid_word_counts
from textlatent.fidelity import GREEDY, decode_verified
from textlatent.paths import builtin_model_path

pytestmark = pytest.mark.slow


def valid_share(texts: list[str]) -> float:
    valid, total = valid_word_counts(texts, english_words())
    return valid / total


def test_vary_at_the_default_radius_gives_new_readable_sentences(builtin_model):
    source = "The children played in the park after school."
    z0 = builtin_model.encode([source])[0]
    z = transforms.get("vary").latents({"source": z0}, {"n": 16, "seed": 0})
    texts = [d.text for d in decode_verified(builtin_model, z, GREEDY)]
    assert sum(t != source for t in texts) >= 12
    assert len(set(texts)) >= 10
    assert valid_share(texts) >= 0.85
    # the variations stay near the source: their texts re-encode closer to it than chance
    assert (builtin_model.encode(texts) @ z0).mean() > 0.5


def test_arithmetic_moves_a_sentence_into_the_past(capsys):
    code, out, err = run_cli(capsys, "arithmetic", "She walks to school.", "-", "She walks.",
                             "+", "She walked.", "--json")
    assert code == 0, err
    assert json.loads(out)["text"] == "She walked to school."


def test_sample_near_real_latents_reads_like_english(builtin_model):
    p = prior.load(builtin_model_path())
    assert p.dim == builtin_model.dim
    z = transforms.get("sample").latents({"prior": p}, {"n": 24, "seed": 1})
    texts = builtin_model.decode(z)
    assert len(set(texts)) >= 20 and valid_share(texts) >= 0.85


def test_shipped_directions_and_question_edit(builtin_model, capsys):
    found = directions.available(builtin_model_path(), builtin_model.name)
    assert {"question", "negation", "past"} <= set(found)
    code, out, err = run_cli(capsys, "edit", "The dog is in the garden.", "--direction",
                             "question", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["chosen_by"] == "critic" and data["strength"] in found["question"].strengths
    assert moved("question", data["source"], data["text"]), data["text"]
    src = builtin_model.encode(["The house was very old.", "The men are at work."])
    texts = builtin_model.decode(found["negation"].apply(src))
    assert all(moved("negation", s, t) for s, t in
               zip(["The house was very old.", "The men are at work."], texts)), texts


def test_shipped_edits_on_lexical_verbs(builtin_model):
    """Do-support and past inflection from the shipped directions (dev set sentences)."""
    from textlatent.edits import edit

    found = directions.available(builtin_model_path(), builtin_model.name)
    for name, source, want in [
        ("negation", "We eat pizza every Friday.", "We do not eat pizza every Friday."),
        ("negation", "He bought a new car in the spring.",
         "He did not buy a new car in the spring."),
        ("question", "I know the answer.", "Do I know the answer?"),
        ("past", "Her brother works in a big office near the park.",
         "Her brother worked in a big office near the park."),
    ]:
        (r,) = edit(builtin_model, found[name], [source])
        assert r.text == want, (name, r.text)
        assert r.attribute >= 0.5 and 0 < r.content <= 1


def test_shipped_index_finds_its_own_sentences(builtin_model):
    idx = index_mod.load(builtin_model_path())
    assert 20_000 <= len(idx) <= 50_000 and idx.model == builtin_model.name
    picks = [idx.texts[i] for i in (3, 5000, 17000)]
    found = idx.search(builtin_model.encode(picks), k=3, model=builtin_model)
    for text, hits in zip(picks, found):
        assert hits[0].text == text and hits[0].cos == pytest.approx(1.0, abs=1e-3)
        assert hits[1].cos < hits[0].cos


def test_augment_on_the_shipped_model(tmp_path, capsys):
    src = tmp_path / "in.txt"
    src.write_text("The weather was cold and wet.\nI like reading books.\n")
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli(capsys, "augment", str(src), "-n", "4", "-o", str(out),
                           "--no-progress", "--decode", "greedy")
    assert code == 0, err
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 8
    assert sum(r["text"] != r["source"] for r in rows) >= 5
    assert np.mean([r["cos"] for r in rows]) > 0.5
