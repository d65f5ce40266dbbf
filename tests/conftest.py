"""Shared fixtures: a tiny random model for mechanics, the shipped model for quality."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

DATA = Path(__file__).parent / "data"

# Hypothesis profiles: "ci" (the default) is fixed-seed and quick; "long" is for a local soak,
# chosen with `pytest --hypothesis-profile long`.
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("ci", derandomize=True, max_examples=200, deadline=None,
                          suppress_health_check=_SLOW_OK, print_blob=True)
settings.register_profile("long", max_examples=10_000, deadline=None,
                          suppress_health_check=_SLOW_OK)

settings.load_profile("ci")  # hypothesis' plugin loads --hypothesis-profile's choice after this

MODEL_TESTS = Path(__file__).parent / "model"


def pytest_collection_modifyitems(items) -> None:
    """Everything under tests/model/ (shipped model, training, subprocesses) is `slow`."""
    for item in items:
        if MODEL_TESTS in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A model folder with a tiny SentencePiece tokenizer and random weights."""
    import torch

    from textlatent.backends.gru import ModelConfig, SentenceAutoencoder, save_model_folder
    from textlatent.tokenizer import Tokenizer, train_tokenizer

    root = tmp_path_factory.mktemp("tiny")
    tok_path = train_tokenizer(DATA / "tiny_corpus.txt", root / "tok" / "tokenizer.model",
                               vocab_size=512)
    tok = Tokenizer(tok_path)
    torch.manual_seed(0)
    cfg = ModelConfig(vocab_size=tok.vocab_size, emb_dim=32, enc_hidden=32, latent_dim=16,
                      dec_hidden=48, max_tokens=24)
    folder = root / "model"
    save_model_folder(folder, SentenceAutoencoder(cfg), tok_path, "tiny-random")
    return folder


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir):
    from textlatent import load_model

    return load_model(tiny_model_dir)


@pytest.fixture(scope="session")
def builtin_model():
    from textlatent import load_model

    return load_model()


@pytest.fixture(scope="session")
def mdir(tiny_model_dir) -> str:
    """The tiny model folder as a command-line argument."""
    return str(tiny_model_dir)



@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny models decode faster on one thread, and it keeps app tests light on CPU."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def app_isolated(tmp_path, monkeypatch):
    """App settings go to a temp config folder, user data (directions) to a temp data folder;
    exports and screenshots to a temp cwd."""
    monkeypatch.setenv("TEXTLATENT_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TEXTLATENT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
