"""The app's Session and action table, without Textual's Pilot: plain objects, no screen."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from textlatent.latent import blend_path
from tui.actions import ACTIONS, SCOPES, bindings, keys_table, palette_actions
from tui.modes import mode
from tui.session import TRANSFORMS, Session, byte_share
from tui.text import printable
from tui.widgets.blend_slider import tick_row

ROOT = Path(__file__).resolve().parents[2]


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
    doc = (ROOT / "docs" / "app.md").read_text(encoding="utf-8")
    assert keys_table() in doc, "docs/app.md keys table differs from tui/actions.py"


def test_session_module_does_not_use_textual():
    import ast

    tree = ast.parse((ROOT / "tui" / "session.py").read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert names and not [n for n in names if n.split(".")[0] in ("textual", "rich", "torch")]


# -- transform modes (the registry drives the session) ----------------------------------------
def test_every_registry_transform_is_a_mode_and_cycles():
    from textlatent import transforms

    session = Session()
    assert list(TRANSFORMS) == list(transforms.names())
    seen = [session.transform]
    for _ in TRANSFORMS:
        seen.append(session.cycle_transform())
    assert seen[0] == seen[-1] == "blend" and set(seen) == set(TRANSFORMS)
    with pytest.raises(ValueError, match="unknown transform"):
        session.set_transform("nope")


def test_vary_uses_the_highlighted_sentence_and_its_params():
    from textlatent import transforms

    session = Session()
    a, b = encoded(session, "one", "two")
    session.set_transform("vary")
    assert session.selected_id == b.id and session.path is not None
    z, labels = transforms.get("vary").run({"source": b.latent}, {"n": 8, "radius": 0.7,
                                                                   "seed": 0})
    np.testing.assert_array_equal(session.path, z)
    assert [r.label for r in session.rows()] == labels == [f"v{i}" for i in range(1, 9)]
    session.set_param("n", 3)
    assert len(session.path) == 3 and session.row_count == 3
    session.move(10)
    assert session.t_index == 2
    key = session.path_key
    session.select(a.id)  # another source: another path
    assert session.path_key != key
    with pytest.raises(ValueError, match="between 1 and 256"):
        session.set_param("n", 0)
    assert len(session.path) == 3  # nothing changed by the bad value


def test_modes_without_what_they_need_say_so_in_one_line():
    session = Session()
    session.set_transform("vary")
    assert session.waiting_for == "source" and "highlight a sentence" in session.waiting_text()
    session.set_transform("sample")
    assert session.waiting_for == "prior" and "latent prior" in session.waiting_text()
    session.set_transform("edit")
    encoded(session, "one")
    assert session.waiting_for == "direction" and "direction" in session.waiting_text()
    session.set_transform("arithmetic")
    assert session.waiting_for == "terms" and "+ or −" in session.waiting_text()
    session.set_transform("blend")
    assert session.waiting_for == "ends"
    assert session.path is None


def test_arithmetic_terms_weights_and_cancelling_out():
    session = Session()
    a, b, c = encoded(session, "one", "two", "three")
    session.set_transform("arithmetic")
    assert session.add_term(a.id, 1) == 1
    assert session.add_term(b.id, -1) == -1
    assert session.add_term(c.id, 1) == 1
    assert session.add_term(c.id, 1) == 2  # again: a bigger weight
    want = a.latent - b.latent + 2 * c.latent
    np.testing.assert_allclose(session.path[0], want / np.linalg.norm(want), atol=1e-6)
    assert mode("arithmetic").inputs(session).plain == "z = +1·one −1·two +2·three"
    session.set_term_weight(2, 0.5)
    assert session.terms[2] == (c.id, 0.5)
    with pytest.raises(ValueError, match="between -10 and 10"):
        session.set_term_weight(2, 11)
    session.add_term(c.id, -0.5)  # weight 0 drops the term
    assert [i for i, _ in session.terms] == [a.id, b.id]
    session.remove(b.id)  # a removed sentence leaves the terms
    assert [i for i, _ in session.terms] == [a.id]
    twin = encoded(session, "one")[0]
    session.set_encoded(twin.id, latent=a.latent, reconstruction="one")
    session.add_term(twin.id, -1)  # one − one: nothing left
    assert session.path is None and "cancel out" in session.waiting_text()
    session.clear_terms()
    assert session.waiting_for == "terms"


def test_edit_and_sample_use_the_model_folders_extras():
    from textlatent import directions, prior
    from tui.session import Extras

    session = Session()
    a, b = encoded(session, "one", "two")
    d = directions.build("more", np.stack([a.latent]), np.stack([b.latent]), "one-ward", 0.5)
    latents = np.stack([unit(i) for i in range(20)])
    session.set_extras(Extras(prior=prior.fit(latents, anchors=8), directions={"more": d}))
    session.set_transform("edit")
    assert session.direction == "more" and session.path is not None
    np.testing.assert_allclose(session.path[0], d.apply(b.latent, 0.5), atol=1e-6)
    session.set_param("strength", 2.0)
    np.testing.assert_allclose(session.path[0], d.apply(b.latent, 2.0), atol=1e-6)
    assert session.cycle_direction() == "more"
    with pytest.raises(ValueError, match="no direction"):
        session.set_direction("less")
    session.set_transform("sample")
    first = session.path.copy()
    assert first.shape == (8, 8)
    session.set_param("seed", 1)
    assert not np.allclose(session.path, first)
    session.set_param("seed", 0)
    np.testing.assert_array_equal(session.path, first)  # same seed, same samples


def test_decoding_choices_are_part_of_the_path_key_and_checked():
    session = Session()
    a, b = encoded(session, "one", "two")
    session.set_end("a", a.id)
    session.set_end("b", b.id)
    key = session.path_key
    session.set_decoding("how", "sampled")
    assert session.path_key != key and session.path_texts is None
    with pytest.raises(ValueError):
        session.set_decoding("top_p", 0.0)
    with pytest.raises(ValueError):
        session.set_decoding("how", "nucleus")


def test_blend_steps_are_a_param():
    session = Session()
    a, b = encoded(session, "one", "two")
    session.set_end("a", a.id)
    session.set_end("b", b.id)
    session.set_param("steps", 5)
    assert session.steps == 5 and len(session.path) == 5
    assert [r.label for r in session.rows()][::4] == ["A 0.00", "B 1.00"]
    assert session.t_index == 4


def test_form_steps_stay_in_range_and_cycle_choices():
    from textlatent import transforms
    from tui.params import Field, step_value

    radius = transforms.get("vary").param("radius")
    assert step_value(Field("radius", "R", 0.7, radius), 1) == pytest.approx(0.75)
    assert step_value(Field("radius", "R", 3.14, radius), 1) == pytest.approx(radius.high)
    n = transforms.get("vary").param("n")
    assert step_value(Field("n", "N", 1, n), -1) == 1
    method = transforms.get("blend").param("method")
    assert step_value(Field("method", "M", "slerp", method), 1) == "lerp"
    assert step_value(Field("method", "M", "lerp", method), 1) == "slerp"
    strength = transforms.get("edit").param("strength")
    assert step_value(Field("strength", "S", None, strength, base=1.5), 1) == pytest.approx(1.75)
    assert step_value(Field("d", "D", "b", choices=("a", "b")), 1) == "a"
