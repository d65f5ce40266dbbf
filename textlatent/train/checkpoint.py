"""Checkpoints: the model folder, the optimizer and the loop's state, each written atomically,
and everything a resumed run needs to continue where the last checkpoint left off.

Files in the run folder besides the model folder's own: `optimizer.safetensors` (the optimizer's
tensors), `train_state.json` (recipe, step, tokens seen, elapsed seconds, the batch shuffler's
random state and the optimizer's layout) and `log.jsonl` (one JSON row per evaluation).
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import asdict
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from ..atomic import atomic_write, write_text_atomic
from ..backends.gru import save_model_folder
from ..paths import WEIGHTS_FILE
from ..tokenizer import Tokenizer

STATE_FILE = "train_state.json"
OPTIMIZER_FILE = "optimizer.safetensors"
LOG_FILE = "log.jsonl"


def read_state(out: Path) -> dict | None:
    """The saved loop state of the run in `out`, or None if it has no checkpoint."""
    path = Path(out) / STATE_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def save_checkpoint(out: Path, net: torch.nn.Module, opt: torch.optim.Optimizer, tok: Tokenizer,
                    cfg, step: int, tokens_seen: int, elapsed: float, rng: random.Random,
                    name: str, half_copy: Path | None = None) -> None:
    """Model folder + optimizer + state, each written atomically (temp file, fsync, rename).

    `half_copy`, if given, also receives a float16 copy of the model folder.
    """
    meta = {"train": asdict(cfg), "step": step, "tokens_seen": tokens_seen,
            "elapsed_s": round(elapsed, 1)}
    save_model_folder(out, net, tok.path, name, meta=meta)
    if half_copy is not None:
        save_model_folder(Path(half_copy), net, tok.path, name, half=True, meta=meta)
    flat, layout = _flatten_optimizer(opt)
    atomic_write(out / OPTIMIZER_FILE, lambda p: save_file(flat, str(p)))
    state = {"train": asdict(cfg), "step": step, "tokens_seen": tokens_seen, "elapsed": elapsed,
             "rng": _json_state(rng.getstate()), "optimizer": layout}
    write_text_atomic(out / STATE_FILE, json.dumps(state))


def restore(out: Path, state: dict, net: torch.nn.Module, opt: torch.optim.Optimizer,
            rng: random.Random, dev: torch.device) -> tuple[int, int, float]:
    """Load the last checkpoint's weights, optimizer and shuffler state from `out`.

    Returns (step, tokens seen, elapsed seconds) to continue from.
    """
    net.load_state_dict(load_file(str(out / WEIGHTS_FILE), device=str(dev)))
    _load_optimizer(opt, out / OPTIMIZER_FILE, state["optimizer"], dev)
    rng.setstate(_tuple_state(state["rng"]))
    return state["step"], state["tokens_seen"], state["elapsed"]


def drop_partial_line(path: Path) -> None:
    """A run killed while logging leaves half a line: cut it, so every line stays JSON."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    with open(path, "rb+") as fh:
        fh.seek(-1, os.SEEK_END)
        if fh.read(1) != b"\n":
            fh.seek(0)
            fh.truncate(fh.read().rfind(b"\n") + 1)


def _flatten_optimizer(opt) -> tuple[dict, dict]:
    sd = opt.state_dict()
    flat, layout = {}, {"param_groups": sd["param_groups"], "state": {}}
    for pid, st in sd["state"].items():
        layout["state"][str(pid)] = {}
        for key, val in st.items():
            if torch.is_tensor(val):
                flat[f"{pid}.{key}"] = val.detach().cpu().contiguous()
                layout["state"][str(pid)][key] = "tensor"
            else:
                layout["state"][str(pid)][key] = val
    return flat, layout


def _load_optimizer(opt, path: Path, layout: dict, dev) -> None:
    flat = load_file(str(path))
    state = {}
    for pid, entries in layout["state"].items():
        state[int(pid)] = {
            k: (flat[f"{pid}.{k}"].to(dev) if v == "tensor" else v) for k, v in entries.items()
        }
        if "step" in state[int(pid)] and torch.is_tensor(state[int(pid)]["step"]):
            state[int(pid)]["step"] = state[int(pid)]["step"].cpu()
    opt.load_state_dict({"state": state, "param_groups": layout["param_groups"]})


def _json_state(state):
    return [state[0], list(state[1]), state[2]]


def _tuple_state(state):
    return (state[0], tuple(state[1]), state[2])
