"""A speed anchor: a Bottleneck-T5-small-shaped model timed side by side with a loaded model.

The anchor is a T5 v1.1 network of the shape of thesephist/contra-bottleneck-t5-small
(d_model 512, 8 encoder + 8 decoder layers, 6 heads of 64, d_ff 1024 gated-gelu, vocabulary
32128) with random weights, built by transformers (the `hf` extra), so the comparison needs no
download. Its encode is the encoder over the sentence's tokens, mean-pooled to one vector; its
decode is `generate` (greedy, exactly 16 new tokens) from that one vector as the cross-attention
memory. It is fed the loaded model's token ids (fewer than 32128, so valid ids for it), so
both sides see the same number of tokens and the anchor's tokenizer time is not counted.

`compare` times each pair of jobs in alternating rounds in one process (anchor, model, anchor,
model, ...), so load on the machine hits both sides alike, and reports medians and ratios.
"""

from __future__ import annotations

import statistics
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .bench import OTHER, SENTENCE, WARMUP, default_reconstruct
from .decode_spec import decode
from .latent import blend_path

if TYPE_CHECKING:
    from .backends.base import TextAutoencoder

SHAPE = {"d_model": 512, "num_layers": 8, "num_decoder_layers": 8, "num_heads": 6, "d_kv": 64,
         "d_ff": 1024, "feed_forward_proj": "gated-gelu", "vocab_size": 32128}
NEW_TOKENS = 16
INSTALL_HINT = "bench --anchor needs transformers: pip install 'textlatent[hf]'"


class AnchorUnavailable(RuntimeError):
    """transformers is not installed; the message says how to get it."""


class T5Anchor:
    """The random-weight Bottleneck-T5-small-shaped model: encode to one vector, greedy decode."""

    def __init__(self, seed: int = 0):
        try:
            import torch
            from transformers import T5Config, T5ForConditionalGeneration
            from transformers.modeling_outputs import BaseModelOutput
        except ImportError:
            raise AnchorUnavailable(INSTALL_HINT) from None
        self._torch, self._output = torch, BaseModelOutput
        torch.manual_seed(seed)
        config = T5Config(**SHAPE, decoder_start_token_id=0, pad_token_id=0, eos_token_id=1)
        self.net = T5ForConditionalGeneration(config).eval()
        self.net.generation_config.eos_token_id = None  # always NEW_TOKENS tokens
        self.num_parameters = sum(p.numel() for p in self.net.parameters())

    def encode(self, ids: list[list[int]]) -> np.ndarray:
        """Token id lists -> (n, d_model) mean-pooled encoder states."""
        torch = self._torch
        width = max(len(x) for x in ids)
        tokens = torch.zeros((len(ids), width), dtype=torch.long)
        mask = torch.zeros((len(ids), width), dtype=torch.long)
        for row, seq in enumerate(ids):
            tokens[row, :len(seq)] = torch.tensor(seq)
            mask[row, :len(seq)] = 1
        with torch.inference_mode():
            states = self.net.encoder(input_ids=tokens, attention_mask=mask).last_hidden_state
            pooled = (states * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        return pooled.numpy()

    def decode(self, vectors: np.ndarray) -> list[list[int]]:
        """(n, d_model) vectors -> NEW_TOKENS greedy ids each, one vector as the memory."""
        torch = self._torch
        memory = self._output(last_hidden_state=torch.from_numpy(
            np.ascontiguousarray(vectors, np.float32))[:, None, :])
        with torch.inference_mode():
            out = self.net.generate(encoder_outputs=memory, max_new_tokens=NEW_TOKENS,
                                    do_sample=False, num_beams=1)
        return out[:, 1:].tolist()


def compare(jobs: list[tuple[str, Callable[[], object] | None, Callable[[], object]]],
            repeats: int, warmup: int = WARMUP) -> dict[str, dict[str, float | None]]:
    """Time (name, anchor job or None, model job) in alternating rounds -> per name the median
    ms of each side. A job without an anchor is compared with the previous anchor job."""
    anchor_times: dict[str, list[float]] = {n: [] for n, a, _ in jobs if a is not None}
    model_times: dict[str, list[float]] = {n: [] for n, _, _ in jobs}
    for round_ in range(warmup + max(repeats, 1)):
        for name, anchor_job, model_job in jobs:
            sides = ((anchor_job, anchor_times.get(name)), (model_job, model_times[name]))
            for job, times in sides:
                if job is None:
                    continue
                start = time.perf_counter()
                job()
                if round_ >= warmup:
                    times.append((time.perf_counter() - start) * 1000.0)
    result: dict[str, dict[str, float | None]] = {}
    last_anchor: float | None = None
    for name, anchor_job, _ in jobs:
        if anchor_job is not None:
            last_anchor = statistics.median(anchor_times[name])
        model_ms = statistics.median(model_times[name])
        result[name] = {"anchor_ms": last_anchor, "model_ms": model_ms,
                        "ratio": last_anchor / model_ms if last_anchor else None}
    return result


def run_anchor_bench(model: TextAutoencoder, repeats: int = 10,
                     anchor: T5Anchor | None = None) -> dict:
    """Encode, greedy reconstruct and greedy 9-point blend on both sides; the model's default
    (checked) reconstruct and blend against the anchor's greedy ones. AnchorUnavailable without
    transformers."""
    import torch

    from .backends import TruncationWarning

    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    anchor = anchor or T5Anchor()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncationWarning)
        ids = model.tokenize([SENTENCE, OTHER])
    ends = model.encode([SENTENCE, OTHER])
    path = blend_path(ends[0], ends[1], 9, "slerp")
    a_ends = anchor.encode(ids)
    a_path = np.stack([(1 - t) * a_ends[0] + t * a_ends[1] for t in np.linspace(0, 1, 9)])

    def a_reconstruct():
        return anchor.decode(anchor.encode(ids[:1]))

    jobs = [
        ("encode", lambda: anchor.encode(ids[:1]), lambda: model.encode([SENTENCE])),
        ("reconstruct_greedy", a_reconstruct, lambda: model.reconstruct([SENTENCE])),
        ("reconstruct_default", None, lambda: default_reconstruct(model, [SENTENCE])),
        ("blend9_greedy", lambda: anchor.decode(a_path), lambda: model.decode(path)),
        ("blend9_default", None, lambda: decode(model, path, sentence_rows="ends")),
    ]
    return {
        "anchor": {"shape": SHAPE, "parameters": anchor.num_parameters,
                   "new_tokens": NEW_TOKENS, "tokens": len(ids[0])},
        "model": model.summary,
        "threads": torch.get_num_threads(),
        "repeats": repeats,
        "rows": compare(jobs, repeats),
    }


def format_anchor_bench(result: dict) -> str:
    """The side-by-side table `textlatent bench --anchor` prints."""
    shape = result["anchor"]["shape"]
    lines = [
        f"model  {result['model']}",
        f"anchor T5 v1.1, random weights: d_model {shape['d_model']}, "
        f"{shape['num_layers']}+{shape['num_decoder_layers']} layers, {shape['num_heads']} heads, "
        f"d_ff {shape['d_ff']} {shape['feed_forward_proj']}, vocab {shape['vocab_size']} "
        f"({result['anchor']['parameters'] / 1e6:.1f}M parameters), greedy "
        f"{result['anchor']['new_tokens']} new tokens from one vector",
        f"medians of {result['repeats']} interleaved rounds, torch threads {result['threads']}; "
        "a default row is the model's checked decode against the anchor's greedy one",
        f"{'':22}{'anchor ms':>10}{'model ms':>10}{'ratio':>8}",
    ]
    for name, row in result["rows"].items():
        anchor = f"{row['anchor_ms']:.1f}" if row["anchor_ms"] is not None else "-"
        ratio = f"{row['ratio']:.1f}x" if row["ratio"] is not None else "-"
        lines.append(f"{name:22}{anchor:>10}{row['model_ms']:>10.1f}{ratio:>8}")
    return "\n".join(lines)
