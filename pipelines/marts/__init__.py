"""The marts stage: sql/marts/<table>.sql, each building the table it is named after, run in dependency
order (a mart that names another mart runs after it). `build` is the stage's one driver.

Each file replaces its table and its comments in one transaction, so readers see the old mart or
the new one, never half of one. The marts read current_report, dim_agency_profile (written by the
identity stage) and findings (the rules stage).
"""

from __future__ import annotations

import graphlib
import time
from pathlib import Path

import duckdb

from pipelines import packaged
from pipelines.warehouse import schema
from pipelines.warehouse.db import transaction


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
    schema.check(con)
    files = mart_files()
    unknown = set(names or ()) - set(files)
    if unknown:
        raise KeyError(f"no such mart: {', '.join(sorted(unknown))}")
    seconds: dict[str, float] = {}
    for name in build_order(files):
        if names is not None and name not in names:
            continue
        t0 = time.perf_counter()
        with transaction(con):
            con.execute(files[name].read_text(encoding="utf-8"))
        seconds[name] = time.perf_counter() - t0
    return seconds
