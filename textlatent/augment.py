"""Data augmentation: K variations of every line of a text file, streamed to JSON lines.

Each non-empty input line i gives exactly K rows `{"source", "text", "cos", "fidelity"}`, where
cos is the cosine between the source's latent and the variation's decoded text's latent. The
variations of line i are drawn from a generator seeded with (seed, i), so a line's rows do not
depend on where a run started. Input is read lazily and output written one batch at a time
(flushed), so memory stays flat. A rerun on the same output continues after the last whole
input line already written: a partial row or a partial group of K rows left by a kill is cut
off first; an output that does not continue this input is refused untouched.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from .decode_spec import DecodeSpec, decode
from .fidelity import fidelity
from .transforms import VARY_RADIUS, around


def _lines(path: Path) -> Iterator[str]:
    """Non-empty stripped lines, lazily; ValueError names a line that is not UTF-8."""
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError:
                raise ValueError(f"{path} line {number} is not UTF-8 text") from None
            if line:
                yield line


def count_lines(path: Path) -> int:
    """Non-empty lines of the input (one streaming pass; also checks it is UTF-8)."""
    return sum(1 for _ in _lines(path))


def _sources(output: Path) -> Iterator[tuple[str, int]]:
    """(source, bytes so far) of each complete row of an augment output; a partial last row
    (from a kill) is left out."""
    keep = 0
    with open(output, "rb") as f:
        for number, raw in enumerate(f, 1):
            if not raw.endswith(b"\n"):
                return
            try:
                source = json.loads(raw)["source"]
                if not isinstance(source, str):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                raise ValueError(f"{output} is not output of `textlatent augment` "
                                 f"(row {number} is not one of its rows)") from None
            keep += len(raw)
            yield source, keep


def resume_point(output: Path, input_path: Path, k: int) -> tuple[int, int]:
    """(whole input lines already in `output`, byte length of those rows).

    Every complete group of k rows must repeat one input line, in input order; rows after
    the last complete group (a kill mid-write) are to be dropped. ValueError otherwise."""
    if not output.exists():
        return 0, 0
    done = keep = 0
    lines = _lines(input_path)
    group: list[str] = []
    for source, end in _sources(output):
        group.append(source)
        if len(group) < k:
            continue
        expected = next(lines, None)
        if expected is None or any(s != expected for s in group):
            raise ValueError(f"{output} does not continue {input_path} with {k} rows per line "
                             f"(line {done + 1} differs)")
        done, keep, group = done + 1, end, []
    return done, keep


def augment(input_path: Path, output: Path, k: int, radius: float = VARY_RADIUS,
            seed: int = 0, spec: DecodeSpec | None = None, batch: int = 64,
            load: Callable[[], object] | None = None, model=None,
            progress: bool = True) -> dict:
    """Write k variations per input line to `output`, decoded as `spec` says (default:
    verified); returns counts for this run."""
    from tqdm import tqdm

    if not input_path.is_file():
        raise ValueError(f"input file not found: {input_path}")
    if output.exists() and not output.is_file():
        raise ValueError(f"output is not a file: {output}")
    if not output.parent.is_dir():
        raise ValueError(f"output folder not found: {output.parent}")
    total = count_lines(input_path)
    done, keep = resume_point(output, input_path, k)
    model = model if model is not None else load()
    spec = spec or DecodeSpec(how="verified")
    written = 0
    bar = tqdm(total=total, initial=done, unit="line", disable=not progress, desc="augment",
               file=None)
    with open(output, "r+b" if output.exists() else "wb") as out:
        out.truncate(keep)
        out.seek(keep)
        pending: list[tuple[int, str]] = []

        def flush() -> None:
            nonlocal written
            texts = [s for _, s in pending]
            src = model.encode(texts)
            z = np.concatenate([around(s, radius, k, np.random.default_rng([seed, i]))
                                for (i, _), s in zip(pending, src)])
            decoded = decode(model, z, spec, "none")
            cos = fidelity(model, np.repeat(src, k, axis=0), [d.text for d in decoded])
            rows = []
            for j, d in enumerate(decoded):
                rows.append(json.dumps({"source": texts[j // k], "text": d.text,
                                        "cos": round(float(cos[j]), 6),
                                        "fidelity": round(d.fidelity, 6)},
                                       ensure_ascii=False) + "\n")
            out.write("".join(rows).encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
            written += len(rows)
            bar.update(len(pending))
            pending.clear()

        for i, line in enumerate(_lines(input_path)):
            if i < done:
                continue
            pending.append((i, line))
            if len(pending) >= batch:
                flush()
        if pending:
            flush()
    bar.close()
    return {"lines": total, "lines_done": total, "lines_skipped": done, "rows_written": written}
