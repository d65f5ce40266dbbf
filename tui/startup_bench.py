"""Measure the app headlessly: launch to first paint, to model ready, and key-to-text latency.

`textlatent tui --bench` runs the app in fresh processes (so interpreter start and imports
count), each timed from the moment the parent spawns it, and prints medians as JSON.
`slider_key_ms` is a slider key press until the new decoded text is drawn; `harness_key_ms`
is the same harness pressing a key bound to nothing, i.e. the share of Pilot itself;
`vary_ms`, `sample_ms`, `edit_ms` switch the Transform stage to that mode until its rows are
decoded (greedy, each text scored), `neighbors_ms` until the nearest sentences of the current
row are on screen.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZE = (160, 48)
MODES = ("vary", "sample", "edit")  # the modes that need nothing but the highlighted sentence


def _median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 4) if values else None


def measure(model_path: str | None = None, runs: int = 3, *, trust_remote_code: bool = False,
            allow_download: bool = False) -> dict:
    """Median timings over `runs` fresh processes (the hf settings as in `run_app`)."""
    rows = []
    flags = [flag for flag, on in (("--trust-remote-code", trust_remote_code),
                                   ("--allow-download", allow_download)) if on]
    for _ in range(runs):
        start = time.time()
        cmd = [sys.executable, "-m", "tui.startup_bench", model_path or "", *flags]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300,
                             env=_child_env())
        if out.returncode != 0:
            raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr else "failed")
        child = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append({
            "first_paint_s": child["painted"] - start,
            "model_ready_s": child["ready"] - start,
            "first_blend_s": child["blend"] - start,
            "slider_key_ms": child["slider_ms"],
            "harness_key_ms": child["noop_key_ms"],
            "new_blend_ms": child["new_blend_ms"],
            **{f"{mode}_ms": child["modes_ms"].get(mode) for mode in MODES},
            "neighbors_ms": child["neighbors_ms"],
        })
    return {key: _median([r[key] for r in rows]) for key in rows[0]} | {
        "runs": runs, "terminal": f"{SIZE[0]}x{SIZE[1]}"}


def _child_env() -> dict[str, str]:
    """The environment of a measured run: it imports this very `tui` package, wherever the
    current folder is."""
    root = str(Path(__file__).resolve().parent.parent)
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": root if not path else f"{root}{os.pathsep}{path}"}


async def _until(pilot, condition, timeout: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there in time")
        await pilot.pause(0.005)


async def _child(model_path: str | None, flags: list[str]) -> dict:
    from .app import TextLatentApp

    with tempfile.TemporaryDirectory() as config:
        app = TextLatentApp(model_path=model_path, config_folder=Path(config),
                            trust_remote_code="--trust-remote-code" in flags,
                            allow_download="--allow-download" in flags)
        async with app.run_test(size=SIZE) as pilot:
            painted = time.time()
            await _until(pilot, lambda: app.model is not None or app.load_error is not None)
            ready = time.time()
            if app.load_error:
                raise RuntimeError(app.load_error)
            session = app.session
            await _until(pilot, lambda: session.path_texts is not None)
            blend = time.time()
            from .widgets.blend_slider import BlendSlider

            app.query_one(BlendSlider).focus()
            await pilot.press("home")
            noop = []
            for _ in range(5):  # the harness's own cost for a key that does nothing
                t = time.perf_counter()
                await pilot.press("f12")
                await pilot.pause()
                noop.append((time.perf_counter() - t) * 1000)
            slider = []
            for _ in range(session.steps - 1):
                t = time.perf_counter()
                before = session.t_index
                await pilot.press("right")
                await _until(pilot, lambda b=before: session.t_index == b + 1
                             and session.current_text is not None)
                await pilot.pause()
                slider.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            await pilot.press("p")
            await _until(pilot, lambda: session.path_texts is not None)
            await pilot.pause()
            new_blend = (time.perf_counter() - t) * 1000
            await _until(pilot, lambda: bool(session.extras.notes or session.extras.directions))
            modes = {}
            for mode in MODES:
                t = time.perf_counter()
                app.main.action_mode(mode)
                if session.waiting_for:  # this model lacks what the mode needs
                    continue
                await _until(pilot, lambda: session.path_texts is not None)
                await pilot.pause()
                modes[mode] = (time.perf_counter() - t) * 1000
            neighbors = None
            app.main.action_mode("vary")
            if session.extras.index is not None and session.path is not None:
                await _until(pilot, lambda: session.path_texts is not None)
                t = time.perf_counter()
                app.main.action_move(1)
                stage = app.main.decode_stage
                await _until(pilot, lambda: stage._neighbors[0] == stage.neighbors_key(session))
                await pilot.pause()
                neighbors = (time.perf_counter() - t) * 1000
    return {"painted": painted, "ready": ready, "blend": blend,
            "slider_ms": statistics.median(slider), "noop_key_ms": statistics.median(noop),
            "new_blend_ms": new_blend, "modes_ms": modes, "neighbors_ms": neighbors}


if __name__ == "__main__":
    result = asyncio.run(_child(sys.argv[1] or None if len(sys.argv) > 1 else None,
                                sys.argv[2:]))
    print(json.dumps(result))
