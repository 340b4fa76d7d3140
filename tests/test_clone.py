"""The staging copy is a reflink where the filesystem makes one, else a byte copy; either way the copy
holds the same bytes."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from pipelines import warehouse
from pipelines.warehouse import clone, staging


def test_the_copy_holds_the_same_bytes(tmp_path: Path) -> None:
    src, dst = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    data = os.urandom(3 * 1024 * 1024 + 17)
    src.write_bytes(data)
    dst.write_bytes(b"an older, longer file" * 1_000_000)
    assert isinstance(clone.copy_file(src, dst), bool)  # a reflink on XFS or btrfs, bytes on ext4
    assert dst.read_bytes() == data


def test_where_the_filesystem_refuses_a_reflink_the_bytes_are_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: Any) -> None:
        raise OSError(errno.EOPNOTSUPP, "Operation not supported")

    monkeypatch.setattr(clone.fcntl, "ioctl", refuse)
    src, dst = tmp_path / "a", tmp_path / "b"
    src.write_bytes(b"warehouse" * 1000)
    assert clone.copy_file(src, dst) is False
    assert dst.read_bytes() == src.read_bytes()


def test_a_reflink_is_not_copied_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, int]] = []

    def reflink(fd: int, request: int, arg: int) -> int:
        assert request == clone.FICLONE
        calls.append((fd, arg))
        os.write(fd, os.pread(arg, os.fstat(arg).st_size, 0))  # what the kernel's clone leaves in the file
        return 0

    def no_copy(*_: Any) -> None:
        raise AssertionError("copied byte by byte after a reflink")

    monkeypatch.setattr(clone.fcntl, "ioctl", reflink)
    monkeypatch.setattr(clone.shutil, "copyfile", no_copy)
    published = tmp_path / "wh.duckdb"
    con = warehouse.connect(published)
    con.execute("CREATE TABLE t AS SELECT 42 AS answer")
    con.close()
    # the nightly staging copy takes the reflink: the copy of the published file is the clone
    path = staging.prepare(published, "run-1", is_live=lambda _: False)
    try:
        assert len(calls) == 1
        con = warehouse.connect(path, read_only=True)
        try:
            assert con.execute("SELECT answer FROM t").fetchall() == [(42,)]
        finally:
            con.close()
    finally:
        staging.discard(published)
