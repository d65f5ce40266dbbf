"""bf16 matrix products with the weight laid out once for oneDNN.

`torch.mm` on bf16 tensors reorders its weight into oneDNN's blocked layout on every call; for
the one-to-few-row products of a recurrent step that reorder is most of the cost. A `Product`
does it once. On this project's CPU (AVX-512 BF16) the packed product gives the same bits as
`torch.mm` for every row count, and a row's result does not depend on the other rows (both
checked on the shipped weights in `tests/model/test_packed_products.py`), at 1.5–2.7× the speed
for one row. Where the packed op is missing or its result differs from `torch.mm` on a probe,
the product falls back to `torch.mm`.
"""

from __future__ import annotations

import torch


def native_bf16() -> bool:
    """Whether this CPU has native bf16 arithmetic (AVX-512 BF16 or AMX), where the model's
    inference products run in bf16."""
    return bool(getattr(torch.cpu, "_is_avx512_bf16_supported", bool)())


class Product:
    """x (n, in) bf16 -> x @ weight_t (n, out) bf16, the bits of `torch.mm(x, weight_t)`."""

    def __init__(self, weight_t: torch.Tensor):
        self.packed = _pack(weight_t)
        self.weight_t = None if self.packed is not None else weight_t

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if self.packed is None:
            return torch.mm(x, self.weight_t)
        return torch.ops.mkldnn._linear_pointwise(x, self.packed, None, "none", [], "")

    @property
    def is_packed(self) -> bool:
        """Whether products use the packed weight (False: plain `torch.mm`)."""
        return self.packed is not None


def _pack(weight_t: torch.Tensor) -> torch.Tensor | None:
    """The weight in oneDNN's layout, or None where packing is unavailable or not exact."""
    if weight_t.dtype != torch.bfloat16 or weight_t.device.type != "cpu" \
            or not torch.backends.mkldnn.is_available():
        return None
    try:
        packed = torch.ops.mkldnn._reorder_linear_weight(weight_t.t().contiguous(), 1)
        probe = torch.linspace(-2, 2, 3 * weight_t.shape[0]).view(3, -1).to(torch.bfloat16)
        for rows in (probe[:1], probe):
            got = torch.ops.mkldnn._linear_pointwise(rows, packed, None, "none", [], "")
            if not torch.equal(got, torch.mm(rows, weight_t)):
                return None
    except (AttributeError, RuntimeError):
        return None
    return packed
