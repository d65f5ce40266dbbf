"""The network on a tiny random configuration: shapes, unit latents, generation modes."""

from __future__ import annotations

import pytest
import torch
from helpers import tiny_net

from textlatent.backends.gru import ModelConfig, SentenceAutoencoder
from textlatent.latent import blend_path

V = 300


@pytest.fixture(scope="module")
def net() -> SentenceAutoencoder:
    return tiny_net(V)


def batch(lengths: list[int], seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    ids = torch.zeros(len(lengths), max(lengths), dtype=torch.long)
    for row, n in enumerate(lengths):
        ids[row, :n] = torch.randint(4, V, (n,), generator=gen)
    return ids, torch.tensor(lengths)


def latents(net: SentenceAutoencoder, n: int, seed: int = 0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(n, net.cfg.latent_dim, generator=gen)
    return z / z.norm(dim=-1, keepdim=True)


def test_config_round_trip():
    cfg = ModelConfig(vocab_size=123, latent_dim=7)
    assert ModelConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="unknown model config keys"):
        ModelConfig.from_dict({**cfg.to_dict(), "colour": "blue"})


def test_encode_shape_and_unit_norm(net):
    ids, lengths = batch([5, 3, 9])
    with torch.no_grad():
        z = net.encode(ids, lengths)
    assert z.shape == (3, net.cfg.latent_dim)
    assert torch.allclose(z.norm(dim=-1), torch.ones(3), atol=1e-5)


def test_encode_ignores_padding(net):
    ids, lengths = batch([4, 7])
    with torch.no_grad():
        both = net.encode(ids, lengths)
        alone = net.encode(ids[:1, :4], lengths[:1])
    assert torch.allclose(both[0], alone[0], atol=1e-5)


def test_decode_train_logits_shape(net):
    ids, _ = batch([6, 6])
    z = latents(net, 2)
    assert net.decode_train(z, ids).shape == (2, 6, V)


def test_step_returns_log_probs(net):
    z = latents(net, 3)
    prev = torch.full((3,), net.cfg.bos_id)
    logp, h = net.step(z, prev, net.initial_state(z))
    assert logp.shape == (3, V)
    assert h.shape == (net.cfg.dec_layers, 3, net.cfg.dec_hidden)
    assert torch.allclose(logp.exp().sum(-1), torch.ones(3), atol=1e-4)


def test_greedy_is_deterministic_and_bounded(net):
    z = latents(net, 4)
    a, b = net.generate(z, 12), net.generate(z, 12)
    assert a == b
    assert len(a) == 4
    for seq in a:
        assert len(seq) <= 12
        assert net.cfg.eos_id not in seq and net.cfg.pad_id not in seq


def test_greedy_respects_max_tokens(net):
    for seq in net.generate(latents(net, 3), 2):
        assert len(seq) <= 2


def test_sampling_reproducible_with_seed(net):
    z = latents(net, 3)

    def sample(seed: int) -> list[list[int]]:
        return net.generate(z, 12, 1.0, 0.9, torch.Generator().manual_seed(seed))

    assert sample(1) == sample(1)
    assert any(sample(s) != sample(1) for s in range(2, 6))


def test_top_p_tiny_equals_greedy(net):
    z = latents(net, 3)
    sampled = net.generate(z, 12, 1.0, 1e-6, torch.Generator().manual_seed(0))
    assert sampled == net.generate(z, 12)


def test_beam_search(net):
    z = latents(net, 3)
    out = net.beam_search(z, 12, 4)
    assert len(out) == 3
    assert all(len(seq) <= 12 and net.cfg.eos_id not in seq for seq in out)
    assert out == net.beam_search(z, 12, 4)


def test_batch_decode_of_blend_path_equals_rows_alone(net):
    ends = latents(net, 2, seed=7).numpy()
    path = torch.from_numpy(blend_path(ends[0], ends[1], 9))
    together = net.generate(path, 12)
    alone = [net.generate(path[i:i + 1], 12)[0] for i in range(9)]
    assert together == alone


def test_batch_beam_equals_rows_alone(net):
    z = latents(net, 3, seed=9)
    together = net.beam_search(z, 12, 3)
    assert together == [net.beam_search(z[i:i + 1], 12, 3)[0] for i in range(3)]
