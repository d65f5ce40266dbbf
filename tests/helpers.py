"""Helpers shared by test modules."""

from __future__ import annotations

import asyncio
import functools

import torch

from textlatent.backends.gru import ModelConfig, SentenceAutoencoder
from textlatent.cli import main


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the command line in-process -> (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def tiny_net(vocab_size: int) -> SentenceAutoencoder:
    """A seeded, tiny random network in eval mode (no dropout)."""
    torch.manual_seed(0)
    cfg = ModelConfig(vocab_size=vocab_size, emb_dim=16, enc_hidden=16, latent_dim=8,
                      dec_hidden=24, max_tokens=12)
    return SentenceAutoencoder(cfg).eval()


def run_async(test):
    """Run an async test with asyncio.run (no asyncio pytest plugin needed)."""

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return wrapper


async def settle(pilot, rounds: int = 400) -> None:
    """Wait until no app worker runs and every message they posted has been handled."""
    app = pilot.app
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            await pilot.pause()
            if not any(w.is_running for w in app.workers):
                return
    raise AssertionError("workers never settled")


def folder_with_map(src, model, dest, texts: list[str]):
    """A copy of model folder `src` at `dest` with a sentence index of `texts` and a PCA map
    of it (what `textlatent index build` and `textlatent map --build --kind pca` write)."""
    import shutil

    from textlatent import index, latent_map

    shutil.copytree(src, dest)
    idx = index.build(texts, model.encode(texts), None, model.name)
    index.save(idx, dest)
    latent_map.save(latent_map.fit_pca(idx), dest)
    return dest
