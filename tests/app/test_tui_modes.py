"""The mode seam: every registry transform has its adapter in the app, with its F1 section, its
palette command, its list marks and hints, and a snapshot."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from textlatent import transforms
from tui.actions import help_markdown, palette_actions
from tui.modes import MODE_ACTIONS, MODES, mode
from tui.session import ROLE_INPUTS, Session

ROOT = Path(__file__).resolve().parents[2]


def unit(seed: int, dim: int = 8) -> np.ndarray:
    z = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return z / np.linalg.norm(z)


@pytest.mark.parametrize("name", transforms.names())
def test_every_registry_mode_has_adapter_help_palette_command_and_snapshots(name):
    adapter = MODES.get(name)
    assert adapter is not None, f"no adapter in tui/modes for {name}"
    assert adapter.name == name and adapter.title == transforms.get(name).title
    assert len(adapter.help) > 80, "its F1 section says what it does"
    assert f"### {adapter.title}" in help_markdown("", {m.title: m.help for m in MODES.values()})
    assert any(a.action == f"mode('{name}')" for a in palette_actions())
    # the session can fill every input it takes
    assert {r.name for r in transforms.get(name).roles} <= set(ROLE_INPUTS)
    assert adapter.keys <= MODE_ACTIONS
    snaps = {p.name for p in (ROOT / "tests" / "app" / "__snapshots__").rglob("*.svg")}
    for size in ("140x45", "100x30", "80x24"):
        assert f"test_mode_snapshot[{name}-{size}].svg" in snaps, (name, size)


def test_marks_follow_the_mode():
    session = Session()
    one, two, three = (session.add(t) for t in ("one", "two", "three"))
    for i, e in enumerate((one, two, three)):
        session.set_encoded(e.id, latent=unit(i), reconstruction=e.text, pieces=["▁x"])
    session.set_end("a", one.id)
    session.set_end("b", two.id)
    session.add_term(three.id, 1.0)
    session.add_term(one.id, -1.0)
    session.add_term(one.id, -1.0)
    session.select(two.id)
    marks = {name: [mode(name).mark(session, e) for e in session.entries] for name in MODES}
    assert marks["blend"] == ["A", "B", ""]
    assert marks["arithmetic"] == ["−2", "", "+1"]
    assert marks["vary"] == marks["edit"] == ["", "src", ""]
    assert marks["sample"] == ["", "", ""]


def test_hints_only_name_keys_that_act_in_the_mode():
    session = Session()
    e = session.add("one")
    session.set_encoded(e.id, latent=unit(0), reconstruction="one", pieces=["▁x"])
    session.set_end("a", e.id)
    session.set_end("b", e.id)
    for name, adapter in MODES.items():
        session.set_transform(name)
        for focus in ("list", "other"):
            hint = adapter.hint(session, focus)
            if name != "blend":
                assert "slider" not in hint and not re.search(r"\ba / b\b", hint), (name, hint)
            if not adapter.reseeds:
                assert "r new seed" not in hint, (name, hint)


def test_changed_compares_rows_for_blend_and_the_source_for_vary_and_edit():
    session = Session()
    e = session.add("the cat sat")
    session.select(e.id)
    texts = ["the cat sat", "the dog sat", "the dog sat"]
    assert mode("blend").baseline(session, 2, texts) == "the dog sat"
    assert mode("vary").baseline(session, 2, texts) == "the cat sat"
    assert mode("edit").baseline(session, 1, texts) == "the cat sat"
    assert mode("sample").baseline(session, 1, texts) is None
