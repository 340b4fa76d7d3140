"""Incremental runs and report versions: unchanged files are not read, changed ones become new
versions, a new parser re-parses everything, nothing that left the inbox is lost, and a
re-published report becomes the current one for the rules, the marts and the site."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import ingest_files, summary_of

from pipelines import ingest as pipeline
from pipelines import marts, rules, warehouse
from pipelines.ingest import scan
from pipelines.model import ParsedCell, ParsedReport, Provenance, UnreadableInput

ORGAN = "盐城市盐都区财政局"


def fake_parse(data: bytes, filename: str) -> ParsedReport:
    """`ok <year> <applications> [uncertain] [review=<n>] [subtotal=<n>]` parses (uncertain marks the
    applications cell; subtotal is a publisher's 小计 row of 表三 无法提供); anything else is unreadable."""
    words = data.decode().split()
    if not words or words[0] != "ok":
        raise UnreadableInput("no statistics tables found")
    year, value = int(words[1]), int(words[2])
    cells = [
        ParsedCell(
            "t3.new_received.total",
            value,
            str(value),
            "number",
            Provenance(table=2, row=1, col=7),
            uncertain="uncertain" in words,
        )
    ]
    for w in words[3:]:
        if w.startswith("review="):
            n = int(w.split("=")[1])
            cells.append(
                ParsedCell("t4.review.total", n, str(n), "number", Provenance(table=3, row=2, col=5))
            )
    subtotals = {
        "unavailable": [
            ParsedCell(
                "t3.subtotal_unavailable.total", int(n), n, "number", Provenance(table=2, row=9, col=7)
            )
            for w in words[3:]
            if w.startswith("subtotal=") and (n := w.split("=")[1])
        ]
    }
    return ParsedReport(
        agency=ORGAN,
        year=year,
        format_version="F2021",
        medium="html" if filename.endswith(".html") else "text",
        cells={c.cell_id: c for c in cells},
        sections={},
        subtotals={g: cs for g, cs in subtotals.items() if cs},
    )


@pytest.fixture(autouse=True)
def parser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pipelines.parsing.parse.parse_bytes", fake_parse)
    monkeypatch.setattr("pipelines.ingest.parallel.DEFAULT_WORKERS", 0)  # the fake parser is in this process


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def write(path: Path, text: str, *, mtime: int | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if mtime is not None:
        os.utime(path, ns=(mtime, mtime))


def query(wh: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def test_unchanged_files_are_not_read_again(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wh = tmp_path / "wh.duckdb"
    for i in range(5):
        write(inbox / f"r{i}.txt", f"ok {2019 + i} {i}")
    assert ingest_files(inbox, wh).counts["parsed"] == 5
    reads: list[str] = []
    real_hash, real_read = scan.file_hash, Path.read_bytes

    def counted_hash(path: Path) -> str:
        reads.append(path.name)
        return real_hash(path)

    def counted_read(path: Path) -> bytes:
        if inbox in path.parents:  # not the data files the identity stage digests
            reads.append(path.name)
        return real_read(path)

    monkeypatch.setattr(scan, "file_hash", counted_hash)
    monkeypatch.setattr(Path, "read_bytes", counted_read)
    second = ingest_files(inbox, wh).counts
    assert reads == []
    assert (second["files_unchanged"], second["parsed"], second["files_new"]) == (5, 0, 0)
    # touched, same bytes: hashed again (the mtime changed) but not parsed
    os.utime(inbox / "r0.txt", ns=(1, 1))
    third = ingest_files(inbox, wh).counts
    assert reads == ["r0.txt"] and (third["files_unchanged"], third["parsed"]) == (5, 0)


def test_new_and_changed_files_are_parsed_and_counted(inbox: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    write(inbox / "a.txt", "ok 2022 1")
    write(inbox / "b.txt", "ok 2023 2")
    ingest_files(inbox, wh, "one")
    write(inbox / "b.txt", "ok 2023 20")  # changed in place
    write(inbox / "c.txt", "ok 2024 3")  # new
    write(inbox / "c-copy.txt", "ok 2024 3")  # new, same bytes as c.txt
    run = ingest_files(inbox, wh, "two").counts
    assert {
        k: run[k]
        for k in (
            "files_seen",
            "files_new",
            "files_changed",
            "files_unchanged",
            "parsed",
            "skipped_duplicates",
        )
    } == {
        "files_seen": 4,
        "files_new": 2,
        "files_changed": 1,
        "files_unchanged": 1,
        "parsed": 2,
        "skipped_duplicates": 1,
    }
    assert query(
        wh,
        "SELECT run_id, files_new, files_changed, files_unchanged, parsed FROM load_run ORDER BY started_at",
    ) == [("one", 2, 0, 0, 2), ("two", 2, 1, 1, 2)]
    # both versions of b.txt are kept; source_file knows the latest bytes
    assert query(wh, "SELECT count(*) FROM dim_report WHERE year = 2023") == [(2,)]
    (digest,) = query(wh, "SELECT content_hash FROM source_file WHERE path = 'b.txt'")[0]
    assert digest == scan.file_hash(inbox / "b.txt")


def test_a_new_parser_version_parses_everything_again(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wh = tmp_path / "wh.duckdb"
    write(inbox / "a.txt", "ok 2022 1")
    write(inbox / "junk.bin", "garbage")
    ingest_files(inbox, wh)
    assert ingest_files(inbox, wh).counts["parsed"] == 0
    monkeypatch.setattr("pipelines.parsing.parse.PARSER_VERSION", "9.9.9")
    run = ingest_files(inbox, wh).counts
    assert (run["parsed"], run["quarantined"]) == (1, 1)  # the quarantined file is tried again too
    assert query(wh, "SELECT DISTINCT parser_version FROM dim_report") == [("9.9.9",)]
    assert query(wh, "SELECT parser_version FROM quarantine") == [("9.9.9",)]
    assert ingest_files(inbox, wh).counts["parsed"] == 0


def test_files_that_leave_the_inbox_keep_their_reports(inbox: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    write(inbox / "a.txt", "ok 2022 1")
    write(inbox / "b.txt", "ok 2023 2")
    ingest_files(inbox, wh)
    first = summary_of(wh)
    (inbox / "a.txt").unlink()
    assert ingest_files(inbox, wh).counts["files_seen"] == 1
    second = summary_of(wh)
    assert (second["reports"], second["cells"]) == (first["reports"], first["cells"]) == (2, 2)
    assert query(wh, "SELECT path FROM source_file ORDER BY path") == [("a.txt",), ("b.txt",)]


def test_a_republished_report_becomes_current_and_the_old_one_stays(inbox: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    write(inbox / "2023.html", "ok 2023 5")
    ingest_files(inbox, wh, "night-1")
    old = scan.file_hash(inbox / "2023.html")
    # corrected and re-published, with a cell the parser had to guess: the newer load still wins
    write(inbox / "2023-corrected.txt", "ok 2023 7 uncertain")
    ingest_files(inbox, wh, "night-2")
    new = scan.file_hash(inbox / "2023-corrected.txt")
    assert query(
        wh, "SELECT report_id, publication, is_current FROM report_version ORDER BY publication"
    ) == [(old, 1, False), (new, 2, True)]
    assert query(wh, "SELECT report_id, versions FROM current_report") == [(new, 2)]
    assert query(wh, "SELECT report_id, value FROM fact_cell ORDER BY value") == [(old, 5.0), (new, 7.0)]
    rules.run(wh, gx=False)  # the rules' notion of current is the view's
    con = warehouse.connect(wh)
    try:
        assert con.execute("SELECT report_id FROM quality.report WHERE is_current").fetchall() == [(new,)]
        marts.build(con)
        assert con.execute("SELECT report_id, new_received FROM mart_organ_year").fetchall() == [(new, 7)]
    finally:
        con.close()


def test_versions_loaded_by_one_run_tie_break_on_quality(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The HTML page and its crawler dump arrive together; even in separate load batches they carry
    # the run's loaded_at, so the one without guessed cells wins, not the later batch.
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 1)
    wh = tmp_path / "wh.duckdb"
    write(inbox / "a-page.html", "ok 2023 5")
    write(inbox / "b-dump.txt", "ok 2023 5 uncertain")
    ingest_files(inbox, wh)
    assert query(wh, "SELECT count(DISTINCT loaded_at) FROM dim_report") == [(1,)]
    assert query(wh, "SELECT file_name FROM current_report") == [("a-page.html",)]


def test_a_later_copy_of_the_same_numbers_is_not_a_republication(inbox: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"

    def night(name: str, text: str) -> str:
        write(inbox / name, text)
        ingest_files(inbox, wh)
        return scan.file_hash(inbox / name)

    def versions() -> list[tuple[object, ...]]:
        return query(wh, "SELECT report_id, publication, is_current FROM report_version ORDER BY loaded_at")

    page = night("page.html", "ok 2023 5 review=3")
    # the crawler's dump of the same page, a night later: its one guessed cell is wrong, every cell it
    # reads with certainty agrees, so it is a copy of publication 1 and the page (no guesses) stays current
    dump = night("dump.txt", "ok 2023 9 uncertain review=3")
    assert versions() == [(page, 1, True), (dump, 1, False)]
    # a correction differs on a certain cell: a re-publication, current
    fixed = night("corrected.html", "ok 2023 6 review=3")
    assert versions() == [(page, 1, False), (dump, 1, False), (fixed, 2, True)]
    # and an old copy turning up later does not undo the correction
    late = night("page-mirror.txt", "ok 2023 5 review=3\n")  # other bytes, same numbers
    assert versions() == [(page, 1, False), (dump, 1, False), (fixed, 2, True), (late, 1, False)]
    assert query(wh, "SELECT report_id FROM current_report") == [(fixed,)]


def test_a_corrected_subtotal_alone_is_a_republication(inbox: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"

    def night(name: str, text: str) -> str:
        write(inbox / name, text)
        ingest_files(inbox, wh)
        return scan.file_hash(inbox / name)

    def versions() -> list[tuple[object, ...]]:
        return query(wh, "SELECT report_id, publication, is_current FROM report_version ORDER BY loaded_at")

    page = night("page.html", "ok 2023 5 subtotal=2")
    # a copy without the 小计 row (a crawler dump that dropped it) is still a copy
    dump = night("dump.txt", "ok 2023 5")
    assert versions() == [(page, 1, True), (dump, 1, False)]
    # the organ corrects the printed 小计 (T3-F3), every format cell the same: a re-publication
    fixed = night("corrected.html", "ok 2023 5 subtotal=0")
    assert versions() == [(page, 1, False), (dump, 1, False), (fixed, 2, True)]
    assert query(wh, "SELECT report_id, value FROM fact_subtotal ORDER BY value") == [
        (fixed, 0.0),
        (page, 2.0),
    ]
