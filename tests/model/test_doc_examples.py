"""Every checked example in the docs comes out of the command as written.

A checked example is a fenced block on the line after `<!-- checked example -->` in README.md,
docs/*.md or the model card. In it, a line `$ textlatent ...` is a command; the lines after it,
up to the next command, are pieces of its output, in order: each must match one output line
("…" stands for any text within that line). Lines starting with "#" are comments. The commands
run with the shipped model, in the repository root, with an empty user data folder.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]
MARK = "<!-- checked example -->"
FENCE = re.compile(r"^(```+|~~~+)")


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
            ROOT / "textlatent" / "models" / "builtin" / "MODEL_CARD.md"]


def parse(text: str) -> list[tuple[int, str, list[str]]]:
    """(line number, command, expected output pieces) of every checked example in `text`."""
    lines = text.splitlines()
    found: list[tuple[int, str, list[str]]] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != MARK:
            i += 1
            continue
        fence = FENCE.match(lines[i + 1].strip()) if i + 1 < len(lines) else None
        if fence is None:
            raise ValueError(f"line {i + 1}: {MARK} is not followed by a fenced block")
        i += 2
        while i < len(lines) and not lines[i].strip().startswith(fence.group(1)):
            line = lines[i].rstrip()
            if line.startswith("$ "):
                found.append((i + 1, line[2:].strip(), []))
            elif line.strip() and not line.lstrip().startswith("#"):
                if not found:
                    raise ValueError(f"line {i + 1}: output before any command")
                found[-1][2].append(line.strip())
            i += 1
    return found


def examples() -> list:
    out = []
    for path in doc_files():
        if path.is_file():
            for number, command, expected in parse(path.read_text(encoding="utf-8")):
                out.append(pytest.param(command, expected,
                                        id=f"{path.relative_to(ROOT)}:{number}"))
    return out


def matches(piece: str, line: str) -> bool:
    """Whether `line` holds the parts of `piece` (split on "…", trimmed) in order."""
    at = 0
    for part in (p.strip() for p in piece.split("…")):
        found = line.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return True


def test_the_docs_hold_checked_examples():
    assert len(examples()) >= 5


def test_the_parser_reads_commands_and_output():
    text = f"x\n{MARK}\n```\n# a comment\n$ textlatent vary \"A b.\" -n 2\n  cos …  A c.\n" \
           f"$ textlatent sample\nfid …\n```\n$ textlatent not checked\n"
    assert parse(text) == [(5, 'textlatent vary "A b." -n 2', ["cos …  A c."]),
                           (7, "textlatent sample", ["fid …"])]
    assert matches("cos …  A c.", "  cos 0.900  fid 0.7  A c.")
    assert not matches("cos …  A d.", "  cos 0.900  fid 0.7  A c.")


@pytest.mark.slow
@pytest.mark.parametrize("command, expected", examples())
def test_a_checked_example_gives_its_quoted_output(capsys, monkeypatch, tmp_path, command,
                                                   expected):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("TEXTLATENT_DATA_DIR", str(tmp_path / "user"))
    argv = shlex.split(command)
    assert argv[0] == "textlatent", command
    code, out, err = run_cli(capsys, *argv[1:])
    assert code == 0, err
    lines = out.splitlines()
    at = 0
    for piece in expected:
        while at < len(lines) and not matches(piece, lines[at]):
            at += 1
        assert at < len(lines), f"{piece!r} is not in the output of {command}:\n{out}"
        at += 1
