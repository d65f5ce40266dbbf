"""Decode a path a few rows at a time, so a slow model shows its rows as they come (no Textual).

Each row gets the budget the decode request gives it (`textlatent.decode_spec`; by default a
path's two ends, when they are sentences' encodings, the correcting decode and the points
between them one greedy decode with its fidelity, as `textlatent.fidelity.decode_path`).
Each call's size is set from how long a row took in the call before (the first call: from the
previous path, else one row, the current one), so a fast model decodes the path in one batched
call and a slow one fills it in a row or a few at a time, nearest the slider first, checking
between calls whether the path is still wanted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from textlatent.fidelity import Budget, Decoded, decode_budgeted, path_budgets

if TYPE_CHECKING:
    from textlatent.backends.base import TextAutoencoder

UPDATE_S = 0.25  # aim to show new rows about this often
# warnings.catch_warnings swaps process-wide state, and the fidelity check re-encodes under it:
# the app's threads take this lock around any work that does, so one never sees another's
# warnings (a sentence must not look truncated because a path's decode was).
WARNINGS_LOCK = threading.Lock()


def nearest(pending: list[int], current: int, size: int) -> list[int]:
    """The `size` pending rows nearest to `current` (the lower row first on a tie)."""
    return sorted(pending, key=lambda i: (abs(i - current), i))[:max(1, size)]


def decode_progressively(model: TextAutoencoder, path: np.ndarray, *,
                         emit: Callable[[dict[int, Decoded]], None],
                         current: Callable[[], int] = lambda: 0,
                         cancelled: Callable[[], bool] = lambda: False,
                         budgets: list[Budget] | None = None,
                         update_s: float = UPDATE_S,
                         row_seconds: float | None = None) -> float | None:
    """Decode every row of `path`, passing each batch of results to `emit` as it is done.

    `row_seconds`: what a row took last time (None: unknown, so the first call is one row).
    Returns what a row took in the last call, for the next path; None if `cancelled()` turned
    true first (checked before every call).
    """
    path = np.asarray(path)
    budgets = path_budgets(len(path)) if budgets is None else budgets
    if len(budgets) != len(path):
        raise ValueError(f"{len(budgets)} budgets for {len(path)} rows")
    pending = list(range(len(path)))
    size = batch_size(row_seconds, update_s, len(pending))
    per_row = row_seconds
    while pending:
        if cancelled():
            return None
        rows = nearest(pending, current(), size)
        start = time.monotonic()
        with WARNINGS_LOCK:
            decoded = decode_budgeted(model, path, budgets, rows)
        per_row = (time.monotonic() - start) / len(rows)
        emit(decoded)
        pending = [i for i in pending if i not in rows]
        size = batch_size(per_row, update_s, len(pending))
    return per_row


def batch_size(row_seconds: float | None, update_s: float, rows: int) -> int:
    """Rows to decode in one call so that it takes about `update_s` (one row when unknown)."""
    if row_seconds is None:
        return 1
    if row_seconds <= 0:
        return max(1, rows)
    return max(1, min(rows, int(update_s / row_seconds)))
