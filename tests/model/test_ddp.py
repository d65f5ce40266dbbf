"""Several processes train one model with torchrun (DDP over gloo on the CPU)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np

import textlatent
from textlatent import load_model

DATA = Path(__file__).parents[1] / "data"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_torchrun_two_processes_train_one_model(tiny_model_dir, tmp_path):
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent))
    cmd = [torchrun or sys.executable, *([] if torchrun else ["-m", "torch.distributed.run"]),
           "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
           "--master_port", str(_free_port()), "-m", "textlatent.cli", "train",
           "--corpus", str(DATA / "tiny_corpus.txt"),
           "--tokenizer", str(tiny_model_dir / "tokenizer.model"), "--out", str(tmp_path / "m"),
           "--steps", "4", "--device", "cpu", "--no-progress", "--json", "--emb-dim", "32",
           "--enc-hidden", "32", "--latent-dim", "16", "--dec-hidden", "48"]
    # the processes import the textlatent under test, not whichever copy is installed
    root = str(Path(textlatent.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get(
        "PYTHONPATH")]))}
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=240, cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    reports = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert len(reports) == 1 and reports[0]["step"] == 4  # only the first process reports
    model = load_model(tmp_path / "m")
    z = model.encode(["the dog walked to the park"])
    assert z.shape == (1, 16)
    np.testing.assert_allclose(np.linalg.norm(z, axis=1), 1.0, atol=1e-5)
    state = json.loads((tmp_path / "m" / "train_state.json").read_text())
    assert state["step"] == 4
