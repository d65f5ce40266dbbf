"""Which torch device a command runs on: `cpu`, `cuda`, `cuda:N` or `auto` (cuda when present)."""

from __future__ import annotations

import re

_NAME = re.compile(r"^(auto|cpu|cuda(:\d{1,2})?)$")


def resolve_device(name: str) -> str:
    """'auto' -> 'cuda' when torch sees a CUDA device, else 'cpu'; 'cuda[:N]' only when that
    device exists. ValueError with one line saying what is there otherwise."""
    if not _NAME.match(name):
        raise ValueError(f"device must be auto, cpu, cuda or cuda:N, got {name!r}")
    if name == "cpu":
        return name
    import torch

    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if name == "auto":
        return "cuda" if count else "cpu"
    index = int(name.partition(":")[2] or 0)
    if index >= count:
        have = f"{count} CUDA device(s)" if count else "no CUDA device"
        raise ValueError(f"device {name} is not available: torch sees {have} here; "
                         "use --device cpu")
    return name
