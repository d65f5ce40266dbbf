"""The app's Session and action table, without Textual's Pilot: plain objects, no screen."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from textlatent.latent import blend_path
from tui.actions import ACTIONS, SCOPES, bindings, keys_table, palette_actions
from tui.session import Session, byte_share, printable
from tui.widgets.blend_slider import tick_row

ROOT = Path(__file__).resolve().parents[1]


def unit(seed: int, dim: int = 8) -> np.ndarray:
    z = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return z / np.linalg.norm(z)


def encoded(session: Session, *texts: str) -> list:
    entries = [session.add(t) for t in texts]
    for i, e in enumerate(entries):
        session.set_encoded(e.id, latent=unit(i), reconstruction=e.text, pieces=["▁x"])
    return entries


def test_every_change_notifies_once_and_batches_coalesce():
    session = Session()
    calls = []
    session.subscribe(lambda s: calls.append(s.path_key))
    a, b = encoded(session, "one", "two")
    n = len(calls)
    session.set_end("a", a.id)
    session.set_end("b", b.id)
    assert len(calls) == n + 2 and calls[-1] == session.path_key is not None
    with session.batch():
        session.move(1)
        session.toggle_method()
        session.move(1)
    assert len(calls) == n + 3 and session.method == "lerp" and session.t_index == 6
    session.set_index(6)  # no change, no call
    assert len(calls) == n + 3


def test_path_follows_ends_and_params():
    session = Session()
    a, b = encoded(session, "one", "two")
    assert session.path is None and session.waiting_for == "ends"
    session.set_end("a", a.id)
    session.set_end("b", b.id)
    np.testing.assert_allclose(session.path, blend_path(a.latent, b.latent, 9, "slerp"), atol=1e-6)
    key = session.path_key
    assert not session.set_path_texts(("stale",), ["x"] * 9)
    assert session.set_path_texts(key, [f"t{i}" for i in range(9)])
    assert session.current_text == "t4"
    session.toggle_method()
    assert session.path_key != key and session.path_texts is None
    np.testing.assert_allclose(session.path, blend_path(a.latent, b.latent, 9, "lerp"), atol=1e-6)
    assert [r.label for r in session.rows()][::8] == ["A 0.00", "B 1.00"]


def test_waiting_for_says_why_there_is_no_path():
    session = Session()
    a, b = session.add("one"), session.add("two")
    session.set_end("a", a.id)
    session.set_end("b", b.id)
    assert session.waiting_for == "encoding"
    session.set_model_error("broken")
    assert session.waiting_for == "model" and session.path is None


def test_remove_keeps_the_highlight_on_the_same_row_and_undo_restores():
    session = Session()
    entries = encoded(session, "s0", "s1", "s2", "s3")
    session.select(entries[1].id)
    session.remove(entries[1].id)
    assert session.selected.text == "s2"  # not the last row
    session.remove(session.selected_id)
    assert [e.text for e in session.entries] == ["s0", "s3"] and session.selected.text == "s3"
    assert session.undo() == "remove 's2'"
    assert [e.text for e in session.entries] == ["s0", "s2", "s3"]
    assert session.selected.text == "s2"


def test_clear_and_undo_bring_back_roles_and_t():
    session = Session()
    a, b = encoded(session, "one", "two")
    session.set_end("a", a.id)
    session.set_end("b", b.id)
    session.set_index(7)
    assert session.clear() == 2 and session.entries == [] and session.path is None
    assert session.undo() == "clear 2 sentences"
    assert (session.a, session.b, session.t_index) == (a, b, 7) and session.path is not None
    assert session.undo() is None


def test_enter_picks_a_then_b_and_typed_sentences_fill_the_ends():
    session = Session()
    one = session.add_typed("one")
    two = session.add_typed("two")
    three = session.add_typed("three")
    assert (session.a, session.b) == (one, two) and session.role(three) == ""
    assert session.pick(three.id) == "a" and session.pick(one.id) == "b"
    assert (session.a, session.b) == (three, one)


def test_set_encoded_error_removes_and_truncation_replaces_text():
    session = Session()
    e = session.add("long text")
    session.set_encoded(e.id, latent=unit(0), reconstruction="long", text="long", truncated=True)
    assert e.text == "long" and e.truncated
    bad = session.add("bad")
    session.set_encoded(bad.id, error="nope")
    assert session.get(bad.id) is None


def test_foreign_text_and_printable():
    assert byte_share(["<0xE2>", "<0x98>", "▁a"]) == pytest.approx(2 / 3)
    session = Session()
    e = session.add("☀️")
    session.set_encoded(e.id, latent=unit(0), reconstruction="x", pieces=["<0xE2>", "<0x98>"])
    assert e.foreign
    # bug 10: the variation selector that terminals measure differently is not drawn
    assert printable("☀️ sun") == "☀ sun" and printable("a\x1bb") == "a\ufffdb"


@pytest.mark.parametrize("index", range(9))
@pytest.mark.parametrize("gap", [2, 3, 4, 5, 6])
def test_slider_axis_labels_never_touch(index, gap):
    """Bug 4: after a → press the labels ran together (0.50.62)."""
    row = tick_row(9, index, gap, 3, gap * 8 + 1 + 6)
    labels = row.split()
    assert all(re.fullmatch(r"0|1|0\.\d\d?", lab) for lab in labels), row
    assert labels[0] == "0" and labels[-1] == "1"
    centre = f"{index / 8:.2f}".rstrip("0").rstrip(".")
    assert centre in labels or index in (0, 8) or gap < 4  # no room beside an end


def test_action_table_feeds_bindings_palette_and_readme():
    keys = {k for scope in SCOPES
            for b in bindings(scope) for k in b.key.split(",")}
    for act in ACTIONS:
        for key in filter(None, act.keys.split(",")):
            assert key in keys, act
    assert len({a.palette for a in palette_actions()}) == len(palette_actions())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert keys_table() in readme, "README keys table differs from tui/actions.py"


def test_session_module_does_not_use_textual():
    import ast

    tree = ast.parse((ROOT / "tui" / "session.py").read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert names and not [n for n in names if n.split(".")[0] in ("textual", "rich", "torch")]
