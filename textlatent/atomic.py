"""Atomic file writes: a temporary file beside the target, fsynced, then renamed over it.

A reader (or a process killed half-way) sees either the old file or the new one, never a
mix. The temporary file is ``<name>.tmp`` in the target's folder, so the rename stays on one
file system; it is removed if the write fails. A file that is replaced keeps its permission
bits (a private 0600 file stays private); a new one gets the umask's.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path


def atomic_write(target: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` to fill a temporary file, fsync it and rename it onto ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        if target.is_file():
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(target: Path, text: str) -> None:
    """Atomically write ``text`` (UTF-8) to ``target``."""
    atomic_write(target, lambda p: p.write_text(text, encoding="utf-8"))


def write_bytes_atomic(target: Path, data: bytes) -> None:
    """Atomically write ``data`` to ``target``."""
    atomic_write(target, lambda p: p.write_bytes(data))


def write_npz_atomic(target: Path, arrays: dict, compress: bool = True) -> None:
    """Atomically write numpy arrays (no object arrays) as an .npz file."""
    import numpy as np

    save = np.savez_compressed if compress else np.savez

    def write(path: Path) -> None:
        with open(path, "wb") as fh:  # a file object: numpy adds no ".npz" to the name
            save(fh, **arrays)

    atomic_write(target, write)


def write_lines_atomic(target: Path, lines: Iterable[str]) -> None:
    """Atomically write one line per item of ``lines``, each ended by a newline."""

    def write(path: Path) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line + "\n")

    atomic_write(target, write)
