"""The `textlatent` command, run in-process with `main([...])` on the tiny random model."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import types
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from helpers import run_cli

from textlatent import __version__
from textlatent.cli import main
from textlatent.cli.common import show as _show
from textlatent.evaluate import read_pairs, read_sentences

DATA = Path(__file__).parent / "data"


def run_json(capsys, *argv: str) -> dict:
    code, out, err = run_cli(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def default_texts(model, latents) -> list[str]:
    """What the commands print by default: the verified decode (`--decode default`)."""
    from textlatent.fidelity import DEFAULT, decode_verified

    return [d.text for d in decode_verified(model, latents, DEFAULT)]


def set_stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def assert_clean_error(code: int, err: str, match: str = "") -> None:
    assert code == 2
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[-1].startswith("textlatent") and "error" in lines[-1]
    assert match.lower() in lines[-1].lower()


# -- basics --------------------------------------------------------------------------------------
def test_version(capsys):
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0 and out.strip() == f"textlatent {__version__}"


COMMANDS = ("encode", "decode", "reconstruct", "blend", "eval", "bench", "corpus",
            "train-tokenizer", "train", "vary", "sample", "arithmetic", "edit", "augment",
            "direction", "index", "neighbors", "tui")


def test_help_lists_every_command(capsys):
    """The commands are exactly these, and --help shows each on a line of its own."""
    from textlatent.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert tuple(sub.choices) == COMMANDS
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0
    listed = [line.split()[0] for line in out.split("  COMMAND\n", 1)[1].splitlines()
              if line.startswith("    ") and line[4] != " "]
    assert tuple(listed) == COMMANDS


@pytest.mark.parametrize("argv", [["frobnicate"], ["encode"], ["corpus"], ["blend", "a"],
                                  ["train", "--corpus", "x"], ["encode", "--bogus", "a"]])
def test_usage_errors_exit_2(capsys, argv):
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and "usage:" in err and "Traceback" not in err


# -- encode / decode -----------------------------------------------------------------------------
def test_encode_json(capsys, mdir, tiny_model):
    data = run_json(capsys, "encode", "--model", mdir, "the cat sat", "a dog ran")
    assert set(data) == {"model", "dim", "texts", "latents"}
    assert data["model"] == "tiny-random" and data["dim"] == 16
    assert data["texts"] == ["the cat sat", "a dog ran"]
    z = np.array(data["latents"], dtype=np.float32)
    assert z.shape == (2, 16)
    assert np.allclose(np.linalg.norm(z, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(z, tiny_model.encode(["the cat sat", "a dog ran"]))


def test_encode_human(capsys, mdir):
    code, out, _ = run_cli(capsys, "encode", "--model", mdir, "the cat sat")
    assert code == 0 and "16 dimensions" in out and "the cat sat" in out


def test_decode_file_round_trip(capsys, mdir, tiny_model, tmp_path):
    f = tmp_path / "z.json"
    f.write_text(json.dumps(run_json(capsys, "encode", "--model", mdir, "the cat sat", "hi")))
    data = run_json(capsys, "decode", str(f), "--model", mdir)
    assert data["texts"] == default_texts(tiny_model, tiny_model.encode(["the cat sat", "hi"]))
    code, out, _ = run_cli(capsys, "decode", str(f), "--model", mdir)
    lines = out.split("\n")[:-1]
    assert code == 0 and len(lines) == 2
    assert all(line.startswith(_show(t) + "  ") for line, t in zip(lines, data["texts"]))


@pytest.mark.parametrize("source", [[], ["-"]])
def test_decode_stdin(capsys, monkeypatch, mdir, tiny_model, source):
    z = tiny_model.encode(["a cat"])
    set_stdin(monkeypatch, json.dumps({"latents": z.tolist()}))
    data = run_json(capsys, "decode", *source, "--model", mdir)
    assert data["texts"] == default_texts(tiny_model, z)


def test_decode_accepts_a_bare_list_and_sampling_options(capsys, monkeypatch, mdir):
    z = [[0.25] * 16]
    args = ("decode", "--model", mdir, "--temperature", "1.0", "--top-p", "0.9", "--seed", "5")
    set_stdin(monkeypatch, json.dumps(z))
    first = run_json(capsys, *args)
    set_stdin(monkeypatch, json.dumps(z))
    assert run_json(capsys, *args) == first
    set_stdin(monkeypatch, json.dumps(z))
    assert len(run_json(capsys, "decode", "--model", mdir, "--beam", "3")["texts"]) == 1


def test_decode_warns_about_other_model(capsys, monkeypatch, mdir):
    set_stdin(monkeypatch, json.dumps({"model": "someone-else", "latents": [[1.0] * 16]}))
    code, out, err = run_cli(capsys, "decode", "--model", mdir)
    assert code == 0 and out.strip() != ""
    assert "warning" in err and "someone-else" in err


# -- reconstruct / blend -------------------------------------------------------------------------
def test_reconstruct_json(capsys, mdir, tiny_model):
    data = run_json(capsys, "reconstruct", "--model", mdir, "the cat sat", "hello 🌍")
    outputs = default_texts(tiny_model, tiny_model.encode(["the cat sat", "hello 🌍"]))
    assert [(p["input"], p["output"]) for p in data["pairs"]] == [
        ("the cat sat", outputs[0]), ("hello 🌍", outputs[1])]
    assert all(set(p) == {"input", "output", "fidelity"} for p in data["pairs"])


def test_reconstruct_human(capsys, mdir):
    code, out, _ = run_cli(capsys, "reconstruct", "--model", mdir, "the cat sat")
    assert code == 0 and out.startswith("the cat sat\n  -> ")


@pytest.mark.parametrize("extra, n", [([], 9), (["--steps", "3"], 3), (["--method", "lerp"], 9)])
def test_blend_json(capsys, mdir, extra, n):
    data = run_json(capsys, "blend", "the cat sat", "a dog ran", "--model", mdir, *extra)
    assert list(data) == ["steps"] and len(data["steps"]) == n
    ts = [s["t"] for s in data["steps"]]
    assert ts[0] == 0.0 and ts[-1] == 1.0 and ts == sorted(ts)
    assert all(isinstance(s["text"], str) for s in data["steps"])


def test_blend_human(capsys, mdir):
    code, out, _ = run_cli(capsys, "blend", "the cat sat", "a dog ran", "--model", mdir)
    assert code == 0 and len(out.splitlines()) == 9 and out.startswith("0.00  ")


# -- eval / bench --------------------------------------------------------------------------------
@pytest.fixture
def eval_files(tmp_path) -> tuple[str, str]:
    s = tmp_path / "sentences.txt"
    s.write_text("the cat sat on the mat\na dog ran in the park\nhello there\n")
    p = tmp_path / "pairs.tsv"
    p.write_text("the cat sat\ta dog ran\nhello there\tgood night\n")
    return str(s), str(p)


def test_eval_json(capsys, mdir, eval_files):
    s, p = eval_files
    data = run_json(capsys, "eval", "--model", mdir, "--sentences", s, "--pairs", p)
    scores = {"n", "exact_match", "bleu", "token_accuracy", "mean_fidelity", "verified",
              "ms_per_sentence"}
    assert set(data) == scores | {"by_length", "blend", "decode"}
    assert data["n"] == 3
    assert set(data["blend"]) == {"pairs", "endpoints", "progress", "novelty", "valid_words",
                                  "mean_fidelity", "middle"}
    assert data["blend"]["pairs"] == 2
    for bucket in data["by_length"].values():
        assert set(bucket) == scores


def test_eval_examples_and_human(capsys, mdir, eval_files):
    s, p = eval_files
    data = run_json(capsys, "eval", "--model", mdir, "--sentences", s, "--pairs", p,
                    "--examples", "2")
    assert [e["input"] for e in data["examples"]] == ["the cat sat on the mat",
                                                      "a dog ran in the park"]
    code, out, _ = run_cli(capsys, "eval", "--model", mdir, "--sentences", s, "--pairs", p)
    assert code == 0 and "exact" in out and "valid_words" in out


def test_show_keeps_text_on_one_line():
    assert _show("a\nb\x0bc\u2028d") == "a\\nb\\x0bc\\u2028d"
    assert _show("👩\u200d👩 é ש") == "👩\u200d👩 é ש"


def test_eval_default_files_exist():
    from textlatent.cli.common import eval_file

    for kind in ("sentences", "pairs"):
        assert eval_file(kind).is_file()


def test_eval_reads_the_shipped_files_from_any_directory(capsys, monkeypatch, tmp_path, mdir):
    """A folder of other eval files beside the working directory changes nothing."""
    shared = tmp_path / "shared" / "eval"
    shared.mkdir(parents=True)
    (shared / "sentences.txt").write_text("one other sentence\n", encoding="utf-8")
    (shared / "pairs.tsv").write_text("a cat\ta dog\n", encoding="utf-8")
    (tmp_path / "work").mkdir()
    figures = []
    for where in (tmp_path / "work", tmp_path):
        monkeypatch.chdir(where)
        data = run_json(capsys, "eval", "--model", mdir, "--decode", "greedy")
        figures.append({k: v for k, v in data.items() if k not in ("by_length", "ms_per_sentence")})
    shipped = resources.files("textlatent.data")
    n = len(read_sentences(Path(str(shipped.joinpath("eval_sentences.txt")))))
    assert figures[0] == figures[1] and figures[0]["n"] == n > 1
    assert figures[0]["blend"]["pairs"] == len(read_pairs(Path(str(shipped.joinpath(
        "eval_pairs.tsv")))))


def test_bench_json(capsys, mdir):
    data = run_json(capsys, "bench", "--model", mdir, "--repeats", "1")
    assert set(data) == {"encode_ms", "reconstruct_ms", "reconstruct_long_ms", "blend9_ms",
                         "sentences_per_s", "peak_rss_mb", "threads"}
    assert all(data[k] > 0 for k in data)
    assert isinstance(data["threads"], int)


def test_bench_text_lists_the_long_reconstruction(capsys, mdir):
    code, out, err = run_cli(capsys, "bench", "--model", mdir, "--repeats", "1")
    assert code == 0, err
    assert "TruncationWarning" not in err
    row = next(line.split() for line in out.splitlines() if "reconstruct_long_ms" in line)
    assert row[0] == "reconstruct_long_ms" and float(row[1]) > 0


@pytest.mark.slow
def test_bench_times_the_default_decode(builtin_model):
    """reconstruct_ms / reconstruct_long_ms time the default decode: on the long sentence
    greedy alone does not verify, so the timing includes every correction round."""
    from textlatent.bench import default_reconstruct, long_sentence
    from textlatent.fidelity import DEFAULT, decode_verified

    text = long_sentence()
    assert builtin_model.reconstruct([text]) != [text]
    (decoded,) = decode_verified(builtin_model, builtin_model.encode([text]), DEFAULT)
    assert len(decoded.attempts) == 1 + DEFAULT.rounds  # greedy, then every round
    assert decoded.fidelity > decoded.attempts[0].fidelity  # the rounds found a closer text
    assert default_reconstruct(builtin_model, [text]) == [decoded.text]


def test_bench_long_sentence_is_a_fixed_held_out_sentence_of_16_to_20_words():
    from textlatent.bench import long_sentence
    from textlatent.evaluate import read_sentences

    text = long_sentence()
    assert 16 <= len(text.split()) <= 20 and text == long_sentence()
    shipped = Path(__file__).parent.parent / "textlatent" / "data" / "heldout_sentences.txt"
    earlier = read_sentences(shipped)
    assert not any(16 <= len(t.split()) <= 20 for t in earlier[:earlier.index(text)])


# -- corpus / training ---------------------------------------------------------------------------
def test_corpus_build(capsys, monkeypatch, tmp_path):
    calls = []

    def build_corpus(out, cache_dir, exclude_files, seed=0):
        calls.append((out, cache_dir, exclude_files, seed))
        return {"sources": {"demo": {"unique": 2, "written": 2}, "gone": {"error": "offline"}},
                "total_lines": 2, "total_unique": 2}

    fake = types.ModuleType("textlatent.corpus")
    fake.build_corpus = build_corpus
    monkeypatch.setitem(sys.modules, "textlatent.corpus", fake)
    out = tmp_path / "c.txt"
    data = run_json(capsys, "corpus", "build", "--out", str(out), "--cache", str(tmp_path),
                    "--seed", "3")
    assert data["total_lines"] == 2
    (got_out, got_cache, exclude, seed) = calls[0]
    assert (got_out, got_cache, seed) == (out, tmp_path, 3)
    assert [p.suffix for p in exclude] == [".txt", ".tsv"] and all(p.is_file() for p in exclude)
    keep = tmp_path / "keep.txt"
    keep.write_text("a sentence\n")
    code, text, _ = run_cli(capsys, "corpus", "build", "--out", str(out), "--exclude", str(keep))
    assert code == 0 and "wrote 2 lines" in text and "offline" in text
    assert calls[-1][2] == [keep] and calls[-1][1] == Path("data/cache")


def test_train_tokenizer_and_train(capsys, tmp_path):
    tok = tmp_path / "tok.model"
    data = run_json(capsys, "train-tokenizer", "--corpus", str(DATA / "tiny_corpus.txt"),
                    "--out", str(tok), "--vocab-size", "400")
    assert data["vocab_size"] > 300 and tok.is_file()
    out = tmp_path / "model"
    shape = ["--latent-dim", "8", "--enc-hidden", "8", "--dec-hidden", "8", "--emb-dim", "8"]
    common = ["train", "--corpus", str(DATA / "tiny_corpus.txt"), "--out", str(out),
              "--no-progress", "--batch-tokens", "512"]
    result = run_json(capsys, *common, "--tokenizer", str(tok), "--steps", "2", *shape,
                      "--lr", "0.001", "--word-drop", "0.2", "--latent-noise", "0.05",
                      "--dec-word-drop", "0.1", "--blend-cap", "0.5")
    assert result["step"] == 2 and result["out"] == str(out)
    recipe = json.loads((out / "config.json").read_text())["meta"]["train"]
    noise = (recipe["word_drop"], recipe["dec_word_drop"], recipe["latent_noise"],
             recipe["blend_cap"])
    assert noise == (0.2, 0.1, 0.05, 0.5)
    assert run_json(capsys, *common, "--steps", "3", "--resume")["step"] == 3
    encoded = run_json(capsys, "encode", "--model", str(out), "a cat")
    assert encoded["dim"] == 8
    tuned = tmp_path / "tuned"
    common[4] = str(tuned)
    assert run_json(capsys, *common, "--steps", "1", "--init", str(out))["step"] == 1
    code, _, err = run_cli(capsys, *common, "--steps", "1", "--init", str(out), "--latent-dim", "4")
    assert_clean_error(code, err, "--init")


def test_tui_is_the_default(capsys, monkeypatch):
    seen = []
    fake = types.ModuleType("tui.app")
    fake.run_app = lambda model_path=None, **settings: seen.append(model_path) or 0
    monkeypatch.setitem(sys.modules, "tui.app", fake)
    assert main([]) == 0
    assert main(["tui", "--model", "some/dir"]) == 0
    assert seen == [None, "some/dir"]


def test_tui_missing_is_a_clean_error(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tui.app", None)
    code, _, err = run_cli(capsys, "tui")
    assert_clean_error(code, err, "terminal app")


# -- errors --------------------------------------------------------------------------------------
@pytest.fixture
def broken_model(tiny_model_dir, tmp_path) -> str:
    folder = shutil.copytree(tiny_model_dir, tmp_path / "broken")
    (folder / "model.safetensors").write_bytes(b"garbage")
    return str(folder)


@pytest.mark.parametrize("argv, match", [
    (["encode", ""], "empty"),
    (["encode", "  \t "], "empty"),
    (["reconstruct", "ok", "\n"], "text 1 is empty"),
    (["blend", "", "a dog"], "empty"),
    (["decode", "{missing}"], "not found"),
    (["eval", "--sentences", "{missing}"], "not found"),
    (["eval", "--pairs", "{bad_pairs}", "--sentences", "{sentences}"], "line 1"),
    (["eval", "--sentences", "{empty}", "--pairs", "{bad_pairs}"], "no sentences"),
    (["train-tokenizer", "--corpus", "{missing}", "--out", "{tmp}/t.model"], "not found"),
    (["train-tokenizer", "--corpus", "{sentences}", "--out", "{tmp}/t.model",
      "--vocab-size", "2"], "vocab"),
    (["train", "--corpus", "{missing}", "--out", "{tmp}/m"], "not found"),
    (["train", "--corpus", "{sentences}", "--out", "{tmp}/m"], "tokenizer"),
    (["train", "--corpus", "{sentences}", "--out", "{tmp}/m", "--tokenizer", "{missing}"],
     "not found"),
    (["train", "--corpus", "{sentences}", "--out", "{tmp}/m", "--init", "{tmp}"], "missing"),
    (["corpus", "build", "--out", "{tmp}/c.txt", "--exclude", "{missing}"], "not found"),
])
def test_input_errors(capsys, mdir, tmp_path, argv, match):
    (tmp_path / "sentences.txt").write_text("the cat sat\n")
    (tmp_path / "bad.tsv").write_text("only one column\n")
    (tmp_path / "empty.txt").write_text("\n")
    names = {"missing": tmp_path / "nope.json", "bad_pairs": tmp_path / "bad.tsv",
             "sentences": tmp_path / "sentences.txt", "empty": tmp_path / "empty.txt",
             "tmp": tmp_path}
    argv = [a.format(**names) for a in argv]
    if argv[0] not in ("train-tokenizer", "train", "corpus"):
        argv += ["--model", mdir]
    code, _, err = run_cli(capsys, *argv)
    assert_clean_error(code, err, match)


@pytest.mark.parametrize("payload, match", [
    ("{not json", "not valid JSON"),
    ("", "no input"),
    ("42", "latents"),
    ('{"texts": ["a"]}', "latents"),
    ('{"latents": [[1, 2, 3]]}', "shape"),
    ('{"latents": [[NaN' + ", 1" * 15 + "]]}", "NaN"),
    ('{"latents": [' + "[0" + ", 0" * 15 + "]]}", "zeros"),
    ('{"latents": [["a"' + ', "b"' * 15 + "]]}", "numbers"),
    ('{"latents": [[1, 2], [1]]}', ""),
    ('{"latents": []}', ""),
])
def test_decode_bad_input(capsys, monkeypatch, mdir, payload, match):
    set_stdin(monkeypatch, payload)
    code, _, err = run_cli(capsys, "decode", "--model", mdir)
    assert_clean_error(code, err, match)


@pytest.mark.parametrize("opts, match", [(["--top-p", "0"], "top_p"),
                                         (["--temperature", "-1"], "temperature")])
def test_decode_bad_options(capsys, monkeypatch, mdir, opts, match):
    set_stdin(monkeypatch, json.dumps([[1.0] * 16]))
    code, _, err = run_cli(capsys, "decode", "--model", mdir, *opts)
    assert_clean_error(code, err, match)


def test_bad_model_folders(capsys, tmp_path, tiny_model_dir, broken_model):
    cases = [(str(tmp_path / "nowhere"), "not found"),
             (str(tiny_model_dir / "config.json"), "not a folder"),
             (str(tmp_path), "missing config.json"),
             (broken_model, "safetensors")]
    for folder, match in cases:
        code, _, err = run_cli(capsys, "encode", "--model", folder, "a cat")
        assert_clean_error(code, err, match)


def test_truncation_is_one_warning_line(capsys, mdir):
    code, out, err = run_cli(capsys, "reconstruct", "--model", mdir, "word " * 100)
    assert code == 0 and "->" in out
    assert len(err.strip().splitlines()) == 1 and "warning" in err and "cut" in err


def test_many_truncations_are_one_line(capsys, mdir):
    code, _, err = run_cli(capsys, "reconstruct", "--model", mdir, "word " * 100, "cat " * 100)
    assert code == 0 and len(err.strip().splitlines()) == 1 and "2 times" in err


# -- the real console script ---------------------------------------------------------------------
def _command() -> list[str]:
    script = Path(sys.executable).with_name("textlatent")
    return [str(script)] if script.exists() else [sys.executable, "-m", "textlatent.cli"]


def test_console_script_output_feeds_decode(capsys, monkeypatch, mdir, tiny_model):
    enc = subprocess.run([*_command(), "encode", "--json", "--model", mdir, "a cat 🐈"],
                         capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert enc.returncode == 0, enc.stderr
    assert json.loads(enc.stdout)["texts"] == ["a cat 🐈"]
    set_stdin(monkeypatch, enc.stdout)
    assert run_json(capsys, "decode", "--model", mdir)["texts"] == default_texts(
        tiny_model, tiny_model.encode("a cat 🐈"))


def test_console_script_error_has_no_traceback(mdir):
    proc = subprocess.run([*_command(), "decode", "--model", mdir], input="{oops",
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.startswith("textlatent: error:") and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
