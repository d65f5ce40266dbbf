"""Decode a path a few rows at a time, so a slow model shows its rows as they come (no Textual).

The rows get the library's default decode for a path (`textlatent.fidelity.decode_path`): its
two ends, when they are sentences' encodings, the correcting decode; the points between them
one greedy decode with its fidelity. Each call's size is set from how long a row took in the
call before (the first call: from the previous path, else one row, the current one), so a fast
model decodes the path in one batched call and a slow one fills it in a row or a few at a time,
nearest the slider first, checking between calls whether the path is still wanted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from textlatent.fidelity import DEFAULT, PATH_MIDDLE, Budget, Decoded, decode_verified

if TYPE_CHECKING:
    from textlatent.backends.base import TextAutoencoder

UPDATE_S = 0.25  # aim to show new rows about this often
# warnings.catch_warnings swaps process-wide state, and the fidelity check re-encodes under it:
# the app's threads take this lock around any work that does, so one never sees another's
# warnings (a sentence must not look truncated because a path's decode was).
WARNINGS_LOCK = threading.Lock()


def path_budgets(n: int, sentence_ends: bool = True) -> list[Budget]:
    """Each row's decode budget: the ends corrected when they are sentences, the rest greedy."""
    budgets = [PATH_MIDDLE] * n
    if sentence_ends and n:
        budgets[0] = budgets[-1] = DEFAULT
    return budgets


def nearest(pending: list[int], current: int, size: int) -> list[int]:
    """The `size` pending rows nearest to `current` (the lower row first on a tie)."""
    return sorted(pending, key=lambda i: (abs(i - current), i))[:max(1, size)]


def decode_rows(model: TextAutoencoder, path: np.ndarray, budgets: list[Budget],
                rows: list[int]) -> dict[int, Decoded]:
    """Decode some rows of a path: one batched call per budget among them."""
    out: dict[int, Decoded] = {}
    for budget in dict.fromkeys(budgets[i] for i in rows):
        group = [i for i in rows if budgets[i] == budget]
        out.update(zip(group, decode_verified(model, path[group], budget)))
    return out


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
            decoded = decode_rows(model, path, budgets, rows)
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
