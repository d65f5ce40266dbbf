"""The one atomic-write helper: whole new file or the old one, never a temp file left over."""

from __future__ import annotations

import os
import stat

import pytest

from textlatent.atomic import atomic_write, write_lines_atomic, write_text_atomic


def test_writes_and_replaces(tmp_path):
    target = tmp_path / "sub" / "f.txt"
    write_text_atomic(target, "one\n")
    write_lines_atomic(target, ["a", "b"])
    assert target.read_text() == "a\nb\n"
    assert [p.name for p in target.parent.iterdir()] == ["f.txt"]


def test_a_failed_write_keeps_the_old_file_and_no_temp_file(tmp_path):
    target = tmp_path / "f.txt"
    write_text_atomic(target, "old\n")

    def half_then_fail(path):
        path.write_text("new, half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, half_then_fail)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_a_replaced_file_keeps_its_permissions(tmp_path, mode):
    target = tmp_path / "notes.txt"
    target.write_text("old")
    target.chmod(mode)
    write_text_atomic(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == mode


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_new_file_gets_the_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        write_text_atomic(tmp_path / "fresh.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "fresh.txt").stat().st_mode) == 0o640
