"""Greedy, top-p sampling and beam search over a step function, shared by backends.

A step function takes the previous ids (B,) and a state and returns logits (B, V) and the new
state. The state is whatever the backend carries between steps (a recurrent state, a cache);
beam search reorders it with `reorder(state, rows)` (default: index its batch dimension, the
first for a 2-D tensor, the second otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F

StepFn = Callable[[torch.Tensor, Any], tuple[torch.Tensor, Any]]


@torch.inference_mode()
def generate(step: StepFn, state: Any, n: int, *, bos: int, eos: int, max_tokens: int,
             temperature: float = 0.0, top_p: float = 1.0,
             generator: torch.Generator | None = None, banned: Sequence[int] = (),
             device: torch.device | str = "cpu") -> list[list[int]]:
    """Greedy (temperature 0) or top-p sampling for a batch of n rows -> ids up to EOS."""
    prev = torch.full((n,), bos, dtype=torch.long, device=device)
    done = torch.zeros(n, dtype=torch.bool, device=device)
    steps = []
    for _ in range(max_tokens):
        logits, state = step(prev, state)
        for tok in banned:
            logits[:, tok] = -float("inf")
        if temperature <= 0:
            nxt = logits.argmax(-1)
        else:
            nxt = sample_top_p(logits.float() / temperature, top_p, generator)
        nxt = torch.where(done, torch.full_like(nxt, eos), nxt)
        steps.append(nxt)
        done |= nxt == eos
        prev = nxt
        if bool(done.all()):
            break
    ids = torch.stack(steps, 1).tolist() if steps else [[] for _ in range(n)]
    return [until_eos(row, eos) for row in ids]


def _reorder(state: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
    return state[rows] if state.dim() == 2 else state[:, rows]


@torch.inference_mode()
def beam_search(step: StepFn, state: Any, n: int, beam: int, *, bos: int, eos: int,
                max_tokens: int, banned: Sequence[int] = (),
                reorder: Callable[[Any, torch.Tensor], Any] = _reorder,
                device: torch.device | str = "cpu") -> list[list[int]]:
    """Length-normalised beam search; `state` holds n * beam rows (each row's beams together)."""
    k = beam
    prev = torch.full((n * k,), bos, dtype=torch.long, device=device)
    scores = torch.full((n, k), -float("inf"), device=device)
    scores[:, 0] = 0.0
    seqs = torch.zeros((n * k, 0), dtype=torch.long, device=device)
    finished: list[list[tuple[float, list[int]]]] = [[] for _ in range(n)]
    for t in range(max_tokens):
        logits, state = step(prev, state)
        for tok in banned:
            logits[:, tok] = -float("inf")
        logp = F.log_softmax(logits.float(), dim=-1)
        vocab = logp.shape[-1]
        total = (scores.view(-1, 1) + logp).view(n, k * vocab)
        top, idx = total.topk(2 * k, dim=-1)
        beam_idx, tok = idx // vocab, idx % vocab
        new_scores = torch.full((n, k), -float("inf"), device=device)
        new_src = torch.zeros((n, k), dtype=torch.long, device=device)
        new_tok = torch.full((n, k), eos, dtype=torch.long, device=device)
        for i in range(n):
            filled = 0
            for s, b, w in zip(top[i].tolist(), beam_idx[i].tolist(), tok[i].tolist()):
                if s == -float("inf"):
                    break
                if w == eos:
                    if len(finished[i]) < k:
                        seq = seqs[i * k + b].tolist()
                        finished[i].append((s / (len(seq) + 1), seq))
                    continue
                if filled < k:
                    new_scores[i, filled], new_src[i, filled], new_tok[i, filled] = s, b, w
                    filled += 1
        rows = (torch.arange(n, device=device)[:, None] * k + new_src).view(-1)
        seqs = torch.cat([seqs[rows], new_tok.view(-1, 1)], dim=1)
        state = reorder(state, rows)
        prev = new_tok.view(-1)
        scores = new_scores
        best_open = (scores.max(-1).values / (t + 2)).tolist()
        if all(len(f) >= k and max(x[0] for x in f) >= o for f, o in zip(finished, best_open)):
            break
    out = []
    for i in range(n):
        cands = finished[i] or [
            (scores[i, j].item() / max(seqs.shape[1], 1), seqs[i * k + j].tolist())
            for j in range(k)
        ]
        out.append(max(cands, key=lambda c: c[0])[1])
    return out


def sample_top_p(logits: torch.Tensor, top_p: float,
                 generator: torch.Generator | None) -> torch.Tensor:
    """Sample one id per row from the smallest set of ids holding `top_p` of the probability."""
    probs = logits.softmax(-1)
    if top_p < 1.0:
        sorted_p, order = probs.sort(-1, descending=True)
        keep = sorted_p.cumsum(-1) - sorted_p < top_p
        sorted_p = sorted_p * keep
        probs = torch.zeros_like(probs).scatter(-1, order, sorted_p)
    return torch.multinomial(probs, 1, generator=generator)[:, 0]


def until_eos(row: list[int], eos: int) -> list[int]:
    """The ids before the first EOS."""
    return row[: row.index(eos)] if eos in row else row
