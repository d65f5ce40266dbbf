"""The distribution lists every package folder, so a wheel carries all of the code."""

from __future__ import annotations

from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_folder_is_listed():
    """Every folder with an __init__.py is in pyproject's list; every listed one exists."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    mapped = {name: ROOT / path for name, path in config.get("package-dir", {}).items()}
    found = set(mapped)
    for top in ("textlatent", "tui"):
        for init in (ROOT / top).rglob("__init__.py"):
            if "__pycache__" not in init.parts:
                found.add(".".join(init.parent.relative_to(ROOT).parts))
    stale = {name for name in listed
             if not mapped.get(name, ROOT.joinpath(*name.split("."))).is_dir()}
    assert not found - listed, f"package folders missing from pyproject: {sorted(found - listed)}"
    assert not stale, f"pyproject lists folders that do not exist: {sorted(stale)}"
