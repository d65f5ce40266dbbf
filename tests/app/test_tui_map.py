"""The Encode stage's latent space views in the running app (Textual Pilot): `v` cycles the
heat map, the plane, the map of meanings and the similarity grid; snapshots of each view in
blend and in variations, at 140x45, 80x24 and without colour."""

from __future__ import annotations

import io
import time

import pytest
from helpers import run_async, settle
from rich.console import Console

from tui.app import TextLatentApp
from tui.widgets.latent_views import LatentViews

pytestmark = pytest.mark.usefixtures("one_torch_thread", "app_isolated")

def shown(app) -> str:
    """The text of the view on screen."""
    views = app.main.query_one(LatentViews)
    widget = views.query_one(f"#view-{views.view}")
    console = Console(width=widget.size.width, file=io.StringIO(), no_color=True)
    console.print(widget.content)
    return console.file.getvalue()


async def start(pilot) -> None:
    await settle(pilot)
    await pilot.press("escape")
    await pilot.pause()


@run_async
async def test_v_cycles_the_pictures_and_opens_the_slide_on_the_latent_space(mapped):
    app = TextLatentApp(model_path=mapped)
    async with app.run_test(size=(140, 45)) as pilot:
        await start(pilot)
        stage = app.main.encode_stage
        assert stage.view == "heatmap" and stage.heatmap.display
        await pilot.press("v")
        assert stage.view == "plane" and not stage.heatmap.display
        text = shown(app)
        assert "plane of A and B" in text and "A" in text and "B" in text and "◆" in text
        assert "in the plane (exact)" in text
        assert app.main.slide_panel.section.title == "Latent Space"
        await pilot.press("v")
        text = shown(app)
        assert stage.view == "map" and "PCA map of the model's 12 index sentences" in text
        assert "▪" in text and "◆" in text
        await pilot.press("v")
        text = shown(app)
        assert stage.view == "grid" and "100" in text
        await pilot.press("right")  # the current point moves: the views follow without error
        await pilot.press("v")
        assert stage.view == "heatmap" and stage.heatmap.display


@run_async
async def test_a_model_without_map_data_says_so_in_the_stage(tiny_model):
    app = TextLatentApp(model=tiny_model)
    async with app.run_test(size=(140, 45)) as pilot:
        await start(pilot)
        await pilot.press("v", "v")
        assert "textlatent map --build" in " ".join(shown(app).split())


@run_async
async def test_the_views_follow_variations(mapped):
    app = TextLatentApp(model_path=mapped)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        app.main.action_mode("vary")
        await settle(pilot)
        await pilot.press("v")
        assert "plane of the source S and ◆" in shown(app)
        await pilot.press("right", "right")
        await settle(pilot)
        assert "S" in shown(app)


@pytest.mark.slow
@run_async
async def test_each_view_redraws_within_the_slider_budget():
    """The shipped model and its 20,000-sentence map: a slider step redraws a view in
    under 150 ms (measured on the drawing alone; the decode runs in a worker)."""
    app = TextLatentApp()
    async with app.run_test(size=(140, 45)) as pilot:
        await start(pilot)
        views = app.main.query_one(LatentViews)
        stage = app.main.encode_stage
        for view in ("plane", "map", "grid"):
            await pilot.press("v")
            await settle(pilot)
            assert stage.view == view
            worst = 0.0
            for step in range(1, 6):
                app.session.t_index = step
                start_s = time.perf_counter()
                views.show_session(app.session)
                worst = max(worst, time.perf_counter() - start_s)
            assert worst < 0.150, f"{view}: {worst * 1000:.0f} ms"
