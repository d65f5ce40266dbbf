"""GRUAutoencoder: the builtin family loaded for use (a network, its tokenizer, its stepper)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from ...tokenizer import Tokenizer
from ..base import TextAutoencoder
from .folder import read_folder, save_model_folder
from .model import ModelConfig, SentenceAutoencoder


class GRUAutoencoder(TextAutoencoder):
    """The builtin GRU sentence autoencoder (see `textlatent.backends.base` for the contract)."""

    backend = "gru"

    def __init__(self, net: SentenceAutoencoder, tokenizer: Tokenizer, name: str = "model",
                 device: str = "cpu", meta: dict | None = None):
        super().__init__(name)
        self.net = net.to(device).eval()
        self.tokenizer = tokenizer
        self.device = torch.device(device)
        self.meta = meta or {}

    @classmethod
    def load(cls, path: str | Path, device: str = "cpu") -> GRUAutoencoder:
        """Read a model folder (config.json, model.safetensors, tokenizer.model)."""
        net, tok, name, meta = read_folder(Path(path))
        return cls(net, tok, name=name, device=device, meta=meta)

    def save(self, path: str | Path, name: str | None = None, half: bool = False,
             meta: dict | None = None) -> Path:
        """Write a model folder that `load_model(path)` reads back."""
        path = Path(path)
        save_model_folder(path, self.net, self.tokenizer.path, name or self.name,
                          half=half, meta=meta if meta is not None else self.meta)
        return path

    @property
    def config(self) -> ModelConfig:
        return self.net.cfg

    @property
    def dim(self) -> int:
        return self.net.cfg.latent_dim

    @property
    def max_tokens(self) -> int:
        return self.net.cfg.max_tokens

    @property
    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.net.parameters())

    def _token_ids(self, text: str) -> list[int]:
        return self.tokenizer.encode(text)

    def _detokenize(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids)

    def _piece_strings(self, ids: list[int]) -> list[str]:
        return [self.tokenizer.sp.IdToPiece(i) for i in ids]

    def _encode_ids(self, batch: list[list[int]]) -> np.ndarray:
        """Rows independent of the batch (see `SentenceAutoencoder.encode_batch`)."""
        with torch.inference_mode():
            return self.net.encode_batch(batch).float().cpu().numpy()

    def _decoder(self, options) -> Callable[[np.ndarray], list[str]]:
        gen = None
        if options.sampling:
            gen = torch.Generator(device=self.device)
            gen.manual_seed(options.seed)

        def run(z: np.ndarray) -> list[str]:
            with torch.inference_mode():
                zt = torch.from_numpy(z).to(self.device)
                if options.beam > 1 and not options.sampling:
                    ids = self.net.beam_search(zt, options.max_tokens, options.beam)
                else:
                    ids = self.net.generate(zt, options.max_tokens, options.temperature,
                                            options.top_p, gen)
            return [self.tokenizer.decode(seq) for seq in ids]

        return run
