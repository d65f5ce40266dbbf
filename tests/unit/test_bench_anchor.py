"""`textlatent bench --anchor`: the model and a Bottleneck-T5-small-shaped anchor side by side."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from textlatent.anchor import compare, format_anchor_bench

ROOT = Path(__file__).parents[2]
ROWS = {"encode", "reconstruct_greedy", "reconstruct_default", "blend9_greedy", "blend9_default"}


def test_compare_alternates_sides_and_pairs_default_rows_with_the_anchor_before():
    calls: list[str] = []
    jobs = [("a", lambda: calls.append("A1"), lambda: calls.append("M1")),
            ("b", None, lambda: calls.append("M2"))]
    result = compare(jobs, repeats=2, warmup=1)
    assert calls == ["A1", "M1", "M2"] * 3
    assert result["b"]["anchor_ms"] == result["a"]["anchor_ms"]
    assert all(r["model_ms"] > 0 and r["ratio"] > 0 for r in result.values())


@pytest.mark.slow
def test_bench_anchor_prints_both_sides_and_ratios(mdir):
    proc = subprocess.run([sys.executable, "-m", "textlatent.cli", "bench", "--anchor",
                           "--repeats", "1", "--model", mdir, "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert set(result["rows"]) == ROWS
    assert result["anchor"]["shape"]["d_model"] == 512
    assert 50e6 < result["anchor"]["parameters"] < 80e6
    for row in result["rows"].values():
        assert row["anchor_ms"] > 0 and row["model_ms"] > 0
        assert row["ratio"] == pytest.approx(row["anchor_ms"] / row["model_ms"])
    text = format_anchor_bench(result).splitlines()
    assert {line.split()[0] for line in text[-5:]} == ROWS


@pytest.mark.slow
def test_bench_anchor_without_transformers_is_one_error_line(mdir):
    hide = ("import sys; sys.modules['transformers'] = None; from textlatent.cli import main; "
            f"sys.exit(main(['bench', '--anchor', '--model', {mdir!r}]))")
    proc = subprocess.run([sys.executable, "-c", hide], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "textlatent: error: bench --anchor needs transformers: pip install 'textlatent[hf]'"]
