"""Metrics: pure scoring functions on hand-made lists, then the model-driven entry points."""

from __future__ import annotations

import pytest

from textlatent import evaluate as ev
from textlatent.decode_spec import DecodeSpec

VOCAB = frozenset({"the", "cat", "dog", "sat", "ran", "on", "mat", "rug", "a", "dog's"})


# -- pure helpers --------------------------------------------------------------------------------
@pytest.mark.parametrize("n, bucket", [
    (0, "1-5"), (1, "1-5"), (5, "1-5"), (6, "6-10"), (10, "6-10"), (11, "11-15"),
    (15, "11-15"), (16, "16-20"), (20, "16-20"), (21, "21+"), (400, "21+"),
])
def test_length_bucket(n, bucket):
    assert ev.length_bucket(n) == bucket


@pytest.mark.parametrize("ref, out, acc", [
    ("the cat sat", "the cat sat", 1.0),
    ("the cat sat", "the dog sat", 2 / 3),
    ("the cat sat", "the cat", 2 / 3),
    ("the cat", "the cat sat down", 2 / 4),
    ("the cat sat", "cat sat", 0.0),
    ("the cat", "", 0.0),
    ("", "", 1.0),
])
def test_token_accuracy(ref, out, acc):
    assert ev.token_accuracy(ref, out) == pytest.approx(acc)


@pytest.mark.parametrize("a, b, d", [
    ("", "", 0), ("a b c", "a b c", 0), ("a b c", "a c", 1), ("a b", "b a", 2),
    ("kitten sitting", "sitting kitten on", 2), ("a b c d", "x y", 4), ("", "x y", 2),
])
def test_edit_distance(a, b, d):
    assert ev.edit_distance(a.split(), b.split()) == d
    assert ev.edit_distance(b.split(), a.split()) == d


def test_score_reconstruction_exact_and_buckets():
    refs = ["the cat sat", "a dog ran on the big green rug today", "the mat"]
    outs = ["the cat sat", "a dog ran on the big green rug", "the rug"]
    m = ev.score_reconstruction(refs, outs)
    assert m["n"] == 3
    assert m["exact_match"] == pytest.approx(1 / 3)
    assert m["token_accuracy"] == pytest.approx((1 + 8 / 9 + 1 / 2) / 3)
    assert 0 < m["bleu"] < 100
    assert set(m["by_length"]) == {"1-5", "6-10"}
    assert m["by_length"]["1-5"]["n"] == 2
    long = m["by_length"]["6-10"]
    assert (long["n"], long["exact_match"]) == (1, 0.0)
    assert long["token_accuracy"] == pytest.approx(8 / 9)


def test_score_reconstruction_perfect():
    refs = ["the cat sat on the mat", "a dog ran"]
    m = ev.score_reconstruction(refs, list(refs))
    assert m["exact_match"] == 1.0 and m["token_accuracy"] == 1.0
    assert m["bleu"] == pytest.approx(100.0)


def test_score_reconstruction_ignores_outer_whitespace_for_exact():
    assert ev.score_reconstruction(["a cat"], [" a cat "])["exact_match"] == 1.0


def test_score_reconstruction_length_mismatch():
    with pytest.raises(ValueError):
        ev.score_reconstruction(["a"], [])


def test_path_progress_monotone_path():
    a, b = "the cat sat on the mat", "the dog ran on the rug"
    path = [a, "the dog sat on the mat", "the dog ran on the mat", b]
    assert ev.path_progress(path, a, b) == (3, 3)


def test_path_progress_counts_backward_steps():
    a, b = "the cat sat", "the dog ran"
    path = [a, "the dog sat", a, "the dog ran", "the dog ran"]
    # step 2 moves back towards a; step 4 stays put, which counts as progress
    assert ev.path_progress(path, a, b) == (3, 4)


def test_path_progress_uses_sentences_not_end_decodes():
    a, b = "the cat sat", "the dog ran"
    path = ["a cat sat", "a cat sat", "zzz", "the dog ran"]
    good, steps = ev.path_progress(path, a, b)
    assert steps == 3 and good == 2


def test_path_novelty():
    assert ev.path_novelty(["A", "A", "X", "X", "Y", "B", "B"]) == 2
    assert ev.path_novelty(["A", "A", "B", "B"]) == 0
    assert ev.path_novelty(["A", "B"]) == 0
    assert ev.path_novelty(["A", "X ", " X", "B"]) == 1


@pytest.mark.parametrize("word, verdict", [
    ("cat", True), ("Cat.", True), ('"dog,"', True), ("(the)", True), ("dog's", True),
    ("“mat”", True), ("xyzzy", False), ("ca-t", False), ("42", True), ("3.14", True),
    ("1,000", True), ("1990s", True), ("...", None), ("—", None),
])
def test_is_valid_word(word, verdict):
    assert ev.is_valid_word(word, VOCAB) is verdict


def test_valid_word_counts():
    assert ev.valid_word_counts(["the cat xyzzy .", "dog 7 — qq"], VOCAB) == (4, 6)
    assert ev.valid_word_counts(["", "  "], VOCAB) == (0, 0)


def test_score_blends_hand_made():
    a1, b1 = "the cat sat", "the dog ran"
    path1 = [a1, "the cat ran", "the dog sat", "the dog ran", b1]
    a2, b2 = "a cat", "a dog"
    path2 = ["a cat", "a xyzzy", "a cat", "a dog!", "a dogs"]
    m = ev.score_blends([(a1, b1, path1), (a2, b2, path2)], VOCAB)
    assert m["pairs"] == 2
    assert m["endpoints"] == 0.5
    # path1: steps ok = 4/4 (distances to a: 0,1,2,2,2 ; to b: 2,1,1,0,0)
    # path2: to a: 0,1,0,1,1 ; to b: 1,1,1,1,1 -> steps 1, 3, 4 ok
    assert m["progress"] == pytest.approx((4 + 3) / 8)
    # path1 intermediates: "the cat ran", "the dog sat" (new), "the dog ran" (= end) -> 2
    # path2 intermediates: "a xyzzy" and "a dog!" are new; "a cat" is the start -> 2
    assert m["novelty"] == pytest.approx(2.0)
    # words: path1 9 valid of 9; path2 "a xyzzy a cat a dog!" -> 5 valid of 6
    assert m["valid_words"] == pytest.approx(14 / 15)


def test_score_blends_empty():
    assert ev.score_blends([], VOCAB) == {"pairs": 0, "endpoints": 0.0, "progress": 0.0,
                                         "novelty": 0.0, "valid_words": 0.0}


def test_english_words_list():
    words = ev.english_words()
    assert len(words) > 50_000
    assert {"the", "dog", "sleep", "dog's", "neighbors"} <= words
    assert "xyzzyq" not in words


# -- files ---------------------------------------------------------------------------------------
def test_read_sentences(tmp_path):
    f = tmp_path / "s.txt"
    f.write_text("one\n\n  two  \n")
    assert ev.read_sentences(f) == ["one", "two"]
    f.write_text("\n \n")
    with pytest.raises(ValueError, match="no sentences"):
        ev.read_sentences(f)


def test_read_pairs(tmp_path):
    f = tmp_path / "p.tsv"
    f.write_text("a cat\ta dog\n\nthe sun\tthe moon\n")
    assert ev.read_pairs(f) == [("a cat", "a dog"), ("the sun", "the moon")]
    f.write_text("a cat\ta dog\nonly one\n")
    with pytest.raises(ValueError, match="line 2"):
        ev.read_pairs(f)
    f.write_text("a\tb\tc\n")
    with pytest.raises(ValueError, match="line 1"):
        ev.read_pairs(f)


def test_shipped_eval_files_are_readable():
    from importlib import resources

    data = resources.files("textlatent.data")
    assert len(ev.read_sentences(data / "eval_sentences.txt")) >= 20
    assert len(ev.read_pairs(data / "eval_pairs.tsv")) >= 5


# -- with the tiny model -------------------------------------------------------------------------
class DecodeSpy:
    """Wraps a model and records the number of rows of each decode call."""

    def __init__(self, model):
        self.model, self.calls = model, []

    def encode(self, texts):
        return self.model.encode(texts)

    def decode(self, latents, **kwargs):
        self.calls.append(len(latents))
        return self.model.decode(latents, **kwargs)

    def reconstruct(self, texts, **kwargs):
        return self.decode(self.encode(texts), **kwargs)


PAIRS = [("the cat sat on the mat", "a dog ran in the park"), ("hello there", "good night")]


def test_blend_metrics_one_decode_per_path(tiny_model):
    spy = DecodeSpy(tiny_model)
    m = ev.blend_metrics(spy, PAIRS, steps=9)
    assert spy.calls == [9, 9]
    assert m["pairs"] == 2
    for key in ("endpoints", "progress", "valid_words"):
        assert 0.0 <= m[key] <= 1.0
    assert 0.0 <= m["novelty"] <= 7.0


def test_blend_metrics_rejects_short_paths(tiny_model):
    with pytest.raises(ValueError, match="3 steps"):
        ev.blend_metrics(tiny_model, PAIRS, steps=2)
    with pytest.raises(ValueError, match="no sentence pairs"):
        ev.blend_metrics(tiny_model, [], steps=9)


def test_reconstruction_metrics_batched_by_length(tiny_model):
    spy = DecodeSpy(tiny_model)
    sentences = ["the cat sat", "a dog ran in the park today", "hello"]
    m = ev.reconstruction_metrics(spy, sentences, DecodeSpec(how="greedy"))
    assert spy.calls == [2, 1]  # one greedy decode per length bucket
    assert m["n"] == 3 and set(m) == {"n", "exact_match", "bleu", "token_accuracy", "by_length",
                                      "mean_fidelity", "verified", "ms_per_sentence"}
    assert sum(b["n"] for b in m["by_length"].values()) == 3
    assert m["exact_match"] == 0.0 and m["verified"] == 0.0 and 0 < m["mean_fidelity"] < 1
    assert m["ms_per_sentence"] > 0


def test_reconstruction_metrics_default_decode_tries_more(tiny_model):
    spy = DecodeSpy(tiny_model)
    m = ev.reconstruction_metrics(spy, ["the cat sat", "hello"], DecodeSpec())
    assert spy.calls[0] == 2 and len(spy.calls) > 1  # random weights: nothing verifies
    assert m["n"] == 2


def test_fidelity_metrics_by_length():
    m = ev.fidelity_metrics(["a b", "a b c d e f g", "x"], [1.0, 0.5, 0.99])
    assert m["n"] == 3 and m["verified"] == pytest.approx(1 / 3)
    assert m["mean_fidelity"] == pytest.approx((1.0 + 0.5 + 0.99) / 3)
    assert m["by_length"]["1-5"] == {"n": 2, "mean_fidelity": pytest.approx(0.995),
                                     "verified": 0.5}
    assert m["by_length"]["6-10"]["verified"] == 0.0


def test_evaluate_combines_and_examples(tiny_model, tmp_path):
    s = tmp_path / "s.txt"
    s.write_text("the cat sat\na dog ran\n")
    p = tmp_path / "p.tsv"
    p.write_text("the cat sat\ta dog ran\n")
    result = ev.evaluate(tiny_model, s, p)
    assert "examples" not in result
    assert result["n"] == 2 and result["blend"]["pairs"] == 1
    shown = ev.evaluate(tiny_model, s, p, examples=1, spec=DecodeSpec(how="greedy"))["examples"]
    assert [(e["input"], e["output"]) for e in shown] == [
        ("the cat sat", tiny_model.reconstruct("the cat sat")[0])]
    assert 0 <= shown[0]["fidelity"] < 1
