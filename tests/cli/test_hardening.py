"""Hostile input: texts, latents and model folders that must give a clear error or a defined
result, in the library and on the command line, never a crash or a traceback.

The library's side of the contract is written down in docs/input-contract.md.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import run_cli
from safetensors.torch import load_file, save_file

from textlatent import load_model
from textlatent.backends import BATCH, ModelError, TruncationWarning, check_latents
from textlatent.paths import CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE, builtin_model_path

ROOT = Path(__file__).resolve().parents[2]
ONE_MB = "x" * 1_000_000
SCRIPTS = {
    "rtl": "שלום עולם, مرحبا بالعالم",
    "combining": "e\u0301le\u0300ve cafe\u0301 n\u0303 Z\u0351\u0352\u0353",
    "emoji": "I love pizza 🍕🎉 and 👩\u200d👩\u200d👧 families 🏳️\u200d🌈",
    "cjk": "我喜欢学习中文。日本語のテキスト。한국어",
    "bidi_controls": "abc \u202eevil\u202c def \u2067x\u2069",
}
BLANK = {
    "empty": "", "spaces": "   ", "tabs_newlines": "\t\n\r\n", "nul": "\x00", "nuls": "\x00" * 50,
    "escape": "\x1b", "controls": "\x01\x02\x7f\x9f", "ideographic_space": "\u3000",
    "line_separator": "\u2028\u2029", "bom": "\ufeff", "bidi_marks": "\u200f\u202e\u2066",
    "zero_width": "\u200b\u200c\u200d\u2060",
}


def _texts_equal_encode(model, a: list[str], b: list[str]) -> bool:
    return np.array_equal(model.encode(a), model.encode(b))


# -- 1. input texts (library) --------------------------------------------------------------------
@pytest.mark.parametrize("text", BLANK.values(), ids=BLANK.keys())
def test_blank_text_is_a_clear_value_error(tiny_model, text):
    with pytest.raises(ValueError, match=r"text 1 is empty \(nothing but whitespace or control"):
        tiny_model.encode(["a cat", text])


@pytest.mark.parametrize("text", ["\ue000", "\U000f0000", "\U000e0001x", "\ufffd", "\u0378"])
def test_private_use_and_unassigned_characters_are_content(tiny_model, text):
    assert tiny_model.encode([text]).shape == (1, tiny_model.dim)


@pytest.mark.parametrize("bad, error, match", [
    (("a", b"bytes"), TypeError, "text 1 is bytes"),
    (["a", 1.5], TypeError, "text 1 is float"),
    (iter(["a"]), TypeError, "list of strings"),
    ({"a": 1}, TypeError, "list of strings"),
    (np.array(["a", "b"]), TypeError, "list of strings"),
    (b"bytes", TypeError, "list of strings"),
    ((), ValueError, "no texts"),
])
def test_wrong_types_are_type_errors(tiny_model, bad, error, match):
    with pytest.raises(error, match=match):
        tiny_model.encode(bad)


def test_one_megabyte_text_is_cut_with_a_visible_warning(tiny_model):
    start = time.perf_counter()
    with pytest.warns(TruncationWarning, match=r"text 0 has 1000000 characters; cut to the "
                                                r"model's limit of 23 tokens"):
        ids = tiny_model.tokenize([ONE_MB])
    assert len(ids[0]) == tiny_model.max_tokens - 1
    with pytest.warns(TruncationWarning):
        z = tiny_model.encode(["short", ONE_MB, " ".join(["word"] * 300_000)])
    assert z.shape == (3, tiny_model.dim) and np.isfinite(z).all()
    assert time.perf_counter() - start < 10


def test_one_megabyte_of_whitespace_is_empty_not_slow(tiny_model):
    start = time.perf_counter()
    with pytest.raises(ValueError, match="empty"):
        tiny_model.encode([" \x00\t" * 350_000])
    assert time.perf_counter() - start < 5


def test_truncation_warning_is_catchable_and_exact(tiny_model):
    limit = tiny_model.max_tokens - 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ids = tiny_model.tokenize(["a cat", "cat " * 100, "dog"])
    assert [len(x) <= limit for x in ids] == [True] * 3 and len(ids[1]) == limit
    assert [w.category for w in caught] == [TruncationWarning]
    assert "text 1 has" in str(caught[0].message)


def test_nul_and_control_characters_are_kept(tiny_model):
    texts = ["a\x00b", "\x1b[31mred\x1b[0m", "bell\x07 and\x0bvertical", "tab\tinside"]
    ids = tiny_model.tokenize(texts)
    assert [tiny_model.tokenizer.decode(x) for x in ids] == texts
    out = tiny_model.reconstruct(texts)
    assert len(out) == 4 and all(isinstance(t, str) for t in out)


@pytest.mark.parametrize("text, clean", [
    ("bad \udcff byte", "bad \ufffd byte"),
    ("\ud800", "\ufffd"),
    ("pair \ud83d\ude00 split", "pair \ufffd\ufffd split"),
    ("\udfff\ud800", "\ufffd\ufffd"),
])
def test_lone_surrogates_become_replacement_characters(tiny_model, text, clean):
    assert tiny_model.tokenize([text]) == tiny_model.tokenize([clean])
    assert tiny_model.tokenizer.decode(tiny_model.tokenize([text])[0]) == clean
    assert _texts_equal_encode(tiny_model, [text], [clean])


@pytest.mark.parametrize("text", ["a\u2581b", "\u2581", " \u2581 ", "x\u2581  y\u2581",
                                  "\u2581\u2581héllo"])
def test_sentencepiece_space_symbol_is_kept(builtin_model, text):
    ids = builtin_model.tokenize([text])[0]
    assert builtin_model.tokenizer.decode(ids) == text
    assert builtin_model.tokenizer.encode_batch(["a", text, "b"])[1] == ids


@pytest.mark.parametrize("text", SCRIPTS.values(), ids=SCRIPTS.keys())
def test_any_script_encodes_and_decodes(builtin_model, text):
    ids = builtin_model.tokenize([text])[0]
    assert builtin_model.tokenizer.decode(ids) == text
    z = builtin_model.encode([text])
    assert np.allclose(np.linalg.norm(z, axis=1), 1.0, atol=1e-5)
    out = builtin_model.decode(z)[0]
    assert isinstance(out, str)
    out.encode("utf-8")  # valid text, no surrogates


def test_long_runs_of_combining_marks_emoji_and_cjk_are_cut(tiny_model):
    texts = ["e" + "\u0301" * 5000, "🍕" * 3000, "我" * 5000]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        z = tiny_model.encode(texts)
    assert z.shape == (3, tiny_model.dim)
    assert len([w for w in caught if w.category is TruncationWarning]) == 3


def test_ten_thousand_sentences_in_one_call(tiny_model, monkeypatch):
    texts = [f"the cat {i}" for i in range(10_000)]
    sizes: list[int] = []
    real = tiny_model.net.encode_batch

    def spy(batch):
        sizes.append(len(batch))
        return real(batch)

    monkeypatch.setattr(tiny_model.net, "encode_batch", spy)
    z = tiny_model.encode(texts)
    assert z.shape == (10_000, tiny_model.dim) and z.dtype == np.float32
    assert max(sizes) <= BATCH and sum(sizes) == 10_000
    assert np.allclose(z[1234:1236], tiny_model.encode(texts[1234:1236]), atol=1e-5)
    out = tiny_model.decode(z)
    assert len(out) == 10_000 and out[5] == tiny_model.decode(z[5])[0]


# -- 1. input texts (command line) ---------------------------------------------------------------
def assert_clean_error(code: int, err: str, match: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("textlatent: error: "), err
    assert match.lower() in lines[0].lower(), err


@pytest.mark.parametrize("text", ["\x00", "\x1b\x07", "\u200b\ufeff", "\u3000"])
def test_cli_blank_text_is_exit_2(capsys, mdir, text):
    code, _, err = run_cli(capsys, "encode", "--model", mdir, "a cat", text)
    assert_clean_error(code, err, "text 1 is empty")


def test_cli_control_characters_stay_on_one_line(capsys, mdir):
    code, out, err = run_cli(capsys, "reconstruct", "--model", mdir, "a\x00b\x1b[2Jc\nd")
    assert code == 0, err
    assert out.splitlines()[0] == "a\\x00b\\x1b[2Jc\\nd"
    assert "\x1b" not in out and "\x00" not in out


def test_cli_one_megabyte_argument(capsys, mdir):
    code, out, err = run_cli(capsys, "encode", "--model", mdir, "--json", ONE_MB)
    assert code == 0
    assert len(json.loads(out)["latents"]) == 1
    assert err.strip() == ("textlatent: warning: text 0 has 1000000 characters; cut to the "
                           "model's limit of 23 tokens")


def _command() -> list[str]:
    script = Path(sys.executable).with_name("textlatent")
    return [str(script)] if script.exists() else [sys.executable, "-m", "textlatent.cli"]


def test_cli_invalid_utf8_arguments_and_any_script(mdir):
    args = [b"bad \xff\xfe byte", *(t.encode() for t in SCRIPTS.values())]
    proc = subprocess.run([*_command(), "encode", "--json", "--model", mdir, *args],
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    texts = json.loads(proc.stdout)["texts"]
    assert texts == ["bad \ufffd\ufffd byte", *SCRIPTS.values()]


def test_cli_on_a_terminal_that_is_not_utf8(mdir):
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    proc = subprocess.run([*_command(), "reconstruct", "--model", mdir, "h\u00e9llo 🌍"],
                          capture_output=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode("ascii").startswith("h\\xe9llo \\U0001f30d")


def _stdin_bytes(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


@pytest.mark.parametrize("data, match", [
    (b"\xff\xfe{\"latents\": [[1]]}", "standard input is not UTF-8 text"),
    (b'{"latents": [[1.0, 0.5\xed\xa0\x80]]}', "not UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"latents": [[' + b"0.1, " * 15 + b"Infinity]]}", "NaN or infinity"),
    (b'{"latents": [[' + b"0.1, " * 15 + b"1e999]]}", "NaN or infinity"),
    (b'{"latents": [[' + b"true, " * 15 + b"true]]}", "numbers"),
    (b'{"latents": [[' + b"null, " * 15 + b"null]]}", "numbers"),
    (b'{"latents": [[[' + b"0.1, " * 15 + b"0.1]]]}", "shape"),
    (b'{"latents": [' + b"0.1, " * 15 + b"0.1]}", ""),
    (b'{"latents": "zzz"}', "latents"),
    (b"\x00\x00\x00", "not valid JSON"),
])
def test_cli_decode_hostile_stdin(capsys, monkeypatch, mdir, data, match):
    _stdin_bytes(monkeypatch, data)
    code, out, err = run_cli(capsys, "decode", "--model", mdir)
    if match:
        assert_clean_error(code, err, match)
    else:  # a bare vector of the right size is one latent
        assert code == 0 and len(out.splitlines()) == 1


def test_cli_decode_truncated_encode_output(capsys, mdir, tmp_path):
    code, out, _ = run_cli(capsys, "encode", "--json", "--model", mdir, "a cat", "a dog")
    assert code == 0
    for cut in (1, len(out) // 3, len(out) // 2, len(out) - 3):
        f = tmp_path / "z.json"
        f.write_text(out[:cut])
        code, _, err = run_cli(capsys, "decode", str(f), "--model", mdir)
        assert_clean_error(code, err, "not valid JSON")


def test_cli_decode_extreme_but_valid_latents(capsys, monkeypatch, mdir, tiny_model):
    tiny = np.full((1, 16), 5e-324).tolist()  # denormals: a direction, but no float32 norm
    huge = np.full((1, 16), 1e300).tolist()  # finite in JSON, infinite in float32
    for latents in (tiny, huge):
        _stdin_bytes(monkeypatch, json.dumps({"latents": latents}).encode())
        code, out, err = run_cli(capsys, "decode", "--model", mdir, "--json", "--decode",
                                 "greedy")
        assert code == 0, err
        assert json.loads(out)["texts"] == tiny_model.decode(np.ones((1, 16)))


@pytest.mark.parametrize("which", ["latents", "sentences", "pairs", "exclude"])
def test_cli_files_that_are_not_utf8(capsys, mdir, tmp_path, which):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"a cat\n\xff\xfe\x00binary\n")
    good = tmp_path / "good.txt"
    good.write_text("the cat sat\n")
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("the cat sat\ta dog ran\n")
    argv = {
        "latents": ["decode", str(bad), "--model", mdir],
        "sentences": ["eval", "--sentences", str(bad), "--pairs", str(pairs), "--model", mdir],
        "pairs": ["eval", "--sentences", str(good), "--pairs", str(bad), "--model", mdir],
        "exclude": ["train", "--corpus", str(good), "--out", str(tmp_path / "m"),
                    "--tokenizer", str(Path(mdir) / TOKENIZER_FILE), "--exclude", str(bad)],
    }[which]
    code, _, err = run_cli(capsys, *argv)
    assert_clean_error(code, err, "is not UTF-8 text (bad byte at offset 6)")


def test_cli_path_arguments_that_are_folders(capsys, mdir, tmp_path):
    code, _, err = run_cli(capsys, "decode", str(tmp_path), "--model", mdir)
    assert_clean_error(code, err, "is not a file")


# -- 2. latents ----------------------------------------------------------------------------------
@pytest.mark.parametrize("bad, match", [
    (np.zeros((1, 15)), "shape"),
    (np.ones((1, 17)), "shape"),
    (np.ones(()), "shape"),
    (np.ones((1, 1, 16)), "shape"),
    (np.ones((2, 16), dtype=bool), "numbers, got dtype bool"),
    (np.ones((2, 16), dtype=complex), "numbers, got dtype complex"),
    (np.array([[None] * 16]), "numbers, got dtype object"),
    ({"latents": 1}, "numbers"),
    ("0.5" * 16, "numbers"),
    ([[0.1] * 16, [np.nan] + [0.1] * 15], "NaN or infinity"),
    ([[0.1] * 16, [-np.inf] + [0.1] * 15], "NaN or infinity"),
    ([[0.1] * 16, [0.0] * 16], "all zeros"),
    (np.zeros((3, 16), dtype=np.int8), "all zeros"),
    (np.array([[-0.0] * 16]), "all zeros"),
])
def test_bad_latents_are_clear_value_errors(tiny_model, bad, match):
    with pytest.raises(ValueError, match=match):
        tiny_model.decode(bad)


@pytest.mark.parametrize("latents", [
    np.full((2, 16), 1e300),
    np.full((1, 16), 5e-324),
    np.full((1, 16), 3e38, dtype=np.float32),
    np.full((1, 16), 1e-45, dtype=np.float32),
    np.arange(16, dtype=np.int64)[None, :] * 10**17,
    np.ones((1, 16), dtype=np.float16),
    np.ones((1, 16), dtype=np.uint8),
])
def test_extreme_but_valid_latents_decode(tiny_model, latents):
    z = check_latents(latents, 16)
    assert z.dtype == np.float32 and np.isfinite(z).all()
    assert np.allclose(np.linalg.norm(z, axis=1), 1.0, atol=1e-6)
    direction = latents.astype(np.float64)
    direction /= np.abs(direction).max(axis=1, keepdims=True)
    assert np.allclose(z, direction / np.linalg.norm(direction, axis=1, keepdims=True),
                       atol=1e-6)
    out = tiny_model.decode(latents)
    assert len(out) == len(latents) and all(isinstance(t, str) for t in out)


@pytest.mark.parametrize("kwargs", [{"beam": 2.5}, {"beam": True}, {"beam": "2"},
                                    {"max_tokens": float("nan")}, {"top_p": float("nan")}])
def test_odd_decode_options_are_value_errors(tiny_model, kwargs):
    with pytest.raises(ValueError):
        tiny_model.decode(np.ones(16), **kwargs)


# -- 3. model folders ----------------------------------------------------------------------------
@pytest.fixture
def folder(tiny_model_dir, tmp_path) -> Path:
    return Path(shutil.copytree(tiny_model_dir, tmp_path / "model"))


def _config(folder: Path) -> dict:
    return json.loads((folder / CONFIG_FILE).read_text())


def _set_model_config(folder: Path, **changes) -> None:
    raw = _config(folder)
    raw["model"].update(changes)
    (folder / CONFIG_FILE).write_text(json.dumps(raw))


def _load_error(folder) -> str:
    with pytest.raises(ModelError) as info:
        load_model(folder)
    return str(info.value)


@pytest.mark.parametrize("content", [b"", os.urandom(4096), b"\xff" * 64,
                                     (2**40).to_bytes(8, "little") + b"{}"])
def test_random_or_empty_weights(folder, content):
    (folder / WEIGHTS_FILE).write_bytes(content)
    assert "model.safetensors is not a readable safetensors file" in _load_error(folder)


@pytest.mark.parametrize("keep", [8, 100, 0.9])
def test_weights_cut_anywhere(folder, keep):
    data = (folder / WEIGHTS_FILE).read_bytes()
    n = int(len(data) * keep) if isinstance(keep, float) else keep
    (folder / WEIGHTS_FILE).write_bytes(data[:n])
    assert "safetensors" in _load_error(folder)


@pytest.mark.parametrize("value, match", [(float("nan"), "NaN or infinity"),
                                          (float("inf"), "NaN or infinity")])
def test_weights_with_nan_or_inf(folder, value, match):
    state = load_file(str(folder / WEIGHTS_FILE))
    state["out_bias"][3] = value
    save_file(state, str(folder / WEIGHTS_FILE))
    message = _load_error(folder)
    assert "out_bias" in message and match in message


def test_weights_with_integer_dtype(folder):
    state = load_file(str(folder / WEIGHTS_FILE))
    state["out_bias"] = state["out_bias"].to(torch.int32)
    save_file(state, str(folder / WEIGHTS_FILE))
    assert "out_bias has dtype torch.int32" in _load_error(folder)


@pytest.mark.parametrize("changes, match", [
    ({"emb_dim": -3}, "emb_dim must be a whole number"),
    ({"emb_dim": "32"}, "emb_dim must be a whole number"),
    ({"emb_dim": 32.0}, "emb_dim must be a whole number"),
    ({"emb_dim": True}, "emb_dim must be a whole number"),
    ({"latent_dim": None}, "latent_dim must be a whole number"),
    ({"dec_hidden": 10**30}, "dec_hidden must be a whole number from 0 to 2**24"),
    ({"enc_layers": 0}, "enc_layers must be at least 1"),
    ({"max_tokens": 1}, "max_tokens must be at least 2"),
    ({"dropout": 1.5}, "dropout"),
    ({"dropout": "x"}, "dropout"),
    ({"bos_id": 9}, "special ids"),
    ({"vocab_size": [1]}, "vocab_size"),
])
def test_config_values_are_checked(folder, changes, match):
    _set_model_config(folder, **changes)
    message = _load_error(folder)
    assert "config.json is not a valid model config" in message and match in message


@pytest.mark.parametrize("changes", [{"dec_hidden": 2**24, "emb_dim": 2**24},
                                     {"vocab_size": 2**24, "latent_dim": 2**24}])
def test_config_for_a_huge_network_allocates_nothing(folder, changes):
    _set_model_config(folder, **changes)
    start = time.perf_counter()
    message = _load_error(folder)
    assert "do not match config.json" in message or "tokenizer has" in message \
        or "impossible network" in message
    assert time.perf_counter() - start < 20


def test_config_that_is_not_utf8_or_not_an_object(folder):
    (folder / CONFIG_FILE).write_bytes(b"\xff\xfe{}")
    assert "config.json is not a valid model config" in _load_error(folder)
    for content in ("null", '"model"', "7", '{"model": null}', '{"model": [1, 2]}',
                    "[" * 100_000):
        (folder / CONFIG_FILE).write_text(content)
        assert "config.json is not a valid model config" in _load_error(folder)


def test_odd_name_and_meta_fall_back(folder):
    raw = _config(folder)
    raw.update(name=["not", "a", "name"], meta="not a dict")
    (folder / CONFIG_FILE).write_text(json.dumps(raw))
    model = load_model(folder)
    assert model.name == folder.name and model.meta == {}


@pytest.mark.parametrize("fname", [CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE])
def test_a_folder_where_a_file_should_be(folder, fname):
    (folder / fname).unlink()
    (folder / fname).mkdir()
    assert f"missing {fname}" in _load_error(folder)


def test_empty_or_random_tokenizer(folder):
    for content in (b"", os.urandom(2048)):
        (folder / TOKENIZER_FILE).write_bytes(content)
        assert "not a valid SentencePiece model" in _load_error(folder)


def test_tokenizer_from_another_model(folder):
    shutil.copy(builtin_model_path() / TOKENIZER_FILE, folder / TOKENIZER_FILE)
    assert "tokenizer has 8000 pieces but config.json says vocab_size" in _load_error(folder)


def test_model_path_is_a_file_or_odd(tmp_path, tiny_model_dir):
    assert "not a folder" in _load_error(tiny_model_dir / WEIGHTS_FILE)
    assert "not found" in _load_error(tmp_path / "no\x00such")
    assert "missing config.json" in _load_error(tmp_path)


class _Boom:
    """Unpickling this writes a marker file: proof that code from the folder ran."""

    marker = ""

    def __reduce__(self):
        return (Path(self.marker).write_text, ("pwned",))


def test_loading_never_runs_code_from_the_folder(folder, tmp_path, monkeypatch):
    marker = tmp_path / "marker.txt"
    bomb = _Boom()
    bomb.marker = str(marker)
    payload = pickle.dumps(bomb)
    for name in ("pytorch_model.bin", "model.pt", "optimizer.pt", "tokenizer.pkl"):
        (folder / name).write_bytes(payload)
    (folder / "__init__.py").write_text(f"open({str(marker)!r}, 'w').write('pwned')\n")
    (folder / "config.py").write_text(f"open({str(marker)!r}, 'w').write('pwned')\n")

    def forbidden(*args, **kwargs):
        raise AssertionError("loading a model must not unpickle anything")

    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(torch, "load", forbidden)
    monkeypatch.syspath_prepend(str(folder))
    model = load_model(folder)
    assert model.encode(["a cat"]).shape == (1, 16)
    assert not marker.exists()


def test_weights_that_are_a_pickle_are_rejected(folder, tmp_path):
    marker = tmp_path / "marker.txt"
    bomb = _Boom()
    bomb.marker = str(marker)
    (folder / WEIGHTS_FILE).write_bytes(pickle.dumps({"embed.weight": bomb}))
    assert "not a readable safetensors file" in _load_error(folder)
    assert not marker.exists()


def test_library_has_no_pickle_loading():
    for path in (ROOT / "textlatent").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for needle in ("torch.load(", "import pickle", "pickle.load", "allow_pickle=True"):
            assert needle not in source, f"{path.name} uses {needle}"


def test_cli_reports_broken_folders_in_one_line(capsys, folder):
    _set_model_config(folder, dec_hidden=10**30)
    code, _, err = run_cli(capsys, "encode", "--model", str(folder), "a cat")
    assert_clean_error(code, err, "dec_hidden must be a whole number")
    (folder / WEIGHTS_FILE).write_bytes(os.urandom(1000))
    _set_model_config(folder, dec_hidden=48)
    code, _, err = run_cli(capsys, "reconstruct", "--model", str(folder), "a cat")
    assert_clean_error(code, err, "not a readable safetensors file")
