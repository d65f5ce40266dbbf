"""The hf backend on a tiny stand-in (tests/data/hf_tiny: its own modeling code with Bottleneck
T5's encode_only / perturb_vector interface, random weights), offline; and, marked `online`, on
the real small model when it is already in the local cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"  # before transformers is imported: no network, no retries

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from textlatent import ModelError, TruncationWarning, load_model  # noqa: E402
from textlatent.backends import backend_for  # noqa: E402

pytest.importorskip("transformers", reason="the hf backend needs transformers: "
                    "pip install -e '.[hf]'")
torch = pytest.importorskip("torch")
pytestmark = pytest.mark.hf

from textlatent.backends.hf import BottleneckT5, parse_id  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HF_TINY = ROOT / "tests" / "data" / "hf_tiny"
REAL = "thesephist/contra-bottleneck-t5-small-wikipedia"
TEXTS = ["a cat sat on the mat.", "The dog ran home.", "hello world"]
SHORT = {"max_tokens": 12}


@pytest.fixture(scope="module")
def hf_model() -> BottleneckT5:
    return load_model(HF_TINY, trust_remote_code=True)


def cli(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "textlatent.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env=full_env, timeout=timeout)


# -- recognising the source -------------------------------------------------------------------
def test_ids_and_folders_are_recognised(tmp_path):
    assert backend_for(HF_TINY).name == "hf"
    assert backend_for(f"hf:{REAL}").name == "hf"
    assert parse_id(f"hf:{REAL}") == (REAL, None)
    assert parse_id("hf:owner/name@v1.0") == ("owner/name", "v1.0")
    for bad in ("hf:", "hf:name", "hf:a/b/c", "hf:owner/name@", "hf:../x", "hf:o/n x"):
        with pytest.raises(ModelError, match="not a model id"):
            parse_id(bad)


def test_a_transformers_folder_without_auto_map_is_refused(tmp_path):
    (tmp_path / "config.json").write_text('{"model_type": "t5"}')
    with pytest.raises(ModelError, match="no auto_map"):
        load_model(tmp_path, trust_remote_code=True)


# -- trust_remote_code ------------------------------------------------------------------------
@pytest.mark.parametrize("flag", [False, None, 1, "yes"])
def test_refused_without_an_explicit_trust_remote_code(flag):
    with pytest.raises(ModelError, match="--trust-remote-code") as err:
        load_model(HF_TINY, trust_remote_code=flag)
    assert "\n" not in str(err.value) and "read the .py files in" in str(err.value)
    with pytest.raises(ModelError, match="Hub page"):
        load_model(f"hf:{REAL}", trust_remote_code=flag)


def test_cli_refuses_with_one_line_and_exit_2_without_prompting():
    start = time.monotonic()
    proc = cli("reconstruct", "--model", str(HF_TINY), "--json", "hello", timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "--trust-remote-code" in proc.stderr and "Traceback" not in proc.stderr
    assert time.monotonic() - start < 30


def test_cli_reconstructs_with_the_flag():
    proc = cli("reconstruct", "--model", str(HF_TINY), "--trust-remote-code", "--json",
               "--max-tokens", "8", "hello")
    assert proc.returncode == 0, proc.stderr
    import json

    pairs = json.loads(proc.stdout)["pairs"]
    assert pairs[0]["input"] == "hello" and isinstance(pairs[0]["output"], str)


def test_uncached_hub_id_fails_fast_with_one_line(tmp_path):
    start = time.monotonic()
    proc = cli("reconstruct", "--model", f"hf:{REAL}", "--trust-remote-code", "hi",
               env={"HF_HOME": str(tmp_path / "empty-cache")}, timeout=60)
    elapsed = time.monotonic() - start
    assert proc.returncode == 2 and elapsed < 10, (elapsed, proc.stderr)
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert "not in the local Hugging Face cache" in proc.stderr


@pytest.mark.slow
def test_eval_and_bench_run_on_the_hf_backend(tmp_path):
    import json

    (tmp_path / "s.txt").write_text("A cat sat.\nThe dog ran home.\n")
    (tmp_path / "p.tsv").write_text("A cat sat.\tThe dog ran home.\n")
    proc = cli("eval", "--model", str(HF_TINY), "--trust-remote-code", "--json",
               "--sentences", str(tmp_path / "s.txt"), "--pairs", str(tmp_path / "p.tsv"),
               "--steps", "3")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["n"] == 2 and result["blend"]["pairs"] == 1
    proc = cli("bench", "--model", str(HF_TINY), "--trust-remote-code", "--json",
               "--repeats", "1")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["reconstruct_ms"] > 0


# -- the surface --------------------------------------------------------------------------------
def test_latents_are_unit_float32_rows(hf_model):
    z = hf_model.encode(TEXTS)
    assert z.shape == (3, hf_model.dim) == (3, 64) and z.dtype == np.float32
    assert np.allclose(np.linalg.norm(z, axis=1), 1, atol=1e-5)
    assert hf_model.summary.startswith("hf · hf_tiny · D=64 · ")
    assert hf_model.max_tokens == 32 and hf_model.num_parameters > 100_000  # make.py's limit


def test_batched_equals_single(hf_model):
    assert hf_model.batched and hf_model.batch_size > 1
    z = hf_model.encode(TEXTS)
    alone = np.concatenate([hf_model.encode([t]) for t in TEXTS])
    assert np.allclose(z, alone, atol=1e-5)
    together = hf_model.decode(z, **SHORT)
    assert len(set(together)) > 1  # the stand-in's decodes depend on the latent
    assert together == [hf_model.decode(z[i], **SHORT)[0] for i in range(3)]
    assert hf_model.decode(z, beam=3, **SHORT) == [hf_model.decode(z[i], beam=3, **SHORT)[0]
                                                    for i in range(3)]


def test_a_model_that_cannot_batch_decodes_one_at_a_time(hf_model, tmp_path):
    folder = tmp_path / "hf_tiny_nomask"
    shutil.copytree(HF_TINY, folder, ignore=shutil.ignore_patterns("__pycache__", "make.py"))
    code = folder / "modeling_tiny_bottleneck.py"
    source = code.read_text()
    masked = 'scores = scores.masked_fill(attention_mask == 0, float("-inf"))'
    assert masked in source
    code.write_text(source.replace(masked, "pass  # pools over padding too"))
    model = load_model(folder, trust_remote_code=True)
    assert not model.batched and model.batch_size == 1
    z = hf_model.encode(TEXTS)
    assert model.decode(z, **SHORT) == hf_model.decode(z, **SHORT)  # same weights, one by one


def test_same_seed_same_output_and_the_global_rng_untouched(hf_model):
    z = hf_model.encode(TEXTS)
    state = torch.get_rng_state()
    a = hf_model.decode(z, temperature=1.0, seed=3, **SHORT)
    assert torch.equal(torch.get_rng_state(), state)
    assert hf_model.decode(z, temperature=1.0, seed=3, **SHORT) == a
    others = [hf_model.decode(z, temperature=1.0, seed=s, **SHORT) for s in (4, 5)]
    assert any(o != a for o in others)


def test_the_input_contract_holds(hf_model):
    with pytest.raises(TypeError, match="text 1 is bytes"):
        hf_model.encode(["a", b"b"])
    with pytest.raises(ValueError, match="text 0 is empty"):
        hf_model.encode(["\u200b "])
    with pytest.raises(ValueError, match="no texts"):
        hf_model.encode([])
    for bad in (np.zeros(64), np.full(64, np.nan), np.ones(63), [["x"] * 64]):
        with pytest.raises(ValueError):
            hf_model.decode(bad)
    z = hf_model.encode(["a cat"])
    for opts in ({"beam": 0}, {"temperature": -1}, {"top_p": 0}, {"max_tokens": 0},
                 {"max_tokens": 4 * hf_model.max_tokens + 1}):
        with pytest.raises(ValueError):
            hf_model.decode(z, **opts)
    assert hf_model.decode(z * 1e6, **SHORT) == hf_model.decode(z, **SHORT)
    assert all(isinstance(t, str) for t in hf_model.decode(z, **SHORT))
    emoji = hf_model.encode(["hello 🌍 Привет \x00 \ud800"])
    assert np.isfinite(emoji).all()


def test_long_texts_are_cut_with_a_warning(hf_model):
    long = "cat " * 100
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hf_model.encode(["a cat", long])
    cut = [w for w in caught if issubclass(w.category, TruncationWarning)]
    assert len(cut) == 1 and "text 1 has" in str(cut[0].message)
    assert len(hf_model.pieces(long)) == hf_model.max_tokens - 1
    assert long.startswith(hf_model.fit(long).strip()) and len(hf_model.fit(long)) < len(long)
    assert hf_model.fit("a cat") == "a cat"


def test_perturb_vector_is_reset_and_the_lock_released_after_an_exception(hf_model):
    z = hf_model.encode(TEXTS)
    before = hf_model.decode(z, **SHORT)
    real = hf_model.model.generate
    seen = {}

    def failing_generate(*args, **kwargs):
        seen["perturb"] = tuple(hf_model.model.perturb_vector.shape)
        seen["locked"] = hf_model._lock.locked()
        raise RuntimeError("out of memory")

    hf_model.model.generate = failing_generate
    try:
        with pytest.raises(RuntimeError, match="out of memory"):
            hf_model.decode(z, beam=2, **SHORT)
    finally:
        hf_model.model.generate = real
    assert seen == {"perturb": (6, 64), "locked": True}  # 3 latents x 2 beams
    assert hf_model.model.perturb_vector is None and not hf_model._lock.locked()
    assert hf_model.decode(z, **SHORT) == before


def test_threads_sharing_the_model_get_what_they_would_alone(hf_model):
    z = hf_model.encode(TEXTS)
    expected = [hf_model.decode(z[i], **SHORT)[0] for i in range(3)]
    results: dict[int, list[str]] = {}

    def work(i: int) -> None:
        results[i] = [hf_model.reconstruct(TEXTS[i % 3], **SHORT)[0] for _ in range(3)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[i] == [expected[i % 3]] * 3 for i in range(6))


def test_a_pickle_with_code_is_refused(tmp_path):
    import pickle

    folder = tmp_path / "evil"
    shutil.copytree(HF_TINY, folder, ignore=shutil.ignore_patterns("__pycache__"))

    class Boom:
        def __reduce__(self):
            return (os.system, ("echo owned",))

    (folder / "pytorch_model.bin").write_bytes(pickle.dumps({"x": Boom()}))
    with pytest.raises(ModelError, match="weights_only"):
        load_model(folder, trust_remote_code=True)


# -- the real model -----------------------------------------------------------------------------
def _real_cached() -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    return isinstance(try_to_load_from_cache(REAL, "config.json"), str)


@pytest.mark.online
@pytest.mark.slow
@pytest.mark.skipif(not _real_cached(), reason=f"{REAL} is not in the local Hugging Face cache")
def test_real_bottleneck_t5_small_reconstructs():
    model = load_model(f"hf:{REAL}", trust_remote_code=True)
    assert model.dim == 512
    texts = ["The dog chased the ball across the yard.", "She opened the window."]
    z = model.encode(texts)
    assert np.allclose(np.linalg.norm(z, axis=1), 1, atol=1e-4)
    assert model.decode(z) == texts
