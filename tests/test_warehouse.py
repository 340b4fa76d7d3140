"""The warehouse loader: schema documentation, loads, idempotence, quarantine, transactions."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines import identity, warehouse
from pipelines.identity import store
from pipelines.model import ParsedCell, ParsedReport, Provenance
from pipelines.parsing.parse import PARSER_VERSION
from pipelines.warehouse import load, schema

CELLS_TSV = Path(__file__).resolve().parents[2] / "shared" / "spec" / "cells.tsv"
AUDIT_TABLES = {"load_run"}  # grows on every run by design; everything else must be identical


def make_report(
    agency: str | None = "平潭综合实验区财政金融局",
    year: int | None = 2023,
    *,
    value: int = 2,
    kind: str = "number",
    medium: str = "html",
) -> ParsedReport:
    cells = {
        "t3.new_received.natural_person": ParsedCell(
            "t3.new_received.natural_person", value, str(value), "number", Provenance(table=2, row=3, col=4)
        ),
        "t2.admin_fee.amount": ParsedCell(
            "t2.admin_fee.amount",
            1.25,
            "1.25",
            "number",
            Provenance(table=1, row=9, col=1, page=2, bbox=(1.0, 2.0, 3.5, 4.5)),
        ),
        "t2.regulation.issued": ParsedCell(
            "t2.regulation.issued",
            None,
            "—",
            kind,  # type: ignore[arg-type]
            Provenance(table=1, row=2, col=1),
        ),
        "t4.review.total": ParsedCell(
            "t4.review.total", 7, "7", "number", Provenance(), uncertain=True, note="split 7|0 or 70"
        ),
    }
    return ParsedReport(
        agency=agency,
        year=year,
        format_version="F2021",
        medium=medium,  # type: ignore[arg-type]
        cells=cells,
        sections={"s1": "总体情况……", "s5": "存在的问题"},
        title="年度报告",
        warnings=["year from title"],
    )


def load_reports(con: duckdb.DuckDBPyConnection, items: list[tuple[str, str, ParsedReport]]) -> int:
    return load.load_reports(con, items, parser_version=PARSER_VERSION)


def quarantine(
    con: duckdb.DuckDBPyConnection, name: str, digest: str, reason: str, medium: str | None = None
) -> None:
    load.quarantine_many(con, [load.Rejected(name, digest, reason, medium)], parser_version=PARSER_VERSION)


def h(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    tables = [
        t
        for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT internal ORDER BY 1"
        ).fetchall()
    ]
    return {
        t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall()
        for t in tables
        if t not in AUDIT_TABLES
    }


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = warehouse.connect(tmp_path / "wh" / "test.duckdb")
    schema.migrate(c)
    yield c
    c.close()


def test_every_table_and_column_has_a_comment(con: duckdb.DuckDBPyConnection) -> None:
    tables = dict(
        con.execute("SELECT table_name, comment FROM duckdb_tables() WHERE NOT internal").fetchall()
    )
    assert {
        "dim_agency",
        "dim_report",
        "dim_cell",
        "fact_cell",
        "fact_section",
        "quarantine",
        "load_run",
    } <= set(tables)
    assert [t for t, c in tables.items() if not c] == []
    columns = con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE NOT internal"
    ).fetchall()
    assert [(t, c) for t, c, comment in columns if not comment] == []


def test_migrate_is_idempotent_and_seeds_dim_cell(con: duckdb.DuckDBPyConnection) -> None:
    before = snapshot(con)
    schema.migrate(con)
    assert snapshot(con) == before
    rows = con.execute("SELECT cell_id, format, table_no, row_code, col_code FROM dim_cell").fetchall()
    assert ("t3.granted.natural_person", "F2021", "三", "granted", "natural_person") in rows
    if CELLS_TSV.exists():  # shared/ lies beside the checkout in development and CI
        with CELLS_TSV.open(encoding="utf-8") as f:
            spec = {(r["cell_id"], r["format"]) for r in csv.DictReader(f, delimiter="\t")}
        assert {(r[0], r[1]) for r in rows} == spec


def test_load_stores_reports_cells_sections_and_provenance(con: duckdb.DuckDBPyConnection) -> None:
    n = load_reports(
        con,
        [
            ("a.html", h("a"), make_report()),
            ("b.txt", h("b"), make_report("某县人民政府", 2020, medium="text")),
        ],
    )
    assert n == 2
    store.build(con)  # the identity stage gives reports their organ
    s = warehouse.summary(con)
    assert (s["reports"], s["agencies"], s["years"], s["cells"]) == (2, 2, [2020, 2023], 8)
    row = con.execute(
        "SELECT value, raw_text, kind, prov_table, prov_row, prov_col, prov_page, prov_bbox "
        "FROM fact_cell WHERE report_id = ? AND cell_id = 't2.admin_fee.amount'",
        [h("a")],
    ).fetchone()
    assert row == (1.25, "1.25", "number", 1, 9, 1, 2, [1.0, 2.0, 3.5, 4.5])
    dash = con.execute(
        "SELECT value, raw_text, kind, prov_bbox FROM fact_cell WHERE report_id = ? "
        "AND cell_id = 't2.regulation.issued'",
        [h("a")],
    ).fetchone()
    assert dash == (None, "—", "number", None)
    assert con.execute(
        "SELECT uncertain, note FROM fact_cell WHERE cell_id = 't4.review.total' AND report_id = ?", [h("a")]
    ).fetchone() == (True, "split 7|0 or 70")
    assert con.execute(
        "SELECT heading FROM fact_section WHERE report_id = ? AND section_key = 's5'", [h("a")]
    ).fetchone() == ("五、存在的主要问题及改进情况",)
    report = con.execute(
        "SELECT file_name, medium, format_version, year, agency_name, title, warnings, "
        "parser_version, agency_id FROM dim_report WHERE report_id = ?",
        [h("a")],
    ).fetchone()
    assert report is not None
    assert report[:8] == (
        "a.html",
        "html",
        "F2021",
        2023,
        "平潭综合实验区财政金融局",
        "年度报告",
        ["year from title"],
        PARSER_VERSION,
    )
    resolved = identity.resolve("平潭综合实验区 财政金融局")  # normalised: spaces don't count
    assert resolved is not None and report[8] == resolved.agency_id
    # Every cell joins dim_cell on (cell_id, format).
    assert con.execute(
        "SELECT count(*) FROM fact_cell LEFT JOIN dim_cell USING (cell_id, format) "
        "WHERE dim_cell.cell_id IS NULL"
    ).fetchone() == (0,)


def test_reload_leaves_identical_contents(con: duckdb.DuckDBPyConnection) -> None:
    items = [("a.html", h("a"), make_report()), ("b.txt", h("b"), make_report(None, None))]
    load_reports(con, items)
    quarantine(con, "junk.bin", h("junk"), "binary data", "pdf")
    first = snapshot(con)
    schema.migrate(con)
    load_reports(con, items)
    quarantine(con, "junk.bin", h("junk"), "binary data", "pdf")
    assert snapshot(con) == first


def test_reload_replaces_a_report_and_keeps_first_loaded_at(con: duckdb.DuckDBPyConnection) -> None:
    load_reports(con, [("a.html", h("a"), make_report(value=2))])
    (loaded_at,) = con.execute("SELECT loaded_at FROM dim_report").fetchone() or (None,)
    load_reports(con, [("renamed.html", h("a"), make_report(value=5))])
    assert con.execute("SELECT file_name, loaded_at FROM dim_report").fetchall() == [
        ("renamed.html", loaded_at)
    ]
    assert con.execute(
        "SELECT value FROM fact_cell WHERE cell_id = 't3.new_received.natural_person'"
    ).fetchall() == [(5.0,)]
    assert con.execute("SELECT count(*) FROM fact_cell").fetchone() == (4,)
    assert con.execute("SELECT count(*) FROM fact_section").fetchone() == (2,)


def test_same_bytes_twice_in_one_batch_load_once(con: duckdb.DuckDBPyConnection) -> None:
    assert load_reports(con, [("a.html", h("a"), make_report()), ("copy.html", h("a"), make_report())]) == 1
    assert con.execute("SELECT file_name FROM dim_report").fetchall() == [("a.html",)]


def test_report_text_is_data_not_sql(con: duckdb.DuckDBPyConnection) -> None:
    evil = "x'); DROP TABLE dim_report; --"
    load_reports(con, [(evil, h("evil"), make_report(evil))])
    quarantine(con, evil, h("evil2"), evil)
    assert con.execute("SELECT file_name, agency_name FROM dim_report").fetchall() == [(evil, evil)]
    assert con.execute("SELECT reason FROM quarantine").fetchall() == [(evil,)]


def test_quarantine_is_idempotent_by_hash_and_keeps_detected_at(con: duckdb.DuckDBPyConnection) -> None:
    quarantine(con, "junk.bin", h("junk"), "binary data", None)
    first = con.execute("SELECT * FROM quarantine").fetchall()
    quarantine(con, "junk.bin", h("junk"), "binary data", None)
    assert con.execute("SELECT * FROM quarantine").fetchall() == first
    quarantine(con, "junk-again.bin", h("junk"), "still binary", "pdf")
    rows = con.execute(
        "SELECT content_hash, file_name, reason, medium_guess, detected_at FROM quarantine"
    ).fetchall()
    assert rows == [(h("junk"), "junk-again.bin", "still binary", "pdf", first[0][4])]
    assert warehouse.summary(con)["quarantined"] == [
        {"file_name": "junk-again.bin", "reason": "still binary"}
    ]


def test_a_file_is_either_a_report_or_quarantined(con: duckdb.DuckDBPyConnection) -> None:
    quarantine(con, "a.html", h("a"), "parser error: ValueError: x")
    load_reports(con, [("a.html", h("a"), make_report())])
    assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)
    # A later parse that rejects the same bytes takes the report out again.
    quarantine(con, "a.html", h("a"), "no tables found")
    assert [
        con.execute(f"SELECT count(*) FROM {t}").fetchone()
        for t in ("dim_report", "fact_cell", "fact_section", "quarantine")
    ] == [(0,), (0,), (0,), (1,)]


def test_failing_batch_leaves_nothing_half_loaded(con: duckdb.DuckDBPyConnection) -> None:
    load_reports(con, [("a.html", h("a"), make_report(value=2))])
    quarantine(con, "b.html", h("b"), "was unreadable before")
    before = snapshot(con)
    # A reload of a, a new b, then a cell that violates the schema (kind CHECK) late in the batch:
    # by then a's old rows are deleted and b's dim_report row is inserted, and all must roll back.
    bad_batch = [
        ("a.html", h("a"), make_report(value=9)),
        ("b.html", h("b"), make_report("乙局")),
        ("c.html", h("c"), make_report("丙局", kind="bogus")),
    ]
    with pytest.raises(duckdb.ConstraintException):
        load_reports(con, bad_batch)
    assert snapshot(con) == before
    # The connection is usable afterwards, and a good batch goes in.
    assert load_reports(con, bad_batch[:2]) == 2


def test_record_run_is_an_audit_log(con: duckdb.DuckDBPyConnection) -> None:
    from datetime import UTC, datetime

    t = datetime(2026, 1, 1, tzinfo=UTC)
    load.record_run(
        con,
        parser_version=PARSER_VERSION,
        run_id="r1",
        started_at=t,
        finished_at=t,
        files_seen=3,
        parsed=1,
        quarantined=1,
        skipped_duplicates=1,
    )
    assert con.execute(
        "SELECT run_id, files_seen, parsed, quarantined, skipped_duplicates FROM load_run"
    ).fetchall() == [("r1", 3, 1, 1, 1)]


def test_bulk_load_of_many_reports(con: duckdb.DuckDBPyConnection) -> None:
    items = [(f"r{i}.html", h(f"r{i}"), make_report(f"局{i % 50}", 2019 + i % 7)) for i in range(500)]
    assert load_reports(con, items) == 500
    store.build(con)
    s = warehouse.summary(con)
    assert (s["reports"], s["agencies"], s["cells"], len(s["years"])) == (500, 50, 2000, 7)
