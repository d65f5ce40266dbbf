"""Bottleneck T5 (thesephist/contra-bottleneck-t5-*) through transformers: the `hf` backend.

Install with `pip install 'textlatent[hf]'`; transformers is imported only when a model is
loaded. A source is `hf:OWNER/NAME[@REVISION]` (read from the local Hugging Face cache unless
`allow_download`) or a local folder whose config.json is a transformers config with an
`auto_map`. These models ship their own modeling code, so loading runs it: that needs an
explicit `trust_remote_code=True`.

The model is used as its card documents: `model(..., encode_only=True)[0]` is the embedding;
decoding sets `model.perturb_vector = latent * native_norm - embed('.')` and generates from '.'.
Latents cross the library boundary unit norm; `native_norm` (the norm of embed('.')) scales them
back before decoding.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..paths import CONFIG_FILE
from .base import DecodeOptions, ModelError, TextAutoencoder

PREFIX = "hf:"
DUMMY = "."  # the text the documented decode starts from
MAX_TOKENS = 512  # the models reconstruct up to 512 tokens (less if the tokenizer says so)
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")
_CHECK_TEXTS = ["a cat sat on the mat.", "the quick brown fox jumps over the lazy dog again."]
_AUTO_CLASSES = ("AutoModelForCausalLM", "AutoModelForSeq2SeqLM", "AutoModel")
INSTALL_HINT = "pip install 'textlatent[hf]'"


def parse_id(source: str) -> tuple[str, str | None]:
    """'hf:OWNER/NAME[@REVISION]' -> (repo id, revision or None); ModelError if malformed."""
    body = source[len(PREFIX):]
    repo, _, revision = body.partition("@")
    if not _REPO_ID.match(repo) or ".." in repo or (_ and not revision):
        raise ModelError(f"{source!r} is not a model id: use hf:OWNER/NAME or "
                         "hf:OWNER/NAME@REVISION")
    return repo, revision or None


def _refuse_remote_code(what: str, read: str) -> ModelError:
    return ModelError(f"refusing to run the Python code that {what} ships: loading it executes "
                      f"that code; read {read} first, then pass --trust-remote-code "
                      "(trust_remote_code=True)")


def _folder_config(path: Path) -> dict:
    import json

    try:
        raw = json.loads((path / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path / CONFIG_FILE} is not readable JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise ModelError(f"{path / CONFIG_FILE} is not a transformers config")
    return raw


def _auto_class_name(config: dict, where: str) -> str:
    auto_map = config.get("auto_map")
    if not isinstance(auto_map, dict) or not any(c in auto_map for c in _AUTO_CLASSES):
        raise ModelError(f"{where} has no auto_map for {'/'.join(_AUTO_CLASSES)}: not a "
                         "Bottleneck T5 model (its own modeling code must provide encode_only "
                         "and perturb_vector)")
    return next(c for c in _AUTO_CLASSES if c in auto_map)


def _import_transformers():
    try:
        import transformers
    except ImportError:
        raise ModelError(f"the hf backend needs transformers: {INSTALL_HINT}") from None
    return transformers


def _cached(repo: str, revision: str | None) -> bool:
    """Whether the Hub model's config.json is in the local cache (no network)."""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(repo, CONFIG_FILE, revision=revision)
    return isinstance(found, str)


def _check_weights(folder: Path) -> None:
    """Refuse a pytorch_model.bin that holds anything but tensors (weights_only unpickling)."""
    import pickle

    import torch

    for path in sorted(folder.glob("pytorch_model*.bin")):
        try:
            torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        except (pickle.UnpicklingError, RuntimeError, OSError, EOFError, ValueError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ModelError(f"{path} is not a plain tensor file (weights_only load refused "
                             f"it): {first}") from None


def load(source: str | Path, device: str = "cpu", *, trust_remote_code: bool = False,
         allow_download: bool = False, **_options) -> BottleneckT5:
    """Load a Bottleneck T5 model from an `hf:` id or a local folder (see the module doc).

    Every refusal and failure is a ModelError with a one-line message; nothing prompts.
    """
    is_id = isinstance(source, str) and source.startswith(PREFIX)
    if is_id:
        repo, revision = parse_id(source)
        if trust_remote_code is not True:
            raise _refuse_remote_code(repo, f"the .py files on its Hub page ({repo})")
        where, name = repo, f"{repo}@{revision}" if revision else repo
    else:
        folder = Path(source)
        _auto_class_name(_folder_config(folder), str(folder / CONFIG_FILE))
        if trust_remote_code is not True:
            raise _refuse_remote_code(str(folder), f"the .py files in {folder}")
        where, name, revision = str(folder), folder.name, None
    if not allow_download and "huggingface_hub" not in sys.modules:
        os.environ["HF_HUB_OFFLINE"] = "1"  # read once, at import: no network, no retries
    transformers = _import_transformers()
    transformers.logging.set_verbosity_error()  # its notices would break one-line output
    if is_id and not allow_download and not _cached(repo, revision):
        raise ModelError(f"hf:{name} is not in the local Hugging Face cache and downloads are "
                         "off: pass --allow-download, or give the path of a local copy")
    # an explicit boolean always: None would make transformers ask on stdin
    common = {"revision": revision, "local_files_only": not allow_download,
              "trust_remote_code": True}
    try:
        if is_id:
            from huggingface_hub import snapshot_download

            local = snapshot_download(repo, revision=revision, local_files_only=not allow_download,
                                      allow_patterns=["*.bin", "*.json", "*.py"])
            _check_weights(Path(local))
        else:
            _check_weights(Path(where))
        config = transformers.AutoConfig.from_pretrained(where, **common)
        auto = getattr(transformers, _auto_class_name(config.to_dict(), where))
        model = auto.from_pretrained(where, **common)
        tokenizer = transformers.AutoTokenizer.from_pretrained(where, **common)
        return BottleneckT5(model, tokenizer, name=name, device=device)
    except ModelError:
        raise
    except Exception as exc:  # transformers and the model's own code raise anything
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ModelError(f"cannot load {name} with transformers {transformers.__version__}: "
                         f"{type(exc).__name__}: {first}") from None


class BottleneckT5(TextAutoencoder):
    """A Bottleneck T5 model and its tokenizer (see `textlatent.backends.base` for the
    contract)."""

    backend = "hf"

    def __init__(self, model, tokenizer, name: str = "model", device: str = "cpu"):
        import torch

        super().__init__(name, batch_size=32)
        if not hasattr(model, "perturb_vector"):
            raise ModelError(f"{name}'s model class {type(model).__name__} has no "
                             "perturb_vector: not a Bottleneck T5 model")
        self.model = model.to(device).eval()
        self.tokenizer = tokenizer
        self.device = torch.device(device)
        self.model.perturb_vector = None
        self._tokenizer_lock = threading.Lock()  # a fast tokenizer is not safe across threads
        with self._lock:
            dummy = self._embed([self.tokenizer(DUMMY).input_ids])
        self.native_norm = float(dummy.norm(dim=-1)[0])
        self._dummy = dummy / self.native_norm  # unit
        self._dummy_ids = self.tokenizer(DUMMY).input_ids
        self.batched = self._batching_works()
        if not self.batched:
            self.batch_size = 1

    @property
    def dim(self) -> int:
        return int(self._dummy.shape[-1])

    @property
    def max_tokens(self) -> int:
        limit = getattr(self.tokenizer, "model_max_length", MAX_TOKENS)
        return min(int(limit), MAX_TOKENS) if limit else MAX_TOKENS

    @property
    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.model.parameters())

    def _token_ids(self, text: str) -> list[int]:
        with self._tokenizer_lock:
            return list(self.tokenizer(text, add_special_tokens=False).input_ids)

    def _detokenize(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)

    def _piece_strings(self, ids: list[int]) -> list[str]:
        return list(self.tokenizer.convert_ids_to_tokens(ids))

    # -- the network -------------------------------------------------------------------------
    def _embed(self, batch: list[list[int]]):
        """Id lists (each ending in EOS) -> native latents (n, D), a float32 tensor."""
        import torch

        width = max(len(ids) for ids in batch)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids = torch.full((len(batch), width), pad, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, seq in enumerate(batch):
            ids[row, :len(seq)] = torch.tensor(seq, dtype=torch.long)
            mask[row, :len(seq)] = 1
        start = torch.tensor([self.tokenizer("").input_ids] * len(batch), dtype=torch.long)
        with torch.inference_mode():
            out = self.model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device),
                             decoder_input_ids=start.to(self.device), encode_only=True)[0]
        return out.float().reshape(len(batch), -1)

    def _encode_ids(self, batch: list[list[int]]) -> np.ndarray:
        eos = self.tokenizer.eos_token_id
        z = self._embed([ids + [eos] for ids in batch])
        return (z / z.norm(dim=-1, keepdim=True)).cpu().numpy()

    def _generate(self, z: np.ndarray, options: DecodeOptions) -> list[str]:
        """Unit rows -> texts, the documented way. Called with the lock held."""
        import torch

        n, beams = len(z), (options.beam if not options.sampling else 1)
        latent = torch.from_numpy(z).to(self.device) * self.native_norm
        perturb = (latent - self._dummy.to(self.device) * self.native_norm)
        ids = torch.tensor([self._dummy_ids] * n, dtype=torch.long, device=self.device)
        kwargs = {"max_new_tokens": options.max_tokens, "num_beams": beams,
                  "do_sample": options.sampling}
        if options.sampling:
            kwargs.update(temperature=options.temperature, top_p=options.top_p, top_k=0)
        self.model.perturb_vector = perturb.repeat_interleave(beams, 0)
        try:
            with torch.inference_mode():
                out = self.model.generate(input_ids=ids, attention_mask=torch.ones_like(ids),
                                          **kwargs)
        finally:
            self.model.perturb_vector = None
        return [self.tokenizer.decode(row, skip_special_tokens=True) for row in out.tolist()]

    def _decoder(self, options: DecodeOptions) -> Callable[[np.ndarray], list[str]]:
        import torch

        rng: list = []  # one random stream per decode call, apart from torch's global one

        def run(z: np.ndarray) -> list[str]:
            one_by_one = self.batch_size == 1 and len(z) > 1
            rows = [z[i:i + 1] for i in range(len(z))] if one_by_one else [z]
            if not options.sampling:
                return [t for part in rows for t in self._generate(part, options)]
            with torch.random.fork_rng(devices=[]):
                if rng:
                    torch.set_rng_state(rng.pop())
                else:
                    torch.manual_seed(options.seed)
                texts = [t for part in rows for t in self._generate(part, options)]
                rng.append(torch.get_rng_state())
            return texts

        return run

    def _batching_works(self) -> bool:
        """Whether batched encode and greedy decode equal one-at-a-time ones (checked once)."""
        ids = [self._token_ids(t) + [self.tokenizer.eos_token_id] for t in _CHECK_TEXTS]
        with self._lock:
            together = self._embed(ids)
            alone = [self._embed([x])[0] for x in ids]
            if not all(bool((together[i] - a).abs().max() < 1e-4) for i, a in enumerate(alone)):
                return False
            z = (together / together.norm(dim=-1, keepdim=True)).cpu().numpy()
            opts = DecodeOptions(max_tokens=16)
            return self._generate(z, opts) == [self._generate(z[i:i + 1], opts)[0]
                                               for i in range(len(z))]
