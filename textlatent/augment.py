"""Data augmentation: K variations of every line of a text file, streamed to JSON lines.

Each non-empty input line i gives exactly K rows `{"source", "text", "cos", "fidelity"}`, where
cos is the cosine between the source's latent and the variation's decoded text's latent; a row
whose text is the source itself also has `"same_as_source": true` (and `--json` counts them).
A line made only of control, format or zero-width characters (nothing a model can encode) gives
one row `{"source", "line", "skipped"}` instead. The variations of line i are drawn from a generator
seeded with (seed, i), so a line's rows do not depend on where a run started. Input is read
lazily and output written one batch at a time (flushed), so memory stays flat.

What identifies the job (input file, K, radius, seed, decode and model) is kept beside the
output in `OUT.job.json`. A rerun of the same job continues after the last whole input line
already written (a partial row or group left by a kill is cut off first); any other rerun, or
an output with no job record, is refused and left as it is. While a run writes, `OUT.lock`
holds it: a second run on the same output is refused with the holder's pid and host.

`shard=(K, N)` does only the K-th of N contiguous slices of the input lines (`shard_range`),
so N processes or machines can share a file; their outputs concatenated in order K = 1..N
equal the one-process output, since no row depends on its batch or on where a run started.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

import numpy as np

from .atomic import write_text_atomic
from .decode_spec import DecodeSpec, decode
from .lockfile import hold
from .transforms import VARY_RADIUS, around

SKIPPED = "nothing but whitespace, control or zero-width characters: nothing to vary"
JOB_FIELDS = ("input", "n", "radius", "seed", "decode", "shard", "model")
_OPTION = {"input": "input file", "n": "-n", "radius": "--radius", "seed": "--seed",
           "decode": "--decode", "shard": "--shard", "model": "--model"}


def blank(text: str) -> bool:
    """Nothing a model can encode: only whitespace, control and format characters."""
    return all(unicodedata.category(c) in ("Cc", "Cf", "Zs", "Zl", "Zp") for c in text)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, stripped text) of non-empty lines, lazily; ValueError names a line that
    is not UTF-8."""
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError:
                raise ValueError(f"{path} line {number} is not UTF-8 text") from None
            if line:
                yield number, line


def count_lines(path: Path) -> int:
    """Non-empty lines of the input (one streaming pass; also checks it is UTF-8)."""
    return sum(1 for _ in _lines(path))


def job_path(output: Path) -> Path:
    """The job record kept beside an augment output."""
    return output.with_name(output.name + ".job.json")


def _rows(output: Path) -> Iterator[tuple[str, bool, int]]:
    """(source, skipped, bytes so far) of each complete row of an augment output; a partial
    last row (from a kill) is left out."""
    keep = 0
    with open(output, "rb") as f:
        for number, raw in enumerate(f, 1):
            if not raw.endswith(b"\n"):
                return
            try:
                row = json.loads(raw)
                source = row["source"]
                if not isinstance(source, str):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                raise ValueError(f"{output} is not output of `textlatent augment` "
                                 f"(row {number} is not one of its rows)") from None
            keep += len(raw)
            yield source, "skipped" in row, keep


def resume_point(output: Path, input_path: Path, k: int,
                 lines: tuple[int, int] | None = None) -> tuple[int, int]:
    """(input lines already in `output`, byte length of their rows).

    Each input line (of the slice `lines` = [first, stop) of line indices, default all) must
    have its k rows (one for a skipped line) in input order; rows after the last complete
    group (a kill mid-write) are to be dropped. ValueError otherwise."""
    if not output.exists():
        return 0, 0
    done = keep = 0
    rows = _rows(output)
    first, stop = lines if lines is not None else (0, None)
    for number, line in islice(_lines(input_path), first, stop):
        need = 1 if blank(line) else k
        group = list(islice(rows, need))
        if len(group) < need:
            return done, keep
        if any(source != line or skipped != (need == 1 and blank(line))
               for source, skipped, _ in group):
            raise ValueError(f"{output} does not continue {input_path} with {k} rows per line "
                             f"(input line {number} differs)")
        done, keep = done + 1, group[-1][2]
    if next(rows, None) is not None:
        raise ValueError(f"{output} has more rows than {input_path} makes")
    return done, keep


def _job(input_path: Path, k: int, radius: float, seed: int, spec: DecodeSpec,
         shard: tuple[int, int] | None) -> dict:
    settings = {k: v for k, v in dataclasses.asdict(spec).items() if v is not None}
    job = {"command": "textlatent augment", "input": str(input_path.resolve()), "n": k,
           "radius": float(radius), "seed": int(seed), "decode": settings}
    if shard is not None:
        job["shard"] = f"{shard[0]}/{shard[1]}"
    return job


def _shown(value: object) -> str:
    """A job field as the refusal shows it (a decode's settings as `how, k=v, ...`)."""
    if isinstance(value, dict):
        return ", ".join([str(value.get("how"))] + [f"{k}={v}" for k, v in value.items()
                                                     if k != "how"])
    return str(value)


def check_job(output: Path, job: dict) -> bool:
    """Whether `output` holds rows of a job; ValueError if they belong to another job (or to
    none that is recorded). The fields of `job` that are present are compared."""
    if not output.exists() or output.stat().st_size == 0:
        return False
    record = job_path(output)
    try:
        old = json.loads(record.read_text(encoding="utf-8"))
        if not isinstance(old, dict) or old.get("command") != "textlatent augment":
            raise ValueError
    except FileNotFoundError:
        raise ValueError(f"{output} is not output of `textlatent augment` (it has no job "
                         f"record {record.name}); write to another file or remove it") from None
    except (OSError, ValueError):
        raise ValueError(f"{record} is not an augment job record; write to another file or "
                         f"remove {output}") from None
    for name in JOB_FIELDS:
        if name in job and old.get(name) != job[name]:
            raise ValueError(f"{output} holds another job ({_OPTION[name]} "
                             f"{_shown(old.get(name))}, not {_shown(job[name])}): rerun "
                             f"with the same input, -n, --radius, --seed, --decode and "
                             f"--model to continue it, or write to another file")
    return True


_TEXT_INDEX = re.compile(r"^text (\d+)\b")


def _at_line(message: str, numbers: list[int], input_path: Path) -> str:
    """'text 3 ...' (an index in a batch) -> '<input> line 17 ...'."""
    m = _TEXT_INDEX.match(message)
    if not m or int(m.group(1)) >= len(numbers):
        return message
    return f"{input_path} line {numbers[int(m.group(1))]}{message[m.end():]}"


def augment(input_path: Path, output: Path, k: int, radius: float = VARY_RADIUS,
            seed: int = 0, spec: DecodeSpec | None = None, batch: int = 64,
            load: Callable[[], object] | None = None, model=None,
            progress: bool = True, shard: tuple[int, int] | None = None) -> dict:
    """Write k variations per input line (of shard `shard` = (K, N), default all lines) to
    `output`, decoded as `spec` says (default: verified); returns counts for this run."""
    if input_path.is_dir():
        raise ValueError(f"the input is a folder, not a text file: {input_path}")
    if not input_path.is_file():
        raise ValueError(f"input file not found: {input_path}")
    if output.exists() and not output.is_file():
        raise ValueError(f"output is not a file: {output}")
    if not output.parent.is_dir():
        raise ValueError(f"output folder not found: {output.parent}")
    lines = shard_range(count_lines(input_path), shard)
    spec = spec or DecodeSpec(how="verified")
    job = _job(input_path, k, radius, seed, spec, shard)
    with hold(output, "augment run"):
        resuming = check_job(output, job)
        done, keep = resume_point(output, input_path, k, lines) if resuming else (0, 0)
        model = model if model is not None else load()
        job["model"] = str(model.name)
        if resuming:
            check_job(output, job)
        else:
            write_text_atomic(job_path(output), json.dumps(job, ensure_ascii=False) + "\n")
        stats = _write(input_path, output, model, job, spec, lines, done, keep, batch,
                       progress)
    if shard is not None:
        stats.update(shard=job["shard"], first_line=lines[0] + 1)
    return stats


def _write(input_path: Path, output: Path, model, job: dict, spec: DecodeSpec,
           lines: tuple[int, int], done: int, keep: int, batch: int, progress: bool) -> dict:
    from tqdm import tqdm

    from .fidelity import fidelity_of

    k, radius, seed = job["n"], job["radius"], job["seed"]
    first, stop = lines
    total = stop - first
    written = skipped = same = 0
    bar = tqdm(total=total, initial=done, unit="line", disable=not progress, desc="augment",
               file=None)
    with open(output, "r+b" if output.exists() else "wb") as out:
        out.truncate(keep)
        out.seek(keep)
        pending: list[tuple[int, int, str]] = []

        def encode(texts: list[str], numbers: list[int]) -> np.ndarray:
            """Encode a batch; a warning or error about "text i" names its input line."""
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    z = model.encode(texts)
            except ValueError as exc:
                raise ValueError(_at_line(str(exc), numbers, input_path)) from None
            for w in caught:
                warnings.warn(w.category(_at_line(str(w.message), numbers, input_path)),
                              stacklevel=2)
            return z

        def flush() -> None:
            nonlocal written, skipped, same
            rows = []
            todo = [(i, n, s) for i, n, s in pending if not blank(s)]
            decoded: dict[int, list] = {}
            if todo:
                texts = [s for _, _, s in todo]
                src = encode(texts, [n for _, n, _ in todo])
                z = np.concatenate([around(z0, radius, k, np.random.default_rng([seed, i]))
                                    for (i, _, _), z0 in zip(todo, src)])
                found = decode(model, z, spec, "none")
                cos = fidelity_of(model, np.repeat(src, k, axis=0), found)
                for j, (i, _, _) in enumerate(todo):
                    decoded[i] = [(found[j * k + m], cos[j * k + m]) for m in range(k)]
            for i, number, text in pending:
                if i not in decoded:
                    rows.append({"source": text, "line": number, "skipped": SKIPPED})
                    skipped += 1
                    continue
                for d, c in decoded[i]:
                    row = {"source": text, "text": d.text, "cos": round(float(c), 6),
                           "fidelity": round(d.fidelity, 6)}
                    if d.text.strip() == text:
                        row["same_as_source"] = True
                        same += 1
                    rows.append(row)
            out.write("".join(json.dumps(r, ensure_ascii=False) + "\n"
                              for r in rows).encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
            written += len(rows)
            bar.update(len(pending))
            pending.clear()

        for i, (number, line) in enumerate(islice(_lines(input_path), stop)):
            if i < first + done:
                continue
            pending.append((i, number, line))
            if len(pending) >= batch:
                flush()
        if pending:
            flush()
    bar.close()
    return {"lines": total, "lines_done": total, "lines_skipped": done, "rows_written": written,
            "lines_unusable": skipped, "rows_same_as_source": same}


def parse_shard(text: str) -> tuple[int, int]:
    """'K/N' (1 <= K <= N <= 4096) -> (K, N); ValueError otherwise."""
    k, sep, n = text.partition("/")
    if not (sep and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n) <= 4096):
        raise ValueError(f"shard must be K/N with 1 <= K <= N <= 4096, got {text!r}")
    return int(k), int(n)


def shard_range(total: int, shard: tuple[int, int] | None) -> tuple[int, int]:
    """Line indices [first, stop) of shard (K, N) of `total` lines: the K-th of N contiguous
    slices whose sizes differ by at most one; (0, total) for no shard."""
    if shard is None:
        return 0, total
    k, n = shard
    if not 1 <= k <= n:
        raise ValueError(f"shard {k}/{n}: K must be between 1 and N")
    return (k - 1) * total // n, k * total // n
