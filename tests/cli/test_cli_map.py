"""`textlatent map` and `textlatent similarity` on the tiny model, run through the real command
line (in-process): their JSON, the map build, and every bad input's one line and exit code 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from helpers import folder_with_map, run_cli

from textlatent import latent_map

DATA = Path(__file__).parents[1] / "data"
TEXTS = ["the cat sat", "the dog slept", "a bird sang", "the sun is warm", "she reads a book",
         "we walked home", "it rained all day", "he drinks tea", "a cat slept", "the sun set",
         "she sang a song", "we drank tea"]


@pytest.fixture(scope="module")
def mapped(tiny_model_dir, tiny_model, tmp_path_factory) -> str:
    return str(folder_with_map(tiny_model_dir, tiny_model,
                               tmp_path_factory.mktemp("mapped") / "model", TEXTS))


def test_map_json_places_each_sentence(capsys, mapped, tiny_model):
    code, out, err = run_cli(capsys, "map", "the cat sat", "we walked home", "--model", mapped,
                             "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["projection"] == "pca"
    assert [p["text"] for p in data["points"]] == ["the cat sat", "we walked home"]
    want = latent_map.load(mapped).place(tiny_model.encode(["the cat sat", "we walked home"]))
    got = np.array([[p["x"], p["y"]] for p in data["points"]])
    assert np.allclose(got, want, atol=1e-3)


def test_map_reads_a_sentences_file(capsys, mapped, tmp_path):
    src = tmp_path / "s.txt"
    src.write_text("the cat sat\n\nhe drinks tea\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "map", "--sentences", str(src), "--model", mapped, "--json")
    assert code == 0
    assert [p["text"] for p in json.loads(out)["points"]] == ["the cat sat", "he drinks tea"]


def test_similarity_json(capsys, mdir, tiny_model):
    texts = ["the cat sat", "the dog slept", "a bird sang"]
    code, out, err = run_cli(capsys, "similarity", *texts, "--model", mdir, "--json")
    assert code == 0, err
    data = json.loads(out)
    z = tiny_model.encode(texts)
    assert data["texts"] == texts
    assert np.allclose(data["cos"], z @ z.T, atol=1e-5)
    assert [data["cos"][i][i] for i in range(3)] == [1.0, 1.0, 1.0]


def test_map_build_measures_and_refuses_to_overwrite(capsys, tiny_model_dir, tiny_model,
                                                     tmp_path):
    from textlatent import index

    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir, folder)
    index.save(index.build(TEXTS, tiny_model.encode(TEXTS), None, tiny_model.name), folder)
    heldout = tmp_path / "heldout.txt"
    heldout.write_text("\n".join(DATA.joinpath("tiny_corpus.txt").read_text(
        encoding="utf-8").splitlines()[:40]) + "\n", encoding="utf-8")
    args = ("map", "--build", "--kind", "pca", "--out", str(folder), "--sentences",
            str(heldout), "--model", str(folder), "--json")
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    report = json.loads(out)
    assert report["chosen"] == "pca" and report["sentences"] == 40
    assert 0 <= report["kinds"]["pca"]["neighbourhood_preservation"] <= 1
    assert latent_map.load(folder).kind == "pca"
    before = (folder / latent_map.MAP_FILE).read_bytes()
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and "--force" in err and out == ""
    assert (folder / latent_map.MAP_FILE).read_bytes() == before
    code, _, err = run_cli(capsys, *args, "--force")
    assert code == 0, err


def one_error(code: int, out: str, err: str) -> str:
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("textlatent: error: ")
    return err


@pytest.mark.parametrize("args, says", [
    (("--sentences", "missing.txt"), "sentences file not found"),
    (("--sentences", "EMPTY"), "no sentences in"),
    (("the cat", "-o", "no/such/folder/map.svg"), "folder not found"),
    (("the cat", "-o", "map.pdf"), ".svg or .png"),
    ((), "no sentences"),
])
def test_map_bad_input_is_one_line_and_writes_nothing(capsys, mapped, tmp_path, monkeypatch,
                                                      args, says):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "EMPTY").write_text("\n \n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    err = one_error(*run_cli(capsys, "map", *args, "--model", mapped))
    assert says in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_model_without_map_data_says_how_to_build_it(capsys, mdir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    err = one_error(*run_cli(capsys, "map", "the cat", "--model", mdir))
    assert "textlatent map --build" in err
    assert list(tmp_path.iterdir()) == []


def test_similarity_needs_two_sentences(capsys, mdir):
    assert "at least two" in one_error(*run_cli(capsys, "similarity", "one", "--model", mdir))


def test_map_writes_a_picture(capsys, mapped, tmp_path):
    pytest.importorskip("matplotlib")
    target = tmp_path / "map.svg"
    code, out, err = run_cli(capsys, "map", "the cat sat", "he drinks tea", "--model", mapped,
                             "-o", str(target))
    assert code == 0, err
    assert target.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg"))
    assert [p.name for p in tmp_path.iterdir()] == ["map.svg"]  # no temporary file left


def test_a_picture_without_matplotlib_is_one_clear_line(capsys, mapped, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    err = one_error(*run_cli(capsys, "map", "the cat sat", "--model", mapped,
                             "-o", str(tmp_path / "m.png")))
    assert "pip install 'textlatent[plot]'" in err
    assert list(tmp_path.iterdir()) == []
