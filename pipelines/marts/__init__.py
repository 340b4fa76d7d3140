"""The marts stage: sql/marts/<table>.sql, each building the table it is named after, run in dependency
order (a mart that names another mart runs after it). `build` is the stage's one driver.

Each file replaces its table and its comments in one transaction, so readers see the old mart or
the new one, never half of one. The marts read current_report, dim_agency_profile (written by the
identity stage) and findings (the rules stage).
"""

from __future__ import annotations

import graphlib
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from pipelines import packaged
from pipelines.marts import incremental
from pipelines.warehouse import schema
from pipelines.warehouse.db import one, transaction
from pipelines.warehouse.delta import compare, remember


def mart_files() -> dict[str, Path]:
    return {p.stem: p for p in sorted(packaged.path("sql", "marts").glob("*.sql"))}


def reads(files: dict[str, Path] | None = None) -> dict[str, set[str]]:
    """For each mart, the warehouse relations and other marts its SQL reads."""
    files = mart_files() if files is None else files
    names = {r.name for r in schema.relations()} | set(files)
    return {
        name: schema.reads(path.read_text(encoding="utf-8"), names - {name}) for name, path in files.items()
    }


def build_order(files: dict[str, Path] | None = None) -> list[str]:
    files = mart_files() if files is None else files
    deps = {name: used & set(files) for name, used in reads(files).items()}
    return list(graphlib.TopologicalSorter(deps).static_order())


def build(con: duckdb.DuckDBPyConnection, names: list[str] | None = None) -> dict[str, float]:
    """Build the named marts (default: all) in dependency order; returns seconds per mart."""
    return build_report(con, names).seconds


@dataclass(frozen=True)
class Build:
    mode: str  # full (every row), incremental (the rows of changed organs), unchanged, subset (named marts, fully)
    seconds: dict[str, float]  # per mart
    rows: dict[str, int]  # rows computed per mart
    organs: int  # organs whose inputs changed (incremental)
    compare_seconds: float = 0.0  # digesting the inputs and comparing them with the basis


def build_report(con: duckdb.DuckDBPyConnection, names: list[str] | None = None) -> Build:
    """Build the named marts (default: all) in dependency order. All marts: only the rows whose inputs
    changed since the last build (mart_basis), or every row when there is no basis, the marts' SQL
    changed or most organs changed. Named marts: every row of those, the basis left as it is (the
    next build recomputes what changed since the basis: rows already current come out the same)."""
    schema.check(con)
    files = mart_files()
    unknown = set(names or ()) - set(files)
    if unknown:
        raise KeyError(f"no such mart: {', '.join(sorted(unknown))}")
    order = [name for name in build_order(files) if names is None or name in names]
    sql = {name: files[name].read_text(encoding="utf-8") for name in order}
    if names is not None:
        return _full(con, order, sql, "subset")
    with transaction(con):
        con.execute(packaged.path(*incremental.BASIS_DDL).read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    delta = compare(con, incremental.BASIS, incremental.INPUTS_SQL, incremental.version(sql))
    compared = time.perf_counter() - t0
    present = {
        n for (n,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()
    }
    whole = (
        delta.full
        or incremental.YEARS_KEY in delta.keys
        or not set(order) <= present
        or len(delta.keys) > FULL_SHARE * max(delta.total, 1)
    )
    if whole:
        done = _full(con, order, sql, "full")
        with transaction(con):
            remember(con, incremental.BASIS)
        return replace(done, compare_seconds=compared)
    if delta.empty:
        return Build("unchanged", dict.fromkeys(order, 0.0), dict.fromkeys(order, 0), 0, compared)
    return replace(_incremental(con, order, sql, delta.keys), compare_seconds=compared)


_CREATE = re.compile(r"\bCREATE\s+OR\s+REPLACE\s+TABLE\s+(\w+)\s+AS\b", re.IGNORECASE)
_COMMENTS = re.compile(r"^\s*(--[^\n]*\n\s*)*")
FULL_SHARE = 0.25  # more changed organs than this share of all: recompute every row


def _full(con: duckdb.DuckDBPyConnection, order: list[str], sql: dict[str, str], mode: str) -> Build:
    seconds: dict[str, float] = {}
    rows: dict[str, int] = {}
    incremental.create(con, whole=True)
    try:
        for name in order:
            t0 = time.perf_counter()
            with transaction(con):
                con.execute(sql[name])
            seconds[name] = time.perf_counter() - t0
            (rows[name],) = one(con, f"SELECT count(*) FROM {name}")
    finally:
        incremental.drop(con)
    return Build(mode, seconds, rows, 0)


def _incremental(
    con: duckdb.DuckDBPyConnection, order: list[str], sql: dict[str, str], keys: tuple[str, ...]
) -> Build:
    seconds: dict[str, float] = {}
    rows: dict[str, int] = {}
    with transaction(con):
        incremental.create(con, whole=False)
        incremental.changed_organs(con, keys)
        (organs,) = one(con, "SELECT count(*) FROM mart_scope_organ")
        for name in order:
            t0 = time.perf_counter()
            rows[name] = _rebuild(con, name, sql[name])
            seconds[name] = time.perf_counter() - t0
        remember(con, incremental.BASIS)
        incremental.drop(con)
    return Build("incremental", seconds, rows, organs)


def _rebuild(con: duckdb.DuckDBPyConnection, name: str, sql: str) -> int:
    """Recompute the rows of `name` its scope holds: delete them, insert them anew. A mart without a
    key recomputes every row."""
    key = incremental.KEYS.get(name)
    if key is None:
        con.execute(sql)
        return int(one(con, f"SELECT count(*) FROM {name}")[0])
    new = f"_mart_new_{name}"
    created = 0
    for statement in con.extract_statements(sql):
        query = statement.query
        if re.match(r"\s*COMMENT\s+ON\s", _COMMENTS.sub("", query), re.IGNORECASE):
            continue  # the table keeps its comments
        query, n = _CREATE.subn(
            lambda m: f"CREATE OR REPLACE TEMP TABLE {new} AS" if m[1].lower() == name else m[0],
            query,
            count=1,
        )
        created += f"TEMP TABLE {new} AS" in query
        con.execute(query)
    if not created:
        raise ValueError(f"sql/marts/{name}.sql has no CREATE OR REPLACE TABLE {name} AS")
    old = f"SELECT * FROM {name} AS m WHERE EXISTS (SELECT 1 FROM {key.scope} AS s WHERE {key.match})"
    if name in incremental.CHANGES_READ:
        changed = incremental.changed_rows(name)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {changed} AS "
            f"({old} EXCEPT ALL SELECT * FROM {new}) UNION ALL (SELECT * FROM {new} EXCEPT ALL {old})"
        )
        incremental.follow(con, name)
        con.execute(f"DROP TABLE {changed}")
    con.execute(f"DELETE FROM {name} AS m WHERE EXISTS (SELECT 1 FROM {key.scope} AS s WHERE {key.match})")
    con.execute(f"INSERT INTO {name} SELECT * FROM {new}")
    (n,) = one(con, f"SELECT count(*) FROM {new}")
    con.execute(f"DROP TABLE {new}")
    return int(n)
