"""Replace a table's rows by touching only those that differ.

A stage that recomputes a whole table each night (the identity stage's organs, current versions and
report scopes) mostly finds the same rows again. Deleting and re-inserting all of them costs a rewrite
of the table (and its key index) in every run, growing with the warehouse; `replace` compares the
new rows with the stored ones and deletes and inserts only the rows that are gone, new or changed,
so what it writes grows with the night's changes. The table ends up holding exactly the new rows,
as a full rewrite would (rows compare as wholes, NULLs equal).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from pipelines.warehouse.db import one


def replace(
    con: duckdb.DuckDBPyConnection, table: str, source: str, key: str, columns: Sequence[str]
) -> tuple[int, int]:
    """Make `table` hold exactly the rows of `source` (a table, view or registered frame with the
    given columns, `key` unique in it); returns (rows deleted, rows inserted). Call inside the
    caller's transaction."""
    cols = ", ".join(columns)
    gone = f"_gk_gone_{table}"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {gone} AS "
        f"SELECT {key} FROM (SELECT {cols} FROM {table} EXCEPT SELECT {cols} FROM {source})"
    )
    (deleted,) = one(con, f"SELECT count(*) FROM {gone}")
    if deleted:
        con.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {gone})")
    con.execute(f"DROP TABLE {gone}")
    (inserted,) = one(
        con,
        f"INSERT INTO {table} ({cols}) SELECT {cols} FROM "
        f"(SELECT {cols} FROM {source} EXCEPT SELECT {cols} FROM {table}) ORDER BY {key}",
    )
    return int(deleted), int(inserted)
