"""The latent space's pictures: the exact plane, the map of meanings, neighbourhood
preservation, the map file, and the plane view's data from a real session."""

from __future__ import annotations

import math

import numpy as np
import pytest

from textlatent import index, latent_map
from textlatent.fidelity import Decoded
from textlatent.latent import normalize, slerp
from textlatent.latent_map import LatentMap, Plane, arc, cosine_matrix, neighbourhood_preservation

RNG = np.random.default_rng(0)


def unit(n: int, d: int = 32) -> np.ndarray:
    return normalize(RNG.standard_normal((n, d)))


def test_the_plane_of_two_latents_is_exact():
    a, b = unit(2)
    plane = Plane.through(a, b)
    assert np.allclose(plane.basis @ plane.basis.T, np.eye(2), atol=1e-12)
    xy = plane.xy(np.stack([a, b]))
    assert np.allclose(np.linalg.norm(xy, axis=1), 1.0, atol=1e-6)  # A and B on the circle
    assert np.allclose(xy[0], [1.0, 0.0], atol=1e-6) and xy[1][1] > 0
    assert math.isclose(float(xy[0] @ xy[1]), float(a @ b), abs_tol=1e-6)  # angles kept
    path = np.stack([slerp(a, b, t) for t in np.linspace(0, 1, 9)])
    assert np.allclose(np.linalg.norm(plane.xy(path), axis=1), 1.0, atol=1e-6)
    assert np.allclose(plane.off(path), 0.0, atol=1e-3)  # the slerp path lies in the plane
    c = unit(1)[0]
    in_plane, off = plane.xy(c)[0], plane.off(c)[0]
    assert math.isclose(in_plane @ in_plane + off ** 2, 1.0, abs_tol=1e-6)


def test_a_turned_plane_is_still_exact_and_parallel_latents_span_one():
    a, b = unit(2)
    turned = Plane.through(a, b).turned(1.1, mirror=True)
    assert np.allclose(np.linalg.norm(turned.xy(np.stack([a, b])), axis=1), 1.0, atol=1e-6)
    same = Plane.through(a, 3 * a)
    assert np.allclose(same.xy(a)[0], [1.0, 0.0], atol=1e-6)
    assert np.allclose(same.basis @ same.basis.T, np.eye(2), atol=1e-9)
    with pytest.raises(ValueError):
        Plane.through(np.zeros(4), a[:4])


def test_the_fitted_plane_of_two_latents_is_their_plane():
    a, b, c = unit(3)
    assert np.allclose(Plane.fitted(np.stack([a, b])).basis, Plane.through(a, b).basis)
    plane = Plane.fitted(np.stack([a, b, c]))
    assert np.allclose(plane.basis @ plane.basis.T, np.eye(2), atol=1e-9)
    assert plane.xy(a)[0][1] == pytest.approx(0.0, abs=1e-9)  # the first term on the x axis


def test_the_arc_is_at_radius_one():
    pts = arc(0.3, 2.0, 50)
    assert np.allclose(np.linalg.norm(pts, axis=1), 1.0)
    assert np.allclose(pts[0], [math.cos(0.3), math.sin(0.3)])


def test_neighbourhood_preservation():
    z = unit(200, 2)  # 2-D latents: the map that draws them as they are keeps everything
    assert neighbourhood_preservation(z, z, k=10) == 1.0
    scrambled = RNG.permutation(z)
    assert neighbourhood_preservation(z, scrambled, k=10) < 0.2
    with pytest.raises(ValueError):
        neighbourhood_preservation(z[:5], z[:5], k=10)


def test_a_pca_map_places_the_index_sentences_at_their_points(tmp_path):
    z = unit(60)
    idx = index.build([f"s{i}" for i in range(60)], z, dims=8, model="m")
    m = latent_map.fit_pca(idx)
    assert m.kind == "pca" and m.coords.shape == (60, 2) and m.coords.dtype == np.float16
    placed = m.place(z, idx)
    # the index holds float16 projected latents, so the points agree to float16 precision
    assert np.allclose(placed, m.coords.astype(np.float32), atol=2e-2)
    path = latent_map.save(m, tmp_path)
    back = latent_map.load(tmp_path)
    assert path.name == latent_map.MAP_FILE and back.kind == "pca" and back.model == "m"
    assert np.array_equal(back.coords, m.coords)
    assert np.allclose(back.place(z[:3], idx), placed[:3])
    latent_map.check_fits(back, idx, "m", 32)
    with pytest.raises(ValueError, match="built with model"):
        latent_map.check_fits(back, idx, "other", 32)


def test_a_nonlinear_map_places_new_latents_by_their_nearest_index_sentences():
    z = unit(40)
    idx = index.build([f"s{i}" for i in range(40)], z, model="m")
    coords = RNG.standard_normal((40, 2)).astype(np.float16)
    m = LatentMap("tsne", coords, "m")
    placed = m.place(z[:5], idx)  # each index latent is its own nearest: it lands near itself
    assert np.allclose(placed, coords[:5].astype(np.float32), atol=0.15)
    with pytest.raises(ValueError, match="needs the sentence index"):
        m.place(z[:1])


def test_a_folder_without_a_map_says_how_to_build_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="textlatent map --build"):
        latent_map.load(tmp_path)
    (tmp_path / latent_map.MAP_FILE).write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a map of meanings"):
        latent_map.load(tmp_path)


def test_cosine_matrix():
    z = unit(4)
    cos = cosine_matrix(z)
    assert cos.shape == (4, 4) and np.allclose(cos, cos.T) and np.all(np.diag(cos) == 1.0)
    assert cos[0, 1] == pytest.approx(float(z[0] @ z[1]), abs=1e-6)


def test_the_plane_view_of_a_blend_is_exact():
    """The blend's plane view: A and B on the unit circle, the slerp arc and every slerp path
    point at radius 1 and in the plane, each row's text's encoding at its projection."""
    from tui.session import Session
    from tui.widgets.latent_plane import draw, plane_data

    a, b, other = unit(3)
    session = Session()
    ea, eb = session.add("a"), session.add("b")
    session.set_encoded(ea.id, latent=a)
    session.set_encoded(eb.id, latent=b)
    session.set_end("a", ea.id)
    session.set_end("b", eb.id)
    rows = {i: Decoded("x", 0.5, (), other) for i in range(session.steps)}
    assert session.set_path_rows(session.path_key, rows)
    data = plane_data(session)
    anchors = dict(data.anchors)
    assert math.hypot(*anchors["A"]) == pytest.approx(1.0, abs=1e-6)
    assert math.hypot(*anchors["B"]) == pytest.approx(1.0, abs=1e-6)
    assert anchors["A"][0] < anchors["B"][0]  # A on the left, like the slider
    assert np.allclose(np.linalg.norm(data.arc, axis=1), 1.0)
    assert np.allclose(data.arc[0], anchors["A"]) and np.allclose(data.arc[-1], anchors["B"])
    assert np.allclose(np.linalg.norm(data.rows, axis=1), 1.0, atol=1e-5)
    assert np.allclose(data.rows_off, 0.0, atol=1e-3)
    plane = Plane.through(a, b)
    assert data.encoded_off[0] == pytest.approx(float(plane.off(other)[0]), abs=1e-6)
    assert math.hypot(*data.encoded[0]) == pytest.approx(
        float(np.linalg.norm(plane.xy(other))), abs=1e-6)
    assert "in the plane (exact)" in data.lines[0]
    picture = draw(data, 40, 10).plain
    assert "A" in picture and "B" in picture and "◆" in picture and "●" in picture
