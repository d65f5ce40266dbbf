"""`textlatent train --preset`: the next model's recipe, its new options (local shuffle, a larger
share of long sentences, a token budget), and the one command end to end on the tiny corpus."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import torch

from textlatent.cli import main
from textlatent.corpus.lengths import format_histogram, length_histogram
from textlatent.tokenizer import PAD_ID
from textlatent.train import TrainConfig
from textlatent.train.curve import learning_curve_svg
from textlatent.train.data import local_shuffle, long_token_share, make_batches
from textlatent.train.loop import _progress
from textlatent.train.preset_run import ship_check
from textlatent.train.presets import PRESETS, get_preset

CORPUS = Path(__file__).parents[1] / "data" / "tiny_corpus.txt"


def test_local_shuffle_moves_tokens_a_few_places_and_keeps_padding():
    ids = torch.arange(10, 40).reshape(2, 15)
    ids[1, 9:] = PAD_ID
    lengths = torch.tensor([15, 9])
    gen = torch.Generator().manual_seed(0)
    out = local_shuffle(ids, lengths, 3.0, gen)
    assert not torch.equal(out, ids)
    for row, n in enumerate(lengths.tolist()):
        assert sorted(out[row, :n].tolist()) == sorted(ids[row, :n].tolist())
        got = out[row, :n].tolist()
        moved = [abs(got.index(t) - i) for i, t in enumerate(ids[row, :n].tolist())]
        assert max(moved) <= 3
    assert (out[1, 9:] == PAD_ID).all()
    assert torch.equal(local_shuffle(ids, lengths, 0.5, gen), ids)  # a window under 1 moves none


def test_long_weight_repeats_long_sentences_in_each_pass():
    seqs = [np.arange(n) for n in [3] * 90 + [30] * 10]
    plain = make_batches(seqs, 256, 64, random.Random(0))
    assert sorted(i for b in plain for i in b) == list(range(100))
    weighted = make_batches(seqs, 256, 64, random.Random(0), long_from=24, long_weight=3.0)
    counts = np.bincount([i for b in weighted for i in b], minlength=100)
    assert (counts[:90] == 1).all() and (counts[90:] == 3).all()
    assert long_token_share(seqs, 24, 3.0) == pytest.approx(900 / (900 + 270))


def test_a_token_budget_ends_training():
    cfg = TrainConfig(tokens=1000)
    assert _progress(cfg, 5, 0.0, 500) == 0.5
    assert _progress(cfg, 5, 0.0, 1000) == 1.0


def test_preset_v2_on_cpu_leaves_bf16_off_and_keeps_its_shape():
    train, model = get_preset("v2").configs(512, "cpu")
    assert not train.bf16 and model.max_tokens == 96 and model.vocab_size == 512
    assert model.dec_hidden == 1024 and model.latent_dim == 512
    assert train.seconds == PRESETS["v2"].minutes * 60
    gpu, _ = get_preset("v2").configs(512, "cuda")
    assert gpu.bf16
    with pytest.raises(ValueError, match="known: v1, v2"):
        get_preset("v9")


def test_ship_check_compares_with_the_floors():
    row = {"n": 10, "exact_match": 0.99}
    heldout = {"by_length": {"1-5": row, "6-10": row, "16-20": {"n": 5, "exact_match": 0.7},
                             "21+": {"n": 5, "exact_match": 0.5}}}
    check = ship_check(heldout, {"blend": {"novelty": 2.5}})
    assert {k: v[2] for k, v in check.items()} == {"16-20": False, "21+": True, "<=10": True,
                                                   "novelty": True}


def test_learning_curve_is_an_svg_with_both_lines():
    rows = [{"tokens_seen": 1e6 * i, "loss": 5.0 / i, "dev_exact": 0.1 * i} for i in (1, 2, 3)]
    root = ET.fromstring(learning_curve_svg(rows, "t"))
    assert len(root.findall("{http://www.w3.org/2000/svg}polyline")) == 2


def test_length_histogram_counts_lines_by_words():
    lines = ["one two three", "one two three", "a b c d e f g", " ".join(["w"] * 45), ""]
    hist = length_histogram(lines)
    assert hist["lines"] == 4 and hist["distinct"] == 3
    assert hist["by_words"]["1-5"] == {"lines": 2, "distinct": 1}
    assert hist["by_words"]["41+"] == {"lines": 1, "distinct": 1}
    assert "| all | 4 | 3 | 1.000 |" in format_histogram(hist)


def test_unknown_preset_is_one_clear_error(capsys, tmp_path):
    code = main(["train", "--preset", "v9", "--corpus", str(CORPUS), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.strip() == ("textlatent: error: unknown preset 'v9' "
                                         "(known: v1, v2)")


@pytest.mark.slow
def test_preset_command_trains_evaluates_and_resumes_on_the_tiny_corpus(tiny_model_dir, tmp_path,
                                                                         capsys):
    out = tmp_path / "v2"
    args = ["train", "--preset", "v2", "--corpus", str(CORPUS), "--out", str(out),
            "--tokenizer", str(tiny_model_dir / "tokenizer.model"), "--emb-dim", "16",
            "--enc-hidden", "16", "--latent-dim", "16", "--dec-hidden", "32",
            "--batch-tokens", "512", "--eval-limit", "30", "--no-progress"]
    assert main([*args, "--steps", "4"]) == 0, capsys.readouterr().err
    report = json.loads((out / "eval.json").read_text())
    assert report["preset"] == "v2" and report["train"]["step"] == 4
    assert report["recipe"]["eval_every"] == 60.0 and report["recipe"]["bf16"] is False
    assert report["heldout"]["n"] == 30 and "21+" in report["heldout"]["by_length"]
    assert report["heldout_greedy"]["n"] == 30
    assert set(report["ship_check"]) == {"16-20", "21+", "<=10", "novelty"}
    assert report["eval"]["blend"]["novelty"] >= 0
    ET.parse(out / "learning_curve.svg")
    config = json.loads((out / "model" / "config.json").read_text())
    assert config["model"]["max_tokens"] == 96 and config["model"]["dec_hidden"] == 32
    from textlatent import load_model

    assert load_model(out / "model").dim == 16
    assert load_model(out / "model_fp16").dim == 16
    capsys.readouterr()
    # The same command with a larger budget continues the saved run instead of starting over.
    assert main([*args, "--steps", "7"]) == 0
    assert "resuming the run" in capsys.readouterr().err
    again = json.loads((out / "eval.json").read_text())
    assert again["train"]["step"] == 7
    rows = [json.loads(line) for line in (out / "model" / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [4, 7]


def test_token_file_leaves_out_excluded_sentences_and_cuts_to_the_limit(tiny_model_dir, tmp_path):
    from textlatent.train.data import load_token_data
    from textlatent.train.tokens import write_token_file

    lines = [line for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    exclude = tmp_path / "exclude.txt"
    exclude.write_text(lines[0] + "\n")
    out = tmp_path / "tokens.npz"
    counts = write_token_file(CORPUS, out, tiny_model_dir / "tokenizer.model", 8, [exclude])
    seqs = load_token_data(out)
    assert counts["excluded"] >= 1 and len(seqs) == counts["sentences"] == len(lines) - counts[
        "excluded"]
    assert max(len(s) for s in seqs) == 7 and counts["cut"] > 0


def test_email_source_keeps_the_writers_own_sentences(tmp_path):
    from textlatent.corpus.sources.spam_assassin import extract_spam_assassin

    raw = ("From someone@example.org  Thu Aug 22 14:23:39 2002\nSubject: dinner\n"
           "Content-Type: text/plain; charset=us-ascii\n\n"
           "We should meet at the station before the train leaves for the coast on Friday.\n"
           "> I quoted this line from the last message.\n\n"
           "Bring the map.\n-- \nJohn, who signs every mail with a long signature line.\n")
    folder = tmp_path / "package" / "data" / "easy-ham-1"
    folder.mkdir(parents=True)
    (folder / "00001.json").write_text(json.dumps({"id": "00001", "text": raw}))
    spam = tmp_path / "package" / "data" / "spam-1"
    spam.mkdir()
    (spam / "00001.json").write_text(json.dumps({"id": "00001", "text": raw.replace(
        "We should", "Buy now and")}))
    assert list(extract_spam_assassin(tmp_path)) == [
        "We should meet at the station before the train leaves for the coast on Friday.",
        "Bring the map."]
