"""Packed bf16 products: the bits of torch.mm on the shipped weights, rows independent."""

from __future__ import annotations

import pytest
import torch

from textlatent.backends.gru.kernel_bench import PER_STEP_WEIGHTS, per_step_weights
from textlatent.backends.gru.packed import Product, native_bf16

NATIVE_BF16 = native_bf16()
ROWS = [*range(1, 18), 26, 64]


@pytest.mark.skipif(not NATIVE_BF16, reason="packed products are used on CPUs with native bf16")
@pytest.mark.parametrize("name", PER_STEP_WEIGHTS)
def test_packed_product_matches_mm_for_every_row_count(builtin_model, name):
    weight_t = per_step_weights(builtin_model.net)[name]
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
