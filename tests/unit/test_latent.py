"""Pure numpy latent operations: interpolation, arithmetic, perturbation, similarity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from textlatent.latent import (
    arithmetic,
    blend_path,
    cosine,
    lerp,
    nearest,
    normalize,
    perturb,
    slerp,
)

D = 16


def unit(seed: int, dim: int = D) -> np.ndarray:
    return normalize(np.random.default_rng(seed).standard_normal(dim))


vectors = arrays(np.float32, D, elements=st.floats(-10, 10, width=32)).filter(
    lambda v: np.linalg.norm(v) > 1e-2)


def test_normalize_unit_and_zero():
    assert np.isclose(np.linalg.norm(normalize(np.array([3.0, 4.0]))), 1.0)
    rows = normalize(np.array([[1.0, 0.0], [0.0, 2.0]]))
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0)
    with pytest.raises(ValueError, match="zero"):
        normalize(np.zeros(4))


def test_slerp_endpoints_equal_inputs():
    a, b = unit(0), unit(1)
    assert np.allclose(slerp(a, b, 0.0), a, atol=1e-6)
    assert np.allclose(slerp(a, b, 1.0), b, atol=1e-6)


def test_slerp_midpoint_is_equidistant():
    a, b = unit(0), unit(1)
    mid = slerp(a, b, 0.5)
    assert np.isclose(cosine(mid, a), cosine(mid, b), atol=1e-5)


@settings(max_examples=50, deadline=None)
@given(a=vectors, b=vectors, t=st.floats(0, 1))
def test_slerp_stays_on_sphere(a, b, t):
    z = slerp(a, b, t)
    assert z.dtype == np.float32
    assert np.isclose(np.linalg.norm(z), 1.0, atol=1e-4)


def test_slerp_identical_vectors():
    a = unit(3)
    for t in (0.0, 0.3, 1.0):
        assert np.allclose(slerp(a, a, t), a, atol=1e-6)


def test_slerp_antipodal_vectors():
    a = unit(4)
    path = [slerp(a, -a, t) for t in np.linspace(0, 1, 9)]
    assert np.allclose(path[0], a, atol=1e-5)
    assert np.allclose(path[-1], -a, atol=1e-5)
    assert all(np.isfinite(z).all() and np.isclose(np.linalg.norm(z), 1.0) for z in path)
    sims = [cosine(z, a) for z in path]
    assert all(x > y for x, y in zip(sims, sims[1:], strict=False))


def test_lerp_endpoints_and_norm():
    a, b = unit(5), unit(6)
    assert np.allclose(lerp(a, b, 0.0), a, atol=1e-6)
    assert np.allclose(lerp(a, b, 1.0), b, atol=1e-6)
    assert np.isclose(np.linalg.norm(lerp(a, b, 0.37)), 1.0, atol=1e-6)


def test_lerp_antipodal_midpoint_falls_back_to_slerp():
    a = unit(7)
    mid = lerp(a, -a, 0.5)
    assert np.isfinite(mid).all() and np.isclose(np.linalg.norm(mid), 1.0)


@pytest.mark.parametrize("method", ["slerp", "lerp"])
@pytest.mark.parametrize("steps", [2, 9, 17])
def test_blend_path_shape_and_ends(method, steps):
    a, b = unit(8), unit(9)
    path = blend_path(a, b, steps, method)
    assert path.shape == (steps, D) and path.dtype == np.float32
    assert np.allclose(np.linalg.norm(path, axis=1), 1.0, atol=1e-5)
    assert np.allclose(path[0], a, atol=1e-6) and np.allclose(path[-1], b, atol=1e-6)


def test_blend_path_moves_monotonically():
    a, b = unit(10), unit(11)
    path = blend_path(a, b, 9)
    to_b = [cosine(z, b) for z in path]
    assert all(x < y for x, y in zip(to_b, to_b[1:], strict=False))


def test_blend_path_rejects_bad_arguments():
    a, b = unit(0), unit(1)
    with pytest.raises(ValueError, match="at least 2"):
        blend_path(a, b, 1)
    with pytest.raises(ValueError, match="unknown blend method"):
        blend_path(a, b, 9, "cubic")
    with pytest.raises(ValueError, match="one size"):
        blend_path(a, unit(1, D + 1), 9)


def test_arithmetic_king_minus_man_plus_woman():
    king, man, woman = unit(12), unit(13), unit(14)
    z = arithmetic(king, plus=[woman], minus=[man])
    expected = normalize(king + woman - man)
    assert np.allclose(z, expected, atol=1e-6)
    assert np.isclose(np.linalg.norm(z), 1.0)


def test_arithmetic_scale_and_identity():
    base, v = unit(15), unit(16)
    assert np.allclose(arithmetic(base), base, atol=1e-6)
    assert np.allclose(arithmetic(base, plus=[v], scale=0.5), normalize(base + 0.5 * v),
                       atol=1e-6)
    with pytest.raises(ValueError):
        arithmetic(base, minus=[base])


def test_perturb_reproducible_with_seed():
    z = unit(17)
    a, b = perturb(z, 0.3, 5, seed=42), perturb(z, 0.3, 5, seed=42)
    assert a.shape == (5, D)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, perturb(z, 0.3, 5, seed=43))
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)


def test_perturb_radius_controls_distance():
    z = unit(18, 256)
    near = perturb(z, 0.05, 20, seed=0) @ z
    far = perturb(z, 1.0, 20, seed=0) @ z
    assert near.min() > far.max()
    assert np.allclose(perturb(z, 0.0, 3, seed=0), z, atol=1e-6)


def test_cosine_values():
    a = unit(19)
    assert np.isclose(cosine(a, a), 1.0)
    assert np.isclose(cosine(a, -a), -1.0)
    assert np.isclose(cosine(np.array([1.0, 0.0]), np.array([0.0, 5.0])), 0.0)
    assert np.isclose(cosine(2 * a, a), 1.0)


def test_nearest_orders_by_similarity():
    q = unit(20)
    bank = np.stack([unit(21), q * 3, -q, slerp(q, unit(22), 0.2)])
    result = nearest(q, bank, k=3)
    assert [i for i, _ in result] == [1, 3, 0]
    assert np.isclose(result[0][1], 1.0, atol=1e-6)
    assert all(x[1] >= y[1] for x, y in zip(result, result[1:], strict=False))
    assert len(nearest(q, bank, k=10)) == 4
