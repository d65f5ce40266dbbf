"""Tokenizer: lossless round trips for any script, fixed special ids, clear load errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textlatent.tokenizer import BOS_ID, EOS_ID, PAD_ID, UNK_ID, Tokenizer

SAMPLES = {
    "ascii": "The dog chased the ball across the yard.",
    "whitespace": "  two  spaces,\ta tab\nand a newline  ",
    "leading_space": " leading",
    "crlf": "line one\r\nline two",
    "emoji": "I love pizza 🍕🎉 and 👩‍👩‍👧 families",
    "cjk": "我喜欢学习中文。日本語のテキスト",
    "cyrillic": "Привет, как дела?",
    "combining": "e\u0301le\u0300ve cafe\u0301 n\u0303",
    "rtl_hebrew": "שלום עולם",
    "rtl_arabic": "مرحبا بالعالم",
    "mixed_bidi": "abc שלום 123 مرحبا",
    "control": "nul\x00bell\x07zero\u200bwidth",
}


@pytest.fixture(scope="module")
def tok(tiny_model_dir) -> Tokenizer:
    return Tokenizer(tiny_model_dir / "tokenizer.model")


@pytest.mark.parametrize("text", SAMPLES.values(), ids=SAMPLES.keys())
def test_round_trip(tok, text):
    ids = tok.encode(text)
    assert tok.decode(ids) == text


@pytest.mark.parametrize("text", SAMPLES.values(), ids=SAMPLES.keys())
def test_no_unknown_ids(tok, text):
    assert UNK_ID not in tok.encode(text)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60))
def test_any_text_round_trips(tiny_model_dir, text):
    tok = Tokenizer(tiny_model_dir / "tokenizer.model")
    assert tok.decode(tok.encode(text)) == text


def test_special_ids(tok):
    assert (tok.sp.pad_id(), tok.sp.unk_id(), tok.sp.bos_id(), tok.sp.eos_id()) == (
        PAD_ID, UNK_ID, BOS_ID, EOS_ID)
    ids = tok.encode("a cat")
    assert all(i > EOS_ID for i in ids)
    assert tok.decode([BOS_ID, *ids, EOS_ID, PAD_ID]) == "a cat"


def test_batch_matches_single(tok):
    texts = list(SAMPLES.values())
    assert tok.encode_batch(texts) == [tok.encode(t) for t in texts]


def test_empty_text(tok):
    assert tok.encode("") == []
    assert tok.decode([]) == ""


def test_pieces_cover_text(tok):
    assert "".join(tok.pieces("a cat")).replace("\u2581", " ").strip() == "a cat"


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        Tokenizer(tmp_path / "nope.model")


def test_corrupt_file(tmp_path):
    bad = tmp_path / "bad.model"
    bad.write_bytes(b"not a sentencepiece model")
    with pytest.raises(ValueError, match="not a valid SentencePiece model"):
        Tokenizer(bad)
