"""Helpers shared by test modules."""

from __future__ import annotations

import torch

from textlatent.backends.gru import ModelConfig, SentenceAutoencoder
from textlatent.cli import main


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the command line in-process -> (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def tiny_net(vocab_size: int) -> SentenceAutoencoder:
    """A seeded, tiny random network in eval mode (no dropout)."""
    torch.manual_seed(0)
    cfg = ModelConfig(vocab_size=vocab_size, emb_dim=16, enc_hidden=16, latent_dim=8,
                      dec_hidden=24, max_tokens=12)
    return SentenceAutoencoder(cfg).eval()
