"""Helpers shared by test modules."""

from __future__ import annotations

from textlatent.cli import main


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the command line in-process -> (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
