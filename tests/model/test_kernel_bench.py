"""`python -m textlatent.backends.gru.kernel_bench`: every figure, measured on the shipped model."""

from __future__ import annotations

import json

import pytest

from textlatent.backends.gru import kernel_bench
from textlatent.backends.gru.packed import native_bf16

NATIVE_BF16 = native_bf16()


@pytest.mark.skipif(not NATIVE_BF16, reason="the bf16 kernels run on CPUs with native bf16")
def test_kernel_bench_prints_every_figure(capsys):
    assert kernel_bench.main(["--repeats", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["tokens"] == 13
    assert len(out["products"]) == 10
    for figures in out["products"].values():
        assert figures["packed_us"] > 0 and figures["mm_us"] > 0
    for part in ("encode", "encode_tiny"):
        assert out[part]["warm_ms"] > 0 and out[part]["cold_ms"] > 0
    # The fix this figure watches: encoding 64 texts no longer faults its temporaries in.
    assert out["encode_64"]["page_faults_per_call"] < 100
    assert set(out["gru"]) == {"loop_ms", "float32_encode_ms", "bf16_gru_ms"}
    assert out["step"]["loop_us"] > 0 and out["step"]["strided_us"] > 0


def test_kernel_bench_refuses_no_repeats(capsys):
    with pytest.raises(SystemExit):
        kernel_bench.main(["--repeats", "0"])
    assert "--repeats must be at least 1" in capsys.readouterr().err
