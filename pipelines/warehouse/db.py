"""Small DuckDB helpers shared by the modules that read and write the warehouse.

Every connection the pipeline opens comes from `connect`, which applies the process's memory cap:
DuckDB's memory_limit and the folder it spills to (Settings.memory_limit, Settings.temp_directory).
An entry point that has its Settings hands them to `configure` (the Dagster resource, `gongkai run`);
until one does, the cap is the environment's, else the default (pipelines/settings.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipelines import settings as settings_mod


@dataclass(frozen=True)
class Limits:
    memory_limit: str | None  # DuckDB's memory_limit ("4GB"); None: DuckDB's default
    temp_directory: Path | None  # where FILE.tmp spill folders go; None: beside the database file

    @classmethod
    def of(cls, settings: settings_mod.Settings) -> Limits:
        return cls(settings.memory_limit, settings.temp_directory)

    def spill_folder(self, path: str | Path) -> Path | None:
        """The folder a connection to `path` spills to, when not DuckDB's own choice (FILE.tmp beside
        the file, or .tmp in the working directory for an in-memory database)."""
        if self.temp_directory is None:
            return None
        name = "memory" if str(path) == ":memory:" else Path(path).name
        return self.temp_directory / f"{name}.tmp"


_limits: Limits | None = None


def configure(limits: Limits | None) -> Limits | None:
    """The cap of every connection opened from now on in this process (None: the environment's
    again); returns the one it replaces."""
    global _limits
    previous, _limits = _limits, limits
    return previous


def limits() -> Limits:
    if _limits is not None:
        return _limits
    return Limits(settings_mod.memory_limit(None), settings_mod.temp_directory(None))


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    if str(path) != ":memory:" and not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        apply(con, limits(), path)
    except BaseException:
        con.close()
        raise
    return con


def apply(con: duckdb.DuckDBPyConnection, cap: Limits, path: str | Path) -> None:
    """Set the cap on an open connection. Both settings belong to the database instance, which every
    connection to the same file in this process shares, so they are set as statements rather than as
    connect-time configuration (DuckDB refuses a second connection whose configuration differs)."""
    if cap.memory_limit is not None:
        con.execute("SET memory_limit = ?", [cap.memory_limit])
    folder = cap.spill_folder(path)
    if folder is not None:
        folder.parent.mkdir(parents=True, exist_ok=True)  # DuckDB makes the spill folder, not its parents
        con.execute("SET temp_directory = ?", [str(folder)])


def config(cap: Limits, path: str | Path) -> dict[str, str]:
    """The same cap as connect-time configuration, for a connection opened by another library (GX's
    SQLAlchemy engine)."""
    out: dict[str, str] = {}
    if cap.memory_limit is not None:
        out["memory_limit"] = cap.memory_limit
    folder = cap.spill_folder(path)
    if folder is not None:
        out["temp_directory"] = str(folder)
    return out


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
