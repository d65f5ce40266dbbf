"""A picture of the map of meanings for slides and notebooks (matplotlib, an optional extra:
`pip install 'textlatent[plot]'`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .atomic import atomic_write

FORMATS = (".svg", ".png")


def check_target(path: str | Path) -> Path:
    """`path` if a picture can be written there (an existing folder, .svg or .png), else
    ValueError; and matplotlib must be installed."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"-o must name a .svg or .png file, not {path.name!r}")
    if not path.parent.is_dir():
        raise ValueError(f"folder not found for -o: {path.parent}")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ValueError("writing a picture needs matplotlib: pip install 'textlatent[plot]'") \
            from None
    return path


def plot_map(path: str | Path, background: np.ndarray, points: np.ndarray,
             labels: Sequence[str], title: str) -> Path:
    """Write the map: the index sentences as faint dots, `points` labelled on top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = check_target(path)
    fig, ax = plt.subplots(figsize=(8, 6), dpi=120)
    bg = np.asarray(background, np.float32)
    ax.scatter(bg[:, 0], bg[:, 1], s=1, c="0.8", linewidths=0, rasterized=True)
    pts = np.asarray(points, np.float32).reshape(-1, 2)
    ax.scatter(pts[:, 0], pts[:, 1], s=18, c="black", zorder=3)
    for (x, y), label in zip(pts, labels):
        ax.annotate(label if len(label) <= 40 else label[:39] + "…", (x, y), fontsize=7,
                    xytext=(4, 3), textcoords="offset points", zorder=4)
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_aspect("equal", adjustable="datalim")
    fig.tight_layout()
    try:
        atomic_write(path, lambda tmp: fig.savefig(tmp, format=path.suffix[1:].lower()))
    finally:
        plt.close(fig)
    return path
