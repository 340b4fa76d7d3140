"""The DuckDB warehouse: its schema and migrations (schema.py), the loader (load.py), the staging copy
and its atomic publish (staging.py), and what it holds (summary).

Modules here know the star schema; none knows how a report is parsed or how an organ is resolved.
"""

from __future__ import annotations

from typing import Any

import duckdb

from pipelines.warehouse.db import connect, one

__all__ = ["connect", "summary"]


def summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What the warehouse holds: counts, years, formats and every quarantined file with its reason."""
    reports, agencies = one(con, "SELECT count(*), count(DISTINCT agency_id) FROM dim_report")
    (cells,) = one(con, "SELECT count(*) FROM fact_cell")
    years = [
        y
        for (y,) in con.execute(
            "SELECT DISTINCT year FROM dim_report WHERE year IS NOT NULL ORDER BY year"
        ).fetchall()
    ]
    formats = dict(
        con.execute("SELECT format_version, count(*) FROM dim_report GROUP BY ALL ORDER BY 1").fetchall()
    )
    quarantined = [
        {"file_name": f, "reason": r}
        for f, r in con.execute(
            "SELECT file_name, reason FROM quarantine ORDER BY file_name, content_hash"
        ).fetchall()
    ]
    return {
        "reports": reports,
        "agencies": agencies,
        "years": years,
        "formats": formats,
        "cells": cells,
        "quarantined": quarantined,
    }
