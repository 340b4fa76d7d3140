"""Small DuckDB helpers shared by the modules that write the warehouse."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import duckdb
import pandas as pd


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
def registered(con: duckdb.DuckDBPyConnection, frames: Mapping[str, pd.DataFrame]) -> Iterator[None]:
    """DataFrames visible to SQL under the given names for the block: how report text reaches SQL,
    as data, never spliced into a statement."""
    for name, df in frames.items():
        con.register(name, df)
    try:
        yield
    finally:
        for name in frames:
            con.unregister(name)
