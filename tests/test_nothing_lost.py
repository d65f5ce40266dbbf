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

ROOT = Path(__file__).resolve().parent.parent
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
                   "radius": 0.7, "seed": 5, "decode": "greedy", "model": "tiny-random"}
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
