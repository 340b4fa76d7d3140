"""What changed since a stage last ran, for the stages that work incrementally.

Such a stage keeps a basis table (`key VARCHAR, digest UBIGINT`): per key (a report, an organ …), a
digest of the inputs it last computed that key from, and one row with the empty key for the stage's
own version (its code and catalogue). `compare` digests the inputs as they are now and returns the
keys whose digest is new, gone or different; the stage recomputes those (and whatever depends on
them), then `remember` stores the new digests in the same transaction as its results. A stage with
no basis yet, or whose version changed, gets `full` and recomputes everything.

The basis is a comparison of states, not a log of events: a night that failed before `remember`
leaves the old basis, so the next night sees the same changes again, and the result is the same
whichever runs happened in between.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.warehouse.db import one

VERSION_KEY = ""


@dataclass(frozen=True)
class Delta:
    full: bool  # no usable basis: every key is to be computed
    keys: tuple[str, ...]  # keys added, removed or with another digest (all keys now when full)
    total: int  # keys now

    @property
    def empty(self) -> bool:
        return not self.full and not self.keys


def _now(basis: str) -> str:
    return f"_delta_now_{basis}"


def compare(con: duckdb.DuckDBPyConnection, basis: str, current_sql: str, version: str) -> Delta:
    """Digest the inputs now (`current_sql`: one row per key, columns `key` VARCHAR and `digest`
    UBIGINT, e.g. `hash(...)` of the input columns) and compare them with `basis`. The digests are
    kept in a temporary table of this connection for `remember`."""
    now = _now(basis)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {now} AS "
        f"SELECT CAST(key AS VARCHAR) AS key, CAST(digest AS UBIGINT) AS digest FROM ({current_sql}) "
        f"UNION ALL SELECT '{VERSION_KEY}', hash(?)",
        [version],
    )
    (total,) = one(con, f"SELECT count(*) - 1 FROM {now}")
    (same_version,) = one(
        con,
        f"SELECT count(*) FROM {basis} AS b JOIN {now} AS n USING (key, digest) WHERE key = '{VERSION_KEY}'",
    )
    if not same_version:
        keys = con.execute(f"SELECT key FROM {now} WHERE key <> '{VERSION_KEY}' ORDER BY key").fetchall()
        return Delta(True, tuple(k for (k,) in keys), total)
    keys = con.execute(
        f"SELECT coalesce(n.key, b.key) AS key FROM {now} AS n FULL OUTER JOIN {basis} AS b USING (key) "
        "WHERE n.digest IS DISTINCT FROM b.digest ORDER BY key"
    ).fetchall()
    return Delta(False, tuple(k for (k,) in keys), total)


def remember(con: duckdb.DuckDBPyConnection, basis: str) -> None:
    """Store the digests `compare` took as the stage's basis (call inside the stage's transaction)."""
    now = _now(basis)
    con.execute(f"DELETE FROM {basis}")
    con.execute(f"INSERT INTO {basis} SELECT key, digest FROM {now}")
    con.execute(f"DROP TABLE {now}")
