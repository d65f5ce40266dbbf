"""Fixtures of the app tests: a tiny model folder that carries an index and a map of meanings."""

from __future__ import annotations

import pytest
from helpers import folder_with_map

TEXTS = ["the cat sat", "the dog slept", "a bird sang", "the sun is warm", "she reads a book",
         "we walked home", "it rained all day", "he drinks tea", "a cat slept", "the sun set",
         "she sang a song", "we drank tea"]


@pytest.fixture(scope="module")
def mapped(tiny_model_dir, tiny_model, tmp_path_factory):
    return folder_with_map(tiny_model_dir, tiny_model,
                           tmp_path_factory.mktemp("mapped") / "model", TEXTS)
