"""Training and fine-tuning: `data` (corpus, dev split, batches, noise), `checkpoint` (atomic
save, resume) and `loop` (the recipe and the loop). `train()` is the entry point.
"""

from __future__ import annotations

from .loop import TrainConfig, train

__all__ = ["TrainConfig", "train"]
