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


def screen_lines(app) -> list[str]:
    """The screen as plain text lines, as a terminal shows it now."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def burst(app, *keys: str) -> None:
    """Send key presses the way a terminal delivers a burst (a paste without bracketed paste,
    keys held or typed fast): all queued at once, none waits for the one before."""
    from textual import events

    for key in keys:
        char = key if len(key) == 1 else {"enter": "\r", "space": " "}.get(key)
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


def in_view(widget, y: int, height: int) -> bool:
    """Whether lines y … y+height of a scrolling widget's content are on screen whole (its own
    scrolling and every container around it)."""
    visible = widget.screen.find_widget(widget).visible_region
    top = widget.content_region.y + y - round(widget.scroll_offset.y)
    return visible.y <= top and top + height <= visible.y + visible.height


EXTRAS_TEXTS = ["the cat sat", "the dog slept", "a bird sang", "the sun is warm",
                "she reads a book", "we walked home", "it rained all day", "he drinks tea"]


def folder_with_extras(src, model, dest):
    """A copy of model folder `src` at `dest` with what `textlatent index build` writes into
    it: a sentence index of EXTRAS_TEXTS and a latent prior fitted on them."""
    import shutil

    from textlatent import index, prior

    shutil.copytree(src, dest)
    latents = model.encode(EXTRAS_TEXTS)
    index.save(index.build(EXTRAS_TEXTS, latents, None, model.name), dest)
    prior.save(prior.fit(latents, anchors=8, model=model.name), dest)
    return dest
