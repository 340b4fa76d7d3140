"""current_report is a table the identity stage writes: the rows report_version marks is_current, kept
up to date as reports arrive and are re-published, and migrated from the view it was."""

from __future__ import annotations

from pathlib import Path

import duckdb
from conftest import ingest_files
from test_incremental import inbox, parser, write  # noqa: F401  (tests/ is on sys.path; the fake parser)

from pipelines import warehouse
from pipelines.identity import current
from pipelines.warehouse import schema

COLUMNS = ", ".join(current.COLUMNS)


def differences(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    """Rows in the table and not in the view's is_current rows, and the other way round."""
    view = f"SELECT {COLUMNS} FROM report_version WHERE is_current"
    return con.execute(
        f"(SELECT 'table', * FROM current_report EXCEPT SELECT 'table', * FROM ({view})) "
        f"UNION ALL (SELECT 'view', * FROM ({view}) EXCEPT SELECT 'view', * FROM current_report)"
    ).fetchall()


def test_the_table_holds_the_current_versions_after_each_night(inbox: Path, tmp_path: Path) -> None:  # noqa: F811
    wh = tmp_path / "wh.duckdb"
    write(inbox / "a-page.html", "ok 2023 7")
    write(inbox / "b-page.html", "ok 2024 9 uncertain")
    ingest_files(inbox, wh)
    con = warehouse.connect(wh, read_only=True)
    try:
        assert con.execute("SELECT year, uncertain_cells FROM current_report ORDER BY year").fetchall() == [
            (2023, 0),
            (2024, 1),
        ]
        assert differences(con) == []
        (first,) = con.execute("SELECT report_id FROM current_report WHERE year = 2023").fetchone() or ("",)
    finally:
        con.close()
    # a re-publication with other numbers replaces the organ-year's current version
    write(inbox / "a-page-fixed.html", "ok 2023 8")
    ingest_files(inbox, wh)
    con = warehouse.connect(wh, read_only=True)
    try:
        rows = con.execute(
            "SELECT report_id, file_name, versions FROM current_report WHERE year = 2023"
        ).fetchall()
        assert len(rows) == 1 and rows[0][0] != first and rows[0][1:] == ("a-page-fixed.html", 2)
        assert con.execute("SELECT count(*) FROM current_report").fetchone() == (2,)
        assert differences(con) == []
    finally:
        con.close()


def test_a_warehouse_with_the_view_migrates_to_the_table(tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    con = warehouse.connect(wh)
    try:
        schema.migrate(con)
        # as the warehouse was before migration 0007: current_report a view, one migration fewer
        con.execute("DROP TABLE current_report")
        con.execute(
            "CREATE VIEW current_report AS SELECT report_id, agency_id, year, format_version, medium, "
            "file_name, loaded_at, uncertain_cells, versions FROM report_version WHERE is_current"
        )
        con.execute("DELETE FROM schema_version")
        con.execute(
            "INSERT INTO schema_version VALUES (?, 'before', now(), 'test')", [schema.latest_version() - 1]
        )
        assert "0007_current_report_table.sql" in schema.migrate(con)
        schema.check(con)
        kinds = con.execute(
            "SELECT 'table' FROM duckdb_tables() WHERE table_name = 'current_report' "
            "UNION ALL SELECT 'view' FROM duckdb_views() WHERE view_name = 'current_report'"
        ).fetchall()
        assert kinds == [("table",)]
    finally:
        con.close()
