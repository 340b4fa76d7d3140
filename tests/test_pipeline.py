"""The plain pipeline functions: discovery rules, parse_all's handling of bad input, run()."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelines import ingest as pipeline
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
    found = [p.relative_to(tmp_path).as_posix() for p in pipeline.discover(tmp_path)]
    assert found == ["a.txt", "b.html", "sub/c.pdf"]


def test_discover_refuses_a_missing_inbox(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        pipeline.discover(tmp_path / "missing")


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
    out = pipeline.parse_all(pipeline.discover(tmp_path), root=tmp_path)
    assert [(p.file_name, p.report.year) for p in out.parsed] == [("a.txt", 2023), ("sub/e.txt", 2021)]
    assert [(q.file_name, q.reason, q.medium_guess) for q in out.quarantined] == [
        ("c.bin", "no statistics tables found", "pdf"),
        ("d.txt", "parser error: ValueError: row 七 not found", "text"),
    ]
    assert [(d.file_name, d.same_as) for d in out.duplicates] == [("b.txt", "a.txt")]
    assert out.files_seen == 5


def test_run_twice_gives_the_same_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pipelines.parsing.parse.parse_bytes", fake_parse)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_bytes(b"ok 2022")
    (inbox / "junk.bin").write_bytes(b"\x00\x01")
    first = pipeline.run(inbox, tmp_path / "wh.duckdb", run_id="one")
    second = pipeline.run(inbox, tmp_path / "wh.duckdb", run_id="two")
    assert {k: v for k, v in first.items() if k != "run"} == {k: v for k, v in second.items() if k != "run"}
    assert first["run"] == {
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
    assert second["run"] == {
        "run_id": "two",
        "files_seen": 2,
        "files_new": 0,
        "files_changed": 0,
        "files_unchanged": 2,
        "parsed": 0,
        "quarantined": 0,
        "skipped_duplicates": 0,
    }
    assert (first["reports"], first["years"], first["cells"]) == (1, [2022], 1)
    assert first["quarantined"] == [{"file_name": "junk.bin", "reason": "no statistics tables found"}]


def test_inbox_fingerprint_follows_the_listing(tmp_path: Path) -> None:
    empty = pipeline.inbox_fingerprint(tmp_path)
    (tmp_path / "a.txt").write_text("1")
    one = pipeline.inbox_fingerprint(tmp_path)
    assert one != empty and pipeline.inbox_fingerprint(tmp_path) == one
    (tmp_path / "a.txt").write_text("12")
    changed = pipeline.inbox_fingerprint(tmp_path)
    assert changed != one
    (tmp_path / "a.txt.expected.json").write_text("{}")  # not an input: no new run
    assert pipeline.inbox_fingerprint(tmp_path) == changed


def test_ingest_loads_batch_by_batch_and_accounts_for_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A backlog must not be held in memory whole: reports reach the loader a batch at a time.
    from datetime import UTC, datetime

    from pipelines import warehouse
    from pipelines.ingest import scan

    monkeypatch.setattr("pipelines.parsing.parse.parse_bytes", fake_parse)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for year in range(2019, 2024):
        (inbox / f"r{year}.txt").write_bytes(f"ok {year}".encode())
    (inbox / "copy.txt").write_bytes(b"ok 2019")
    (inbox / "d.txt").write_bytes(b"boom")
    batches: list[int] = []
    load = warehouse.load_reports

    def counting(con: object, items: list[object], **kw: object) -> int:
        batches.append(len(items))
        return load(con, items, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(warehouse, "load_reports", counting)
    con = warehouse.connect(tmp_path / "wh.duckdb")
    try:
        done, counts = pipeline.ingest(
            con, scan.plan(con, inbox), run_id="r", started_at=datetime.now(UTC), batch_size=2
        )
        years = [y for (y,) in con.execute("SELECT year FROM dim_report ORDER BY year").fetchall()]
        sources = con.execute("SELECT count(*) FROM source_file").fetchone()
    finally:
        con.close()
    assert batches == [2, 2, 1]
    assert years == list(range(2019, 2024))
    assert (done.parsed, [q.file_name for q in done.quarantined], len(done.duplicates)) == (5, ["d.txt"], 1)
    assert (counts["files_seen"], counts["parsed"], counts["quarantined"], counts["skipped_duplicates"]) == (
        7,
        5,
        1,
        1,
    )
    assert sources == (7,)
