"""Snapshots of the latent space views (pytest-textual-snapshot), on the tiny random model with
a 12-sentence index and its PCA map: each view in blend and in variations, at 140x45, 80x24
and without colour. The sentences are the test's own, so a change of the app's starters does
not change these pictures. Update with: pytest tests/app/test_tui_map_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest
from test_tui_snapshots import settle

from tui.app import TextLatentApp

pytestmark = pytest.mark.usefixtures("one_torch_thread", "app_isolated")

SENTENCES = ["stock prices fell sharply today", "share prices dropped sharply today",
             "I love this song", "I really like this song"]


def view_of(mode: str, presses: int):
    """Add the sentences and the first starter pair, switch to `mode`, press v `presses` times
    (1 plane, 2 map, 3 grid)."""

    async def run_before(pilot) -> None:
        app = pilot.app
        await settle(pilot)
        app.main.add_starters(SENTENCES)
        await settle(pilot)
        await pilot.press("escape")
        if mode != "blend":
            app.main.action_mode(mode)
            await settle(pilot)
            app.main.input_stage.sentences.focus()
            await pilot.press("right", "right")
        await pilot.press(*"v" * presses)
        await settle(pilot)
        assert app.main.encode_stage.view == ("plane", "map", "grid")[presses - 1]

    return run_before


@pytest.mark.parametrize("mode, presses, size, no_color", [
    ("blend", 1, (140, 45), False),
    ("blend", 2, (80, 24), True),
    ("blend", 3, (80, 24), False),
    ("vary", 1, (80, 24), True),
    ("vary", 2, (140, 45), False),
    ("vary", 3, (140, 45), True),
], ids=["plane-blend-140x45", "map-blend-80x24-nocolor", "grid-blend-80x24",
        "plane-vary-80x24-nocolor", "map-vary-140x45", "grid-vary-140x45-nocolor"])
def test_view(snap_compare, mapped, monkeypatch, mode, presses, size, no_color):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(TextLatentApp(model_path=mapped, starters=False), terminal_size=size,
                        run_before=view_of(mode, presses))
