"""Fidelity in the command line: a "fidelity" per decoded text, and the decode options."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from helpers import run_cli

from textlatent.fidelity import DEFAULT, GREEDY, decode_verified, fidelity


def run_json(capsys, *argv: str) -> dict:
    code, out, err = run_cli(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_reconstruct_reports_fidelity(capsys, mdir, tiny_model):
    texts = ["the cat sat", "hello 🌍"]
    data = run_json(capsys, "reconstruct", "--model", mdir, *texts)
    z = tiny_model.encode(texts)
    expected = decode_verified(tiny_model, z, DEFAULT)
    assert [p["output"] for p in data["pairs"]] == [d.text for d in expected]
    got = [p["fidelity"] for p in data["pairs"]]
    assert all(isinstance(f, float) for f in got)
    np.testing.assert_allclose(got, fidelity(tiny_model, z, [d.text for d in expected]),
                               atol=1e-5)


def test_greedy_decode_is_the_models_decode(capsys, mdir, tiny_model):
    data = run_json(capsys, "reconstruct", "--model", mdir, "--decode", "greedy", "the cat sat")
    assert data["pairs"][0]["output"] == tiny_model.reconstruct("the cat sat")[0]


def test_rounds_and_candidates_choose_the_budget(capsys, mdir, tiny_model):
    z = tiny_model.encode(["the cat sat"])
    data = run_json(capsys, "reconstruct", "--model", mdir, "--rounds", "2", "--candidates", "1",
                    "--seed", "3", "--step", "0.7", "the cat sat")
    budget = dataclasses.replace(DEFAULT, rounds=2, samples=1, seed=3, step=0.7)
    assert data["pairs"][0]["output"] == decode_verified(tiny_model, z, budget)[0].text
    greedy = run_json(capsys, "reconstruct", "--model", mdir, "--decode", "greedy", "--rounds",
                      "0", "the cat sat")
    assert greedy["pairs"][0]["output"] == decode_verified(tiny_model, z, GREEDY)[0].text


def test_decode_reports_one_fidelity_per_text(capsys, monkeypatch, mdir, tiny_model):
    import io
    import sys

    z = tiny_model.encode(["a cat", "a dog ran"])
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(z.tolist())))
    data = run_json(capsys, "decode", "--model", mdir, "--beam", "2")
    assert set(data) == {"texts", "fidelity"} and len(data["fidelity"]) == 2
    assert data["texts"] == tiny_model.decode(z, beam=2)  # a beam asked for is that decode
    np.testing.assert_allclose(data["fidelity"], fidelity(tiny_model, z, data["texts"]),
                               atol=1e-5)


def test_blend_reports_fidelity_per_step(capsys, mdir, tiny_model):
    data = run_json(capsys, "blend", "the cat sat", "a dog ran", "--model", mdir, "--steps", "5")
    assert len(data["steps"]) == 5
    assert all(set(s) == {"t", "text", "fidelity"} for s in data["steps"])
    greedy = run_json(capsys, "blend", "the cat sat", "a dog ran", "--model", mdir, "--steps",
                      "5", "--decode", "greedy")
    # the points between the ends are decoded greedily either way
    assert [s["text"] for s in data["steps"][1:-1]] == [s["text"] for s in greedy["steps"][1:-1]]


def test_text_output_marks_fidelity(capsys, mdir):
    code, out, _ = run_cli(capsys, "reconstruct", "--model", mdir, "the cat sat")
    assert code == 0 and "(fidelity 0." in out.splitlines()[1]  # random weights never verify


@pytest.mark.parametrize("argv", [["--rounds", "17"], ["--rounds", "-1"], ["--candidates", "33"],
                                  ["--decode", "best"], ["--step", "5"], ["--step", "x"]])
def test_bad_budget_options_exit_2(capsys, mdir, argv):
    code, _, err = run_cli(capsys, "reconstruct", "--model", mdir, *argv, "a cat")
    assert code == 2 and "usage:" in err and "Traceback" not in err


def test_step_out_of_range_is_one_error_line(capsys, mdir):
    code, _, err = run_cli(capsys, "reconstruct", "--model", mdir, "--step", "0", "a cat")
    assert code == 2 and err.strip() == "textlatent: error: step must be in (0, 4]"


def test_eval_reports_the_decode_and_fidelity(capsys, mdir, tmp_path):
    s = tmp_path / "s.txt"
    s.write_text("the cat sat\nhello there\n")
    p = tmp_path / "p.tsv"
    p.write_text("the cat sat\ta dog ran\n")
    data = run_json(capsys, "eval", "--model", mdir, "--sentences", str(s), "--pairs", str(p),
                    "--decode", "greedy")
    assert data["decode"] == dataclasses.asdict(GREEDY)
    assert data["decode"]["rounds"] == 0 and data["decode"]["samples"] == 0
    assert 0 <= data["mean_fidelity"] < 1 and data["verified"] == 0.0
    code, out, _ = run_cli(capsys, "eval", "--model", mdir, "--sentences", str(s), "--pairs",
                           str(p), "--rounds", "1")
    assert code == 0 and "fidelity" in out and "verified" in out and "rounds 1" in out
    both = run_json(capsys, "eval", "--model", mdir, "--sentences", str(s), "--pairs", str(p),
                    "--rounds", "1", "--blend-middle", "decode")
    assert both["blend"]["middle"] == both["decode"] and both["decode"]["rounds"] == 1
    assert data["blend"]["middle"] == dataclasses.asdict(GREEDY)


@pytest.mark.slow
def test_shipped_model_marks_verified_texts(capsys):
    code, out, _ = run_cli(capsys, "reconstruct", "the dog barked all night")
    assert code == 0 and out.splitlines()[1] == "  -> the dog barked all night  ✓"
    data = run_json(capsys, "reconstruct", "the dog barked all night")
    assert data["pairs"][0]["fidelity"] == pytest.approx(1.0, abs=1e-5)


# -- one vocabulary: the decode request's choices -------------------------------------------------
def test_decode_choices_are_the_apps_words(capsys, mdir, tiny_model):
    z = tiny_model.encode(["the cat sat"])
    outputs = {how: run_json(capsys, "reconstruct", "--model", mdir, "--decode", how,
                             "--seed", "4", "the cat sat")["pairs"][0]["output"]
               for how in ("auto", "default", "verified", "greedy", "beam", "sampled")}
    assert outputs["default"] == outputs["auto"] == outputs["verified"]  # every row a sentence
    assert outputs["auto"] == decode_verified(tiny_model, z, DEFAULT)[0].text
    assert outputs["greedy"] == tiny_model.decode(z)[0]
    assert outputs["beam"] == tiny_model.decode(z, beam=4)[0]
    assert outputs["sampled"] == tiny_model.decode(z, temperature=0.7, top_p=0.9, seed=4)[0]


def test_older_spellings_still_ask_for_that_one_decode(capsys, mdir, tiny_model):
    z = tiny_model.encode(["the cat sat"])
    beam = run_json(capsys, "reconstruct", "--model", mdir, "--beam", "3", "the cat sat")
    assert beam["pairs"][0]["output"] == tiny_model.decode(z, beam=3)[0]
    hot = run_json(capsys, "reconstruct", "--model", mdir, "--temperature", "1.5", "--seed", "2",
                   "the cat sat")
    assert hot["pairs"][0]["output"] == tiny_model.decode(z, temperature=1.5, seed=2)[0]
    plain = run_json(capsys, "reconstruct", "--model", mdir, "--beam", "1", "the cat sat")
    assert plain["pairs"][0]["output"] == decode_verified(tiny_model, z, DEFAULT)[0].text


@pytest.mark.parametrize("argv, match", [
    (["--decode", "greedy", "--beam", "3"], "--beam is for --decode beam, not greedy"),
    (["--decode", "beam", "--top-p", "0.5"], "--top-p is for --decode sampled, not beam"),
    (["--decode", "beam", "--beam", "1"], "beam must be between 2 and 32"),
])
def test_settings_another_choice_would_ignore_are_an_error(capsys, mdir, argv, match):
    code, _, err = run_cli(capsys, "reconstruct", "--model", mdir, *argv, "a cat")
    assert code == 2 and err.strip().startswith(f"textlatent: error: {match}")
    assert len(err.strip().splitlines()) == 1


def test_transform_commands_take_every_choice(capsys, mdir, tiny_model):
    data = run_json(capsys, "arithmetic", "a cat", "+", "a dog", "--model", mdir,
                    "--decode", "beam")
    z = np.asarray(data["latent"], np.float32)[None]
    assert data["text"] == tiny_model.decode(z, beam=4)[0]
    auto = run_json(capsys, "arithmetic", "a cat", "+", "a dog", "--model", mdir,
                    "--decode", "auto")  # no row is a sentence's encoding: one greedy decode
    assert auto["text"] == tiny_model.decode(z)[0]


def test_eval_takes_only_the_budgeted_choices(capsys, mdir):
    code, _, err = run_cli(capsys, "eval", "--model", mdir, "--decode", "sampled")
    assert code == 2 and "eval decodes with auto, greedy, verified, not sampled" in err
