"""Read a numpy .npz file without pickles, with errors in the project's words.

`read(path, what)` returns every array in the file; a file that is not an .npz archive, is cut
short, holds pickled Python objects or lacks a needed array is a ValueError
`<path> is not <what>: <reason>`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np


def read(path: str | Path, what: str, needs: Iterable[str] = ()) -> dict[str, np.ndarray]:
    """The arrays of an .npz file; ValueError says why it is not `what`."""
    path = Path(path)

    def fail(reason: str) -> ValueError:
        return ValueError(f"{path} is not {what}: {reason}")

    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise fail(exc.strerror or "it cannot be read") from None
    if head not in (b"PK\x03\x04", b"PK\x05\x06"):  # a zip archive (or an empty one)
        raise fail("it is not a numpy .npz archive" if head else "it is empty")
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as f:
            arrays = {name: np.asarray(f[name]) for name in f.files}
    except ValueError as exc:
        if "pickle" in str(exc):
            raise fail("it holds pickled Python objects, which are never loaded") from None
        raise fail(str(exc)) from None
    except (zipfile.BadZipFile, EOFError, OSError):
        raise fail("the archive is damaged or cut short") from None
    missing = [name for name in needs if name not in arrays]
    if missing:
        raise fail(f"it has no {missing[0]!r} array")
    return arrays
