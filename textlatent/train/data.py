"""Training data: reading a corpus, the dev split, token files, length-bucketed batches, and the
denoising noise put on the encoder's input.
"""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

import numpy as np
import torch

from ..atomic import atomic_write, write_text_atomic
from ..backends.base import MAX_CHARS
from ..corpus.exclusions import exclusion_matcher, load_exclusions
from ..corpus.text import normalize_key
from ..tokenizer import PAD_ID, UNK_ID, Tokenizer

# Control characters other than tab, and U+FFFD (bytes that are not UTF-8): a binary line.
_BINARY_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]")
DROP_REASONS = ("empty", "binary", "overlong", "excluded")


def read_corpus(corpus: Path, exclude: set[str]) -> tuple[list[str], dict[str, int]]:
    """Usable corpus lines -> (sentences, number of lines dropped for each of DROP_REASONS).

    Dropped: blank lines, binary lines (control characters, bytes that are not UTF-8), lines
    over MAX_CHARS characters (never read whole) and lines that equal or contain an excluded
    sentence (`exclude` holds keys from `corpus.load_exclusions`).
    """
    kept: list[str] = []
    counts = dict.fromkeys(DROP_REASONS, 0)
    is_excluded = exclusion_matcher(exclude)
    with open(corpus, encoding="utf-8", errors="replace") as fh:
        while line := fh.readline(MAX_CHARS + 1):
            if len(line) > MAX_CHARS and not line.endswith("\n"):
                counts["overlong"] += 1
                while line and not line.endswith("\n"):
                    line = fh.readline(1 << 20)
                continue
            line = line.rstrip("\n")
            if not line.strip():
                counts["empty"] += 1
            elif _BINARY_RE.search(line):
                counts["binary"] += 1
            elif is_excluded(normalize_key(line)):
                counts["excluded"] += 1
            else:
                kept.append(line)
    return kept, counts


def is_dev(text: str, dev_fraction: float = 0.01) -> bool:
    """Deterministic hash split: about `dev_fraction` of distinct sentences are held out."""
    h = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
    return (h % 10_000) < dev_fraction * 10_000


def tokenize_corpus(sentences: list[str], tok: Tokenizer, max_tokens: int,
                    counts: dict | None = None) -> list[np.ndarray]:
    """Token ids cut to the model's limit; `counts["cut"]` (if given) gets how many were cut."""
    ids = tok.encode_batch(sentences)
    if counts is not None:
        counts["cut"] = sum(len(x) > max_tokens - 1 for x in ids)
    return [np.asarray(x[: max_tokens - 1], dtype=np.int32) for x in ids]


def save_token_data(path: Path, seqs: list[np.ndarray]) -> None:
    """Token sequences as a compressed `.npz` (flat ids + lengths) that `train(data=...)` reads."""
    lengths = np.array([len(s) for s in seqs], dtype=np.int32)
    flat = np.concatenate(seqs).astype(np.int16 if max(map(np.max, seqs)) < 32767 else np.int32)
    atomic_write(Path(path), lambda p: _savez(p, flat=flat, lengths=lengths))


def _savez(path: Path, **arrays: np.ndarray) -> None:
    with open(path, "wb") as fh:  # a file object: numpy adds no ".npz" to the name
        np.savez_compressed(fh, **arrays)


def load_token_data(path: Path) -> list[np.ndarray]:
    """Token sequences saved by `save_token_data`."""
    data = np.load(path)
    flat, lengths = data["flat"].astype(np.int64), data["lengths"]
    return np.split(flat, np.cumsum(lengths)[:-1])


def make_batches(seqs: list[np.ndarray], batch_tokens: int, max_batch: int,
                 rng: random.Random, long_from: int = 0,
                 long_weight: float = 1.0) -> list[list[int]]:
    """Length-bucketed batches of indices (similar lengths together), in shuffled order.

    With `long_weight` > 1, each sequence of at least `long_from` tokens appears that many
    times per pass on average (the integer part always, the rest by chance), so long sentences
    get a larger share of the batches.
    """
    order = list(range(len(seqs)))
    if long_weight != 1.0 and long_from > 0:
        order = _weighted_order(seqs, long_from, long_weight, rng)
    rng.shuffle(order)
    batches = []
    for start in range(0, len(order), 100 * max_batch):
        chunk = sorted(order[start:start + 100 * max_batch], key=lambda i: len(seqs[i]))
        cur: list[int] = []
        longest = 0
        for i in chunk:
            longest_new = max(longest, len(seqs[i]) + 1)
            if cur and (longest_new * (len(cur) + 1) > batch_tokens or len(cur) >= max_batch):
                batches.append(cur)
                cur, longest_new = [], len(seqs[i]) + 1
            cur.append(i)
            longest = longest_new
        if cur:
            batches.append(cur)
    rng.shuffle(batches)
    return batches


def _weighted_order(seqs: list[np.ndarray], long_from: int, weight: float,
                    rng: random.Random) -> list[int]:
    whole, part = int(weight), weight - int(weight)
    order = []
    for i, s in enumerate(seqs):
        if len(s) < long_from:
            order.append(i)
        else:
            order.extend([i] * (whole + (rng.random() < part)))
    return order


def long_token_share(seqs: list[np.ndarray], long_from: int, long_weight: float = 1.0) -> float:
    """Share of training tokens in sequences of at least `long_from` tokens, after weighting."""
    long = sum(len(s) for s in seqs if len(s) >= long_from) * long_weight
    short = sum(len(s) for s in seqs if len(s) < long_from)
    return long / max(long + short, 1)


def collate(seqs: list[np.ndarray], idx: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Padded ids (batch, longest) and lengths of the sequences `idx`."""
    lengths = torch.tensor([max(len(seqs[i]), 1) for i in idx])
    ids = torch.full((len(idx), int(lengths.max())), PAD_ID, dtype=torch.long)
    for row, i in enumerate(idx):
        ids[row, : len(seqs[i])] = torch.from_numpy(np.asarray(seqs[i], dtype=np.int64))
    return ids, lengths


def local_shuffle(ids: torch.Tensor, lengths: torch.Tensor, window: float,
                  gen: torch.Generator | None = None) -> torch.Tensor:
    """Move each token at most `window` places: sort positions by index + uniform(0, window).

    Padding stays at the end; `window` < 1 leaves the order as it is.
    """
    b, t = ids.shape
    pos = torch.arange(t, device=ids.device, dtype=torch.float)[None, :].expand(b, t)
    key = pos + torch.rand(b, t, device=ids.device, generator=gen) * window
    valid = pos < lengths[:, None]
    key = torch.where(valid, key, pos + t + window)  # padding sorts after every token
    return ids.gather(1, key.argsort(dim=1))


def add_noise(ids: torch.Tensor, lengths: torch.Tensor, drop: float, mask: float,
              gen: torch.Generator | None = None,
              shuffle: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Denoising input: delete tokens with prob `drop`, replace with UNK with prob `mask`, and
    (with `shuffle` > 0) move tokens up to `shuffle` places (`local_shuffle`)."""
    if shuffle > 0:
        ids = local_shuffle(ids, lengths, shuffle, gen)
    b, t = ids.shape
    valid = torch.arange(t, device=ids.device)[None, :] < lengths[:, None]
    r = torch.rand(b, t, device=ids.device, generator=gen)
    keep = valid & (r >= drop)
    keep[:, 0] |= keep.sum(1) == 0
    noisy = torch.where(r < drop + mask, torch.full_like(ids, UNK_ID), ids)
    new_len = keep.sum(1)
    pos = keep.long().cumsum(1) - 1
    out = torch.full_like(ids, PAD_ID)
    rows = torch.arange(b, device=ids.device)[:, None].expand(b, t)
    out[rows[keep], pos[keep]] = noisy[keep]
    return out, new_len


def prepare_data(corpus: Path | None, data: Path | None, tok: Tokenizer, max_tokens: int,
                 dev_size: int, exclude: list[Path], out: Path,
                 ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Token sequences split into (dev, train) by a hash of each sentence (or of its ids).

    Reads the corpus text (writing the dev sentences to `out/dev.txt`) or pre-tokenised `data`.
    """
    excluded = load_exclusions(exclude)
    if data is not None:
        seqs = load_token_data(Path(data))
        texts = None
    else:
        if corpus is None:
            raise ValueError("give a corpus file (--corpus) or token data (--data)")
        texts, counts = read_corpus(Path(corpus), excluded)
        seqs = tokenize_corpus(texts, tok, max_tokens, counts)
        print(corpus_report(corpus, len(texts), counts, max_tokens))
    if texts is not None:
        dev_mask = [is_dev(t) for t in texts]
    else:
        dev_mask = [is_dev(s.astype(np.int32).tobytes().hex()) for s in seqs]
    dev_seqs = [s for s, d in zip(seqs, dev_mask) if d][:dev_size]
    train_seqs = [s for s, d in zip(seqs, dev_mask) if not d and len(s) > 0]
    if texts is not None:
        dev_texts = [t for t, d in zip(texts, dev_mask) if d][:dev_size]
        write_text_atomic(out / "dev.txt", "\n".join(dev_texts) + "\n")
    if not train_seqs:
        raise ValueError("the corpus has no training sentences")
    return dev_seqs or train_seqs[:100], train_seqs


def corpus_report(corpus, kept: int, counts: dict, max_tokens: int) -> str:
    """One line: how many corpus lines were kept, dropped (by reason) and cut."""
    dropped = [f"{counts[k]} {k}" for k in DROP_REASONS if counts.get(k)]
    line = f"corpus {corpus}: {kept} lines kept"
    if dropped:
        line += f"; dropped {sum(counts[k] for k in DROP_REASONS)} ({', '.join(dropped)})"
    if counts.get("cut"):
        line += f"; {counts['cut']} cut to {max_tokens - 1} tokens"
    return line
