"""A row's latent and decoded text do not depend on the other rows of its batch or on the
batch size (so a resumed `augment` equals an uninterrupted one)."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from textlatent.fidelity import decode_verified


def test_inference_encode_matches_the_training_encoder_and_ignores_its_batch(tiny_model):
    import torch

    texts = ["a", "the cat sat on the mat", "birds fly south in winter", "ok then", "x y z"]
    ids = tiny_model.tokenize(texts)
    net = tiny_model.net
    fast = net.encode_batch(ids)
    for i, row in enumerate(ids):
        with torch.inference_mode():
            alone = net.encode(torch.tensor([row]), torch.tensor([len(row)]))
        assert float((alone * fast[i]).sum()) > 0.9999  # bf16 products where the CPU has them
        assert torch.equal(net.encode_batch([row]), fast[i:i + 1])
    assert torch.equal(net.encode_batch(ids[1:4]), fast[1:4])


@pytest.fixture(scope="module")
def heldout() -> list[str]:
    path = resources.files("textlatent.data").joinpath("heldout_sentences.txt")
    return path.read_text(encoding="utf-8").splitlines()[:40]


def in_batches(fn, rows, size: int) -> list:
    out: list = []
    for start in range(0, len(rows), size):
        out.extend(fn(rows[start:start + size]))
    return out


@pytest.mark.slow
def test_encode_is_batch_independent(builtin_model, heldout):
    whole = builtin_model.encode(heldout)
    for size in (1, 5, 16):
        part = np.concatenate(in_batches(lambda b: [builtin_model.encode(b)], heldout, size))
        assert np.array_equal(part, whole), f"batches of {size}"


@pytest.mark.slow
def test_greedy_and_beam_are_batch_independent(builtin_model, heldout):
    z = builtin_model.encode(heldout)
    whole = builtin_model.decode(z)
    for size in (1, 5, 16):
        assert in_batches(builtin_model.decode, z, size) == whole, f"batches of {size}"
    beam = builtin_model.decode(z[:12], beam=4)
    assert in_batches(lambda b: builtin_model.decode(b, beam=4), z[:12], 5) == beam


@pytest.mark.slow
def test_checked_decode_is_batch_independent(builtin_model, heldout):
    z = builtin_model.encode(heldout)
    whole = [(d.text, d.fidelity) for d in decode_verified(builtin_model, z)]
    for size in (1, 7):
        part = in_batches(lambda b: decode_verified(builtin_model, b), z, size)
        assert [(d.text, d.fidelity) for d in part] == whole, f"batches of {size}"


@pytest.mark.slow
def test_augment_rows_do_not_depend_on_the_batch_size(tmp_path):
    """`augment --batch 5` and `--batch 16` write the same file (40 held-out lines, 3 rows
    each; 5 of the 120 texts differed before rows were made independent of their batch)."""
    import subprocess
    import sys

    path = resources.files("textlatent.data").joinpath("heldout_sentences.txt")
    lines = path.read_text(encoding="utf-8").splitlines()[299:339]
    src = tmp_path / "in.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outs = []
    for batch in ("5", "16"):
        out = tmp_path / f"b{batch}.jsonl"
        proc = subprocess.run([sys.executable, "-m", "textlatent.cli", "augment", str(src),
                               "-n", "3", "-o", str(out), "--batch", batch, "--no-progress"],
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
