"""The analyst marts: sql/marts/<table>.sql, each building the table it is named after, run in
dependency order (a mart that names another mart runs after it).

Each file replaces its table and its comments in one transaction, so readers see the old mart or
the new one, never half of one. The marts read current_report, dim_agency_profile (written by
pipelines.identity) and, when the rules have run, findings.
"""

from __future__ import annotations

import graphlib
import re
import time
from pathlib import Path

import duckdb

from pipelines import packaged, warehouse
from pipelines.identity import Resolver

MARTS_DIR = packaged.path("sql", "marts")

# What the marts read from other engineers' tables when those are not there yet.
_OPTIONAL_TABLES = {
    "findings": "CREATE TEMP TABLE findings (report_id VARCHAR, rule_id VARCHAR, status VARCHAR, severity VARCHAR)",
}


def mart_files(directory: Path = MARTS_DIR) -> dict[str, Path]:
    return {p.stem: p for p in sorted(directory.glob("*.sql"))}


def dependencies(files: dict[str, Path]) -> dict[str, set[str]]:
    """For each mart, the other marts its SQL names (as whole words)."""
    deps: dict[str, set[str]] = {}
    for name, path in files.items():
        text = _strip_comments(path.read_text(encoding="utf-8"))
        deps[name] = {other for other in files if other != name and re.search(rf"\b{other}\b", text)}
    return deps


def build_order(files: dict[str, Path] | None = None) -> list[str]:
    files = mart_files() if files is None else files
    return list(graphlib.TopologicalSorter(dependencies(files)).static_order())


def build(con: duckdb.DuckDBPyConnection, names: list[str] | None = None) -> dict[str, float]:
    """Build the named marts (default: all) in dependency order; returns seconds per mart."""
    files = mart_files()
    order = [n for n in build_order(files) if names is None or n in names]
    unknown = set(names or ()) - set(files)
    if unknown:
        raise KeyError(f"no such mart: {', '.join(sorted(unknown))}")
    warehouse.ensure_schema(con)
    _ensure_optional_tables(con)
    seconds: dict[str, float] = {}
    for name in order:
        t0 = time.perf_counter()
        con.begin()
        try:
            con.execute(files[name].read_text(encoding="utf-8"))
        except BaseException:
            con.rollback()
            raise
        con.commit()
        seconds[name] = time.perf_counter() - t0
    return seconds


def refresh(con: duckdb.DuckDBPyConnection, resolver: Resolver | None = None) -> dict[str, float]:
    """Identity, then every mart: what the Dagster assets do, for scripts, tests and the benchmark."""
    from pipelines.identity import store

    warehouse.ensure_schema(con)
    t0 = time.perf_counter()
    store.rebuild(con, resolver)
    return {"agency_dimension": time.perf_counter() - t0, **build(con)}


def _ensure_optional_tables(con: duckdb.DuckDBPyConnection) -> None:
    present = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    for name, ddl in _OPTIONAL_TABLES.items():
        if name not in present:
            con.execute(ddl)


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)
