"""Quality of the shipped model: the decoded text is the product."""

from __future__ import annotations

import numpy as np
import pytest

from textlatent import blend_path

EVERYDAY = [
    "the dog barked all night",
    "The dog chased the ball across the yard.",
    "She opened the window to let in some fresh air.",
    "the cat sat on the mat",
]


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_sentences_round_trip(builtin_model, text):
    assert builtin_model.reconstruct([text]) == [text]


def test_eval_sentences_reconstruct(builtin_model):
    from importlib import resources

    path = resources.files("textlatent.data") / "eval_sentences.txt"
    sentences = [s for s in path.read_text(encoding="utf-8").splitlines() if s.strip()]
    out = builtin_model.reconstruct(sentences)
    exact = np.mean([a == b for a, b in zip(sentences, out)])
    assert exact >= 0.8, list(zip(sentences, out))


def test_blend_path_moves_from_a_to_b(builtin_model):
    a, b = "the cat sat on the mat", "the dog slept on the rug"
    za, zb = builtin_model.encode([a, b])
    texts = builtin_model.decode(blend_path(za, zb, 9))
    assert texts[0] == a and texts[-1] == b
    assert len(set(texts[1:-1]) - {a, b}) >= 1


def test_parallel_pairs_blend_from_end_to_end(builtin_model):
    from importlib import resources

    from textlatent.evaluate import blend_metrics, read_pairs

    pairs = read_pairs(resources.files("textlatent.data") / "parallel_pairs.tsv")
    assert len(pairs) == 60
    metrics = blend_metrics(builtin_model, pairs)
    assert metrics["endpoints"] >= 0.9 and metrics["progress"] >= 0.9, metrics
    assert metrics["novelty"] >= 1.5 and metrics["valid_words"] >= 0.95, metrics


def test_latents_are_unit_vectors_of_model_dim(builtin_model):
    z = builtin_model.encode(EVERYDAY)
    assert z.shape == (len(EVERYDAY), builtin_model.dim)
    assert z.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(z, axis=1), 1.0, atol=1e-5)
    assert 256 <= builtin_model.dim <= 512


def test_model_card_ships(builtin_model):
    from textlatent.paths import builtin_model_path

    card = (builtin_model_path() / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "exact_match" in card
