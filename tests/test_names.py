"""Any file name: bytes that are not UTF-8 are stored as readable text with the bytes kept, the
inbox sensor hashes them, and what the scan will not read (links out of the inbox, broken links) is
named with why; a quarantine row of something unreadable goes once it can be read."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
from conftest import SAMPLES, ingest_files
from dagster import RunRequest
from test_definitions import tick

from pipelines import warehouse
from pipelines.ingest import names, scan
from pipelines.parsing import parse

GBK = "盐都区商务局2019年报.txt".encode("gbk")


def _write(folder: Path, name: bytes, data: bytes) -> None:
    with open(os.fsencode(folder) + b"/" + name, "wb") as f:
        f.write(data)


def test_readable_names() -> None:
    assert names.readable("a/b.txt") == "a/b.txt"
    assert names.readable(os.fsdecode(GBK)) == "盐都区商务局2019年报.txt"
    assert names.readable(os.fsdecode(b"dir/" + GBK)) == "dir/盐都区商务局2019年报.txt"
    assert names.readable(os.fsdecode(b"\xff\xfe.txt")) == "\\xff\\xfe.txt"
    assert names.raw(os.fsdecode(GBK)) == GBK
    assert not names.is_text(os.fsdecode(GBK)) and names.is_text("盐都.txt")


def test_a_gbk_name_and_its_utf8_twin_are_both_kept(tmp_path: Path) -> None:
    _write(tmp_path, GBK, b"one")
    (tmp_path / "盐都区商务局2019年报.txt").write_bytes(b"two")
    con = duckdb.connect()
    try:
        from pipelines.warehouse import schema

        schema.migrate(con)
        plan = scan.plan(con, tmp_path, parser_version=parse.PARSER_VERSION)
    finally:
        con.close()
    stored = sorted((e.name, e.raw_path) for e in plan.entries)
    assert stored[0] == ("盐都区商务局2019年报.txt", None)
    assert stored[1][0].startswith("盐都区商务局2019年报.txt [name bytes ") and stored[1][1] == GBK


def test_the_sensor_fingerprints_any_name(tmp_path: Path) -> None:
    _write(tmp_path, GBK, b"one")
    first, cursor = tick(tmp_path, None)
    assert isinstance(first, RunRequest)
    _write(tmp_path, b"\xff.txt", b"two")
    second, _ = tick(tmp_path, cursor)
    assert isinstance(second, RunRequest) and second.run_key != first.run_key


def test_links_out_of_the_inbox_are_not_followed(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    shutil.copy(SAMPLES / "320903-gov_2025.md", inbox / "report.md")
    os.symlink(inbox / "report.md", inbox / "sub" / "same-report.md")  # inside: followed
    os.symlink(outside / "secret.txt", inbox / "secret.txt")
    os.symlink(outside, inbox / "outside-folder")
    os.symlink(inbox / "missing.txt", inbox / "broken.txt")
    files, problems = scan.walk(inbox)
    assert [p.relative_to(inbox).as_posix() for p in files] == ["report.md", "sub/same-report.md"]
    assert [(p.name, why) for p, why in problems] == [
        ("broken.txt", "broken symbolic link"),
        ("outside-folder", "symbolic link to a folder outside the inbox: not followed"),
        ("secret.txt", "symbolic link to a file outside the inbox: not followed"),
    ]


def test_a_quarantine_row_goes_once_the_file_can_be_read(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    os.symlink(inbox / "later.md", inbox / "report.md")  # broken until later.md arrives
    wh = tmp_path / "wh.duckdb"
    ingest_files(inbox, wh)
    con = warehouse.connect(wh, read_only=True)
    try:
        assert con.execute("SELECT file_name, reason FROM quarantine").fetchall() == [
            ("report.md", "broken symbolic link")
        ]
    finally:
        con.close()
    shutil.copy(SAMPLES / "320903-gov_2025.md", inbox / "later.md")
    ingest_files(inbox, wh)
    con = warehouse.connect(wh, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM quarantine").fetchall() == [(0,)]
        assert sorted(con.execute("SELECT file_name FROM dim_report").fetchall()) == [("later.md",)]
    finally:
        con.close()
