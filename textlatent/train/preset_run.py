"""One command from corpus to judged model: train a preset (resuming a cut-short run), then run
the held-out and evaluation-file metrics and draw the learning curve, all into one folder:

    OUT/model/               the model folder (+ checkpoint files, log.jsonl, dev.txt)
    OUT/model_fp16/          the same model with float16 weights (as the builtin one ships)
    OUT/eval.json            held-out (default decode and greedy) and evaluation-file metrics,
                             the recipe, and the ship check of the next builtin model
    OUT/learning_curve.svg   loss and dev exact against tokens seen
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, replace
from pathlib import Path

from ..atomic import write_text_atomic
from .checkpoint import LOG_FILE, read_state
from .curve import write_learning_curve
from .presets import Preset

# What the next builtin model must reach on the held-out file with the default decode (and the
# evaluation pairs' novelty) before it replaces the shipped one. "<=10" is the shipped model's
# own held-out exact on 1-10 words (0.995 x 207 and 0.963 x 298 sentences).
SHIP_CHECK = {"16-20": 0.75, "21+": 0.40, "<=10": 0.976, "novelty": 2.5}


def bf16_works(device: str) -> bool:
    """Whether a GRU runs forward and backward under bf16 autocast on `device`."""
    import torch

    try:
        gru = torch.nn.GRU(8, 8, batch_first=True).to(device)
        with torch.autocast(torch.device(device).type, dtype=torch.bfloat16):
            out, _ = gru(torch.randn(2, 3, 8, device=device))
        out.float().sum().backward()
        return True
    except RuntimeError:
        return False


def ship_check(heldout: dict, evalset: dict) -> dict:
    """The thresholds of `SHIP_CHECK` against measured figures -> {name: [value, floor, ok]}."""
    by = heldout["by_length"]
    short = [by[b] for b in ("1-5", "6-10") if b in by]
    n = sum(r["n"] for r in short)
    values = {"16-20": by.get("16-20", {}).get("exact_match"),
              "21+": by.get("21+", {}).get("exact_match"),
              "<=10": sum(r["exact_match"] * r["n"] for r in short) / n if n else None,
              "novelty": evalset["blend"]["novelty"]}
    return {k: [v, SHIP_CHECK[k], v is not None and v >= SHIP_CHECK[k]]
            for k, v in values.items()}


def run_preset(preset: Preset, corpus: Path, out: Path, tokenizer: Path,
               heldout: tuple[Path, Path], evalset: tuple[Path, Path], *,
               device: str = "cpu", minutes: float | None = None, steps: int | None = None,
               model_changes: dict | None = None, train_changes: dict | None = None,
               exclude: list[Path] = (), eval_limit: int | None = None,
               progress: bool = True, log=print) -> dict:
    """Train `preset` into OUT/model (resuming if OUT/model holds a checkpoint), evaluate it and
    draw its curve. `corpus` is a sentence file, or an `.npz` of token ids made (exclusions
    applied) by `textlatent.train.tokens`. `minutes` replaces the preset's time budget, `steps`
    adds a step cap, the `*_changes` dicts override preset fields. Returns eval.json's content.
    """
    from ..backends import load_model
    from ..evaluate import GREEDY_SPEC, evaluate
    from ..tokenizer import Tokenizer
    from .loop import train

    out = Path(out)
    run = out / "model"
    cfg, model_cfg = preset.configs(Tokenizer(tokenizer).vocab_size, device)
    cfg = replace(cfg, **(train_changes or {}))
    model_cfg = replace(model_cfg, **(model_changes or {}))
    if minutes is not None:
        cfg.seconds = minutes * 60.0
    if steps is not None:
        cfg.steps = steps
    if cfg.bf16 and not bf16_works(device):
        log(f"bf16 autocast does not run a GRU on {device} here: training in float32")
        cfg.bf16 = False
    resume = read_state(run) is not None
    if resume:
        log(f"resuming the run in {run} (its saved recipe; this command's time and step budget)")
    start = time.time()
    tokens = Path(corpus).suffix == ".npz"  # pre-tokenised by `python -m textlatent.train.tokens`
    result = train(None if tokens else corpus, run, tokenizer=tokenizer,
                   data=corpus if tokens else None, cfg=cfg, model_cfg=model_cfg, resume=resume,
                   exclude=exclude, device=device, name=f"textlatent-{preset.name}",
                   progress=progress, half_copy=out / "model_fp16")
    train_wall = time.time() - start
    if int(os.environ.get("RANK", "0")) != 0:  # under torchrun the first process evaluates
        return {"preset": preset.name, "train": result}
    sentences = heldout[0]
    if eval_limit is not None:
        lines = [s for s in Path(sentences).read_text(encoding="utf-8").splitlines() if s.strip()]
        sentences = out / f"heldout_first{eval_limit}.txt"
        write_text_atomic(sentences, "\n".join(lines[:eval_limit]) + "\n")
    start = time.time()
    model = load_model(run)
    report = {
        "preset": preset.name, "device": device,
        "recipe": read_state(run)["train"], "train": result,
        "train_wall_s": round(train_wall, 1),
        "heldout": evaluate(model, sentences, heldout[1]),
        "heldout_greedy": evaluate(model, sentences, heldout[1], spec=GREEDY_SPEC),
        "eval": evaluate(model, evalset[0], evalset[1]),
        "files": {"heldout": str(sentences), "heldout_pairs": str(heldout[1]),
                  "eval": str(evalset[0]), "eval_pairs": str(evalset[1])},
    }
    report["eval_wall_s"] = round(time.time() - start, 1)
    report["ship_check"] = ship_check(report["heldout"], report["eval"])
    write_text_atomic(out / "eval.json", json.dumps(report, indent=1))
    write_learning_curve(run / LOG_FILE, out / "learning_curve.svg",
                         f"textlatent {preset.name}: {result['tokens_seen'] / 1e6:.1f} M tokens, "
                         f"{result['elapsed']:.0f} s on {device}")
    return report


def describe(preset: Preset) -> dict:
    """The preset's settings as plain data (for --json and the docs)."""
    return {"name": preset.name, "summary": preset.summary, "minutes": preset.minutes,
            "model": asdict(preset.model), "train": asdict(preset.train) | {"model": None}}
