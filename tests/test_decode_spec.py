"""The one decode request (textlatent.decode_spec): its checks, its per-row budgets and the
decode it runs, on the tiny random model."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from textlatent.decode_spec import HOWS, PARAMS, USED_BY, DecodeSpec, decode
from textlatent.fidelity import (
    DEFAULT,
    GREEDY,
    PATH_MIDDLE,
    decode_path,
    decode_scored,
    decode_verified,
)
from textlatent.latent import blend_path

TEXTS = ["the cat sat on the mat", "a dog ran in the park", "hello there"]


@pytest.fixture(scope="module")
def z(tiny_model):
    return tiny_model.encode(TEXTS)


def test_every_choice_has_its_settings_and_a_form_entry():
    assert set(USED_BY) == set(HOWS) == set(PARAMS["how"].choices)
    for used in USED_BY.values():
        assert set(used) <= set(PARAMS)
    assert {f.name for f in dataclasses.fields(DecodeSpec)} == set(PARAMS)


def test_the_older_spelling_is_auto():
    assert DecodeSpec(how="default").how == "auto"
    assert DecodeSpec(how="default") == DecodeSpec()


@pytest.mark.parametrize("settings, match", [
    ({"how": "best"}, "how must be one of"), ({"beam": 1}, "beam must be between 2 and 32"),
    ({"temperature": 0}, "temperature must be between"), ({"top_p": 1.5}, "top_p"),
    ({"seed": -1}, "seed must be between 0 and 4294967295"), ({"rounds": 17}, "rounds"),
    ({"candidates": 33}, "candidates"), ({"max_tokens": 0}, "max_tokens"),
    ({"beam": True}, "beam must be a number"), ({"step": float("nan")}, "finite"),
])
def test_settings_out_of_range_are_one_value_error(settings, match):
    with pytest.raises(ValueError, match=match):
        DecodeSpec(**settings)


def test_from_options_rejects_unknown_settings():
    assert DecodeSpec.from_options({"how": "beam", "beam": 3}).beam == 3
    with pytest.raises(ValueError, match="no decode setting 'width'"):
        DecodeSpec.from_options({"width": 3})


def test_budget_carries_the_tuning():
    assert DecodeSpec().budget() == DEFAULT
    assert DecodeSpec(how="greedy").budget() == GREEDY
    tuned = DecodeSpec(rounds=2, step=0.7, candidates=1, seed=3).budget()
    assert tuned == dataclasses.replace(DEFAULT, rounds=2, step=0.7, samples=1, seed=3)


def test_row_budgets_follow_which_rows_are_sentences():
    auto, verified = DecodeSpec(), DecodeSpec(how="verified")
    assert auto.row_budgets(4, "all") == [DEFAULT] * 4
    assert auto.row_budgets(4, "ends") == [DEFAULT, PATH_MIDDLE, PATH_MIDDLE, DEFAULT]
    assert auto.row_budgets(4, "none") == [PATH_MIDDLE] * 4
    assert verified.row_budgets(3, "none") == [DEFAULT] * 3
    assert DecodeSpec(how="greedy").row_budgets(3, "ends") == [GREEDY] * 3
    assert DecodeSpec(how="beam").row_budgets(3) is None
    with pytest.raises(ValueError, match="sentence_rows"):
        auto.row_budgets(3, "some")


def test_decode_is_the_library_decode_for_each_choice(tiny_model, z):
    assert decode(tiny_model, z) == decode_verified(tiny_model, z, DEFAULT)
    assert decode(tiny_model, z, DecodeSpec(how="greedy")) == decode_verified(tiny_model, z,
                                                                              GREEDY)
    assert decode(tiny_model, z, DecodeSpec(), "none") == decode_verified(tiny_model, z, GREEDY)
    assert decode(tiny_model, z, DecodeSpec(how="beam", beam=3)) == \
        decode_scored(tiny_model, z, beam=3)
    sampled = DecodeSpec(how="sampled", seed=5)
    assert decode(tiny_model, z, sampled) == decode(tiny_model, z, sampled)
    assert [d.text for d in decode(tiny_model, z, sampled)] == tiny_model.decode(
        z, temperature=0.7, top_p=0.9, seed=5)


def test_a_paths_ends_get_the_budget_and_its_middle_one_greedy_decode(tiny_model, z):
    path = blend_path(z[0], z[1], 7, "slerp")
    assert decode(tiny_model, path, DecodeSpec(), "ends") == decode_path(tiny_model, path)
    got = decode(tiny_model, path, DecodeSpec(), "ends")
    assert all(len(d.attempts) == 1 for d in got[1:-1])  # one greedy try each
    assert len(got[0].attempts) == DEFAULT.rounds + 1  # random weights: the ends never verify


def test_max_tokens_reaches_the_model(tiny_model, z):
    short = decode(tiny_model, z, DecodeSpec(how="greedy", max_tokens=1))
    assert [d.text for d in short] == tiny_model.decode(z, max_tokens=1)
    assert [d.text for d in short] != tiny_model.decode(z)


def test_bad_latents_get_the_models_own_message(tiny_model):
    with pytest.raises(ValueError, match="shape"):
        decode(tiny_model, np.ones((2, 3)))
    with pytest.raises(ValueError, match="all zeros"):
        decode(tiny_model, np.zeros((1, tiny_model.dim)))
    with pytest.raises(ValueError):
        decode(tiny_model, np.zeros((3, tiny_model.dim)), DecodeSpec(), "ends")


def test_every_setting_reaches_the_command_line_and_the_app():
    """A new choice or setting is one change here: the CLI's flags and the app's form follow."""
    from textlatent.cli import build_parser
    from tui.decoding import DECODE_PARAMS, HOW

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    flags = {a.dest: a for a in sub.choices["reconstruct"]._actions}
    assert set(PARAMS) - {"how"} <= set(flags) and "decode" in flags
    assert set(flags["decode"].choices) == set(HOWS)
    assert HOW == HOWS
    assert set(DECODE_PARAMS) == {"how"} | {n for used in USED_BY.values() for n in used}
