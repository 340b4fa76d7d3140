"""The plain pipeline functions: discovery rules, parse_all's handling of bad input, run()."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import ingest_files, summary_of

from pipelines import ingest as pipeline
from pipelines.ingest import scan
from pipelines.model import ParsedCell, ParsedReport, Provenance, UnreadableInput


def fake_parse(data: bytes, filename: str) -> ParsedReport:
    """Stands in for the real parser: 'ok' files parse, 'boom' files hit a parser bug."""
    if data.startswith(b"ok"):
        year = int(data.split()[1])
        return ParsedReport(
            agency="某局",
            year=year,
            format_version="F2021",
            medium="text",
            cells={
                "t4.review.total": ParsedCell(
                    "t4.review.total", year, str(year), "number", Provenance(table=0, row=1, col=2)
                )
            },
            sections={},
        )
    if data.startswith(b"boom"):
        raise ValueError("row 七\nnot found")
    raise UnreadableInput("no statistics tables found")


def test_discover_skips_answers_manifests_and_hidden_files(tmp_path: Path) -> None:
    # a corpus folder's JSON (answers, manifest, organs) and README are not reports
    for name in (
        "b.html",
        "a.txt",
        "a.txt.expected.json",
        "manifest.json",
        "manifest-2024.json",
        ".hidden",
        "sub/c.pdf",
        ".git/x",
        "data.json",
        "organs.json",
        "README.md",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling.txt")
    found = [p.relative_to(tmp_path).as_posix() for p in scan.discover(tmp_path)]
    assert found == ["a.txt", "b.html", "sub/c.pdf"]


def test_discover_refuses_a_missing_inbox(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        scan.discover(tmp_path / "missing")


def test_parse_all_quarantines_bad_input_and_skips_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pipelines.parsing.parse.parse_bytes", fake_parse)
    files = {
        "a.txt": b"ok 2023",
        "b.txt": b"ok 2023",
        "c.bin": b"%PDF-1.4 junk",
        "d.txt": b"boom",
        "sub/e.txt": b"ok 2021",
    }
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(data)
    out = pipeline.parse_all(scan.discover(tmp_path), root=tmp_path)
    assert [(p.file_name, p.report.year) for p in out.parsed] == [("a.txt", 2023), ("sub/e.txt", 2021)]
    assert [(q.file_name, q.reason, q.medium_guess) for q in out.quarantined] == [
        ("c.bin", "no statistics tables found", "pdf"),
        ("d.txt", "parser error: ValueError: row 七 not found", "text"),
    ]
    assert [(d.file_name, d.same_as) for d in out.duplicates] == [("b.txt", "a.txt")]
    assert out.files_seen == 5


def test_run_twice_gives_the_same_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pipelines.parsing.parse.parse_bytes", fake_parse)
    monkeypatch.setattr("pipelines.ingest.parallel.DEFAULT_WORKERS", 0)  # the fake parser is in this process
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_bytes(b"ok 2022")
    (inbox / "junk.bin").write_bytes(b"\x00\x01")
    wh = tmp_path / "wh.duckdb"
    first = ingest_files(inbox, wh, run_id="one").counts
    first_summary = summary_of(wh)
    second = ingest_files(inbox, wh, run_id="two").counts
    assert summary_of(wh) == first_summary
    assert first == {
        "run_id": "one",
        "files_seen": 2,
        "files_new": 2,
        "files_changed": 0,
        "files_unchanged": 0,
        "parsed": 1,
        "quarantined": 1,
        "skipped_duplicates": 0,
    }
    # nothing new for this parser: nothing parsed, nothing quarantined again
    assert second == {
        "run_id": "two",
        "files_seen": 2,
        "files_new": 0,
        "files_changed": 0,
        "files_unchanged": 2,
        "parsed": 0,
        "quarantined": 0,
        "skipped_duplicates": 0,
    }
    assert (first_summary["reports"], first_summary["years"], first_summary["cells"]) == (1, [2022], 1)
    assert first_summary["quarantined"] == [{"file_name": "junk.bin", "reason": "no statistics tables found"}]
