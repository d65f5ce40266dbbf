"""A row's latent and decoded text do not depend on the other rows of its batch or on the
batch size (so a resumed `augment` equals an uninterrupted one)."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from textlatent.fidelity import decode_verified

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def heldout() -> list[str]:
    path = resources.files("textlatent.data").joinpath("heldout_sentences.txt")
    return path.read_text(encoding="utf-8").splitlines()[:40]


def in_batches(fn, rows, size: int) -> list:
    out: list = []
    for start in range(0, len(rows), size):
        out.extend(fn(rows[start:start + size]))
    return out


def test_encode_is_batch_independent(builtin_model, heldout):
    whole = builtin_model.encode(heldout)
    for size in (1, 5, 16):
        part = np.concatenate(in_batches(lambda b: [builtin_model.encode(b)], heldout, size))
        assert np.array_equal(part, whole), f"batches of {size}"


def test_greedy_and_beam_are_batch_independent(builtin_model, heldout):
    z = builtin_model.encode(heldout)
    whole = builtin_model.decode(z)
    for size in (1, 5, 16):
        assert in_batches(builtin_model.decode, z, size) == whole, f"batches of {size}"
    beam = builtin_model.decode(z[:12], beam=4)
    assert in_batches(lambda b: builtin_model.decode(b, beam=4), z[:12], 5) == beam


def test_checked_decode_is_batch_independent(builtin_model, heldout):
    z = builtin_model.encode(heldout)
    whole = [(d.text, d.fidelity) for d in decode_verified(builtin_model, z)]
    for size in (1, 7):
        part = in_batches(lambda b: decode_verified(builtin_model, b), z, size)
        assert [(d.text, d.fidelity) for d in part] == whole, f"batches of {size}"
