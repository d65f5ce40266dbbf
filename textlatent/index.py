"""Nearest real sentences: a small saved index of corpus latents, searched by exact cosine.

`index.npz` (no pickles) holds the sentences (UTF-8 bytes + offsets), their latents as float16
— either full (D) or projected on the top `dims` principal directions of the (uncentred)
latents, with the projection `basis` (dims, D) — and the model name. A projected index ranks
candidates in the projection; `search(..., model=...)` then re-encodes the best few and reports
their exact cosines.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .atomic import write_npz_atomic
from .latent import normalize

INDEX_FILE = "index.npz"
RERANK = 64
"""Candidates re-encoded per query when a projected index is searched with a model."""


@dataclass(frozen=True)
class Neighbor:
    text: str
    cos: float
    row: int

    def to_dict(self) -> dict:
        return {"text": self.text, "cos": round(self.cos, 6)}


class SentenceIndex:
    """Sentences and their (possibly projected) latents."""

    def __init__(self, texts: Sequence[str], latents: np.ndarray,
                 basis: np.ndarray | None = None, model: str = ""):
        latents = np.asarray(latents)
        if latents.ndim != 2 or len(latents) != len(texts):
            raise ValueError(f"{len(texts)} sentences for latents of shape {latents.shape}")
        if basis is not None and (basis.ndim != 2 or basis.shape[0] != latents.shape[1]):
            raise ValueError("the projection basis does not match the latents")
        self.texts = list(texts)
        self.latents = latents
        self.basis = basis
        self.model = model
        self._bank: np.ndarray | None = None

    @property
    def dim(self) -> int:
        """Size of the latents the index is queried with."""
        return int(self.basis.shape[1] if self.basis is not None else self.latents.shape[1])

    def __len__(self) -> int:
        return len(self.texts)

    def scores(self, query: np.ndarray) -> np.ndarray:
        """Cosines (m, n) of unit query latents (m, D) to every sentence (projected ones for
        a projected index)."""
        return self._scores(normalize(np.atleast_2d(np.asarray(query, np.float32))))

    def _scores(self, z: np.ndarray) -> np.ndarray:
        q = z if self.basis is None else z @ self.basis.T
        if self._bank is None:  # float32 once: matrix products on float16 are slow in numpy
            self._bank = self.latents.astype(np.float32)
        return (self._bank @ q.T.astype(np.float32)).T

    def search(self, query: np.ndarray, k: int = 5, model=None) -> list[list[Neighbor]]:
        """The k nearest sentences of each query latent (m, D) or (D,), best first.

        With a projected index and a `model`, the best RERANK candidates are re-encoded and
        ranked by their exact cosine; otherwise the cosine is the index's own (projected).
        """
        if not 1 <= k <= len(self):
            raise ValueError(f"k must be between 1 and {len(self)}")
        z = normalize(np.atleast_2d(np.asarray(query, np.float32)))
        if z.shape[1] != self.dim:
            raise ValueError(f"the index holds {self.dim}-dimensional latents, the query has "
                             f"{z.shape[1]}")
        scores = self._scores(z)
        exact = self.basis is None or model is None
        width = k if exact else min(len(self), max(RERANK, k))
        out = []
        for row, s in zip(z, scores):
            top = np.argpartition(-s, width - 1)[:width]
            if exact:
                sims = s[top]
            else:
                enc = model.encode([self.texts[i] for i in top])
                sims = enc @ row
            order = np.argsort(-sims, kind="stable")[:k]
            out.append([Neighbor(self.texts[top[i]], float(sims[i]), int(top[i]))
                        for i in order])
        return out


def sample_lines(path: str | Path, n: int, seed: int = 0, max_words: int = 30) -> list[str]:
    """n distinct non-empty lines of at most `max_words` words, chosen at random (seeded),
    in file order."""
    seen: set[str] = set()
    lines: list[str] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and line not in seen and len(line.split()) <= max_words:
                seen.add(line)
                lines.append(line)
    if not lines:
        raise ValueError(f"no sentences in {path}")
    if n >= len(lines):
        return lines
    pick = sorted(random.Random(seed).sample(range(len(lines)), n))
    return [lines[i] for i in pick]


def encode_all(model, texts: Sequence[str], batch: int = 2000,
               progress: bool = False) -> np.ndarray:
    """Latents (n, D) of many texts, in batches (with a progress bar on stderr)."""
    from tqdm import tqdm

    chunks = []
    bar = tqdm(total=len(texts), unit="sent", disable=not progress, desc="encoding")
    for start in range(0, len(texts), batch):
        chunks.append(model.encode(list(texts[start:start + batch])))
        bar.update(len(chunks[-1]))
    bar.close()
    return np.concatenate(chunks) if chunks else np.zeros((0, model.dim), np.float32)


def principal_basis(latents: np.ndarray, dims: int, sample: int = 20000,
                    seed: int = 0) -> np.ndarray:
    """Top `dims` right singular vectors (dims, D) of the uncentred latents."""
    z = np.asarray(latents, np.float64)
    if not 1 <= dims <= z.shape[1]:
        raise ValueError(f"dims must be between 1 and {z.shape[1]}")
    if len(z) > sample:
        z = z[np.random.default_rng(seed).choice(len(z), sample, replace=False)]
    _, _, vt = np.linalg.svd(z, full_matrices=False)
    return vt[:dims].astype(np.float32)


def build(texts: Sequence[str], latents: np.ndarray, dims: int | None = None,
          model: str = "") -> SentenceIndex:
    """An index of texts and their latents, projected to `dims` if given (< D)."""
    latents = normalize(np.asarray(latents, np.float32))
    if dims is None or dims >= latents.shape[1]:
        return SentenceIndex(texts, latents.astype(np.float16), None, model)
    basis = principal_basis(latents, dims)
    return SentenceIndex(texts, (latents @ basis.T).astype(np.float16), basis, model)


def _pack(texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    raw = [t.encode("utf-8") for t in texts]
    offsets = np.zeros(len(raw) + 1, np.int64)
    offsets[1:] = np.cumsum([len(r) for r in raw])
    return np.frombuffer(b"".join(raw), np.uint8), offsets


def _unpack(blob: np.ndarray, offsets: np.ndarray) -> list[str]:
    data = blob.tobytes()
    return [data[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:])]


def save(index: SentenceIndex, path: str | Path) -> Path:
    """Write the index to `path` (a file, or a folder for INDEX_FILE) atomically."""
    path = Path(path)
    if path.is_dir():
        path = path / INDEX_FILE
    blob, offsets = _pack(index.texts)
    extra = {} if index.basis is None else {"basis": index.basis.astype(np.float32)}
    write_npz_atomic(path, dict(latents=index.latents.astype(np.float16), text_bytes=blob,
                                text_offsets=offsets, model=np.array(index.model), **extra))
    return path


def load(path: str | Path) -> SentenceIndex:
    """Read an index file, or the one in a folder; FileNotFoundError if there is none."""
    path = Path(path)
    if path.is_dir():
        path = path / INDEX_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no sentence index ({path.name} not found in {path.parent}); "
                                f"build one with `textlatent index build`")
    from .npzfile import read

    f = read(path, "a sentence index", ("latents", "text_bytes", "text_offsets", "model"))
    try:
        basis = np.asarray(f["basis"], np.float32) if "basis" in f else None
        return SentenceIndex(_unpack(f["text_bytes"], f["text_offsets"]),
                             np.asarray(f["latents"]), basis, str(f["model"]))
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not a sentence index: {exc}") from None
