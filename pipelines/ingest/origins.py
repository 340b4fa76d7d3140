"""source_origin: the URL every fetched file came from, copied from the fetcher's state into the
warehouse on every ingest, so that a report can link the page it was published at.

A fetched file the fetcher moved (its sources.yaml entry gained a division) holds bytes already
loaded under its old path: the report takes the new path, where the identity stage reads the
division code, once the old path has left the inbox."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.sources.fetch import fetched_files
from pipelines.warehouse.db import registered, transaction

COLUMNS = ("path", "url", "listing_url", "division_code", "organ")


def record(con: duckdb.DuckDBPyConnection, inbox: Path, seen_at: datetime | None = None) -> int:
    """Replace source_origin with what the fetcher's state says of the inbox, and give reports whose
    fetched file moved its new path (`seen_at`: this run's start, source_file.last_seen of the files
    in the inbox now); returns the rows."""
    rows = fetched_files(inbox)
    frame = pl.DataFrame(
        {c: [r.get(c) for r in rows] for c in COLUMNS}, schema=dict.fromkeys(COLUMNS, pl.Utf8)
    )
    with transaction(con), registered(con, {"_gk_origin": frame}):
        con.execute("DELETE FROM source_origin")
        con.execute(
            f"INSERT INTO source_origin SELECT DISTINCT ON (path) {', '.join(COLUMNS)} FROM _gk_origin ORDER BY path, url"
        )
        if seen_at is not None:
            con.execute(
                """
                UPDATE dim_report SET file_name = moved.path
                FROM (
                    SELECT s.content_hash, min(s.path) AS path
                    FROM source_origin o JOIN source_file s ON s.path = o.path AND s.last_seen = ?
                    GROUP BY s.content_hash
                ) AS moved
                WHERE dim_report.report_id = moved.content_hash AND dim_report.file_name <> moved.path
                  AND NOT EXISTS (
                      SELECT 1 FROM source_file f WHERE f.path = dim_report.file_name AND f.last_seen = ?
                  )""",
                [seen_at, seen_at],
            )
    return len(rows)
