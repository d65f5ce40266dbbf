"""The learning curve of a run as a small standalone SVG: training loss and dev exact match
against tokens seen, read from the run's `log.jsonl`. No plotting library needed.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..atomic import write_text_atomic

W, H, PAD = 640, 320, 48


def read_log(path: Path) -> list[dict]:
    """The rows of a `log.jsonl` (a half-written last line is skipped)."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows


def _polyline(xs: list[float], ys: list[float], x_max: float, y_max: float, colour: str,
              dash: str = "") -> str:
    pts = " ".join(f"{PAD + (W - 2 * PAD) * x / x_max:.1f},"
                   f"{H - PAD - (H - 2 * PAD) * y / y_max:.1f}" for x, y in zip(xs, ys))
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"{extra}/>'
            + "".join(f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2.5" '
                      f'fill="{colour}"/>' for p in pts.split()))


def learning_curve_svg(rows: list[dict], title: str) -> str:
    """Loss (left axis, solid) and dev exact match (right axis 0-1, dashed) per tokens seen."""
    rows = [r for r in rows if r.get("loss") is not None]
    x_max = max([r["tokens_seen"] for r in rows] + [1]) / 1e6
    loss_max = max([r["loss"] for r in rows] + [1e-9]) * 1.05
    xs = [r["tokens_seen"] / 1e6 for r in rows]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
             f'font-family="sans-serif" font-size="12">',
             f'<rect width="{W}" height="{H}" fill="white"/>',
             f'<text x="{W / 2}" y="18" text-anchor="middle">{title}</text>',
             f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="black"/>',
             f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{H - PAD}" stroke="black"/>',
             f'<line x1="{W - PAD}" y1="{PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="black"/>',
             f'<text x="{W / 2}" y="{H - 10}" text-anchor="middle">million tokens seen '
             f'(0-{x_max:.1f})</text>',
             f'<text x="8" y="{PAD - 8}" fill="#1f5fa8">loss (0-{loss_max:.2f})</text>',
             f'<text x="{W - 8}" y="{PAD - 8}" text-anchor="end" fill="#b8500b">'
             f'dev exact (0-1)</text>']
    if rows:
        parts.append(_polyline(xs, [r["loss"] for r in rows], x_max, loss_max, "#1f5fa8"))
        exact = [(x, r["dev_exact"]) for x, r in zip(xs, rows) if "dev_exact" in r]
        if exact:
            parts.append(_polyline([e[0] for e in exact], [e[1] for e in exact], x_max, 1.0,
                                   "#b8500b", "6,4"))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write_learning_curve(log: Path, out: Path, title: str) -> Path:
    """Write the SVG learning curve of the run whose log is `log` to `out`."""
    write_text_atomic(Path(out), learning_curve_svg(read_log(log), title))
    return Path(out)
