"""The transform registry and its library parts (pure numpy): specs, parameters, latents,
directions, the latent prior and the sentence index."""

from __future__ import annotations

import math

import numpy as np
import pytest

from textlatent import directions, prior, transforms
from textlatent import index as index_mod
from textlatent.latent import normalize

D = 16


def unit(seed: int, n: int | None = None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return normalize(rng.standard_normal((n or 1, D)))[0 if n is None else slice(None)]


def test_registry_lists_every_mode_with_complete_specs():
    assert set(transforms.names()) == {"blend", "vary", "sample", "arithmetic", "edit"}
    for spec in transforms.REGISTRY.values():
        assert spec.title and spec.help and spec.roles is not None
        for p in spec.params:
            assert p.title and p.help or p.name in ("seed",)
            if p.default is not None:
                assert p.check(p.default) == p.default
    with pytest.raises(ValueError, match="unknown transform 'nope'; known: blend"):
        transforms.get("nope")


def test_blend_spec_matches_blend_path():
    a, b = unit(1), unit(2)
    z, labels = transforms.get("blend").run({"a": a, "b": b}, {"steps": 5})
    assert z.shape == (5, D) and z.dtype == np.float32
    assert labels == ["0.00", "0.25", "0.50", "0.75", "1.00"]
    assert np.allclose(z[0], a, atol=1e-6) and np.allclose(z[-1], b, atol=1e-6)


@pytest.mark.parametrize("radius", [0.0, 0.3, 0.7, 1.5])
def test_vary_rows_sit_at_the_chosen_angle(radius):
    src = unit(3)
    z, labels = transforms.get("vary").run({"source": src}, {"n": 50, "radius": radius})
    assert z.shape == (50, D) and labels[0] == "v1" and len(labels) == 50
    assert np.allclose(np.linalg.norm(z, axis=1), 1.0, atol=1e-5)
    assert np.allclose(z @ src, math.cos(radius), atol=1e-5)


def test_vary_directions_are_uniform_on_the_tangent_sphere():
    src = unit(4)
    z = transforms.around(src, 0.5, 4000, np.random.default_rng(1))  # what vary draws with
    tangent = (z - math.cos(0.5) * src) / math.sin(0.5)
    assert np.allclose(tangent @ src, 0.0, atol=1e-5)
    # uniform on the sphere of the (D-1)-dimensional tangent space: mean ~0, covariance ~I/(D-1)
    assert np.abs(tangent.mean(0)).max() < 0.05
    cov = np.cov(tangent, rowvar=False)
    proj = np.eye(D) - np.outer(src, src)
    assert np.abs(cov - proj / (D - 1)).max() < 0.02


def test_vary_is_seeded():
    spec, src = transforms.get("vary"), unit(5)
    one = spec.latents({"source": src}, {"seed": 7})
    assert np.array_equal(one, spec.latents({"source": src}, {"seed": 7}))
    assert not np.allclose(one, spec.latents({"source": src}, {"seed": 8}))
    assert len(one) == spec.param("n").default


@pytest.mark.parametrize("params, match", [
    ({"n": 0}, "n must be between 1 and 256"),
    ({"n": 2.5}, "whole number"),
    ({"radius": -0.1}, "radius must be between 0"),
    ({"radius": float("nan")}, "finite"),
    ({"radius": "wide"}, "must be a number"),
    ({"seed": True}, "not True"),
    ({"colour": 1}, "no parameter 'colour'"),
])
def test_bad_parameters_are_one_line_errors(params, match):
    with pytest.raises(ValueError, match=match):
        transforms.get("vary").latents({"source": unit(1)}, params)


def test_bad_inputs_are_clear_errors():
    vary = transforms.get("vary")
    with pytest.raises(ValueError, match="needs an input for 'source'"):
        vary.latents({}, {})
    with pytest.raises(ValueError, match="one latent vector"):
        vary.latents({"source": np.zeros((2, D))}, {})
    with pytest.raises(ValueError, match="zero vector"):
        vary.latents({"source": np.zeros(D)}, {})
    with pytest.raises(ValueError, match="differ in size"):
        transforms.get("blend").latents({"a": unit(1), "b": np.ones(D + 1)})


def test_arithmetic_weights_default_to_alternating_signs():
    a, b, c = unit(1), unit(2), unit(3)
    spec = transforms.get("arithmetic")
    z, labels = spec.run({"terms": [a, b, c]})
    assert labels == ["result"] and z.shape == (1, D)
    assert np.allclose(z[0], normalize(a - b + c), atol=1e-6)
    z = spec.latents({"terms": [a, b]}, {"weights": [0.5, 2.0]})
    assert np.allclose(z[0], normalize(0.5 * a + 2.0 * b), atol=1e-6)
    with pytest.raises(ValueError, match="2 weights for 3 terms"):
        spec.latents({"terms": [a, b, c]}, {"weights": [1, 1]})
    with pytest.raises(ValueError, match="cancel out"):
        spec.latents({"terms": [a, a]})
    with pytest.raises(ValueError, match="between -10 and 10"):
        spec.latents({"terms": [a]}, {"weights": [11]})


def test_direction_build_apply_save_load(tmp_path):
    pos, neg = unit(1, 5) + 0.5, unit(2, 7)
    d = directions.build("my-dir", pos, neg, "a test", 1.5, "m")
    assert np.allclose(d.vector, pos.mean(0) - neg.mean(0), atol=1e-6)
    assert (d.n_pos, d.n_neg) == (5, 7)
    z = unit(3)
    assert np.allclose(d.apply(z), normalize(z + 1.5 * d.vector), atol=1e-6)
    path = directions.save(d, tmp_path)
    assert path.name == "my-dir.npz"
    back = directions.load(path, "user")
    assert back.description == "a test" and back.default_strength == 1.5
    assert np.array_equal(back.vector, d.vector) and back.source == "user"
    rows, labels = transforms.get("edit").run({"source": z, "direction": back},
                                             {"steps": 3, "strength": 3.0})
    assert labels == ["+1.00", "+2.00", "+3.00"]
    assert np.allclose(rows[2], normalize(z + 3.0 * d.vector), atol=1e-6)
    assert np.allclose(transforms.get("edit").latents({"source": z, "direction": back})[0],
                       back.apply(z), atol=1e-6)


@pytest.mark.parametrize("name", ["", "a b", "../x", "-x", "x" * 65, "é"])
def test_direction_names_are_checked(name):
    with pytest.raises(ValueError, match="direction name"):
        directions.build(name, unit(1, 2), unit(2, 2))


def test_direction_errors(tmp_path):
    with pytest.raises(ValueError, match="same mean"):
        directions.build("x", unit(1, 3), unit(1, 3))
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a direction file"):
        directions.load(bad)
    with pytest.raises(ValueError, match="no direction named 'q'.*available: none"):
        directions.find("q", tmp_path / "model", "m")


def test_user_directions_hide_shipped_ones(tmp_path, monkeypatch):
    monkeypatch.setenv(directions.DATA_ENV, str(tmp_path / "user"))
    model_dir = tmp_path / "model"
    directions.save(directions.build("q", unit(1, 2), unit(2, 2), "shipped"),
                    model_dir / "directions")
    directions.save(directions.build("q", unit(3, 2), unit(4, 2), "mine"),
                    directions.user_folder("m"))
    directions.save(directions.build("p", unit(3, 2), unit(4, 2), "other"),
                    model_dir / "directions")
    found = directions.available(model_dir, "m")
    assert {k: v.source for k, v in found.items()} == {"p": "model", "q": "user"}
    assert directions.find("q", model_dir, "m").description == "mine"


def test_prior_fit_save_load_sample(tmp_path):
    z = normalize(np.random.default_rng(0).standard_normal((300, D)) + 2.0)
    p = prior.fit(z, anchors=50, radius=0.4)
    path = prior.save(p, tmp_path)
    back = prior.load(tmp_path)
    assert path.name == prior.PRIOR_FILE and back.anchors.shape == (50, D)
    near = back.sample(20, seed=3)
    assert near.shape == (20, D) and np.array_equal(near, back.sample(20, seed=3))
    best = (near @ back.anchors.astype(np.float32).T).max(1)
    # each sample is 0.4 rad from its anchor (another anchor may happen to be nearer)
    assert (best >= math.cos(0.4) - 2e-3).all()
    assert np.isclose(best, math.cos(0.4), atol=2e-3).mean() > 0.5
    gauss = back.sample(500, seed=1, method="gaussian")
    assert np.allclose(np.linalg.norm(gauss, axis=1), 1, atol=1e-5)
    # the Gaussian's samples point where the data do; temperature 0 is the mean itself
    assert normalize(gauss.mean(0)) @ normalize(z.mean(0)) > 0.95
    assert np.allclose(back.sample(2, method="gaussian", temperature=0.0),
                       normalize(back.mean), atol=1e-6)
    s = transforms.get("sample").latents({"prior": back}, {"n": 4, "radius": 0.2})
    assert s.shape == (4, D)
    with pytest.raises(ValueError, match="unknown sampling method"):
        back.sample(2, method="magic")


def test_missing_prior_says_so(tmp_path):
    with pytest.raises(prior.NoPriorError, match="this model has no latent prior"):
        prior.load(tmp_path)


def test_index_exact_and_projected(tmp_path):
    rng = np.random.default_rng(0)
    z = normalize(rng.standard_normal((200, D)))
    texts = [f"sentence {i} ✓" for i in range(200)]
    full = index_mod.build(texts, z)
    (hits,) = full.search(z[17], k=3)
    assert hits[0].text == "sentence 17 ✓" and hits[0].cos == pytest.approx(1.0, abs=1e-3)
    assert [h.cos for h in hits] == sorted((h.cos for h in hits), reverse=True)
    index_mod.save(full, tmp_path)
    back = index_mod.load(tmp_path)
    assert back.texts == texts and back.basis is None and len(back) == 200
    proj = index_mod.build(texts, z, dims=8)
    assert proj.latents.shape == (200, 8) and proj.dim == D
    path = index_mod.save(proj, tmp_path / "p.npz")
    again = index_mod.load(path)
    assert np.array_equal(again.basis, proj.basis)
    # projected cosines never exceed the full ones (an orthonormal projection shrinks vectors)
    (ph,) = again.search(z[5], k=5)
    assert all(h.cos <= 1.0 + 1e-3 for h in ph)
    with pytest.raises(ValueError, match="k must be between 1 and 200"):
        back.search(z[0], k=0)
    with pytest.raises(ValueError, match="16-dimensional"):
        back.search(np.ones(4), k=1)
    with pytest.raises(FileNotFoundError, match="no sentence index"):
        index_mod.load(tmp_path / "missing")


def test_sample_lines_is_seeded_and_distinct(tmp_path):
    f = tmp_path / "c.txt"
    f.write_text("".join(f"line {i % 50}\n" for i in range(120)) + "\n" + "w " * 40 + "\n")
    pick = index_mod.sample_lines(f, 10, seed=1)
    assert pick == index_mod.sample_lines(f, 10, seed=1) and len(set(pick)) == 10
    assert pick != index_mod.sample_lines(f, 10, seed=2)
    assert len(index_mod.sample_lines(f, 1000)) == 50  # duplicates and long lines left out
