"""Jane Austen's novels (apt: r-cran-janeaustenr), read from R's lazy-load database."""

from __future__ import annotations

import gzip
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

from ..text import prose_sentences


class _RReader:
    """Minimal reader for R's XDR serialization (vectors, pairlists, symbols)."""

    def __init__(self, data: bytes) -> None:
        if data[:2] != b"X\n":
            raise ValueError("not an XDR R serialization")
        self.data, self.pos, self.refs = data, 2, []
        version = self.int()
        self.pos += 8
        if version == 3:
            encoding_length = self.int()
            self.pos += encoding_length

    def int(self) -> int:
        value = int.from_bytes(self.data[self.pos : self.pos + 4], "big", signed=True)
        self.pos += 4
        return value

    def length(self) -> int:
        n = self.int()
        return (self.int() << 32) + self.int() if n == -1 else n

    def item(self) -> object:
        flags = self.int()
        kind, has_attr, has_tag = flags & 0xFF, flags & (1 << 9), flags & (1 << 10)
        if kind in (254, 253, 252, 251, 250, 242, 241):
            return None
        if kind == 255:
            return self.refs[(flags >> 8) - 1]
        if kind == 1:
            sym = self.item()
            self.refs.append(sym)
            return sym
        if kind in (2, 6, 239, 240):
            if has_attr:
                self.item()
            tag = self.item() if has_tag else None
            head, tail = self.item(), self.item()
            return [(tag, head)] + (tail if isinstance(tail, list) else [])
        if kind == 9:
            n = self.int()
            if n == -1:
                return None
            text = self.data[self.pos : self.pos + n].decode("utf-8", "replace")
            self.pos += n
            return text
        if kind in (10, 13, 14, 16, 19):
            value = self._vector(kind)
            attrs = dict(self.item()) if has_attr else {}  # type: ignore[arg-type]
            names = attrs.get("names")
            return dict(zip(names, value, strict=True)) if kind == 19 and names else value
        raise ValueError(f"unsupported R type {kind}")

    def _vector(self, kind: int) -> list:
        n = self.length()
        if kind in (16, 19):
            return [self.item() for _ in range(n)]
        fmt = f">{n}d" if kind == 14 else f">{n}i"
        values = list(struct.unpack_from(fmt, self.data, self.pos))
        self.pos += struct.calcsize(fmt)
        return values


def read_r_lazyload(db_stem: Path) -> dict[str, object]:
    """Read all objects of an R lazy-load database (``X.rdx`` index + ``X.rdb`` data)."""
    index = _RReader(gzip.decompress(db_stem.with_suffix(".rdx").read_bytes())).item()
    if not isinstance(index, dict) or not isinstance(index.get("variables"), dict):
        raise ValueError(f"unexpected lazy-load index in {db_stem}")
    blob = db_stem.with_suffix(".rdb").read_bytes()
    out: dict[str, object] = {}
    for name, (offset, size) in index["variables"].items():
        chunk = blob[offset : offset + size]
        out[name] = _RReader(zlib.decompress(chunk[4:])).item()
    return out


def extract_austen(root: Path) -> Iterator[str]:
    """Sentences from the six Jane Austen novels in janeaustenr."""
    stem = root / "usr/lib/R/site-library/janeaustenr/data/Rdata"
    for _name, lines in sorted(read_r_lazyload(stem).items()):
        if isinstance(lines, list):
            yield from prose_sentences(str(x or "") for x in lines)
