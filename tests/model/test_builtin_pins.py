"""The shipped model's outputs, pinned: greedy, beam 4 and seeded sampling give exactly the strings
written by tests/data/make_builtin_pins.py before the backend refactor."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from textlatent import blend_path

PINS = json.loads((Path(__file__).parents[1] / "data/builtin_pins.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def latents(builtin_model):
    return builtin_model.encode(PINS["sentences"])


def test_latents_unchanged(latents):
    assert np.allclose(latents[:, :8], np.array(PINS["latent_head"]), atol=2e-6)


def test_greedy_unchanged(builtin_model, latents):
    assert builtin_model.decode(latents) == PINS["greedy"]


def test_beam_unchanged(builtin_model, latents):
    assert builtin_model.decode(latents, beam=4) == PINS["beam4"]


@pytest.mark.parametrize("key", ["sample", "hot"])
def test_sampling_unchanged(builtin_model, latents, key):
    pin = PINS[key]
    assert builtin_model.decode(latents, **pin["options"]) == pin["texts"]


def test_blend_path_unchanged(builtin_model, latents):
    path = blend_path(latents[0], latents[1], 9, "slerp")
    assert builtin_model.decode(path) == PINS["blend9"]
    assert builtin_model.decode(path, beam=4) == PINS["blend9_beam4"]
    assert builtin_model.decode(path, **PINS["hot"]["options"]) == PINS["blend9_hot"]
