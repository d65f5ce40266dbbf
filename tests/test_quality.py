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


def card_table(card: str, heading: str) -> dict[str, list[str]]:
    """The first markdown table after `heading`: first cell -> the other cells, ** removed."""
    rows = {}
    for line in card.split(heading, 1)[1].split("\n|", 1)[1].split("\n\n", 1)[0].splitlines():
        cells = [c.strip().strip("*") for c in line.strip().strip("|").split("|")]
        if cells and not set(cells[0]) <= set("-: "):
            rows[cells[0]] = cells[1:]
    return rows


def shown_as(measured: float, shown: str) -> bool:
    """`shown` is `measured` written to the card's number of decimals."""
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return abs(float(shown) - measured) <= 0.5 * 10 ** -decimals + 1e-9


@pytest.mark.slow
def test_model_card_quality_table_is_what_eval_measures(builtin_model):
    """The card's headline table (default decode and greedy) against `evaluate` run now."""
    from importlib import resources

    from textlatent.decode_spec import DecodeSpec
    from textlatent.evaluate import evaluate
    from textlatent.paths import builtin_model_path

    card = (builtin_model_path() / "MODEL_CARD.md").read_text(encoding="utf-8")
    table = card_table(card, "## Measured quality")
    data = resources.files("textlatent.data")
    files = [str(data / "eval_sentences.txt"), str(data / "eval_pairs.tsv")]
    for column, how in enumerate(("auto", "greedy")):
        result = evaluate(builtin_model, *files, spec=DecodeSpec(how=how))
        for key in ("exact_match", "bleu", "token_accuracy", "blend.endpoints",
                    "blend.progress", "blend.novelty", "blend.valid_words"):
            measured = result["blend"][key[6:]] if key.startswith("blend.") else result[key]
            assert shown_as(measured, table[key][column]), (how, key, measured, table[key])
        fid, verified = table["mean_fidelity / verified"][column].split(" / ")
        assert shown_as(result["mean_fidelity"], fid) and shown_as(result["verified"], verified)
