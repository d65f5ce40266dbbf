"""Property tests over arbitrary text and numbers.

Run with the default fixed-seed "ci" profile, or soak locally with
`pytest tests/test_fuzz.py --hypothesis-profile long` (10 000 examples per test).
"""

from __future__ import annotations

import contextlib
import io
import unicodedata
import warnings

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from textlatent import cli
from textlatent.backends import TruncationWarning, check_latents
from textlatent.cli import codec
from textlatent.latent import arithmetic, blend_path, lerp, normalize, perturb, slerp
from textlatent.paths import builtin_model_path
from textlatent.tokenizer import Tokenizer, replace_surrogates

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # no overflow, no 0/0

D = 16
BLANK = {"Cc", "Cf", "Zs", "Zl", "Zp"}

# Characters that have broken tokenizers and terminals before, mixed into arbitrary text.
TRICKY = st.sampled_from([
    " ", "  ", "\t", "\n", "\r\n", "\x00", "\x1b", "\x7f", "\u2581", "\u2581\u2581", "▁a",
    "\u00a0", "\u200b", "\u200d", "\ufeff", "\ufffd", "\u202e", "\u0301", "\u0308\u0301",
    "🍕", "👩\u200d👩\u200d👧", "🏳️\u200d🌈", "我", "שלום", "مرحبا", "<0xE2>", "<s>", "</s>",
    "<unk>", "<pad>", "\U0010ffff", "\uffff", "\ue000", "a", "The", ".", "'",
])
ANY_TEXT = st.lists(st.one_of(TRICKY, st.text()), max_size=12).map("".join)
# Strings with lone surrogates, as Python builds them from undecodable bytes or broken UTF-16.
SURROGATE_TEXT = st.lists(
    st.one_of(TRICKY, st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), st.text()),
    max_size=8,
).map("".join)
FINITE = st.floats(allow_nan=False, allow_infinity=False, width=32)
VECTORS = arrays(np.float32, D, elements=FINITE).filter(lambda v: np.any(v != 0))


@pytest.fixture(scope="module")
def tokenizers(tiny_model_dir) -> list[Tokenizer]:
    return [Tokenizer(tiny_model_dir / "tokenizer.model"),
            Tokenizer(builtin_model_path() / "tokenizer.model")]


def _is_blank(text: str) -> bool:
    return all(unicodedata.category(c) in BLANK for c in replace_surrogates(text))


# -- tokenizer -----------------------------------------------------------------------------------
@given(text=ANY_TEXT)
def test_tokenizer_round_trips_any_text(tokenizers, text):
    for tok in tokenizers:
        ids = tok.encode(text)
        assert all(4 <= i < tok.vocab_size for i in ids)
        assert tok.decode(ids) == text


@given(text=st.text(min_size=200, max_size=3000))
def test_tokenizer_round_trips_long_text(tokenizers, text):
    tok = tokenizers[1]
    assert tok.decode(tok.encode(text)) == text


@given(text=SURROGATE_TEXT)
def test_tokenizer_replaces_lone_surrogates(tokenizers, text):
    for tok in tokenizers:
        assert tok.decode(tok.encode(text)) == replace_surrogates(text)


@given(texts=st.lists(ANY_TEXT, max_size=6))
def test_tokenizer_batch_equals_single(tokenizers, texts):
    tok = tokenizers[1]
    assert tok.encode_batch(texts) == [tok.encode(t) for t in texts]


# -- encode -> decode ----------------------------------------------------------------------------
DECODE_OPTIONS = st.sampled_from([
    {}, {"beam": 2}, {"temperature": 1.0, "top_p": 0.9, "seed": 1}, {"max_tokens": 3},
])


@given(texts=st.lists(st.one_of(ANY_TEXT, SURROGATE_TEXT), min_size=1, max_size=4),
       options=DECODE_OPTIONS)
def test_encode_decode_never_raises(tiny_model, texts, options):
    blank = [i for i, t in enumerate(texts) if _is_blank(t)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if blank:
            with pytest.raises(ValueError, match=f"text {blank[0]} is empty"):
                tiny_model.encode(texts)
            return
        z = tiny_model.encode(texts)
        out = tiny_model.decode(z, **options)
    assert z.shape == (len(texts), D) and z.dtype == np.float32
    assert np.isfinite(z).all() and np.allclose(np.linalg.norm(z, axis=1), 1.0, atol=1e-5)
    assert len(out) == len(texts)
    for text in out:
        assert isinstance(text, str)
        text.encode("utf-8")
    cut = [w for w in caught if w.category is TruncationWarning]
    assert len(cut) == sum(len(tiny_model.tokenizer.encode(t)) > tiny_model.max_tokens - 1
                           for t in texts)
    assert len(cut) == len(caught)


@given(text=ANY_TEXT)
def test_cli_encode_exits_0_or_2(cli_model, text):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["reconstruct", "--json", "--max-tokens", "2", "--", text])
    assert code == (2 if _is_blank(text) else 0), err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert all(line.startswith("textlatent: ") for line in err.getvalue().splitlines())


@pytest.fixture(scope="module")
def cli_model(tiny_model):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(codec, "load", lambda args: tiny_model)
        yield tiny_model


# -- latents -------------------------------------------------------------------------------------
ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True, width=64)


@given(latents=st.one_of(
    arrays(np.float64, st.tuples(st.integers(0, 3), st.sampled_from([D - 1, D, D + 1])),
           elements=ANY_FLOAT),
    arrays(np.float32, D, elements=st.floats(width=32)),
    arrays(np.int64, (2, D), elements=st.integers(-(2**62), 2**62)),
    st.lists(st.lists(st.one_of(ANY_FLOAT, st.integers(), st.none(), st.text(max_size=2)),
                      max_size=D + 1), max_size=3),
))
def test_check_latents_is_unit_or_value_error(latents):
    try:
        z = check_latents(latents, D)
    except ValueError:
        return
    arr = np.asarray(latents, dtype=np.float64).reshape(-1, D)
    assert np.isfinite(arr).all() and (np.abs(arr).max(axis=1) > 0).all()
    assert z.shape == arr.shape and z.dtype == np.float32
    assert np.allclose(np.linalg.norm(z, axis=1), 1.0, atol=1e-5)


@given(latents=arrays(np.float64, (2, D), elements=ANY_FLOAT))
def test_decode_any_numbers_gives_text_or_value_error(tiny_model, latents):
    try:
        out = tiny_model.decode(latents, max_tokens=4)
    except ValueError as exc:
        assert "NaN" in str(exc) or "zeros" in str(exc)
        return
    assert len(out) == 2 and all(isinstance(t, str) for t in out)


# -- latent operations keep unit norm ------------------------------------------------------------
def _unit(z: np.ndarray) -> bool:
    return bool(np.isfinite(z).all() and np.allclose(np.linalg.norm(z, axis=-1), 1.0, atol=1e-4))


# Found by the long profile: exactly opposite vectors whose float32 dot is not quite -1.
OPPOSITE = np.array([0.0] + [1.0] * (D - 1), dtype=np.float32)


@given(a=VECTORS, b=VECTORS, t=st.floats(0, 1))
@example(a=OPPOSITE, b=-OPPOSITE, t=0.5)
def test_blends_stay_on_the_sphere(a, b, t):
    assert _unit(slerp(a, b, t))
    assert _unit(lerp(a, b, t))
    path = blend_path(a, b, 5)
    assert path.shape == (5, D) and _unit(path)


@given(a=VECTORS, b=VECTORS, c=VECTORS, scale=st.floats(-10, 10))
def test_arithmetic_is_unit_or_value_error(a, b, c, scale):
    total = a.astype(np.float64) + scale * b.astype(np.float64) - scale * c.astype(np.float64)
    assume(np.any(total != 0))  # a zero sum has no direction
    assert _unit(arithmetic(a, plus=[b], minus=[c], scale=scale))


@given(v=VECTORS, radius=st.floats(0, 10), n=st.integers(1, 5), seed=st.integers(0, 2**32))
def test_perturb_is_unit(v, radius, n, seed):
    z = perturb(v, radius, n, seed=seed)
    assert z.shape == (n, D) and _unit(z)


@given(v=arrays(np.float64, (3, D), elements=ANY_FLOAT))
def test_normalize_is_unit_or_value_error(v):
    try:
        z = normalize(v)
    except ValueError:
        assert not np.isfinite(v).all() or (np.abs(v).max(axis=1) == 0).any()
        return
    assert _unit(z)
