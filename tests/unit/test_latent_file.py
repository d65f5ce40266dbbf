"""The one latents file format: what writes it and everything `decode` reads."""

from __future__ import annotations

import numpy as np
import pytest

from textlatent.latent_file import SESSION_FORMAT, latents_document, parse


def test_document_round_trips_through_parse():
    z = np.eye(3, dtype=np.float32)[:2]
    doc = latents_document(z, model="m", texts=["a", "b"], kind="sentence")
    assert doc["dim"] == 3 and doc["kind"] == "sentence"
    got = parse(doc)
    assert got["latents"] == z.tolist() and got["model"] == "m" and got["texts"] == ["a", "b"]
    one = latents_document(z[0], model=None)  # one latent is a list of one
    assert parse(one)["latents"] == [z[0].tolist()]


def test_parse_reads_every_shape_the_project_writes():
    assert parse([[1.0, 0.0]])["latents"] == [[1.0, 0.0]]
    single = parse({"latent": [0.0, 1.0], "text": "x", "model": "m"})  # arithmetic --json
    assert single == {"latents": [[0.0, 1.0]], "model": "m", "texts": ["x"]}
    session = {"format": SESSION_FORMAT, "model": {"name": "m", "dim": 2},
               "sentences": [{"text": "a", "latent": [1.0, 0.0]}],
               "blend": {"latents": [[1.0, 0.0], [0.0, 1.0]], "texts": ["a", "b"]}}
    got = parse(session)
    assert got["latents"] == [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]
    assert got["texts"] == ["a", "a", "b"] and got["model"] == "m"


@pytest.mark.parametrize("data", [{"latent": "x"}, {"texts": []}, "z", 3,
                                  {"format": SESSION_FORMAT, "sentences": []}])
def test_parse_refuses_what_holds_no_latents_in_one_line(data):
    with pytest.raises(ValueError) as err:
        parse(data, "f.json")
    assert "f.json" in str(err.value) and "\n" not in str(err.value)
