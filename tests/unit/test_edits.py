"""Edit pairs by rule, local offsets with cells, the critic's choice and the edit dev set."""

from __future__ import annotations

import numpy as np
import pytest

from textlatent import directions
from textlatent.edits import Candidate, choose, scores
from textlatent.pair_offsets import PairOffsets, Probe
from textlatent.transform_eval import edit_dev, same_edit

lemminflect = pytest.importorskip("lemminflect")

from textlatent import edit_pairs  # noqa: E402  (needs lemminflect at call time)


@pytest.mark.parametrize("plain, negation, question, past, cell", [
    ("Her brother works in a big office near the park.",
     "Her brother does not work in a big office near the park.",
     "Does her brother work in a big office near the park?",
     "Her brother worked in a big office near the park.", "lexical/present/singular"),
    ("We eat pizza every Friday.", "We do not eat pizza every Friday.",
     "Do we eat pizza every Friday?", "We ate pizza every Friday.", "lexical/present/plural"),
    ("The old man lost his hat in the wind.", "The old man did not lose his hat in the wind.",
     "Did the old man lose his hat in the wind?", None, "lexical/past/singular"),
    ("She has a dog at home.", "She does not have a dog at home.",
     "Does she have a dog at home?", "She had a dog at home.", "lexical/present/singular"),
    ("The dog is in the garden.", "The dog is not in the garden.", "Is the dog in the garden?",
     "The dog was in the garden.", "copula/present/singular"),
    ("You can swim in the lake.", "You cannot swim in the lake.", "Can you swim in the lake?",
     "You could swim in the lake.", "aux/present/plural"),
    ("They have seen the new film.", "They have not seen the new film.",
     "Have they seen the new film?", "They had seen the new film.", "aux/present/plural"),
])
def test_rule_pairs(plain, negation, question, past, cell):
    st = edit_pairs.parse(plain)
    assert st is not None and st.text == plain and st.cell == cell
    for name, want in (("negation", negation), ("question", question), ("past", past)):
        made = edit_pairs.MAKERS[name](st)
        assert made == want
        if made is not None:
            assert edit_pairs.check(name, st, made)


@pytest.mark.parametrize("sentence", [
    "The health and housing needs of our people call for programs.",  # no verb after subject
    "The dog is not in the garden.",  # already negated
    "Is the dog in the garden?",
    "They works in a big office.",  # no agreement
    "Tomorrow we eat pizza.",
    "He says nothing at all here.",  # reporting verb
])
def test_not_simple_statements(sentence):
    assert edit_pairs.parse(sentence) is None


def test_check_rejects_wrong_edits():
    st = edit_pairs.parse("We eat pizza every Friday.")
    assert not edit_pairs.check("negation", st, "We eat not pizza every Friday.")
    assert not edit_pairs.check("negation", st, "We does not eat pizza every Friday.")
    assert not edit_pairs.check("question", st, "Would I eat pizza it every Friday?")
    assert not edit_pairs.check("past", st, "We was pizza and eat every Friday.")
    assert not edit_pairs.check("past", st, "We eat pizza every Friday.")


def test_subject_swap_agrees():
    st = edit_pairs.swap_subject(edit_pairs.parse("He drives to work on Mondays."))
    assert st.text == "They drive to work on Mondays."
    assert edit_pairs.negation(st) == "They do not drive to work on Mondays."


def test_dev_set_is_excluded_and_well_formed():
    dev = edit_dev()
    assert len(dev) >= 60
    lexical = [r for r in dev if r["shape"] == "lexical"]
    assert len(lexical) * 2 >= len(dev) and {r["tense"] for r in lexical} == {"present", "past"}
    assert all(r["negation"] and r["question"] for r in dev)
    assert all(r["past"] for r in lexical if r["tense"] == "present")
    assert edit_pairs.statements([r["statement"] for r in dev], swap=False) == []
    found = edit_pairs.statements(["We cook pasta every Friday."])
    assert [s.text for s in found] == ["We cook pasta every Friday.",
                                       "She cooks pasta every Friday."]


def test_same_edit_expands_contractions():
    assert same_edit("We don't eat pizza.", ["We do not eat pizza."])
    assert same_edit("You can't  swim.", ["You cannot swim."])
    assert not same_edit("We eat not pizza.", ["We do not eat pizza."])


def _unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def test_local_offset_is_mean_of_nearest_pairs():
    rng = np.random.default_rng(0)
    plain = _unit(rng.standard_normal((50, 16)))
    edited = _unit(plain + 0.3 * rng.standard_normal((50, 16)))
    bank = PairOffsets.build(plain, edited, k=3)
    z = _unit(plain[7] + 0.01 * rng.standard_normal(16))
    near = np.argsort(-(plain @ z))[:3]
    assert np.allclose(bank.offset(z[None])[0], (edited - plain)[near].mean(0), atol=2e-3)
    assert np.allclose(bank.offset(z[None], k=0)[0], (edited - plain).mean(0), atol=2e-3)


def test_cells_pick_neighbours_of_the_same_cell():
    rng = np.random.default_rng(1)
    centre = {"a": np.eye(16)[0], "b": np.eye(16)[1]}
    cells = ["a"] * 40 + ["b"] * 40
    plain = _unit(np.stack([centre[c] for c in cells]) + 0.2 * rng.standard_normal((80, 16)))
    shift = {"a": np.eye(16)[2], "b": np.eye(16)[3]}
    edited = plain + 0.5 * np.stack([shift[c] for c in cells])
    bank = PairOffsets.build(plain, edited, k=0, cells=cells)
    assert bank.cell(_unit(centre["b"] + 0.1 * np.eye(16)[5])[None]) == ["b"]
    off = bank.offset(np.stack([centre["a"], centre["b"]]))
    assert off[0, 2] > 0.45 and abs(off[0, 3]) < 0.05
    assert off[1, 3] > 0.45 and abs(off[1, 2]) < 0.05


def test_direction_file_keeps_pairs_probe_and_strengths(tmp_path):
    rng = np.random.default_rng(2)
    plain = _unit(rng.standard_normal((30, 8)))
    edited = _unit(plain + np.eye(8)[0])
    d = directions.build_from_pairs("x", plain, edited, k=4, key_dims=4,
                                    strengths=(0.5, 1.0), cells=["p"] * 15 + ["q"] * 15)
    back = directions.load(directions.save(d, tmp_path))
    assert back.strengths == (0.5, 1.0) and back.pairs.k == 4 and len(back.pairs) == 30
    assert back.pairs.cell_names == ("p", "q")
    z = _unit(rng.standard_normal((3, 8)))
    assert np.allclose(back.apply(z, 1.0), d.apply(z, 1.0), atol=1e-2)  # int8 offsets
    assert np.allclose(back.probe(edited), d.probe(edited))
    assert (back.probe(edited) > 0.5).mean() > 0.8 and (back.probe(plain) < 0.5).mean() > 0.8
    # a file whose pair arrays disagree is not a direction file
    with np.load(tmp_path / "x.npz") as f:
        arrays = dict(f)
    arrays["pair_offsets"] = arrays["pair_offsets"][:5]
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match="not a direction file"):
        directions.load(tmp_path / "bad.npz")
    with np.load(tmp_path / "x.npz") as f:
        arrays = dict(f)
    arrays["probe_w"] = arrays["probe_w"][:3]
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match="pairs or probe do not match"):
        directions.load(tmp_path / "bad.npz")


def test_plain_direction_applies_as_before():
    rng = np.random.default_rng(3)
    pos, neg = rng.standard_normal((4, 8)), rng.standard_normal((4, 8))
    d = directions.build("x", pos, neg)
    z = _unit(rng.standard_normal(8))
    from textlatent.latent import normalize

    want = normalize(normalize(z) + 1.5 * d.vector.astype(np.float64))
    assert np.array_equal(d.apply(z, 1.5), want)


def test_critic_keeps_most_content_among_carriers():
    c = [Candidate(0.5, "a", 1, 0.2, 0.99), Candidate(1.0, "b", 1, 0.8, 0.9),
         Candidate(1.5, "c", 1, 0.9, 0.95), Candidate(2.0, "d", 1, 0.99, 0.5)]
    assert choose(c) == 2
    assert choose([c[0], Candidate(1.0, "e", 1, 0.3, 0.1)]) == 1  # none carries: most attribute


def test_scores_split_attribute_and_content():
    z = np.eye(4)[:1]
    offset = np.array([[0.0, 0.5, 0, 0]])
    probe = Probe(np.array([0, 10.0, 0, 0], np.float32), -2.0)
    d = directions.build("x", np.eye(4)[1:2], np.zeros((1, 4)) + 1e-3)
    moved = _unit(np.array([[1.0, 0.6, 0, 0]]))
    off_topic = _unit(np.array([[0.2, 0.6, 1.0, 0]]))
    from dataclasses import replace

    attr, content = scores(replace(d, probe=probe), np.tile(z, (2, 1)),
                           np.concatenate([moved, off_topic]), np.tile(offset, (2, 1)))
    assert attr[0] > 0.9 and content[0] == pytest.approx(1.0)
    assert content[1] < 0.3
    attr, _ = scores(d, z, moved, offset)  # no probe: the share of the offset moved
    assert attr[0] == pytest.approx(moved[0, 1] / 0.5)


def test_pairs_with_the_sentences_verb_and_first_word_come_first():
    rng = np.random.default_rng(4)
    plain = _unit(rng.standard_normal((4, 8)))
    edited = plain + np.eye(8)[:4]
    bank = PairOffsets.build(plain, edited, k=1,
                             verbs=["he walks", "the walks", "she eats", "the eats"])
    z = plain[0][None]  # nearest is pair 0 by cosine
    assert np.argmax(bank.offset(z)[0]) == 0
    assert np.argmax(bank.offset(z, words=[["the", "dog", "walks"]])[0]) == 1
    assert np.argmax(bank.offset(z, words=[["a", "dog", "eats"]])[0]) in (2, 3)
    assert np.argmax(bank.offset(z, words=[["we", "run"]])[0]) == 0  # none shared: by cosine


def test_measure_edits_reports_every_shape(tiny_model):
    from textlatent.transform_eval import measure_edits

    dev = edit_dev()
    z = tiny_model.encode([r["statement"] for r in dev[:8]])
    neg = tiny_model.encode([r["negation"][0] for r in dev[:8]])
    d = directions.build_from_pairs("negation", z, neg, k=2, strengths=(1.0, 1.5))
    out = measure_edits(tiny_model, {"negation": d}, decode="greedy")["negation"]
    assert out["n"] == len(dev) and 0 <= out["exact"] <= 1
    assert {"lexical", "lexical-present", "lexical-past", "copula", "aux"} <= set(out["by_shape"])
    assert 1.0 <= out["mean_strength"] <= 1.5
    assert len(out["misses"]) == round(out["n"] * (1 - out["exact"]))
    forced = measure_edits(tiny_model, {"negation": d}, strength=0.0, decode="greedy",
                           local=False)["negation"]
    assert forced["mean_strength"] == 0.0
    # at strength 0 each output is the source's own decode: never its negation
    assert forced["exact"] == 0.0
