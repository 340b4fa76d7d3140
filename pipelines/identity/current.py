"""report_version_current: the stored rows behind current_report, the version of each organ-year that
the marts, the rules and the site read.

Which version stands for an organ-year is decided in one place, the report_version view
(sql/schema/identity/report_version.sql); report_version_current holds its `is_current` rows, which
the current_report view reads. Ranking the versions counts every report's guessed cells in fact_cell
and orders every organ-year's versions, so the identity stage does it once per run, after the reports
have their organs, and every reader reads a table of one row per organ-year, of which a night
rewrites only the organ-years it changed. Nothing after the identity stage changes what the ranking
reads (dim_report, fact_cell, fact_subtotal).
"""

from __future__ import annotations

import duckdb

from pipelines.warehouse.db import one
from pipelines.warehouse.rows import replace as replace_rows

COLUMNS = (
    "report_id",
    "agency_id",
    "year",
    "format_version",
    "medium",
    "file_name",
    "loaded_at",
    "uncertain_cells",
    "versions",
)


def refresh(con: duckdb.DuckDBPyConnection) -> int:
    """Bring report_version_current up to date with report_version (inside the caller's transaction): only the
    organ-years whose current version changed are written. Returns its rows."""
    cols = ", ".join(COLUMNS)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _gk_current AS SELECT {cols} FROM report_version WHERE is_current"
    )
    try:
        replace_rows(con, "report_version_current", "_gk_current", "report_id", COLUMNS)
    finally:
        con.execute("DROP TABLE IF EXISTS _gk_current")
    (n,) = one(con, "SELECT count(*) FROM report_version_current")
    return int(n)
