"""The app under load: many encodes keep memory flat; the UI never loses sentences."""

from __future__ import annotations

import asyncio
import gc
import resource

import pytest

from tui.app import TextLatentApp

pytestmark = pytest.mark.usefixtures("app_isolated")


async def _encode_batch(pilot, app, texts: list[str]) -> None:
    for text in texts:
        app.main.add_sentence(text)
    for _ in range(2000):
        await pilot.pause(0.01)
        if all(e.ready for e in app.session.entries):
            return
    raise AssertionError("encodes never finished")


def _live_objects() -> int:
    gc.collect()
    return len(gc.get_objects())


@pytest.mark.slow
def test_memory_stays_flat_over_500_encodes(tiny_model):
    """After a warm-up round, 400 more encodes (cleared every 100) leave no objects behind."""

    async def run() -> tuple[int, int, float, float, int]:
        app = TextLatentApp(model=tiny_model, starters=False)
        async with app.run_test(size=(100, 30)) as pilot:
            rounds = []
            for start in range(0, 500, 100):
                await _encode_batch(pilot, app, [f"a cat sat on the mat {start + i}"
                                                 for i in range(100)])
                app.main.action_clear()  # the learner clears (twice: it asks first);
                app.main.action_clear()  # what was freed must stay freed (one undo step)
                await pilot.pause()
                await pilot.pause()
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                rounds.append((_live_objects(), rss))
            return rounds[0][0], rounds[-1][0], rounds[0][1], rounds[-1][1], \
                len(app.session.entries)

    objects_before, objects_after, rss_before, rss_after, left = asyncio.run(run())
    assert left == 0
    # One leaked sentence costs dozens of objects (entry, latent, rows, texts): 400 leaked
    # sentences would add well over 4,000.
    assert objects_after - objects_before < 4000, (objects_before, objects_after)
    assert rss_after - rss_before < 50, (rss_before, rss_after)


@pytest.mark.slow
def test_200_sentences_kept_in_order(tiny_model):
    async def run() -> list[str]:
        app = TextLatentApp(model=tiny_model, starters=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await _encode_batch(pilot, app, [f"sentence number {i}" for i in range(200)])
            return [e.text for e in app.session.entries]

    texts = asyncio.run(run())
    assert texts == [f"sentence number {i}" for i in range(200)]
