"""tui: start the terminal app (the default when no command is given)."""

from __future__ import annotations

import argparse

from .common import CliError, emit_json, int_range, model_options


def cmd_tui(args: argparse.Namespace) -> int:
    """Start the terminal app (imported here, so the library never needs Textual)."""
    try:
        from tui.app import run_app
    except ImportError as exc:
        raise CliError(f"the terminal app is not available: {exc}") from exc
    if getattr(args, "bench", False):
        from tui.startup_bench import measure

        try:
            emit_json(measure(getattr(args, "model", None), runs=args.runs,
                              trust_remote_code=getattr(args, "trust_remote_code", False),
                              allow_download=getattr(args, "allow_download", False)))
        except (RuntimeError, TimeoutError) as exc:
            raise CliError(f"the app benchmark failed: {exc}") from exc
        return 0
    code = run_app(getattr(args, "model", None),
                   trust_remote_code=getattr(args, "trust_remote_code", False),
                   allow_download=getattr(args, "allow_download", False))
    return code if isinstance(code, int) else 0


def register(sub) -> None:
    """Add tui to the subparsers `sub`."""
    p = sub.add_parser("tui", help="start the terminal app (the default)")
    model_options(p)
    p.add_argument("--bench", action="store_true",
                   help="time start-up and slider latency headlessly, print JSON")
    p.add_argument("--runs", type=int_range(1, 50), default=3, help="runs for --bench")
    p.set_defaults(handler=cmd_tui)
