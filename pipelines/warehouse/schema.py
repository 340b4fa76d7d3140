"""The warehouse schema: created from sql/schema/, migrated by sql/migrations/, checked by every step.

`migrate` is the first thing a run does to the warehouse (the ingest stage): it creates a new
warehouse from the schema files, or applies the migrations an existing one has not had, each once,
recorded in `schema_version`. When the schema files changed since (a view, a comment) or the layout
did (the dim_cell seed), it refreshes views, comments and dim_cell. Every other step calls `check`,
one query, and refuses a warehouse whose schema is not the code's.

sql/schema/<stage>/<relation>.sql names which stage writes each table (ingest, identity, rules);
`relations()` is how the Dagster definitions learn the tables each stage's asset stands for.
"""

from __future__ import annotations

import graphlib
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from pipelines import layout, packaged
from pipelines.warehouse.db import registered, transaction

STAGES = ("ingest", "identity", "rules")
_MIGRATION = re.compile(r"^(\d{4})_[\w-]+\.sql$")
_COMMENT = re.compile(r"^\s*COMMENT\s+ON\s", re.IGNORECASE)


class SchemaError(RuntimeError):
    """The warehouse's schema is not the one this code reads and writes."""


@dataclass(frozen=True)
class Relation:
    """A table or view of sql/schema/: its name, kind, the stage that writes it ('' for the schema's
    own table) and its DDL."""

    name: str
    kind: str  # table | view
    stage: str
    path: Path
    sql: str


@dataclass(frozen=True)
class Migration:
    version: int
    path: Path


def schema_dir() -> Path:
    return packaged.path("sql", "schema")


def migrations_dir() -> Path:
    return packaged.path("sql", "migrations")


@cache
def relations() -> tuple[Relation, ...]:
    """Every relation of sql/schema/, tables first, then views in dependency order."""
    found: list[Relation] = []
    root = schema_dir()
    rank = {stage: i for i, stage in enumerate(STAGES)}
    for path in sorted(root.rglob("*.sql"), key=lambda p: (rank.get(p.parent.name, len(rank)), p.name)):
        stage = path.parent.name if path.parent != root else ""
        sql = path.read_text(encoding="utf-8")
        kind = "view" if re.search(r"\bCREATE\s+(OR\s+REPLACE\s+)?VIEW\b", sql, re.IGNORECASE) else "table"
        found.append(Relation(path.stem, kind, stage, path, sql))
    tables = [r for r in found if r.kind == "table"]
    views = {r.name: r for r in found if r.kind == "view"}
    graph = graphlib.TopologicalSorter({name: reads(r.sql, set(views) - {name}) for name, r in views.items()})
    return (*tables, *(views[name] for name in graph.static_order()))


def by_stage(stage: str) -> tuple[Relation, ...]:
    return tuple(r for r in relations() if r.stage == stage)


def reads(sql: str, names: set[str] | frozenset[str]) -> set[str]:
    """Which of `names` an SQL text reads: the relations named after FROM or JOIN (comments and
    strings left out; a column that shares a table's name is not a read)."""
    text = re.sub(r"--[^\n]*", "", sql)
    text = re.sub(r"'(?:[^']|'')*'", "''", text)
    found = set(re.findall(r"\b(?:FROM|JOIN)\s+(?:main\.)?(\w+)", text, re.IGNORECASE))
    return found & set(names)


def migrations() -> tuple[Migration, ...]:
    out = []
    folder = migrations_dir()
    for path in sorted(folder.glob("*.sql")) if folder.is_dir() else []:
        m = _MIGRATION.match(path.name)
        if not m:
            raise SchemaError(f"{path}: a migration is named NNNN_what.sql")
        out.append(Migration(int(m.group(1)), path))
    versions = [m.version for m in out]
    if versions != list(range(2, 2 + len(versions))):
        raise SchemaError(f"migrations must be numbered 0002, 0003, … without gaps; found {versions}")
    return tuple(out)


def latest_version() -> int:
    return 1 + len(migrations())


@cache
def fingerprint() -> str:
    """What a warehouse must have been brought up to date with: the schema files, the migrations and
    the dim_cell seed."""
    h = hashlib.sha256()
    for r in relations():
        h.update(f"{r.stage}/{r.name}\0{r.sql}\0".encode())
    for m in migrations():
        h.update(f"{m.path.name}\0{m.path.read_text(encoding='utf-8')}\0".encode())
    for row in dim_cell_rows():
        h.update(repr(row).encode())
    return h.hexdigest()


def dim_cell_rows() -> list[tuple[str | None, ...]]:
    """The dim_cell seed, from the layout (which shared/spec/cells.tsv mirrors)."""
    return [
        (s.cell_id, s.format, s.table, s.row_code, s.col_code, s.row_label, s.col_label, s.unit, s.group)
        for s in layout.CELLS
    ]


DIM_CELL_COLUMNS = (
    "cell_id",
    "format",
    "table_no",
    "row_code",
    "col_code",
    "row_label",
    "col_label",
    "unit",
    "group_code",
)


def _present(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        n
        for (n,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database()"
        ).fetchall()
    }


def _state(con: duckdb.DuckDBPyConnection) -> tuple[int, str] | None:
    if "schema_version" not in _present(con):
        return None
    row = con.execute(
        "SELECT version, fingerprint FROM schema_version ORDER BY applied_at DESC, version DESC LIMIT 1"
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Bring the warehouse to this code's schema, in one transaction; returns what was done (empty
    when it already was). Safe to call on every run: a current warehouse costs two queries."""
    done: list[str] = []
    with transaction(con):
        state = _state(con)
        if state is not None and state == (latest_version(), fingerprint()):
            return done
        present = _present(con)
        if state is None:
            con.execute(_relation("schema_version").sql)
            if "dim_report" in present:
                # written before schema versions: release 0.1's schema is version 1
                version = 1
                done.append("adopted")
            else:
                for r in relations():
                    if r.kind == "table" and r.name != "schema_version":
                        con.execute(r.sql)
                version = latest_version()
                done.append("created")
        else:
            version = state[0]
            if version > latest_version():
                raise SchemaError(
                    f"the warehouse has schema version {version}, newer than this code's "
                    f"{latest_version()}: use the release that wrote it"
                )
        for m in migrations():
            if m.version > version:
                con.execute(m.path.read_text(encoding="utf-8"))
                version = m.version
                done.append(m.path.name)
        _refresh(con)
        done = done or ["refreshed"]
        con.execute(
            "INSERT INTO schema_version VALUES (?, ?, ?, ?)",
            [version, fingerprint(), datetime.now(UTC), ", ".join(done)],
        )
    return done


def _refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Views, comments and the dim_cell seed as the schema files and the layout say."""
    for r in relations():
        if r.kind == "view":
            con.execute(r.sql)
        else:
            for statement in con.extract_statements(r.sql):
                if _COMMENT.match(_strip_comments(statement.query)):
                    con.execute(statement.query)
    cells = pl.DataFrame(dim_cell_rows(), schema=list(DIM_CELL_COLUMNS), orient="row")
    with registered(con, {"_gk_cells": cells}):
        con.execute("DELETE FROM dim_cell")
        cols = ", ".join(DIM_CELL_COLUMNS)
        con.execute(f"INSERT INTO dim_cell ({cols}) SELECT {cols} FROM _gk_cells ORDER BY cell_id, format")


def check(con: duckdb.DuckDBPyConnection) -> None:
    """Raise SchemaError unless the warehouse has this code's schema (a run's first step migrates it)."""
    state = _state(con)
    if state == (latest_version(), fingerprint()):
        return
    have = "no schema version" if state is None else f"schema version {state[0]}"
    if state is not None and state[0] == latest_version():
        have += " with other views, comments or cell seed"
    raise SchemaError(
        f"the warehouse has {have}, this code needs version {latest_version()}: "
        "run `gongkai run` (its first step migrates the warehouse)"
    )


def _relation(name: str) -> Relation:
    return next(r for r in relations() if r.name == name)


def _strip_comments(sql: str) -> str:
    return re.sub(r"^\s*(--[^\n]*\n\s*)*", "", sql)
