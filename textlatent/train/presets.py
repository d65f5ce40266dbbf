"""Named training recipes: a model shape, a training recipe and a time budget, as plain dataclass
values (nanoGPT-style configs). `textlatent train --preset NAME` runs one (see `preset_run`).

`v1` is the recipe of the shipped model (one H200, 480 s). `v2` is the next model's recipe: the
shipped shape and recipe with a 96-token limit, bf16 autocast on the GPU and one-minute
checkpoints, for the corpus with the e-mail source. The small-model ablations behind it (and why
the one change that helped there, a wider decoder, is not in it) are in docs/training.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..backends.gru import ModelConfig
from .loop import TrainConfig


@dataclass(frozen=True)
class Preset:
    """One recipe. `minutes` is the training time budget; the held-out eval runs after it."""

    name: str
    summary: str
    model: ModelConfig
    train: TrainConfig
    minutes: float
    gpu_only: tuple[str, ...] = field(default=("bf16",))  # TrainConfig fields set only on cuda

    def configs(self, vocab_size: int, device: str) -> tuple[TrainConfig, ModelConfig]:
        """Fresh copies of the recipe for `device`, the model sized for the tokenizer."""
        train = replace(self.train, seconds=self.minutes * 60.0)
        if device != "cuda":
            train = replace(train, **{name: getattr(TrainConfig(), name)
                                      for name in self.gpu_only})
        return train, replace(self.model, vocab_size=vocab_size)


_V1_MODEL = ModelConfig(emb_dim=256, enc_hidden=512, latent_dim=512, dec_hidden=1024,
                        max_tokens=64)
_V1_TRAIN = TrainConfig(lr=3e-3, warmup_steps=400, batch_tokens=24576, max_batch=1024,
                        word_drop=0.1, word_mask=0.05, latent_noise=0.15, seed=1,
                        checkpoint_every=60.0, eval_every=45.0)

PRESETS: dict[str, Preset] = {
    "v1": Preset("v1", "the shipped model's recipe (64 tokens, 8 minutes, float32)",
                 _V1_MODEL, _V1_TRAIN, minutes=8.0, gpu_only=()),
    "v2": Preset(
        "v2",
        "the next model: the shipped shape, 96 tokens, bf16, 7.5 minutes",
        replace(_V1_MODEL, max_tokens=96),
        replace(_V1_TRAIN, bf16=True, eval_every=60.0),
        minutes=7.5,  # + start-up, data and the eval: one 10-minute GPU call, about 9 minutes
    ),
}


def get_preset(name: str) -> Preset:
    """The preset called `name`; ValueError naming the known ones otherwise."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r} (known: {', '.join(PRESETS)})")
    return PRESETS[name]
