"""Packed bf16 products: the bits of torch.mm on the shipped weights, rows independent."""

from __future__ import annotations

import pytest
import torch

from textlatent.backends.gru.packed import Product

NATIVE_BF16 = getattr(torch.cpu, "_is_avx512_bf16_supported", bool)()
ROWS = [*range(1, 18), 26, 64]
NAMES = ["encoder input, both directions", "encoder state, both directions", "decoder state",
         "output projection", "vocabulary"]


def shipped_weights(model) -> dict[str, torch.Tensor]:
    """The transposed bf16 weights the shipped model multiplies by at every step."""
    net = model.net
    g = net.encoder
    return {
        "encoder input, both directions": torch.cat(
            [g.weight_ih_l0.t(), g.weight_ih_l0_reverse.t()], 1),
        "encoder state, both directions": torch.cat(
            [g.weight_hh_l0.t(), g.weight_hh_l0_reverse.t()], 1),
        "decoder state": net.decoder.weight_hh_l0.t(),
        "output projection": net.out_proj.weight[:, :net.cfg.dec_hidden].t(),
        "vocabulary": net.embed.weight.t(),
    }


@pytest.mark.skipif(not NATIVE_BF16, reason="packed products are used on CPUs with native bf16")
@pytest.mark.parametrize("name", NAMES)
def test_packed_product_matches_mm_for_every_row_count(builtin_model, name):
    weight_t = shipped_weights(builtin_model)[name].detach().contiguous().to(torch.bfloat16)
    product = Product(weight_t)
    assert product.is_packed
    gen = torch.Generator().manual_seed(0)
    with torch.inference_mode():
        for rows in ROWS:
            x = torch.randn(rows, weight_t.shape[0], generator=gen).to(torch.bfloat16)
            whole = product(x)
            assert torch.equal(whole, torch.mm(x, weight_t)), rows
            alone = torch.cat([product(x[i:i + 1]) for i in range(rows)])
            assert torch.equal(alone, whole), rows


def test_float32_weights_are_not_packed():
    weight_t = torch.randn(8, 6)
    product = Product(weight_t)
    assert not product.is_packed
    x = torch.randn(3, 8)
    assert torch.equal(product(x), torch.mm(x, weight_t))


@pytest.mark.skipif(not NATIVE_BF16, reason="packed products are used on CPUs with native bf16")
def test_packing_is_used_for_small_bf16_weights():
    weight_t = torch.randn(16, 24).to(torch.bfloat16)
    product = Product(weight_t)
    assert product.is_packed
    x = torch.randn(5, 16).to(torch.bfloat16)
    assert torch.equal(product(x), torch.mm(x, weight_t))
