"""Fidelity of a decode and the decode that checks itself (textlatent.fidelity).

Mechanics on the tiny random model, wrapped only to count its calls; the shipped model for
what the numbers mean (marked slow).
"""

from __future__ import annotations

import dataclasses
import importlib

import numpy as np
import pytest

from textlatent.fidelity import (
    DEFAULT,
    GREEDY,
    VERIFIED_AT,
    Budget,
    Decoded,
    decode_path,
    decode_scored,
    decode_verified,
    fidelity,
    fidelity_of,
)

TEXTS = ["the cat sat on the mat", "a dog ran in the park", "hello there", "good night"]
SEARCH = Budget(rounds=3, beam=2, samples=2)
SHORT = 8  # tokens: the random model's decodes are noise, and short noise is quick
fid = importlib.import_module("textlatent.fidelity")  # the package's `fidelity` is the function


class Counting:
    """A real model, wrapped to record the rows of each decode and encode call."""

    def __init__(self, model):
        self.model, self.decodes, self.encodes = model, [], []
        self.dim, self.max_tokens = model.dim, model.max_tokens

    def encode(self, texts):
        self.encodes.append(len(texts))
        return self.model.encode(texts)

    def decode(self, latents, **options):
        self.decodes.append((len(np.atleast_2d(latents)), options))
        return self.model.decode(latents, **options)


@pytest.fixture(scope="module")
def z(tiny_model):
    return tiny_model.encode(TEXTS)


# -- the number -----------------------------------------------------------------------------------
def test_fidelity_of_a_text_to_its_own_encoding_is_one(tiny_model, z):
    np.testing.assert_allclose(fidelity(tiny_model, z, TEXTS), 1.0, atol=1e-5)


def test_fidelity_of_another_text_is_below_one(tiny_model, z):
    garbled = ["mat the on sat cat the", "a park ran in the dog", "there hello", "night good"]
    f = fidelity(tiny_model, z, garbled)
    assert (f < VERIFIED_AT).all() and (f > -1).all()


def test_fidelity_checks_its_arguments(tiny_model, z):
    with pytest.raises(ValueError, match="2 texts for 4 latents"):
        fidelity(tiny_model, z, TEXTS[:2])
    assert fidelity(tiny_model, z[:3], ["", "  ", "\x0e\u200b"]).tolist() == [0.0] * 3


def test_decoded_reports_verified_and_json():
    assert Decoded("a", 1.0).verified and not Decoded("a", VERIFIED_AT - 1e-4).verified
    assert Decoded("a b", 0.91234567).to_dict() == {"text": "a b", "fidelity": 0.912346}


# -- the decode ----------------------------------------------------------------------------------
def test_greedy_budget_is_the_models_decode_with_its_fidelity(tiny_model, z):
    spy = Counting(tiny_model)
    out = decode_verified(spy, z, GREEDY)
    assert [d.text for d in out] == tiny_model.decode(z)
    assert [len(d.attempts) for d in out] == [1] * len(z)
    np.testing.assert_allclose([d.fidelity for d in out],
                               fidelity(tiny_model, z, [d.text for d in out]), atol=1e-6)
    assert [n for n, _ in spy.decodes] == [len(z)] and len(spy.encodes) <= 1


def test_verified_rows_cost_no_extra_decode(tiny_model, z, monkeypatch):
    greedy = decode_verified(tiny_model, z, GREEDY, max_tokens=SHORT)
    f = np.array([d.fidelity for d in greedy])
    cut = float(np.median(f))  # half the rows count as verified at this threshold
    monkeypatch.setattr(fid, "VERIFIED_AT", cut)
    open_rows = int((f < cut).sum())
    assert 0 < open_rows < len(z)
    spy = Counting(tiny_model)
    out = decode_verified(spy, z, SEARCH, max_tokens=SHORT)
    rows = [n for n, _ in spy.decodes]
    assert rows[0] == len(z) and all(n <= open_rows for n in rows[1:]) and len(rows) > 1
    for d, g in zip(out, greedy):
        if g.fidelity >= cut:
            assert d == g and len(d.attempts) == 1  # kept as it was, nothing more tried
        else:
            assert d.fidelity >= g.fidelity and len(d.attempts) > 1


def test_fidelity_of_decoded_rows_needs_no_encode(tiny_model, z):
    """Any latents against decoded rows: the bits of `fidelity`, from the kept re-encodings."""
    found = decode_verified(tiny_model, z, SEARCH, max_tokens=SHORT)
    sources = np.roll(z, 1, axis=0)
    spy = Counting(tiny_model)
    got = fidelity_of(spy, sources, found)
    assert spy.encodes == []
    assert np.array_equal(got, fidelity(tiny_model, sources, [d.text for d in found]))
    bare = [dataclasses.replace(d, encoded=None) for d in found]
    assert np.array_equal(fidelity_of(spy, sources, bare), got) and spy.encodes == [len(z)]
    with pytest.raises(ValueError, match="3 texts for 4 latents"):
        fidelity_of(tiny_model, z, found[:3])


def test_the_best_candidate_is_kept(tiny_model, z):
    for d in decode_verified(tiny_model, z, SEARCH, max_tokens=SHORT):
        best = max(d.attempts, key=lambda s: s.fidelity)
        assert d.fidelity == best.fidelity and d.text == best.text
        assert d.attempts[0].source == "greedy"
        assert {s.source.split()[0] for s in d.attempts} <= {"greedy", "round", "beam", "sample"}


@pytest.mark.parametrize("budget", [DEFAULT, Budget(rounds=3, beam=2, step=1.0)])
def test_batched_equals_row_by_row(tiny_model, z, budget):
    """Without samples (one seeded generator draws for the whole batch), rows are independent."""
    batched = decode_verified(tiny_model, z, budget, SHORT)
    single = [decode_verified(tiny_model, z[i], budget, SHORT)[0] for i in range(len(z))]
    assert [d.text for d in batched] == [d.text for d in single]
    np.testing.assert_allclose([d.fidelity for d in batched], [d.fidelity for d in single],
                               atol=1e-5)


def test_deterministic_with_a_seed(tiny_model, z):
    sampled = Budget(rounds=1, samples=3, temperature=1.0, seed=7)
    first = decode_verified(tiny_model, z, sampled, SHORT)
    assert decode_verified(tiny_model, z, sampled, SHORT) == first
    other = decode_verified(tiny_model, z, dataclasses.replace(sampled, seed=8), SHORT)
    assert [d.attempts for d in other] != [d.attempts for d in first]


def test_rounds_bound_the_decode_calls(tiny_model, z):
    for rounds in (0, 1, 3):
        spy = Counting(tiny_model)
        decode_verified(spy, z, Budget(rounds=rounds), SHORT)
        assert 1 <= len(spy.decodes) <= rounds + 1
        assert all(opts == {"max_tokens": SHORT} for _, opts in spy.decodes)


def test_max_tokens_reaches_every_call(tiny_model, z):
    spy = Counting(tiny_model)
    decode_verified(spy, z, SEARCH, max_tokens=3)
    assert len(spy.decodes) > 1 and all(opts.get("max_tokens") == 3 for _, opts in spy.decodes)
    spy = Counting(tiny_model)
    decode_verified(spy, z, SEARCH)
    assert all("max_tokens" not in opts for _, opts in spy.decodes)


def test_empty_decodes_have_fidelity_zero_and_lose_to_any_text(tiny_model, z):
    spy = Counting(tiny_model)
    out = decode_verified(spy, z, Budget(rounds=2), max_tokens=1)  # one token: often nothing
    for d in out:
        for s in d.attempts:
            assert s.fidelity == 0.0 or s.text.strip()
        assert d.fidelity == max(s.fidelity for s in d.attempts)


def test_bad_latents_are_the_models_errors(tiny_model):
    with pytest.raises(ValueError, match="shape"):
        decode_verified(tiny_model, np.ones((2, 3)), DEFAULT)
    with pytest.raises(ValueError, match="NaN"):
        decode_verified(tiny_model, np.full((1, tiny_model.dim), np.nan), DEFAULT)
    with pytest.raises(ValueError, match="beam"):
        decode_scored(tiny_model, np.ones(tiny_model.dim), beam=0)


@pytest.mark.parametrize("kwargs, match", [
    ({"rounds": -1}, "rounds"), ({"rounds": 17}, "rounds"), ({"step": 0}, "step"),
    ({"step": 5}, "step"), ({"beam": 33}, "beam"),
    ({"samples": -1}, "samples"), ({"samples": 33}, "samples"),
    ({"temperature": 0}, "temperature"), ({"temperature": 6}, "temperature"),
])
def test_budget_ranges(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Budget(**kwargs)


def test_budget_names():
    assert GREEDY.rounds == GREEDY.beam == GREEDY.samples == 0 and DEFAULT.rounds > 0
    assert Budget(rounds=16, step=4, beam=32, samples=32, temperature=5)


def test_decode_scored_is_the_plain_decode(tiny_model, z):
    out = decode_scored(tiny_model, z, beam=3, max_tokens=SHORT)
    assert [d.text for d in out] == tiny_model.decode(z, beam=3, max_tokens=SHORT)
    np.testing.assert_allclose([d.fidelity for d in out],
                               fidelity(tiny_model, z, [d.text for d in out]), atol=1e-6)


def test_decode_path_spends_the_budget_on_the_ends_only(tiny_model, z):
    from textlatent import blend_path

    path = blend_path(z[0], z[1], 7)
    spy = Counting(tiny_model)
    out = decode_path(spy, path, SEARCH, GREEDY, SHORT)
    assert len(out) == 7
    middle = decode_verified(tiny_model, path[1:-1], GREEDY, SHORT)
    assert out[1:-1] == middle
    assert out[0] == decode_verified(tiny_model, path[[0, -1]], SEARCH, SHORT)[0]
    sizes = [n for n, _ in spy.decodes]
    assert sizes[0] == 7 and len(sizes) > 2  # one greedy pass over the whole path,
    assert all(n <= 2 for n in sizes[1:])  # then work on the ends only
    spy = Counting(tiny_model)
    assert decode_path(spy, path, GREEDY, GREEDY, SHORT) == decode_verified(tiny_model, path,
                                                                          GREEDY, SHORT)
    assert [n for n, _ in spy.decodes] == [7]


def test_library_exports():
    import textlatent

    for name in ("fidelity", "decode_verified", "Budget", "Decoded", "GREEDY", "DEFAULT",
                 "VERIFIED_AT", "decode_path"):
        assert hasattr(textlatent, name), name
    assert textlatent.decode_verified is decode_verified


# -- the shipped model ---------------------------------------------------------------------------
@pytest.mark.slow
def test_shipped_exact_reconstruction_verifies_and_garbled_does_not(builtin_model):
    text = "the dog barked all night"
    zt = builtin_model.encode([text])
    assert fidelity(builtin_model, zt, [text])[0] == pytest.approx(1.0, abs=1e-5)
    assert fidelity(builtin_model, zt, ["the dog barked all day"])[0] < 0.99
    assert fidelity(builtin_model, zt, ["night all barked dog the"])[0] < 0.99


@pytest.mark.slow
def test_shipped_short_sentences_verify_with_one_decode(builtin_model):
    texts = ["the dog barked all night", "the cat sat on the mat", "I can't find my keys."]
    spy = Counting(builtin_model)
    out = decode_verified(spy, builtin_model.encode(texts), DEFAULT)
    assert [d.text for d in out] == texts and all(d.verified for d in out)
    assert len(spy.decodes) == 1


@pytest.mark.slow
def test_shipped_default_decode_corrects_a_long_sentence(builtin_model):
    text = "We decided to take the scenic route home because the highway was closed for repairs."
    zt = builtin_model.encode([text])
    greedy = decode_verified(builtin_model, zt, GREEDY)[0]
    best = decode_verified(builtin_model, zt, DEFAULT)[0]
    assert not greedy.verified and greedy.text != text
    assert best.fidelity > greedy.fidelity
    assert best.text == text and best.verified
