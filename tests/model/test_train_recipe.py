"""The training objective's noise options, on a tiny random network."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from helpers import tiny_net

from textlatent.backends.gru import SentenceAutoencoder
from textlatent.tokenizer import BOS_ID, EOS_ID, PAD_ID, UNK_ID
from textlatent.train import TrainConfig
from textlatent.train.data import add_noise
from textlatent.train.loop import loss_on

V = 200


@pytest.fixture(scope="module")
def net() -> SentenceAutoencoder:
    return tiny_net(V)


@pytest.fixture
def batch() -> tuple[torch.Tensor, torch.Tensor]:
    ids = torch.tensor([[10, 11, 12, 13], [20, 21, 0, 0]])
    return ids, torch.tensor([4, 2])


def manual_loss(net, ids, lengths, inputs) -> torch.Tensor:
    targets = torch.tensor([[10, 11, 12, 13, EOS_ID], [20, 21, EOS_ID, PAD_ID, PAD_ID]])
    logits = net(ids, lengths, inputs)
    return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=PAD_ID)


def recipe(**kw) -> TrainConfig:
    return TrainConfig(**{"word_drop": 0.0, "word_mask": 0.0, "latent_noise": 0.0, **kw})


def test_plain_objective_is_teacher_forced_reconstruction(net, batch):
    ids, lengths = batch
    inputs = torch.tensor([[BOS_ID, 10, 11, 12, 13], [BOS_ID, 20, 21, 0, 0]])
    loss, n = loss_on(net, ids, lengths, recipe())
    assert n == 8
    assert torch.allclose(loss, manual_loss(net, ids, lengths, inputs))


def test_decoder_word_drop_hides_previous_words_but_not_bos_or_padding(net, batch):
    ids, lengths = batch
    hidden = torch.tensor([[BOS_ID, UNK_ID, UNK_ID, UNK_ID, UNK_ID],
                           [BOS_ID, UNK_ID, UNK_ID, PAD_ID, PAD_ID]])
    loss, _ = loss_on(net, ids, lengths, recipe(dec_word_drop=1.0))
    assert torch.allclose(loss, manual_loss(net, ids, lengths, hidden))
    plain, _ = loss_on(net, ids, lengths, recipe())
    assert not torch.allclose(loss, plain)


def test_decoder_word_drop_rate_is_about_right(net):
    ids = torch.randint(4, V, (64, 30))
    lengths = torch.full((64,), 30)
    seen = []
    hook = net.embed.register_forward_hook(lambda m, args, out: seen.append(args[0]))
    try:
        loss_on(net, ids, lengths, recipe(dec_word_drop=0.3), torch.Generator().manual_seed(1))
    finally:
        hook.remove()
    decoder_inputs = seen[-1][:, 1:]
    assert 0.25 < float((decoder_inputs == UNK_ID).float().mean()) < 0.35


def test_encoder_word_drop_deletes_and_masks_within_length():
    ids = torch.randint(4, V, (200, 20))
    lengths = torch.full((200,), 20)
    out, new_len = add_noise(ids, lengths, 0.2, 0.1, torch.Generator().manual_seed(0))
    assert 0.75 < float(new_len.float().mean()) / 20 < 0.85
    assert bool((new_len >= 1).all())
    for row in range(200):
        assert bool((out[row, new_len[row]:] == PAD_ID).all())
        assert not bool((out[row, : new_len[row]] == PAD_ID).any())


def test_forward_toward_moves_each_latent_toward_the_next_sentence(net):
    ids = torch.tensor([[10, 11, 12], [20, 21, 22], [30, 31, 0]])
    lengths = torch.tensor([3, 3, 2])
    inputs = torch.cat([torch.full((3, 1), BOS_ID), ids], 1)
    with torch.no_grad():
        z = net.encode(ids, lengths)
        plain, still = net(ids, lengths, inputs, 0.0, torch.zeros(3, 1))
        _, moved = net(ids, lengths, inputs, 0.0, torch.ones(3, 1))
        partner = net.decode_train(z.roll(1, 0), inputs)
    assert torch.allclose(plain, still, atol=1e-5)
    assert torch.allclose(moved, partner, atol=1e-5)


def test_blend_confidence_penalty_counts_only_excess_certainty():
    from textlatent.train.loop import blend_confidence_penalty

    probs = torch.tensor([[[0.0, 0.0, 0.0, 0.1, 0.9],
                           [0.0, 0.0, 0.0, 0.5, 0.5],
                           [0.0, 0.0, 0.0, 0.0, 1.0]]])
    logits = (probs + 1e-12).log()
    targets = torch.tensor([[4, 4, PAD_ID]])
    expected = (math.log(0.9) - math.log(0.6)) / 2
    assert blend_confidence_penalty(logits, targets, 0.6).item() == pytest.approx(expected)
    assert blend_confidence_penalty(logits, targets, 0.95).item() == 0.0


def test_blend_cap_adds_a_penalty_and_nothing_when_the_cap_is_certainty(net, batch):
    ids, lengths = batch
    plain, _ = loss_on(net, ids, lengths, recipe())
    capped, _ = loss_on(net, ids, lengths, recipe(blend_cap=1.0, blend_cap_prob=1e-4))
    assert capped.item() > plain.item()
    uncapped, _ = loss_on(net, ids, lengths, recipe(blend_cap=1.0, blend_cap_prob=1.0))
    assert uncapped.item() == pytest.approx(plain.item(), rel=1e-6)
