"""An exclusive lock on an output file, held by one process at a time, that says who holds it.

`hold(target)` locks `<target>.lock` (an OS lock: it goes away with the process, so a killed
run leaves no stale lock) and writes the holder's pid, host and start time into it. A second
process asking for the same target gets `OutputBusy`, a ValueError naming the holder.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path


class OutputBusy(ValueError):
    """Another process is writing the same output."""


def lock_path(target: Path) -> Path:
    return target.with_name(target.name + ".lock")


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _holder(path: Path) -> str:
    """'pid 123 on host, since 04:10:02 UTC' from a lock file, or '' if it cannot be read."""
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(float(info["started"])))
        return f"pid {int(info['pid'])} on {info['host']}, since {since}"
    except (OSError, ValueError, KeyError, TypeError):
        return ""


@contextlib.contextmanager
def hold(target: str | Path, what: str = "run") -> Iterator[None]:
    """Hold the lock on `target` for the `with` block; OutputBusy if another process has it."""
    target = Path(target)
    path = lock_path(target)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            os.close(fd)
            holder = _holder(path)
            raise OutputBusy(f"{target} is being written by another {what}"
                             f"{f' ({holder})' if holder else ''}; wait for it to finish or "
                             f"write to another file")
        try:  # the file may have been removed by its last holder between open and lock
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except OSError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(info).encode("utf-8"))
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)
