"""The `textlatent` command: encode, decode, reconstruct, blend, eval, bench, corpus build,
train-tokenizer, train, the transform commands and tui (the default).

`common` holds what every command shares; each other module is one family of commands and
registers its subcommands with `register(sub)`. Modules that import torch are imported inside
the handlers, so `--help` and `--version` stay fast. Every bad input ends in one
`textlatent: error: ...` line and exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import warnings

from .. import __version__
from . import app, codec, measure, space, training, transforms
from .common import PROG, CliError

__all__ = ["CliError", "build_parser", "main"]

FAMILIES = (codec, measure, training, transforms, space, app)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Encode sentences to latent vectors, blend them, decode them. "
        "With no command, start the terminal app.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--model", metavar="DIR", help="model folder for the app (no command)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for family in FAMILIES:
        family.register(sub)
    return parser


def _message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        return f"{exc.strerror}: {exc.filename}"
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _report_warnings(caught: list[warnings.WarningMessage]) -> None:
    """Truncation warnings become one stderr line; other warnings are shown as usual."""
    cut = [w for w in caught if w.category.__name__ == "TruncationWarning"]
    if len(cut) == 1:
        print(f"{PROG}: warning: {cut[0].message}", file=sys.stderr)
    elif cut:
        print(f"{PROG}: warning: texts longer than the model's token limit were cut "
              f"({len(cut)} times; first: {cut[0].message})", file=sys.stderr)
    for w in caught:
        if w not in cut:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)


def _printable_streams() -> None:
    """On a terminal that is not UTF-8, show what it cannot print as escapes, not an error."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8":
            with contextlib.suppress(AttributeError, ValueError, OSError):
                stream.reconfigure(errors="backslashreplace")


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the exit flush stays quiet."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    _printable_streams()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    handler = getattr(args, "handler", app.cmd_tui)
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            return handler(args)
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except (CliError, ValueError, TypeError, KeyError, OSError) as exc:
        print(f"{PROG}: error: {_message(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("TEXTLATENT_DEBUG"):
            raise
        print(f"{PROG}: error: unexpected {type(exc).__name__}: {_message(exc)} "
              f"(set TEXTLATENT_DEBUG=1 for details)", file=sys.stderr)
        return 1
    finally:
        _report_warnings(caught)
