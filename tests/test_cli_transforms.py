"""The transform commands (vary, sample, arithmetic, edit, direction, index, neighbors,
augment) on the tiny random model: JSON shapes, seeds, ranges and bad input."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import run_cli

from textlatent.cli.transforms import format_expression, parse_expression

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parent.parent
GREEDY = ("--decode", "greedy")


def run_json(capsys, *argv: str) -> dict:
    code, out, err = run_cli(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def assert_clean_error(code: int, err: str, match: str = "") -> None:
    assert code == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[-1].startswith("textlatent") and "error" in lines[-1]
    assert match.lower() in lines[-1].lower(), lines[-1]


@pytest.fixture
def user_data(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("TEXTLATENT_DATA_DIR", str(tmp_path / "user"))
    return tmp_path / "user"


@pytest.fixture(scope="module")
def model_with_extras(tiny_model_dir, tmp_path_factory) -> str:
    """A copy of the tiny model folder with an index and a latent prior built by the CLI."""
    folder = tmp_path_factory.mktemp("extras") / "model"
    shutil.copytree(tiny_model_dir, folder)
    from textlatent.cli import main

    assert main(["index", "build", "--sentences", str(DATA / "tiny_corpus.txt"), "--out",
                 str(folder), "--model", str(folder), "--limit", "200", "--json"]) == 0
    return str(folder)


# -- expressions ---------------------------------------------------------------------------------
@pytest.mark.parametrize("tokens, terms", [
    (["A", "-", "B", "+", "C"], [(1.0, "A"), (-1.0, "B"), (1.0, "C")]),
    (["-", "A", "+", "0.5*B c"], [(-1.0, "A"), (0.5, "B c")]),
    (["2*A", "-", ".25*B"], [(2.0, "A"), (-0.25, "B")]),
    (["one sentence"], [(1.0, "one sentence")]),
    (["3 * 4 cats"], [(3.0, "4 cats")]),
    (["a*b"], [(1.0, "a*b")]),
])
def test_parse_expression(tokens, terms):
    assert parse_expression(tokens) == terms


@pytest.mark.parametrize("tokens, match", [
    (["A", "B"], r"missing \+ or -"), (["A", "-"], "ends with an operator"),
    (["A", "+", "-", "B"], "two operators"), (["+"], "no terms"),
    (["0.5*"], "empty term"), ([], "no terms"),
])
def test_parse_expression_errors(tokens, match):
    with pytest.raises(ValueError, match=match):
        parse_expression(tokens)


def test_format_expression_round_trips():
    terms = [(1.0, "A"), (-1.0, "B"), (0.5, "C"), (-2.0, "D")]
    assert format_expression(terms) == '"A" - "B" + 0.5*"C" - 2*"D"'
    assert format_expression([(-1.0, "A")]) == '-"A"'


# -- vary ----------------------------------------------------------------------------------------
def test_vary_json_shape_and_seed(capsys, mdir):
    argv = ("vary", "the cat sat", "-n", "5", "--radius", "0.9", "--seed", "3", "--model", mdir)
    data = run_json(capsys, *argv)
    assert set(data) == {"source", "radius", "variations"}
    assert data["source"] == "the cat sat" and data["radius"] == 0.9
    texts = [v["text"] for v in data["variations"]]
    assert 1 <= len(texts) <= 5 and len(set(texts)) == len(texts)  # de-duplicated
    for v in data["variations"]:
        assert set(v) == {"text", "cos", "fidelity"}
        assert -1 <= v["cos"] <= 1 and -1 <= v["fidelity"] <= 1
    assert [v["cos"] for v in data["variations"]] == sorted(
        (v["cos"] for v in data["variations"]), reverse=True)
    assert run_json(capsys, *argv) == data


@pytest.mark.parametrize("argv, match", [
    (["--radius", "4"], "between 0 and pi"), (["--radius", "x"], "not a number"),
    (["-n", "0"], "between 1 and 256"), (["--seed", "-1"], "between 0"),
    (["--decode", "best"], "invalid choice"),
])
def test_vary_bad_options(capsys, mdir, argv, match):
    code, _, err = run_cli(capsys, "vary", "a cat", "--model", mdir, *argv)
    assert code == 2 and match in err and "Traceback" not in err


def test_vary_empty_text_is_a_clean_error(capsys, mdir):
    code, _, err = run_cli(capsys, "vary", "   ", "--model", mdir)
    assert_clean_error(code, err, "empty")


# -- arithmetic ----------------------------------------------------------------------------------
def test_arithmetic_json(capsys, mdir, tiny_model):
    data = run_json(capsys, "arithmetic", "the cat sat", "-", "a cat", "+", "0.5*a dog",
                    "--model", mdir, *GREEDY)
    assert set(data) == {"expression", "text", "latent", "fidelity"}
    assert data["expression"] == '"the cat sat" - "a cat" + 0.5*"a dog"'
    z = np.array(data["latent"], np.float32)
    a, b, c = tiny_model.encode(["the cat sat", "a cat", "a dog"])
    want = a - b + 0.5 * c
    assert np.allclose(z, want / np.linalg.norm(want), atol=1e-5)
    assert data["text"] == tiny_model.decode(z[None, :])[0]


@pytest.mark.parametrize("terms, match", [
    (["a", "b"], "missing + or -"), (["a", "-"], "ends with an operator"),
    (["a", "-", "a"], "cancel out"), (["20*a"], "between -10 and 10"),
])
def test_arithmetic_bad_expressions(capsys, mdir, terms, match):
    code, _, err = run_cli(capsys, "arithmetic", *terms, "--model", mdir)
    assert_clean_error(code, err, match)


# -- sample --------------------------------------------------------------------------------------
def test_sample_without_prior_says_so(capsys, mdir):
    code, out, err = run_cli(capsys, "sample", "--model", mdir)
    assert_clean_error(code, err, "this model has no latent prior")
    assert out == "" and len(err.strip().splitlines()) == 1


def test_sample_json_and_seed(capsys, model_with_extras):
    argv = ("sample", "-n", "4", "--seed", "2", "--model", model_with_extras, *GREEDY)
    data = run_json(capsys, *argv)
    assert set(data) == {"samples"} and len(data["samples"]) == 4
    assert all(set(s) == {"text", "fidelity"} for s in data["samples"])
    assert run_json(capsys, *argv) == data
    gauss = run_json(capsys, "sample", "-n", "3", "--method", "gaussian", "--temperature",
                     "0.5", "--model", model_with_extras, *GREEDY)
    assert len(gauss["samples"]) == 3
    code, _, err = run_cli(capsys, "sample", "--temperature", "3", "--model", model_with_extras)
    assert_clean_error(code, err, "temperature must be between 0 and 2")


# -- index / neighbors ---------------------------------------------------------------------------
def test_neighbors_finds_an_indexed_sentence_first(capsys, model_with_extras):
    from textlatent.index import load

    idx = load(model_with_extras)
    assert len(idx) == 200 and idx.basis is None
    query = idx.texts[10]
    data = run_json(capsys, "neighbors", query, "-k", "3", "--model", model_with_extras)
    assert set(data) == {"query", "neighbors"} and data["query"] == query
    assert len(data["neighbors"]) == 3 and data["neighbors"][0]["text"] == query
    assert data["neighbors"][0]["cos"] == pytest.approx(1.0, abs=2e-3)
    assert all(set(n) == {"text", "cos"} for n in data["neighbors"])


def test_projected_index_reranks_with_exact_cosines(capsys, mdir, tmp_path, tiny_model):
    out = tmp_path / "idx"
    code, _, err = run_cli(capsys, "index", "build", "--sentences", str(DATA / "tiny_corpus.txt"),
                           "--out", str(out), "--dims", "6", "--no-prior", "--model", mdir)
    assert code == 0, err
    assert not (out / "latent_prior.npz").exists()
    data = run_json(capsys, "neighbors", "the cat", "--index", str(out / "index.npz"),
                    "--model", mdir)
    z = tiny_model.encode(["the cat"] + [n["text"] for n in data["neighbors"]])
    assert [n["cos"] for n in data["neighbors"]] == pytest.approx(list(z[1:] @ z[0]), abs=1e-5)


def test_neighbors_errors(capsys, mdir, model_with_extras, tmp_path):
    code, _, err = run_cli(capsys, "neighbors", "a cat", "--model", mdir)
    assert_clean_error(code, err, "no sentence index")
    code, _, err = run_cli(capsys, "neighbors", "a cat", "-k", "500", "--model",
                           model_with_extras)
    assert_clean_error(code, err, "-k must be between 1 and 200")
    code, _, err = run_cli(capsys, "index", "build", "--sentences", str(tmp_path / "none.txt"),
                           "--out", str(tmp_path / "o"), "--model", mdir)
    assert_clean_error(code, err, "sentences file not found")
    assert not (tmp_path / "o").exists()


# -- directions / edit ---------------------------------------------------------------------------
def test_direction_build_list_edit(capsys, mdir, user_data, tmp_path, tiny_model):
    pos, neg = tmp_path / "pos.txt", tmp_path / "neg.txt"
    pos.write_text("is the cat here?\nwhere is the dog?\n")
    neg.write_text("the cat is here.\nthe dog is there.\n\n")
    built = run_json(capsys, "direction", "build", "--pos", str(pos), "--neg", str(neg),
                     "--out", "ask", "--description", "statement to question", "--model", mdir)
    assert built["n_pos"] == 2 and built["n_neg"] == 2
    assert Path(built["path"]).parent == user_data / "directions" / "tiny-random"
    listed = run_json(capsys, "direction", "list", "--model", mdir)
    assert listed == {"directions": [{"name": "ask", "description": "statement to question"}]}
    data = run_json(capsys, "edit", "a cat", "--direction", "ask", "--strength", "2",
                    "--model", mdir, *GREEDY)
    assert set(data) == {"source", "direction", "strength", "text", "fidelity"}
    assert data["direction"] == "ask" and data["strength"] == 2.0
    z = tiny_model.encode(["a cat", *pos.read_text().split("\n")[:2],
                           *neg.read_text().split("\n")[:2]])
    want = z[0] + 2 * (z[1:3].mean(0) - z[3:5].mean(0))
    assert data["text"] == tiny_model.decode(want[None, :])[0]
    default = run_json(capsys, "edit", "a cat", "--direction", "ask", "--model", mdir, *GREEDY)
    assert default["strength"] == 1.0


def test_direction_errors(capsys, mdir, user_data, tmp_path):
    code, _, err = run_cli(capsys, "edit", "a cat", "--direction", "nope", "--model", mdir)
    assert_clean_error(code, err, "no direction named 'nope'")
    f = tmp_path / "s.txt"
    f.write_text("a\n")
    code, _, err = run_cli(capsys, "direction", "build", "--pos", str(f), "--neg", str(f),
                           "--out", "../evil", "--model", mdir)
    assert_clean_error(code, err, "direction name")
    code, _, err = run_cli(capsys, "direction", "build", "--pos", str(f), "--neg",
                           str(tmp_path / "missing"), "--out", "x", "--model", mdir)
    assert_clean_error(code, err, "negative sentences file not found")
    code, _, err = run_cli(capsys, "direction", "build", "--pos", str(f), "--neg", str(f),
                           "--out", "x", "--model", mdir)
    assert_clean_error(code, err, "same mean latent")
    assert not user_data.exists() or not list(user_data.rglob("*.npz"))
    code, _, err = run_cli(capsys, "edit", "a", "--direction", "x", "--strength", "11",
                           "--model", mdir)
    assert code == 2 and "between -10 and 10" in err
    assert run_json(capsys, "direction", "list", "--model", mdir) == {"directions": []}


# -- augment -------------------------------------------------------------------------------------
def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_augment_writes_k_rows_per_line_and_is_deterministic(capsys, mdir, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("the cat sat\n\na dog ran ✓\nbirds fly\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    stats = run_json(capsys, "augment", str(src), "-n", "3", "-o", str(out), "--seed", "4",
                     "--no-progress", "--batch", "2", "--model", mdir, *GREEDY)
    assert stats == {"lines": 3, "lines_done": 3, "lines_skipped": 0, "rows_written": 9}
    rows = _rows(out)
    assert [r["source"] for r in rows] == ["the cat sat"] * 3 + ["a dog ran ✓"] * 3 + \
        ["birds fly"] * 3
    assert all(set(r) == {"source", "text", "cos", "fidelity"} for r in rows)
    again = tmp_path / "again.jsonl"
    run_json(capsys, "augment", str(src), "-n", "3", "-o", str(again), "--seed", "4",
             "--no-progress", "--batch", "3", "--model", mdir, *GREEDY)
    assert [(r["source"], r["text"]) for r in _rows(again)] == \
        [(r["source"], r["text"]) for r in rows]
    # a finished output is left as it is
    again_stats = run_json(capsys, "augment", str(src), "-n", "3", "-o", str(out), "--seed", "4",
                           "--no-progress", "--model", mdir, *GREEDY)
    assert again_stats["rows_written"] == 0 and _rows(out) == rows


def test_augment_resumes_after_a_partial_write(capsys, mdir, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("".join(f"sentence number {i}\n" for i in range(5)))
    full = tmp_path / "full.jsonl"
    run_json(capsys, "augment", str(src), "-n", "2", "-o", str(full), "--no-progress",
             "--model", mdir, *GREEDY)
    lines = full.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(lines[:5]) + lines[5][:7], encoding="utf-8")  # 2.5 lines + a stub
    stats = run_json(capsys, "augment", str(src), "-n", "2", "-o", str(cut), "--no-progress",
                     "--model", mdir, *GREEDY)
    assert stats["lines_skipped"] == 2 and stats["rows_written"] == 6
    assert [(r["source"], r["text"]) for r in _rows(cut)] == \
        [(r["source"], r["text"]) for r in _rows(full)]


def test_augment_bad_input_writes_nothing(capsys, mdir, tmp_path):
    out = tmp_path / "out.jsonl"
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine\n\xff\xfe broken\n")
    code, _, err = run_cli(capsys, "augment", str(bad), "-n", "2", "-o", str(out), "--model",
                           mdir)
    assert_clean_error(code, err, "line 2 is not UTF-8")
    assert not out.exists()
    code, _, err = run_cli(capsys, "augment", str(tmp_path / "nope.txt"), "-n", "2", "-o",
                           str(out), "--model", mdir)
    assert_clean_error(code, err, "input file not found")
    code, _, err = run_cli(capsys, "augment", str(bad), "-n", "2", "-o",
                           str(tmp_path / "no" / "out.jsonl"), "--model", mdir)
    assert_clean_error(code, err, "output folder not found")
    good = tmp_path / "good.txt"
    good.write_text("one\ntwo\n")
    other = tmp_path / "other.jsonl"
    other.write_text('{"source": "not one", "text": "x"}\n{"source": "not one", "text": "y"}\n')
    before = other.read_bytes()
    code, _, err = run_cli(capsys, "augment", str(good), "-n", "2", "-o", str(other), "--model",
                           mdir)
    assert_clean_error(code, err, "does not continue")
    assert other.read_bytes() == before
    other.write_text("hello\n")
    code, _, err = run_cli(capsys, "augment", str(good), "-n", "2", "-o", str(other), "--model",
                           mdir)
    assert_clean_error(code, err, "not output of `textlatent augment`")
    assert other.read_text() == "hello\n"


@pytest.mark.slow
def test_augment_killed_mid_run_continues_without_loss_or_duplicates(mdir, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("".join(f"line {i} of the file\n" for i in range(400)))
    out, ref = tmp_path / "out.jsonl", tmp_path / "ref.jsonl"
    argv = [sys.executable, "-m", "textlatent.cli", "augment", str(src), "-n", "3",
            "--batch", "4", "--decode", "greedy", "--no-progress", "--model", mdir]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([*argv, "-o", str(out)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or out.stat().st_size < 3000):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    rows_at_kill = len(out.read_text(encoding="utf-8").splitlines())
    assert 0 < rows_at_kill < 1200, "the kill came before any output or after the end"
    subprocess.run([*argv, "-o", str(out)], cwd=ROOT, env=env, check=True, timeout=300,
                   capture_output=True)
    subprocess.run([*argv, "-o", str(ref)], cwd=ROOT, env=env, check=True, timeout=300,
                   capture_output=True)
    got, want = _rows(out), _rows(ref)
    assert len(got) == 1200
    assert [(r["source"], r["text"]) for r in got] == [(r["source"], r["text"]) for r in want]
    assert [r["cos"] for r in got] == pytest.approx([r["cos"] for r in want], abs=1e-4)


def test_augment_refuses_an_output_made_with_another_k(capsys, mdir, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("one\ntwo\nthree\n")
    out = tmp_path / "out.jsonl"
    run_json(capsys, "augment", str(src), "-n", "2", "-o", str(out), "--no-progress",
             "--model", mdir, *GREEDY)
    before = out.read_bytes()
    code, _, err = run_cli(capsys, "augment", str(src), "-n", "3", "-o", str(out),
                           "--no-progress", "--model", mdir, *GREEDY)
    assert_clean_error(code, err, "does not continue")
    assert out.read_bytes() == before


@pytest.mark.parametrize("argv", [["sample"], ["neighbors", "a cat"], ["vary", "a cat"],
                                  ["edit", "a cat", "--direction", "question"]])
def test_a_missing_model_folder_is_named(capsys, tmp_path, argv):
    code, _, err = run_cli(capsys, *argv, "--model", str(tmp_path / "nope"))
    assert_clean_error(code, err, "model folder not found")


def test_fidelity_of_a_text_encode_calls_empty_is_zero(tiny_model):
    from textlatent.fidelity import fidelity

    z = tiny_model.encode(["a cat", "a dog"])
    got = fidelity(tiny_model, z, ["\u200b\u0007 ", "a dog"])  # format + control + space
    assert got[0] == 0.0 and got[1] == pytest.approx(1.0, abs=1e-5)


# -- flags from the registry ---------------------------------------------------------------------
def _actions(command: str) -> dict:
    from textlatent.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return {a.dest: a for a in sub.choices[command]._actions}


@pytest.mark.parametrize("command", ["vary", "sample", "arithmetic", "edit", "blend"])
def test_transform_flags_come_from_the_registry(command):
    """Every registry parameter of the mode is a flag (but those the command takes another
    way), with its Param's default, type (the range check) and choices."""
    from textlatent import transforms
    from textlatent.cli.common import NOT_FLAGS

    actions = _actions(command)
    params = [p for p in transforms.get(command).params if p.name not in NOT_FLAGS.get(command, ())]
    assert params or command == "arithmetic"
    for param in params:
        action = actions[param.name]
        assert action.default == param.default
        if param.choices:
            assert tuple(action.choices) == param.choices
        else:
            assert action.type == param.parse_text


def test_a_registry_range_is_the_flags_range(capsys):
    from textlatent import transforms

    high = transforms.get("vary").param("n").high
    code, _, err = run_cli(capsys, "vary", "a cat", "-n", str(int(high) + 1))
    assert code == 2 and f"n must be between 1 and {int(high)}" in err
