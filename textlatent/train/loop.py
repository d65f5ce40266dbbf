"""The training loop: a denoising autoencoder with latent noise, AdamW with warmup and cosine
decay, gradient clipping, bf16 autocast, periodic dev evaluation and checkpoints, resume, and
torchrun's one process per device.

Reads a one-sentence-per-line corpus (or a pre-tokenized `.npz`), holds out a dev split, and
writes a model folder that `load_model(out)` loads, plus the checkpoint files `--resume` needs
and `log.jsonl` for the curves.
"""

from __future__ import annotations

import json
import math
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file

from ..backends.gru import ModelConfig, SentenceAutoencoder
from ..paths import CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE
from ..tokenizer import BOS_ID, EOS_ID, PAD_ID, UNK_ID, Tokenizer
from .checkpoint import LOG_FILE, drop_partial_line, read_state, restore, save_checkpoint
from .data import add_noise, collate, make_batches, prepare_data


@dataclass
class TrainConfig:
    """Recipe. Saved in the checkpoint so a resumed run continues the same schedule."""

    lr: float = 2e-3
    min_lr_ratio: float = 0.05
    warmup_steps: int = 300
    weight_decay: float = 0.01
    batch_tokens: int = 4096
    max_batch: int = 512
    word_drop: float = 0.1
    word_mask: float = 0.05
    word_shuffle: float = 0.0  # encoder input: each token moves at most this many places
    dec_word_drop: float = 0.0
    blend_cap: float = 0.0
    blend_cap_prob: float = 0.6
    latent_noise: float = 0.1
    clip: float = 1.0
    long_from: int = 0  # sentences of at least this many tokens ...
    long_weight: float = 1.0  # ... come this many times per pass
    steps: int = 0
    seconds: float = 0.0
    tokens: int = 0  # stop after this many target tokens (0: no token budget)
    seed: int = 0
    dev_size: int = 1000
    checkpoint_every: float = 120.0
    eval_every: float = 120.0
    bf16: bool = False
    model: dict = field(default_factory=dict)


def lr_at(cfg: TrainConfig, step: int, progress: float) -> float:
    """Learning rate: linear warmup over `warmup_steps`, then cosine decay to `min_lr_ratio`."""
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    cos = 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))
    return cfg.lr * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * cos)


def loss_on(net: torch.nn.Module, ids: torch.Tensor, lengths: torch.Tensor,
            cfg: TrainConfig, gen: torch.Generator | None = None) -> tuple[torch.Tensor, int]:
    """Denoising reconstruction loss for a batch -> (mean loss, number of target tokens)."""
    src, src_len = add_noise(ids, lengths, cfg.word_drop, cfg.word_mask, gen, cfg.word_shuffle)
    src = src[:, : int(src_len.max())]
    b = ids.shape[0]
    bos = torch.full((b, 1), BOS_ID, dtype=torch.long, device=ids.device)
    inputs = torch.cat([bos, ids], 1)
    if cfg.dec_word_drop > 0:  # hide some previous words so the decoder leans on z
        r = torch.rand(inputs.shape, device=ids.device, generator=gen)
        hide = (r < cfg.dec_word_drop) & (inputs != PAD_ID)
        hide[:, 0] = False
        inputs = inputs.masked_fill(hide, UNK_ID)
    targets = torch.cat([ids, torch.full((b, 1), PAD_ID, dtype=torch.long, device=ids.device)], 1)
    targets[torch.arange(b, device=ids.device), lengths] = EOS_ID
    toward = None
    if cfg.blend_cap > 0:
        toward = 0.35 + 0.3 * torch.rand(b, 1, device=ids.device, generator=gen)
    out = net(src, src_len, inputs, cfg.latent_noise, toward)  # forward(): DDP syncs gradients
    logits, blend_logits = out if toward is not None else (out, None)
    loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), targets.reshape(-1),
                           ignore_index=PAD_ID)
    if blend_logits is not None:
        loss = loss + cfg.blend_cap * blend_confidence_penalty(blend_logits, targets,
                                                               cfg.blend_cap_prob)
    return loss, int((targets != PAD_ID).sum())


def blend_confidence_penalty(logits: torch.Tensor, targets: torch.Tensor,
                             cap: float) -> torch.Tensor:
    """Mean excess log-probability over log(`cap`) of each target word, padding ignored.

    Applied between two sentences' latents, it stops a sentence from keeping its whole basin
    up to the middle of a blend, so blends pass through more in-between sentences.
    """
    logp = F.log_softmax(logits.float(), dim=-1)
    mask = targets != PAD_ID
    own = logp.gather(-1, targets[..., None])[..., 0]
    excess = F.relu(own - math.log(cap)) * mask
    return excess.sum() / mask.sum().clamp(min=1)


@torch.inference_mode()
def dev_metrics(net: SentenceAutoencoder, seqs: list[np.ndarray], device: torch.device,
                limit: int = 500) -> dict:
    """Greedy reconstruction on dev sequences: exact match and token accuracy."""
    net.eval()
    exact = correct = total = 0
    seqs = seqs[:limit]
    for start in range(0, len(seqs), 256):
        idx = list(range(start, min(start + 256, len(seqs))))
        ids, lengths = collate(seqs, idx)
        z = net.encode(ids.to(device), lengths.to(device))
        outs = net.generate(z, net.cfg.max_tokens)
        for i, out in zip(idx, outs):
            ref = seqs[i].tolist()
            exact += out == ref
            correct += sum(a == b for a, b in zip(out, ref))
            total += max(len(ref), len(out))
    net.train()
    return {"dev_exact": exact / max(len(seqs), 1), "dev_token_acc": correct / max(total, 1)}


def train(corpus: Path | None, out: Path, tokenizer: Path | None = None,
          data: Path | None = None, cfg: TrainConfig | None = None,
          model_cfg: ModelConfig | None = None, resume: bool = False,
          init: Path | None = None, exclude: list[Path] = (), device: str = "cpu",
          name: str = "textlatent", progress: bool = True,
          half_copy: Path | None = None) -> dict:
    """Train (or fine-tune from `init`) and write a model folder to `out`. Returns last metrics.

    `half_copy`, if given, receives a float16 copy of the model folder at every checkpoint.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    saved = read_state(out) if resume else None
    resuming = saved is not None
    if resuming:
        budget = cfg
        cfg = TrainConfig(**saved["train"])
        if budget is not None:  # a resumed run may be given a new length
            cfg.steps, cfg.seconds, cfg.tokens = budget.steps, budget.seconds, budget.tokens
        model_cfg = ModelConfig.from_dict(json.loads((out / CONFIG_FILE).read_text())["model"])
        tokenizer = out / TOKENIZER_FILE
    cfg = cfg or TrainConfig()
    if init is not None and not resuming:
        init_config = json.loads((Path(init) / CONFIG_FILE).read_text())
        model_cfg = ModelConfig.from_dict(init_config["model"])
        tokenizer = tokenizer or Path(init) / TOKENIZER_FILE
    if tokenizer is None:
        raise ValueError("a tokenizer model is needed (--tokenizer, --init or --resume)")
    tok = Tokenizer(tokenizer)
    model_cfg = model_cfg or ModelConfig(vocab_size=tok.vocab_size)
    if model_cfg.vocab_size != tok.vocab_size:
        raise ValueError(f"tokenizer has {tok.vocab_size} pieces, model expects "
                         f"{model_cfg.vocab_size}")
    cfg.model = model_cfg.to_dict()

    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    dev_seqs, train_seqs = prepare_data(corpus, data, tok, model_cfg.max_tokens, cfg.dev_size,
                                        exclude, out)

    rank, world, dev = _init_distributed(torch.device(device))
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    net = SentenceAutoencoder(model_cfg).to(dev)
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, betas=(0.9, 0.98),
                            weight_decay=cfg.weight_decay)
    step = tokens_seen = 0
    elapsed_before = 0.0
    if resuming:
        step, tokens_seen, elapsed_before = restore(out, saved, net, opt, rng, dev)
        torch.manual_seed(cfg.seed + step)
    elif init is not None:
        state = load_file(str(Path(init) / WEIGHTS_FILE), device=str(dev))
        net.load_state_dict({k: v.float() for k, v in state.items()})

    model = net
    if world > 1:  # torchrun: one process per device, gradients averaged across them
        from torch.nn.parallel import DistributedDataParallel

        model = DistributedDataParallel(net, device_ids=[dev.index] if dev.type == "cuda"
                                        else None)
    lead = rank == 0  # only the first process reports, evaluates and writes checkpoints
    bar = _progress_bar(cfg, progress and lead, step)
    log = None
    if lead:
        drop_partial_line(out / LOG_FILE)
        log = open(out / LOG_FILE, "a", encoding="utf-8")
    t0 = time.time()
    last_ckpt = last_eval = time.time()
    metrics: dict = {}
    batches: list[list[int]] = []
    running = None
    net.train()
    while True:
        elapsed = elapsed_before + time.time() - t0
        frac = _agree(_progress(cfg, step, elapsed, tokens_seen), world, dev)
        if frac >= 1.0:
            break
        if not batches:
            batches = make_batches(train_seqs, cfg.batch_tokens, cfg.max_batch, rng,
                                   cfg.long_from, cfg.long_weight)
            if world > 1:  # same shuffled list everywhere; each process takes its share
                share = len(batches) // world
                batches = batches[rank::world][:share] or batches[:1]
        ids, lengths = collate(train_seqs, batches.pop())
        ids, lengths = ids.to(dev, non_blocking=True), lengths.to(dev)
        for group in opt.param_groups:
            group["lr"] = lr_at(cfg, step, frac)
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=cfg.bf16):
            loss, ntok = loss_on(model, ids, lengths, cfg)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), cfg.clip)
        opt.step()
        step += 1
        tokens_seen += ntok * world
        if step % 20 == 0 or running is None:
            value = float(loss.detach())
            running = value if running is None else 0.9 * running + 0.1 * value
            rate = tokens_seen / max(elapsed, 1e-6)
            if bar is not None:
                bar.set_postfix(loss=f"{running:.3f}", tok_s=f"{rate:,.0f}", refresh=False)
        if bar is not None:
            _advance(bar, cfg, step, elapsed)
        now = time.time()
        if not lead:
            continue
        if now - last_eval >= cfg.eval_every:
            metrics = dev_metrics(net, dev_seqs, dev)
            _log(log, step, tokens_seen, elapsed, running, lr_at(cfg, step, frac), metrics)
            last_eval = now
        if now - last_ckpt >= cfg.checkpoint_every:
            save_checkpoint(out, net, opt, tok, cfg, step, tokens_seen, elapsed, rng, name,
                            half_copy)
            last_ckpt = now
    elapsed = elapsed_before + time.time() - t0
    if lead:
        metrics = dev_metrics(net, dev_seqs, dev)
        _log(log, step, tokens_seen, elapsed, running, lr_at(cfg, step, 1.0), metrics)
        save_checkpoint(out, net, opt, tok, cfg, step, tokens_seen, elapsed, rng, name, half_copy)
        log.close()
    if bar is not None:
        bar.close()
    if world > 1:
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()
    return {"step": step, "tokens_seen": tokens_seen, "elapsed": elapsed, **metrics}


def _init_distributed(dev: torch.device) -> tuple[int, int, torch.device]:
    """Join the process group torchrun set up (WORLD_SIZE > 1) -> (rank, world size, device)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return 0, 1, dev
    import torch.distributed as dist

    if dev.type == "cuda":
        dev = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(dev)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if dev.type == "cuda" else "gloo")
    return dist.get_rank(), world, dev


def _agree(value: float, world: int, dev: torch.device) -> float:
    """All processes use the first process's value (so they stop at the same step)."""
    if world <= 1:
        return value
    t = torch.tensor([value], dtype=torch.float64, device=dev)
    torch.distributed.broadcast(t, src=0)
    return float(t.item())


def _progress(cfg: TrainConfig, step: int, elapsed: float, tokens: int = 0) -> float:
    fracs = []
    if cfg.tokens:
        fracs.append(tokens / cfg.tokens)
    if cfg.steps:
        fracs.append(step / cfg.steps)
    if cfg.seconds:
        fracs.append(elapsed / cfg.seconds)
    return max(fracs) if fracs else float(step >= 1000)


def _progress_bar(cfg: TrainConfig, enabled: bool, step: int):
    if not enabled:
        return None
    from tqdm import tqdm

    if cfg.steps:
        return tqdm(total=cfg.steps, initial=step, unit="step", dynamic_ncols=True)
    return tqdm(total=int(cfg.seconds), unit="s", dynamic_ncols=True,
                bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt}s [ETA {remaining}{postfix}]")


def _advance(bar, cfg: TrainConfig, step: int, elapsed: float) -> None:
    target = step if cfg.steps else int(elapsed)
    if target > bar.n:
        bar.update(target - bar.n)


def _log(fh, step, tokens, elapsed, loss, lr, metrics) -> None:
    row = {"step": step, "tokens_seen": tokens, "elapsed": round(elapsed, 1),
           "loss": loss, "lr": lr, **metrics}
    fh.write(json.dumps(row) + "\n")
    fh.flush()
