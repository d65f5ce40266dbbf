"""Training survives kill -9 (even half-way through writing a checkpoint) and dirty corpora."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from safetensors.torch import load_file

from textlatent import load_model
from textlatent.backends.gru import ModelConfig
from textlatent.cli import main
from textlatent.tokenizer import Tokenizer
from textlatent.train import TrainConfig, train
from textlatent.train.data import DROP_REASONS, read_corpus

DATA = Path(__file__).parents[1] / "data"
CORPUS = DATA / "tiny_corpus.txt"
SHAPE = {"emb_dim": 32, "enc_hidden": 32, "latent_dim": 16, "dec_hidden": 128, "max_tokens": 24}

# A training run that checkpoints after every step and never ends by itself. With a "die" spec
# WRITER:N, the N-th write by WRITER stops half-way and the process kills itself with SIGKILL.
CHILD = r"""
import os, signal, sys
from pathlib import Path
import safetensors.torch
from textlatent.backends.gru import ModelConfig, folder
from textlatent.train import TrainConfig, checkpoint, train
from textlatent.tokenizer import Tokenizer

corpus, tok, out, die = sys.argv[1:5]
calls = {}


def half_then_die(writer, data: bytes, target) -> None:
    with open(target, "wb") as fh:
        fh.write(data[: len(data) // 2])
        fh.flush()
        os.fsync(fh.fileno())
    os.kill(os.getpid(), signal.SIGKILL)


def should_die(writer) -> bool:
    calls[writer] = calls.get(writer, 0) + 1
    return die == f"{writer}:{calls[writer]}"


def watch_save_file(module, writer):
    real = module.save_file

    def save_file(tensors, filename, metadata=None):
        if should_die(writer):
            half_then_die(writer, safetensors.torch.save(tensors, metadata), filename)
        return real(tensors, filename, metadata)

    module.save_file = save_file


watch_save_file(folder, "weights")
watch_save_file(checkpoint, "optimizer")
real_write_text = Path.write_text


def write_text(self, data, *args, **kwargs):
    writer = {"config.json": "config", "train_state.json": "state"}.get(self.name.split(".tmp")[0])
    if writer and should_die(writer):
        half_then_die(writer, data.encode(), self)
    return real_write_text(self, data, *args, **kwargs)


Path.write_text = write_text
cfg = TrainConfig(steps=10**6, checkpoint_every=0, eval_every=1e9, warmup_steps=5,
                 batch_tokens=256, max_batch=16, dev_size=10)
shape = dict(emb_dim=32, enc_hidden=32, latent_dim=16, dec_hidden=128, max_tokens=24)
mc = ModelConfig(vocab_size=Tokenizer(tok).vocab_size, **shape)
train(Path(corpus), Path(out), tokenizer=Path(tok), cfg=cfg, model_cfg=mc, resume=True,
      progress=False)
"""


def _start(tok: Path, out: Path, die: str = "none") -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-c", CHILD, str(CORPUS), str(tok), str(out), die],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)


def _saved_step(out: Path) -> int:
    """The step of the last complete checkpoint (-1 if there is none or it cannot be read)."""
    try:
        return json.loads((out / "train_state.json").read_text())["step"]
    except (OSError, ValueError, KeyError):
        return -1


def _assert_checkpoint_is_whole(out: Path) -> int:
    model = load_model(out)
    assert model.encode(["a cat"]).shape == (1, 16)
    state = json.loads((out / "train_state.json").read_text())
    assert load_file(str(out / "optimizer.safetensors"))
    assert model.meta["step"] >= state["step"] >= 1
    return state["step"]


def _resume(out: Path, extra_steps: int) -> dict:
    step = _saved_step(out)
    return train(CORPUS, out, cfg=TrainConfig(steps=step + extra_steps), resume=True,
                 progress=False)


@pytest.fixture(scope="module")
def tok(tiny_model_dir) -> Path:
    return tiny_model_dir / "tokenizer.model"


@pytest.mark.parametrize("die", ["weights:3", "config:3", "optimizer:3", "state:3"])
def test_kill_half_way_through_a_checkpoint_write(tok, tmp_path, die):
    out = tmp_path / "run"
    proc = _start(tok, out, die)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, err.decode()
    step = _assert_checkpoint_is_whole(out)
    assert step == 2  # the third checkpoint died; the second one stands
    result = _resume(out, 2)
    assert result["step"] == step + 2
    assert _assert_checkpoint_is_whole(out) == step + 2


def test_kill_at_random_moments_then_resume(tok, tmp_path):
    out = tmp_path / "run"
    rng = random.Random(1)
    last = 0
    for _ in range(3):
        proc = _start(tok, out)
        deadline = time.monotonic() + 60
        while _saved_step(out) <= last:  # a fresh checkpoint shows the run is under way
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no checkpoint within 60 s"
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stderr.close()
        step = _assert_checkpoint_is_whole(out)
        assert step > last
        last = step
    code = main(["train", "--corpus", str(CORPUS), "--out", str(out), "--resume",
                 "--steps", str(last + 3), "--no-progress", "--json"])
    assert code == 0
    assert _assert_checkpoint_is_whole(out) == last + 3


def test_resume_after_a_half_written_log_line(tok, tmp_path):
    out = tmp_path / "run"
    cfg = TrainConfig(steps=2, warmup_steps=1, batch_tokens=256, dev_size=10)
    mc = ModelConfig(vocab_size=Tokenizer(tok).vocab_size, **SHAPE)
    train(CORPUS, out, tokenizer=tok, cfg=cfg, model_cfg=mc, progress=False)
    with open(out / "log.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"step": 3, "loss": 0.')  # the process died here
    assert _resume(out, 1)["step"] == 3
    rows = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [2, 3]


# -- dirty corpora -------------------------------------------------------------------------------
GOOD = ["The cat sat on the mat.", "A dog ran in the park.", "tabs\tare fine", "émoji 🍕 ok"]


def _dirty_corpus(path: Path) -> None:
    with open(path, "wb") as fh:
        fh.write(GOOD[0].encode() + b"\r\n")
        fh.write(b"\n   \n\t\n")  # 3 empty
        fh.write(b"bad \xff\xfe bytes\n")  # binary: not UTF-8
        fh.write(b"nul\x00inside\n")  # binary: NUL
        fh.write(b"\x1b[31mescape\n")  # binary: control character
        fh.write(os.urandom(64).translate(None, b"\r\n") + b"\xff\n")  # binary: random bytes
        fh.write(GOOD[1].encode() + b"\n")
        fh.write(b"w" * 5_000_000 + b"\n")  # overlong
        fh.write(GOOD[2].encode() + b"\n" + GOOD[3].encode() + b"\n")
        fh.write(b"x" * 4097 + b"\n")  # overlong by one character
        fh.write(b"y" * 4096 + b"\n")  # at the limit: kept
        fh.write(b"z" * 3_000_000)  # overlong, no final newline


def test_read_corpus_drops_bad_lines_and_counts_them(tmp_path):
    corpus = tmp_path / "dirty.txt"
    _dirty_corpus(corpus)
    start = time.perf_counter()
    kept, counts = read_corpus(corpus, {"a dog ran in the park"})
    assert time.perf_counter() - start < 5
    assert kept == [GOOD[0], GOOD[2], GOOD[3], "y" * 4096]
    assert counts == {"empty": 3, "binary": 4, "overlong": 3, "excluded": 1}
    assert set(counts) == set(DROP_REASONS)


def test_cli_train_on_a_dirty_corpus_reports_counts(capsys, tok, tmp_path):
    corpus = tmp_path / "dirty.txt"
    _dirty_corpus(corpus)
    with open(corpus, "ab") as fh:
        fh.write(b"\n" + CORPUS.read_bytes())
    keep = tmp_path / "keep.txt"
    keep.write_text(GOOD[1] + "\n")
    code = main(["train", "--corpus", str(corpus), "--out", str(tmp_path / "m"), "--tokenizer",
                 str(tok), "--steps", "2", "--latent-dim", "8", "--enc-hidden", "8",
                 "--dec-hidden", "8", "--emb-dim", "8", "--no-progress", "--exclude", str(keep)])
    _, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in err
    report = [line for line in err.splitlines() if line.startswith("corpus ")]
    assert len(report) == 1
    assert "dropped 11 (3 empty, 4 binary, 3 overlong, 1 excluded)" in report[0]
    assert "lines kept" in report[0] and "cut to 63 tokens" in report[0]
    assert load_model(tmp_path / "m").dim == 8


def test_only_bad_lines_is_a_clean_error(capsys, tok, tmp_path):
    corpus = tmp_path / "junk.txt"
    corpus.write_bytes(b"\x00\x01\x02\n\n\xff\xff\n")
    code = main(["train", "--corpus", str(corpus), "--out", str(tmp_path / "m"), "--tokenizer",
                 str(tok), "--steps", "1", "--no-progress"])
    _, err = capsys.readouterr()
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines()[-1] == "textlatent: error: the corpus has no training sentences"


def test_train_tokenizer_on_a_dirty_corpus(capsys, tmp_path):
    corpus = tmp_path / "dirty.txt"
    corpus.write_bytes(CORPUS.read_bytes() + b"bad \xff\xfe bytes\n\x00\x00\n" + b"q" * 20000)
    code = main(["train-tokenizer", "--corpus", str(corpus), "--out", str(tmp_path / "t.model"),
                 "--vocab-size", "512"])
    _, err = capsys.readouterr()
    assert code == 0, err
    tok = Tokenizer(tmp_path / "t.model")
    assert tok.decode(tok.encode("bad \ufffd bytes")) == "bad \ufffd bytes"


def test_training_drops_lines_that_equal_or_contain_an_eval_sentence(tmp_path):
    from textlatent.corpus import load_exclusions

    ev = tmp_path / "eval.txt"
    ev.write_text("The dog chased the ball across the yard.\n", encoding="utf-8")
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the dog chased the ball across the yard\n"
                      "Then the dog chased the ball across the yard again.\n"
                      "a cat slept\n", encoding="utf-8")
    kept, counts = read_corpus(corpus, load_exclusions([ev]))
    assert kept == ["a cat slept"] and counts["excluded"] == 2


def test_cli_train_leaves_out_the_shipped_measurement_sets_by_default(capsys, tok, tmp_path):
    from importlib import resources

    from textlatent.evaluate import read_pairs

    data = resources.files("textlatent.data")
    parallel = read_pairs(data / "parallel_pairs.tsv")[0][1]
    heldout = (data / "heldout_sentences.txt").read_text(encoding="utf-8").splitlines()[5]
    corpus = tmp_path / "c.txt"
    corpus.write_text(CORPUS.read_text(encoding="utf-8") + f"\n{parallel}\n{heldout}\n",
                      encoding="utf-8")
    code = main(["train", "--corpus", str(corpus), "--out", str(tmp_path / "m"), "--tokenizer",
                 str(tok), "--steps", "1", "--latent-dim", "8", "--enc-hidden", "8",
                 "--dec-hidden", "8", "--emb-dim", "8", "--no-progress"])
    _, err = capsys.readouterr()
    assert code == 0, err
    report = [line for line in err.splitlines() if line.startswith("corpus ")]
    assert "2 excluded)" in report[0], report


def test_token_data_round_trips_and_trains(tok, tmp_path):
    from textlatent.train.data import load_token_data, save_token_data, tokenize_corpus

    texts, _ = read_corpus(CORPUS, set())
    seqs = tokenize_corpus(texts, Tokenizer(tok), 24)
    save_token_data(tmp_path / "tokens.npz", seqs)
    assert [p.name for p in tmp_path.iterdir()] == ["tokens.npz"]
    back = load_token_data(tmp_path / "tokens.npz")
    assert len(back) == len(seqs) and all((a == b).all() for a, b in zip(back, seqs))
    mc = ModelConfig(vocab_size=Tokenizer(tok).vocab_size, **SHAPE)
    result = train(None, tmp_path / "run", tokenizer=tok, data=tmp_path / "tokens.npz",
                   cfg=TrainConfig(steps=2, warmup_steps=1, batch_tokens=256, dev_size=10),
                   model_cfg=mc, progress=False)
    assert result["step"] == 2
