"""TextAutoencoder on the tiny random model: encode/decode contract, validation, model folders."""

from __future__ import annotations

import json
import shutil
import threading
import warnings

import numpy as np
import pytest

from textlatent import load_model
from textlatent.backends import ModelError, TruncationWarning, check_latents
from textlatent.latent import blend_path
from textlatent.paths import CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE, builtin_model_path

TEXTS = ["The dog chased the ball.", "A cat sat on the mat.", "hello 🌍 Привет 你好"]


@pytest.fixture
def model_copy(tiny_model_dir, tmp_path):
    """A private copy of the tiny model folder that a test may break."""
    return shutil.copytree(tiny_model_dir, tmp_path / "model")


# -- encode --------------------------------------------------------------------------------------
def test_encode_shape_dtype_norm(tiny_model):
    z = tiny_model.encode(TEXTS)
    assert z.shape == (3, tiny_model.dim) and z.dtype == np.float32
    assert np.allclose(np.linalg.norm(z, axis=1), 1.0, atol=1e-5)


def test_encode_string_and_batch_agree(tiny_model):
    z = tiny_model.encode(TEXTS)
    assert np.allclose(tiny_model.encode(TEXTS[1]), z[1:2], atol=1e-5)


def test_encode_is_deterministic(tiny_model):
    assert np.array_equal(tiny_model.encode(TEXTS), tiny_model.encode(TEXTS))


@pytest.mark.parametrize("bad, error", [
    ([], ValueError), ([""], ValueError), (["   \n\t"], ValueError), (["\u200b\u00a0"], ValueError),
    ([None], TypeError), ([3], TypeError), ("", ValueError), (42, TypeError),
])
def test_encode_rejects_bad_texts(tiny_model, bad, error):
    with pytest.raises(error):
        tiny_model.encode(bad)


def test_encode_lone_surrogate_does_not_crash(tiny_model):
    assert tiny_model.encode(["bad \udcff byte"]).shape == (1, tiny_model.dim)


def test_long_text_warns_and_is_cut(tiny_model):
    long = " ".join(["word"] * 200)
    with pytest.warns(TruncationWarning, match="cut"):
        z = tiny_model.encode([long])
    assert z.shape == (1, tiny_model.dim)


def test_short_text_does_not_warn(tiny_model):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tiny_model.encode(["a cat"])


# -- decode --------------------------------------------------------------------------------------
def test_decode_returns_strings(tiny_model):
    out = tiny_model.decode(tiny_model.encode(TEXTS))
    assert len(out) == 3 and all(isinstance(t, str) for t in out)


def test_decode_renormalizes_and_accepts_1d(tiny_model):
    z = tiny_model.encode(TEXTS[:1])
    ref = tiny_model.decode(z)
    assert tiny_model.decode(z * 7.5) == ref
    assert tiny_model.decode(z[0]) == ref
    assert tiny_model.decode(z.astype(np.float64).tolist()) == ref


def test_greedy_decode_deterministic(tiny_model):
    z = tiny_model.encode(TEXTS)
    assert tiny_model.decode(z) == tiny_model.decode(z)
    assert tiny_model.reconstruct(TEXTS) == tiny_model.decode(z)


def test_sampling_reproducible_with_seed(tiny_model):
    z = tiny_model.encode(TEXTS)
    a = tiny_model.decode(z, temperature=1.0, top_p=0.9, seed=3)
    assert a == tiny_model.decode(z, temperature=1.0, top_p=0.9, seed=3)
    others = [tiny_model.decode(z, temperature=1.0, seed=s) for s in range(4, 8)]
    assert any(o != a for o in others)


def test_beam_decode(tiny_model):
    z = tiny_model.encode(TEXTS)
    out = tiny_model.decode(z, beam=3)
    assert len(out) == 3 and out == tiny_model.decode(z, beam=3)


def test_max_tokens_limits_length(tiny_model):
    z = tiny_model.encode(TEXTS)
    short = tiny_model.decode(z, max_tokens=2)
    assert all(len(tiny_model.tokenizer.encode(t)) <= 4 for t in short)


def test_blend_path_batch_equals_rows_alone(tiny_model):
    ends = tiny_model.encode(TEXTS[:2])
    path = blend_path(ends[0], ends[1], 9)
    together = tiny_model.decode(path)
    assert together == [tiny_model.decode(path[i])[0] for i in range(9)]


@pytest.mark.parametrize("bad, match", [
    (np.zeros((1, 3)), "shape"),
    (np.zeros((2, 2, 16)), "shape"),
    (np.zeros((0, 16)), "no latents"),
    (np.full((1, 16), np.nan), "NaN"),
    (np.full((1, 16), np.inf), "NaN or infinity"),
    (np.zeros((1, 16)), "all zeros"),
    ([["a"] * 16], "numbers"),
    ([[1.0] * 16, [1.0] * 3], "numeric|shape"),
])
def test_check_latents_rejects(bad, match):
    with pytest.raises(ValueError, match=match):
        check_latents(bad, 16)


@pytest.mark.parametrize("kwargs, match", [
    ({"beam": 0}, "beam"), ({"beam": 33}, "beam"), ({"temperature": -1.0}, "temperature"),
    ({"temperature": float("nan")}, "temperature"), ({"top_p": 0.0}, "top_p"),
    ({"top_p": 1.5}, "top_p"), ({"max_tokens": 0}, "max_tokens"),
])
def test_decode_rejects_bad_options(tiny_model, kwargs, match):
    z = tiny_model.encode(TEXTS[:1])
    with pytest.raises(ValueError, match=match):
        tiny_model.decode(z, **kwargs)


def test_threads_get_the_same_answers(tiny_model):
    expected = tiny_model.reconstruct(TEXTS)
    results: list[list[str]] = []

    def work() -> None:
        results.append(tiny_model.reconstruct(TEXTS))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


# -- model folders -------------------------------------------------------------------------------
def test_properties(tiny_model):
    assert tiny_model.name == "tiny-random"
    assert tiny_model.dim == 16 and tiny_model.max_tokens == 24
    assert tiny_model.num_parameters > 0


def test_builtin_path_is_in_package():
    path = builtin_model_path()
    assert path.parts[-3:] == ("textlatent", "models", "builtin")


def test_save_load_round_trip(tiny_model, tmp_path):
    folder = tiny_model.save(tmp_path / "copy", name="copy", meta={"note": "x"})
    again = load_model(folder)
    assert again.name == "copy" and again.meta == {"note": "x"}
    assert np.array_equal(again.encode(TEXTS), tiny_model.encode(TEXTS))
    assert again.reconstruct(TEXTS) == tiny_model.reconstruct(TEXTS)
    assert not list(folder.glob("*.tmp"))


def test_half_precision_save_loads(tiny_model, tmp_path):
    again = load_model(tiny_model.save(tmp_path / "half", half=True))
    assert np.allclose(again.encode(TEXTS), tiny_model.encode(TEXTS), atol=2e-2)


def test_missing_folder(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "nowhere")


def test_path_is_a_file(tiny_model_dir):
    with pytest.raises(ModelError, match="not a folder"):
        load_model(tiny_model_dir / CONFIG_FILE)


@pytest.mark.parametrize("fname", [CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE])
def test_missing_file(model_copy, fname):
    (model_copy / fname).unlink()
    with pytest.raises(ModelError, match=f"missing {fname}"):
        load_model(model_copy)


def test_corrupt_safetensors(model_copy):
    (model_copy / WEIGHTS_FILE).write_bytes(b"\x00garbage" * 10)
    with pytest.raises(ModelError, match="safetensors"):
        load_model(model_copy)


def test_truncated_safetensors(model_copy):
    data = (model_copy / WEIGHTS_FILE).read_bytes()
    (model_copy / WEIGHTS_FILE).write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="safetensors"):
        load_model(model_copy)


@pytest.mark.parametrize("content", ["{not json", "[]", '{"model": {"colour": 1}}', "{}"])
def test_bad_config(model_copy, content):
    (model_copy / CONFIG_FILE).write_text(content)
    with pytest.raises(ModelError, match="config"):
        load_model(model_copy)


def _edit_config(folder, **changes) -> None:
    raw = json.loads((folder / CONFIG_FILE).read_text())
    raw["model"].update(changes)
    (folder / CONFIG_FILE).write_text(json.dumps(raw))


def test_config_disagrees_with_weights(model_copy):
    _edit_config(model_copy, enc_hidden=40)
    with pytest.raises(ModelError, match="do not match config.json"):
        load_model(model_copy)


def test_config_layers_disagree_with_weights(model_copy):
    _edit_config(model_copy, dec_layers=2)
    with pytest.raises(ModelError, match="do not match config.json"):
        load_model(model_copy)


def test_tokenizer_vocab_mismatch(model_copy):
    raw = json.loads((model_copy / CONFIG_FILE).read_text())
    _edit_config(model_copy, vocab_size=raw["model"]["vocab_size"] + 5)
    with pytest.raises(ModelError, match="tokenizer has"):
        load_model(model_copy)


def test_corrupt_tokenizer(model_copy):
    (model_copy / TOKENIZER_FILE).write_bytes(b"nope")
    with pytest.raises(ModelError, match="SentencePiece"):
        load_model(model_copy)
