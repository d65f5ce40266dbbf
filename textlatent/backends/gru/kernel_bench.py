"""Measurements behind the GRU backend's inference kernels: `python -m
textlatent.backends.gru.kernel_bench [--model DIR] [--repeats N]` prints one JSON object.

- `products`: microseconds of each per-step bf16 product, packed (`Product`) against
  `torch.mm`, at 1 and 64 rows.
- `encode`: one encode of the bench sentence (13 tokens) warm and cold (right after summing a
  256 MB array, which empties the CPU caches as the anchor's call in `bench --anchor` does),
  for the model and for a tiny random model with the same vocabulary (the same operation
  sequence over almost no weights: what is dispatch, not arithmetic).
- `encode_64`: encoding 64 copies of the sentence, and the page faults per call.
- `gru`: the same sentence through torch's `nn.GRU` in float32 and in bf16, against the loop.
- `step`: one encoder step's recurrent products with their bias as the loop does them, against
  one strided view of the side-by-side product (the same bits).

Every kernel figure in docs/benchmarks.md comes from this command.
"""

from __future__ import annotations

import argparse
import copy
import json
import resource
import sys
import time
from collections.abc import Callable

import numpy as np
import torch

from ...bench import SENTENCE, median_ms
from .model import ModelConfig, SentenceAutoencoder, both_directions
from .packed import Product

COLD_BYTES = 256 * 1024 * 1024


def _us(fn: Callable[[], object], repeats: int) -> float:
    return round(median_ms(fn, repeats, warmup=10) * 1000.0, 1)


PER_STEP_WEIGHTS = ("encoder_input_side_by_side", "encoder_state_side_by_side",
                    "decoder_state", "output_projection", "vocabulary")


def per_step_weights(net: SentenceAutoencoder) -> dict[str, torch.Tensor]:
    """The transposed bf16 weights the model multiplies by at every step, by PER_STEP_WEIGHTS
    name (the encoder's with both directions side by side)."""
    g, hid = net.encoder, net.cfg.dec_hidden
    weights = {
        "encoder_input_side_by_side": torch.cat([g.weight_ih_l0.t(),
                                                 g.weight_ih_l0_reverse.t()], 1),
        "encoder_state_side_by_side": torch.cat([g.weight_hh_l0.t(),
                                                 g.weight_hh_l0_reverse.t()], 1),
        "decoder_state": net.decoder.weight_hh_l0.t(),
        "output_projection": net.out_proj.weight[:, :hid].t(),
        "vocabulary": net.embed.weight.t(),
    }
    return {name: w.detach().contiguous().to(torch.bfloat16) for name, w in weights.items()}


def product_figures(net: SentenceAutoencoder, repeats: int) -> dict:
    """Packed against plain bf16 products for the per-step weights, at 1 and 64 rows."""
    return {f"{name}_{rows}": packed_and_mm(w, rows, repeats)
            for name, w in per_step_weights(net).items() for rows in (1, 64)}


def packed_and_mm(weight_t: torch.Tensor, rows: int, repeats: int) -> dict:
    """Microseconds of `rows` random rows times the weight: packed, and with `torch.mm`."""
    product = Product(weight_t)
    x = torch.randn(rows, weight_t.shape[0]).to(torch.bfloat16)
    return {"packed_us": _us(lambda: product(x), repeats),
            "mm_us": _us(lambda: torch.mm(x, weight_t), repeats)}


def warm_and_cold(fn: Callable[[], object], repeats: int) -> dict:
    """Median ms of `fn` repeated (warm) and right after the caches were emptied (cold)."""
    junk = np.ones(COLD_BYTES // 4, dtype=np.float32)
    warm, cold = [], []
    for _ in range(3):
        fn()
    for _ in range(repeats):
        junk.sum()
        start = time.perf_counter()
        fn()
        cold.append(time.perf_counter() - start)
        start = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - start)
    return {"warm_ms": round(float(np.median(warm)) * 1000, 3),
            "cold_ms": round(float(np.median(cold)) * 1000, 3)}


def tiny_like(net: SentenceAutoencoder) -> SentenceAutoencoder:
    """A random model with the same vocabulary and 16-wide everything else."""
    cfg = ModelConfig(vocab_size=net.cfg.vocab_size, emb_dim=16, enc_hidden=16, latent_dim=16,
                      dec_hidden=16)
    return SentenceAutoencoder(cfg).eval()


def encode_64(net: SentenceAutoencoder, ids: list[int], repeats: int) -> dict:
    """Encoding 64 copies of the sentence: median ms and page faults per call."""
    batch = [ids] * 64
    ms = median_ms(lambda: net.encode_batch(batch), repeats)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(repeats):
        net.encode_batch(batch)
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / repeats
    return {"ms": round(ms, 2), "page_faults_per_call": round(faults, 1)}


def gru_figures(net: SentenceAutoencoder, ids: list[int], repeats: int) -> dict:
    """The sentence through torch's GRU (float32, bf16) and through the bf16 loop, in ms."""
    tokens = torch.tensor([ids])
    x = net.embed(tokens)
    gru16 = copy.deepcopy(net.encoder).to(torch.bfloat16)
    x16 = x.to(torch.bfloat16)
    return {"loop_ms": round(median_ms(lambda: net.encode_batch([ids]), repeats), 3),
            "float32_encode_ms": round(median_ms(
                lambda: net.encode(tokens, torch.tensor([len(ids)])), repeats), 3),
            "bf16_gru_ms": round(median_ms(lambda: gru16(x16), repeats), 3)}


def step_figures(net: SentenceAutoencoder, repeats: int) -> dict:
    """One step's recurrent products with bias (one text): as the loop does them, and with
    one strided view in place of diagonal + permute and the bias column made once."""
    w = net._encoder_weights(torch.device("cpu"))
    h = torch.randn(2, 1, w["hidden"]).to(torch.bfloat16)
    side_by_side, bias = w["hh_side_by_side"], w["b_hh"]
    column = bias[:, None].contiguous()
    width = bias.shape[-1]

    def strided() -> torch.Tensor:
        both = side_by_side(h.view(2, -1))
        return torch.add(both.as_strided((2, 1, width), (3 * width, 2 * width, 1)), column)

    if not torch.equal(strided(), both_directions(w, "hh", h)):
        raise AssertionError("the strided step does not give the loop's bits")
    return {"loop_us": _us(lambda: both_directions(w, "hh", h), repeats),
            "strided_us": _us(strided, repeats)}


def run(model_dir: str | None, repeats: int) -> dict:
    """All the figures above for a GRU model folder (default: builtin) on the CPU."""
    from ... import load_model

    model = load_model(model_dir)
    net = model.net
    if net._encoder_weights(torch.device("cpu")) is None:
        raise SystemExit("these kernels run on CPUs with native bf16 (AVX-512 BF16 or AMX)")
    ids = model.tokenize([SENTENCE])[0]
    tiny = tiny_like(net)
    with torch.inference_mode():
        return {
            "threads": torch.get_num_threads(),
            "tokens": len(ids),
            "products": product_figures(net, repeats * 10),
            "encode": warm_and_cold(lambda: net.encode_batch([ids]), repeats),
            "encode_tiny": warm_and_cold(lambda: tiny.encode_batch([ids]), repeats),
            "encode_64": encode_64(net, ids, repeats),
            "gru": gru_figures(net, ids, repeats),
            "step": step_figures(net, repeats * 10),
        }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m textlatent.backends.gru.kernel_bench")
    p.add_argument("--model", default=None, help="GRU model folder (default: builtin)")
    p.add_argument("--repeats", type=int, default=40, help="timed calls per figure")
    args = p.parse_args(argv)
    if args.repeats < 1:
        p.error("--repeats must be at least 1")
    print(json.dumps(run(args.model, args.repeats), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
