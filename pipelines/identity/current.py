"""current_report, stored: the version of each organ-year that the marts, the rules and the site read.

Which version stands for an organ-year is decided in one place, the report_version view
(sql/schema/identity/report_version.sql); current_report holds its `is_current` rows. Ranking the
versions counts every report's guessed cells in fact_cell and orders every organ-year's versions, so
the identity stage does it once per run, after the reports have their organs, and every reader reads a
table of one row per organ-year. Nothing after the identity stage changes what the ranking reads
(dim_report, fact_cell, fact_subtotal).
"""

from __future__ import annotations

import duckdb

from pipelines.warehouse.db import one

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
    """Rewrite current_report from report_version (inside the caller's transaction); returns its rows.
    Stored in organ and year order, so that a reader of a few organs skips most of the table."""
    cols = ", ".join(COLUMNS)
    con.execute("DELETE FROM current_report")
    con.execute(
        f"INSERT INTO current_report ({cols}) SELECT {cols} FROM report_version WHERE is_current "
        "ORDER BY agency_id, year, report_id"
    )
    (n,) = one(con, "SELECT count(*) FROM current_report")
    return int(n)
