"""The backend seam: the registry picks a family from the source, and the base class's surface
(pieces, fit, summary) works on the builtin family."""

from __future__ import annotations

import json
import warnings

import pytest

from textlatent import load_model
from textlatent.backends import ModelError, TruncationWarning, backend_for
from textlatent.backends.gru import GRUAutoencoder
from textlatent.paths import builtin_model_path


def test_registry_picks_the_family(tiny_model_dir, tmp_path):
    assert backend_for(tiny_model_dir).name == "gru"
    assert backend_for(builtin_model_path()).name == "gru"
    assert backend_for("hf:owner/name").name == "hf"
    assert backend_for("hf:owner/name@v1").name == "hf"
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "t5"}))
    assert backend_for(tmp_path).name == "hf"
    assert backend_for(tmp_path / "missing").name == "gru"  # the default gives the clear error


def test_unclaimed_folder_gets_the_builtin_familys_error(tmp_path):
    with pytest.raises(ModelError, match="missing config.json"):
        load_model(tmp_path)


def test_load_gives_a_gru_backend(tiny_model):
    assert isinstance(tiny_model, GRUAutoencoder) and tiny_model.backend == "gru"
    assert tiny_model.summary.startswith("gru · tiny-random · D=16 · ")


def test_pieces_are_what_the_model_sees(tiny_model):
    pieces = tiny_model.pieces("a cat sat")
    assert len(pieces) == len(tiny_model.tokenize(["a cat sat"])[0])
    assert "".join(pieces).replace("\u2581", " ").strip() == "a cat sat"
    with warnings.catch_warnings():
        warnings.simplefilter("error", TruncationWarning)  # pieces never warns
        long = tiny_model.pieces("cat " * 100)
    assert len(long) == tiny_model.max_tokens - 1


def test_fit_keeps_short_texts_and_cuts_long_ones(tiny_model):
    assert tiny_model.fit("a cat sat") == "a cat sat"
    cut = tiny_model.fit("cat " * 100)
    assert 0 < len(cut) < 400 and ("cat " * 100).startswith(cut.strip())
    with pytest.raises(ValueError, match="empty"):
        tiny_model.fit("   ")


def test_train_init_refuses_another_family(tmp_path, capsys):
    from helpers import run_cli

    folder = tmp_path / "t5"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "t5", "auto_map": {}}))
    corpus = tmp_path / "c.txt"
    corpus.write_text("a cat sat.\n")
    code, out, err = run_cli(capsys, "train", "--corpus", str(corpus), "--out",
                             str(tmp_path / "out"), "--init", str(folder), "--steps", "1")
    assert code == 2 and out == "" and "--init takes a model folder of the builtin kind" in err
    assert not (tmp_path / "out").exists()
