"""`augment --shard K/N` and `--device`: N slices whose outputs concatenate into exactly the
one-process output; devices that are not there get one error line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli

from textlatent.augment import parse_shard, shard_range

ROOT = Path(__file__).parents[2]
LINES = [f"the {w} walked to the market on day {i}" for i, w in
         enumerate(["cat", "old man", "girl", "dog", "farmer", "teacher", "bird"] * 2)]


def _augment(capsys, mdir, src: Path, out: Path, *extra: str) -> dict:
    code, stdout, err = run_cli(capsys, "augment", str(src), "-n", "3", "-o", str(out),
                                "--seed", "5", "--no-progress", "--model", mdir, "--json",
                                *extra)
    assert code == 0, err
    return json.loads(stdout)


@pytest.fixture
def src(tmp_path) -> Path:
    path = tmp_path / "in.txt"
    path.write_text("\n".join(LINES[:6]) + "\n\n" + "\n".join(LINES[6:]) + "\n",
                    encoding="utf-8")
    return path


def test_shard_ranges_cover_the_input_once_in_order():
    for total in (0, 1, 5, 14, 101):
        for n in (1, 2, 3, 7):
            ranges = [shard_range(total, (k, n)) for k in range(1, n + 1)]
            assert ranges[0][0] == 0 and ranges[-1][1] == total
            assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
            assert max(b - a for a, b in ranges) - min(b - a for a, b in ranges) <= 1
    assert parse_shard("2/3") == (2, 3)
    for bad in ("0/2", "3/2", "1", "a/b", "1/0", "-1/2", "1/2/3"):
        with pytest.raises(ValueError, match="K/N"):
            parse_shard(bad)


def test_shards_concatenate_into_the_one_process_output(capsys, mdir, src, tmp_path):
    whole = tmp_path / "whole.jsonl"
    _augment(capsys, mdir, src, whole, "--batch", "4")
    parts = []
    for k, batch in ((1, "3"), (2, "5"), (3, "2")):
        part = tmp_path / f"part{k}.jsonl"
        stats = _augment(capsys, mdir, src, part, "--shard", f"{k}/3", "--batch", batch)
        first, stop = shard_range(len(LINES), (k, 3))
        assert stats["lines"] == stop - first and stats["first_line"] == first + 1
        parts.append(part.read_bytes())
    assert b"".join(parts) == whole.read_bytes()


def test_a_shard_resumes_within_its_own_slice(capsys, mdir, src, tmp_path):
    full = tmp_path / "full.jsonl"
    _augment(capsys, mdir, src, full, "--shard", "2/2")
    rows = full.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(rows[:7]) + rows[7][:9], encoding="utf-8")  # 2 lines + 1 row + stub
    record = full.with_name(full.name + ".job.json")
    cut.with_name(cut.name + ".job.json").write_bytes(record.read_bytes())  # the same job
    stats = _augment(capsys, mdir, src, cut, "--shard", "2/2")
    assert stats["lines_skipped"] == 2 and stats["rows_written"] == 15
    assert cut.read_bytes() == full.read_bytes()
    code, _, err = run_cli(capsys, "augment", str(src), "-n", "3", "-o", str(cut), "--seed", "5",
                           "--no-progress", "--model", mdir, "--shard", "1/2")
    assert code == 2 and "holds another job (--shard 2/2, not 1/2)" in err


@pytest.mark.parametrize("bad", ["3/2", "0/1", "half"])
def test_a_bad_shard_is_one_error_line_and_writes_nothing(capsys, mdir, src, tmp_path, bad):
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli(capsys, "augment", str(src), "-n", "2", "-o", str(out),
                           "--model", mdir, "--shard", bad)
    assert code == 2 and err.strip().splitlines() == [err.strip()]
    assert err.startswith("textlatent: error: shard must be K/N") and not out.exists()


def test_a_missing_device_is_one_error_line(capsys, mdir, src, tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA device")
    out = tmp_path / "out.jsonl"
    for device, says in (("cuda", "device cuda is not available"),
                         ("tpu", "device must be auto, cpu, cuda or cuda:N")):
        code, _, err = run_cli(capsys, "augment", str(src), "-n", "2", "-o", str(out),
                               "--model", mdir, "--device", device)
        assert code == 2 and err.startswith(f"textlatent: error: {says}"), err
        assert len(err.strip().splitlines()) == 1 and not out.exists()
    stats = _augment(capsys, mdir, src, out, "--device", "auto")  # cpu here
    assert stats["rows_written"] == 3 * len(LINES)


@pytest.mark.slow
def test_two_processes_at_once_equal_one(capsys, mdir, src, tmp_path):
    whole = tmp_path / "whole.jsonl"
    _augment(capsys, mdir, src, whole)
    procs = [subprocess.Popen([sys.executable, "-m", "textlatent.cli", "augment", str(src),
                               "-n", "3", "-o", str(tmp_path / f"p{k}.jsonl"), "--seed", "5",
                               "--no-progress", "--model", mdir, "--shard", f"{k}/2",
                               "--batch", str(k + 2)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for k in (1, 2)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    joined = (tmp_path / "p1.jsonl").read_bytes() + (tmp_path / "p2.jsonl").read_bytes()
    assert joined == whole.read_bytes()
