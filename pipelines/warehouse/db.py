"""Small DuckDB helpers shared by the modules that read and write the warehouse."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    if str(path) != ":memory:" and not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction: committed when the block ends, rolled back on any error (even Ctrl-C)."""
    con.begin()
    try:
        yield
    except BaseException:
        con.rollback()
        raise
    con.commit()


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, frames: Mapping[str, Any]) -> Iterator[None]:
    """Frames (polars or Arrow) visible to SQL under the given names for the block: how report text
    reaches SQL, as data, never spliced into a statement."""
    for name, df in frames.items():
        con.register(name, df)
    try:
        yield
    finally:
        for name in frames:
            con.unregister(name)


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> tuple[Any, ...]:
    """The single row of an aggregate query."""
    row = con.execute(sql, params).fetchone()
    assert row is not None  # aggregate queries always return a row
    return tuple(row)
