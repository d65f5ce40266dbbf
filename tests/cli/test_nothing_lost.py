"""Nothing lost: reruns, concurrent runs and unusable lines of `augment`, all-or-nothing
`index build`, unreadable direction files (the real command on the tiny random model)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]
GREEDY = ("--decode", "greedy")


def assert_one_error_line(code: int, err: str, match: str) -> None:
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("textlatent: error: "), err
    assert match.lower() in lines[0].lower(), lines[0]


def _augment(capsys, src: Path, out: Path, mdir: str, *extra: str) -> tuple[int, str, str]:
    return run_cli(capsys, "augment", str(src), "-o", str(out), "--no-progress", "--model",
                   mdir, *GREEDY, *extra)


# -- 1: a rerun that is not the same job ---------------------------------------------------------
@pytest.mark.parametrize("first, second, says", [
    (["-n", "2"], ["-n", "7"], "-n 2, not 7"),
    (["-n", "2"], ["-n", "2", "--seed", "1"], "--seed 0, not 1"),
    (["-n", "2"], ["-n", "2", "--radius", "0.3"], "--radius 0.7, not 0.3"),
    (["-n", "2"], ["-n", "2", "--decode", "verified"], "--decode greedy, beam=4"),
])
def test_a_rerun_of_another_job_is_refused_and_the_output_kept(capsys, mdir, tmp_path, first,
                                                                second, says):
    src = tmp_path / "small.txt"
    src.write_text("the cat sat\nthe cat sat\na dog ran\n")
    out = tmp_path / "r.jsonl"
    assert _augment(capsys, src, out, mdir, *first)[0] == 0
    before = out.read_bytes()
    code, _, err = _augment(capsys, src, out, mdir, *second)
    assert_one_error_line(code, err, says)
    assert out.read_bytes() == before


def test_repeated_lines_do_not_let_another_n_continue(capsys, mdir, tmp_path):
    src = tmp_path / "aab.txt"
    src.write_text("A cat.\nA cat.\nB dog.\n")
    out = tmp_path / "r.jsonl"
    assert _augment(capsys, src, out, mdir, "-n", "2")[0] == 0
    code, _, err = _augment(capsys, src, out, mdir, "-n", "4")
    assert_one_error_line(code, err, "holds another job")
    assert len(out.read_text().splitlines()) == 6


def test_another_input_file_is_refused(capsys, mdir, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("one line\n")
    b.write_text("one line\n")
    out = tmp_path / "r.jsonl"
    assert _augment(capsys, a, out, mdir, "-n", "2")[0] == 0
    code, _, err = _augment(capsys, b, out, mdir, "-n", "2")
    assert_one_error_line(code, err, "input file")


def test_the_job_record_names_the_job(capsys, mdir, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("one line\n")
    out = tmp_path / "r.jsonl"
    assert _augment(capsys, src, out, mdir, "-n", "2", "--seed", "5")[0] == 0
    job = json.loads((tmp_path / "r.jsonl.job.json").read_text())
    assert job == {"command": "textlatent augment", "input": str(src.resolve()), "n": 2,
                   "radius": 0.7, "seed": 5, "model": "tiny-random",
                   "decode": {"how": "greedy", "beam": 4, "temperature": 0.7, "top_p": 0.9}}
    assert not (tmp_path / "r.jsonl.lock").exists()


# -- 2: two runs on one output -------------------------------------------------------------------
@pytest.mark.slow
def test_a_second_run_on_a_locked_output_says_who_holds_it(mdir, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("".join(f"line {i} of the file\n" for i in range(300)))
    out = tmp_path / "out.jsonl"
    argv = [sys.executable, "-m", "textlatent.cli", "augment", str(src), "-n", "3", "-o",
            str(out), "--batch", "4", "--no-progress", "--model", mdir, *GREEDY]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    first = subprocess.Popen([*argv, "--seed", "0"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and (not out.exists() or out.stat().st_size == 0):
            time.sleep(0.05)
        second = subprocess.run([*argv, "--seed", "1"], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=120)
        assert first.poll() is None, "the first run ended before the second started"
    finally:
        first_rc = first.wait(timeout=300)
    assert first_rc == 0
    assert second.returncode == 2
    err = second.stderr.strip()
    assert err.count("\n") == 0 and err.startswith("textlatent: error: ")
    assert f"pid {first.pid} on " in err and "being written by another augment run" in err
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 900
    assert [r["source"] for r in rows[::3]] == [f"line {i} of the file" for i in range(300)]


def test_a_held_lock_refuses_in_process_too(capsys, mdir, tmp_path):
    from textlatent.lockfile import hold

    src = tmp_path / "in.txt"
    src.write_text("one line\n")
    out = tmp_path / "r.jsonl"
    with hold(out, "augment run"):
        code, _, err = _augment(capsys, src, out, mdir, "-n", "2")
    assert_one_error_line(code, err, f"pid {os.getpid()}")
    assert not out.exists()
    assert _augment(capsys, src, out, mdir, "-n", "2")[0] == 0


# -- 3: lines with nothing to encode -------------------------------------------------------------
def test_control_and_zero_width_lines_get_a_skipped_row(capsys, mdir, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("the cat sat\n\x00\x01\n\u200b\u200b\na dog ran\n", encoding="utf-8")
    out = tmp_path / "r.jsonl"
    code, stdout, err = _augment(capsys, src, out, mdir, "-n", "2", "--batch", "3", "--json")
    assert code == 0, err
    assert json.loads(stdout)["lines_unusable"] == 2
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["source"] for r in rows] == ["the cat sat"] * 2 + ["\x00\x01", "\u200b\u200b"] + \
        ["a dog ran"] * 2
    assert rows[2]["line"] == 2 and rows[3]["line"] == 3 and "skipped" in rows[2]
    assert all("skipped" not in r for r in rows[:2] + rows[4:])
    # a rerun of the finished job keeps it as it is
    before = out.read_bytes()
    code, stdout, err = _augment(capsys, src, out, mdir, "-n", "2", "--json")
    assert code == 0 and json.loads(stdout)["rows_written"] == 0
    assert out.read_bytes() == before


def test_a_too_long_line_is_named_by_its_input_line(capsys, mdir, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("short one\n\nshort two\n" + "word " * 80 + "\n")
    code, _, err = _augment(capsys, src, tmp_path / "r.jsonl", mdir, "-n", "1")
    assert code == 0
    assert f"{src} line 4 has" in err, err


# -- 4: replacing a direction, an index or a prior needs --force ---------------------------------
@pytest.fixture
def user_data(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("TEXTLATENT_DATA_DIR", str(tmp_path / "user"))
    return tmp_path / "user"


@pytest.fixture
def model_copy(tiny_model_dir, tmp_path, tiny_model) -> Path:
    """A copy of the tiny model folder with a shipped direction "past"."""
    import shutil

    import numpy as np

    from textlatent import directions

    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir, folder)
    vec = np.random.default_rng(0).standard_normal(tiny_model.dim).astype(np.float32)
    directions.save(directions.Direction("past", vec, "shipped past", 1.0, "tiny-random", 1, 1),
                    folder / "directions")
    return folder


def _sets(tmp_path: Path) -> tuple[str, str]:
    pos, neg = tmp_path / "pos.txt", tmp_path / "neg.txt"
    pos.write_text("Is the dog here?\nIs it cold?\n")
    neg.write_text("The dog is here.\nIt is cold.\n")
    return str(pos), str(neg)


def test_direction_build_refuses_to_replace_or_hide_without_force(capsys, model_copy, user_data,
                                                                   tmp_path):
    pos, neg = _sets(tmp_path)
    build = ("direction", "build", "--pos", pos, "--neg", neg, "--model", str(model_copy))
    assert run_cli(capsys, *build, "--out", "ask")[0] == 0
    mine = user_data / "directions" / "tiny-random" / "ask.npz"
    before = mine.read_bytes()
    code, _, err = run_cli(capsys, *build, "--out", "ask", "--description", "other")
    assert_one_error_line(code, err, "a direction 'ask' already exists")
    assert "--force" in err and mine.read_bytes() == before
    assert run_cli(capsys, *build, "--out", "ask", "--description", "other", "--force")[0] == 0
    assert mine.read_bytes() != before
    code, _, err = run_cli(capsys, *build, "--out", "past")
    assert_one_error_line(code, err, "shipped with the model")
    assert not (user_data / "directions" / "tiny-random" / "past.npz").exists()
    code, _, err = run_cli(capsys, *build, "--out", "past", "--dest", pos)
    assert_one_error_line(code, err, f"--dest must be a folder; {pos} is a file")


def test_index_build_refuses_to_replace_a_models_index_without_force(capsys, model_copy,
                                                                     tmp_path):
    src = tmp_path / "s.txt"
    src.write_text("".join(f"sentence number {i}.\n" for i in range(20)))
    build = ("index", "build", "--sentences", str(src), "--model", str(model_copy))
    assert run_cli(capsys, *build, "--out", str(model_copy), "--json")[0] == 0
    index, prior = model_copy / "index.npz", model_copy / "latent_prior.npz"
    before = index.read_bytes(), prior.read_bytes()
    code, _, err = run_cli(capsys, *build, "--out", str(model_copy), "--limit", "5")
    assert_one_error_line(code, err, "already has its 20-sentence index")
    assert "latent prior" in err and "--force" in err
    assert (index.read_bytes(), prior.read_bytes()) == before
    code, out, err = run_cli(capsys, *build, "--limit", "5", "--force", "--json")  # the default
    assert code == 0, err
    assert json.loads(out)["index"] == str(index) and index.read_bytes() != before[0]


# -- 5: index build writes everything or nothing -------------------------------------------------
def test_index_build_on_one_sentence_writes_nothing(capsys, mdir, tmp_path):
    src = tmp_path / "one.txt"
    src.write_text("only one sentence here.\n")
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, "index", "build", "--sentences", str(src), "--out", str(out),
                           "--model", mdir)
    assert_one_error_line(code, err, "needs at least two sentences")
    assert not out.exists()
    code, _, err = run_cli(capsys, "index", "build", "--sentences", str(src), "--out", str(out),
                           "--model", mdir, "--no-prior")
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["index.npz"]


def test_save_index_leaves_nothing_when_the_second_file_fails(tiny_model, tmp_path):
    from textlatent import extras
    from textlatent import index as index_mod

    idx = index_mod.build(["a cat.", "a dog."], tiny_model.encode(["a cat.", "a dog."]))
    with pytest.raises(AttributeError):
        extras.save_index(tmp_path, idx, prior=object())  # not a prior: fails part-way
    assert list(tmp_path.iterdir()) == []


# -- 6: an unreadable direction file is skipped with a warning ------------------------------------
@pytest.mark.parametrize("content, says", [
    (b"garbage, not numpy at all", "it is not a numpy .npz archive"),
    (b"", "it is empty"),
])
def test_a_bad_direction_file_is_skipped_with_a_warning(capsys, model_copy, user_data, content,
                                                        says):
    folder = user_data / "directions" / "tiny-random"
    folder.mkdir(parents=True)
    (folder / "broken.npz").write_bytes(content)
    code, out, err = run_cli(capsys, "direction", "list", "--model", str(model_copy), "--json")
    assert code == 0, err
    assert [d["name"] for d in json.loads(out)["directions"]] == ["past"]
    assert err.strip() == f"textlatent: warning: {folder / 'broken.npz'} is not a direction " \
                          f"file: {says}; skipped it"
    code, out, err = run_cli(capsys, "edit", "a cat sat", "--direction", "past", "--model",
                             str(model_copy), *GREEDY)
    assert code == 0 and "broken.npz" in err


def test_the_app_gets_a_note_for_a_skipped_direction_file(model_copy, user_data, tiny_model):
    from textlatent import extras

    folder = user_data / "directions" / "tiny-random"
    folder.mkdir(parents=True)
    whole = (model_copy / "directions" / "past.npz").read_bytes()
    (folder / "broken.npz").write_bytes(whole[:len(whole) // 2])  # cut short
    found = extras.load(tiny_model, model_copy)
    assert list(found.directions) == ["past"]
    assert found.notes["skipped"] == f"{folder / 'broken.npz'} is not a direction file: the " \
                                     f"archive is damaged or cut short; skipped it"


def test_a_pickled_npz_is_named_in_our_words(tmp_path):
    import numpy as np

    from textlatent import directions

    path = tmp_path / "obj.npz"
    np.savez(path, vector=np.array([object()], dtype=object), description="x",
             default_strength=1.0, model="m", n_pos=1, n_neg=1)
    with pytest.raises(ValueError, match="holds pickled Python objects, which are never loaded"):
        directions.load(path)


# -- 7: hf: ids have a home in the user data folder ----------------------------------------------
def test_an_hf_id_is_never_a_path(capsys, user_data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "direction", "list", "--model", "hf:o/n")
    assert code == 0, err
    assert out.strip() == "no directions for this model"
    src = tmp_path / "s.txt"
    src.write_text("one.\ntwo.\n")
    code, _, err = run_cli(capsys, "index", "build", "--sentences", str(src), "--out",
                           "hf:someone")
    assert_one_error_line(code, err, "--out needs a folder, not a model id (hf:someone)")
    assert not any(p.name.startswith("hf:") for p in tmp_path.rglob("*"))


def test_the_extras_home_of_an_hf_id_is_keyed_by_id_and_revision(user_data, tiny_model):
    from textlatent import extras

    plain, pinned = extras.home("hf:o/n"), extras.home("hf:o/n@v2")
    assert plain.folder == user_data / "models" / "o--n@main"
    assert pinned.folder == user_data / "models" / "o--n@v2"
    assert (plain.name, pinned.name) == ("o/n", "o/n@v2")
    with pytest.raises(ValueError, match="--model hf:o/n`") as caught:
        extras.load_prior(plain, tiny_model)
    assert "--out" not in str(caught.value)
    found = extras.load(tiny_model, "hf:o/n@v2")
    assert "--model hf:o/n@v2" in found.notes["index"]
    assert found.prior is None and found.index is None


def test_an_hf_home_serves_its_extras(capsys, user_data, tiny_model, tmp_path):
    from textlatent import extras
    from textlatent import index as index_mod
    from textlatent import prior as prior_mod

    place = extras.home("hf:o/n")
    texts = ["a cat sat.", "a dog ran.", "birds fly."]
    z = tiny_model.encode(texts)
    extras.save_index(place.folder, index_mod.build(texts, z, model=tiny_model.name),
                      prior_mod.fit(z, model=tiny_model.name))
    found = extras.load(tiny_model, "hf:o/n")
    assert len(found.index) == 3 and found.prior is not None


def test_the_model_name_falls_back_to_the_folder_name(tmp_path):
    from textlatent import extras

    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "config.json").write_text('{"model": {}}')
    assert extras.model_name(folder) == "my-model"
    (folder / "config.json").write_text('{"name": "named"}')
    assert extras.model_name(folder) == "named"
    (folder / "config.json").write_text("{broken")
    with pytest.raises(ValueError, match="is not a valid model config"):
        extras.model_name(folder)


# -- the library: clear ValueErrors --------------------------------------------------------------
def _direction(vector):
    import numpy as np

    from textlatent.directions import Direction

    return Direction("d", np.asarray(vector, np.float32), "", 1.0)


def test_transform_inputs_of_the_wrong_kind_or_size_are_value_errors():
    import numpy as np

    from textlatent import transforms

    z = np.zeros(8)
    z[0] = 1.0
    cases = [
        ("sample", {"prior": "not a prior"}, {}, None, "must be a latent prior"),
        ("edit", {"source": z, "direction": "question"}, {}, None, "must be a direction"),
        ("edit", {"source": z, "direction": _direction(np.ones(5))}, {}, None,
         "the direction has 5 dimensions, the latents 8"),
        ("vary", {"source": [1.0]}, {}, None, "at least 2 numbers"),
        ("vary", {"source": np.ones(9)}, {}, 8, "has 9 numbers; the model's latents have 8"),
        ("edit", {"source": z, "direction": _direction(-z)}, {"strength": 1.0}, None,
         "takes the sentence to the origin"),
        ("arithmetic", {"terms": [z, z[::-1]]}, {"weights": []}, None, "0 weights for 2 terms"),
    ]
    for name, inputs, params, dim, says in cases:
        with pytest.raises(ValueError, match=says):
            transforms.get(name).latents(inputs, params, dim=dim)


def test_a_prior_of_another_size_is_a_value_error(tiny_model):
    import numpy as np

    from textlatent import prior as prior_mod
    from textlatent import transforms

    prior = prior_mod.fit(np.random.default_rng(0).standard_normal((10, 4)))
    with pytest.raises(ValueError, match="the latent prior has 4 dimensions, the latents 16"):
        transforms.get("sample").latents({"prior": prior}, {}, dim=tiny_model.dim)


# -- the command line: one error line, ignored options, rows equal to the source -----------------
@pytest.mark.parametrize("argv, command", [
    (["frobnicate"], "textlatent"),
    (["vary"], "textlatent vary"),
    (["augment", "in.txt", "-o", "out.jsonl"], "textlatent augment"),
    (["sample", "--method", "best"], "textlatent sample"),
    (["direction", "build", "--pos", "a"], "textlatent direction build"),
    (["index", "build", "--limit", "0", "--sentences", "x"], "textlatent index build"),
])
def test_usage_errors_are_one_line_that_points_at_help(capsys, argv, command):
    code, out, err = run_cli(capsys, *argv)
    assert_one_error_line(code, err, "")
    assert err.rstrip().endswith(f"(see `{command} --help`)") and out == ""


@pytest.mark.parametrize("argv, says", [
    (["--method", "gaussian", "--radius", "0.3"], "--radius is the step of --method near"),
    (["--radius", "0.3", "--temperature", "1.5"], "--temperature scales --method gaussian"),
])
def test_sample_refuses_an_option_its_method_ignores(capsys, mdir, argv, says):
    code, _, err = run_cli(capsys, "sample", "--model", mdir, *argv)
    assert_one_error_line(code, err, says)


def test_augment_on_a_folder_says_so(capsys, mdir, tmp_path):
    code, _, err = run_cli(capsys, "augment", str(tmp_path), "-n", "2", "-o",
                           str(tmp_path / "o.jsonl"), "--model", mdir)
    assert_one_error_line(code, err, "the input is a folder, not a text file")


@pytest.mark.slow
def test_rows_equal_to_the_source_are_dropped_by_vary_and_marked_by_augment(capsys, tmp_path):
    """At a small radius the shipped model decodes the sentence itself."""
    text = "The dog is in the garden."
    code, out, err = run_cli(capsys, "vary", text, "-n", "4", "--radius", "0.1", *GREEDY,
                             "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["same_as_source"] == 4 and got["variations"] == []
    src = tmp_path / "in.txt"
    src.write_text(f"{text}\n")
    out_file = tmp_path / "o.jsonl"
    code, out, err = run_cli(capsys, "augment", str(src), "-n", "3", "--radius", "0.1", "-o",
                             str(out_file), "--no-progress", *GREEDY, "--json")
    assert code == 0, err
    assert json.loads(out)["rows_same_as_source"] == 3
    rows = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert [r.get("same_as_source") for r in rows] == [True] * 3
