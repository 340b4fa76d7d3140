"""current_report reads report_version_current, which the identity stage writes: the rows
report_version marks is_current, kept up to date as reports arrive and are re-published; a warehouse
from before has the table made by its migration."""

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
    """Rows current_report reads and not in report_version's is_current rows, and the other way round."""
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


def test_a_warehouse_from_before_gets_the_table_by_migrating(tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    con = warehouse.connect(wh)
    try:
        schema.migrate(con)
        # as the warehouse was before migration 0008: current_report a view over report_version alone
        con.execute("DROP TABLE report_version_current")
        con.execute(
            f"CREATE OR REPLACE VIEW current_report AS SELECT {COLUMNS} FROM report_version WHERE is_current"
        )
        con.execute("DELETE FROM schema_version")
        con.execute(
            "INSERT INTO schema_version VALUES (7, 'before', now(), 'test')"  # the version before 0008
        )
        assert "0008_report_version_current.sql" in schema.migrate(con)
        schema.check(con)
        kinds = con.execute(
            "SELECT table_name, 'table' FROM duckdb_tables() WHERE table_name LIKE '%current%' "
            "UNION ALL SELECT view_name, 'view' FROM duckdb_views() WHERE view_name LIKE '%current%' ORDER BY 1"
        ).fetchall()
        assert kinds == [("current_report", "view"), ("report_version_current", "table")]
        assert "report_version_current" in schema.reads(
            next(r.sql for r in schema.relations() if r.name == "current_report"), {"report_version_current"}
        )
    finally:
        con.close()
