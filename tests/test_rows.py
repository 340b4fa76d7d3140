"""warehouse.rows.replace: the table ends up holding exactly the new rows, as a full rewrite would,
and rows that did not change are not written again."""

from __future__ import annotations

import random
from collections.abc import Sequence

import duckdb
import pytest

from pipelines.warehouse.rows import replace

COLUMNS = ("k", "n", "names", "note")


def table(con: duckdb.DuckDBPyConnection, name: str, rows: Sequence[tuple[object, ...]]) -> None:
    con.execute(
        f"CREATE OR REPLACE TABLE {name} (k VARCHAR PRIMARY KEY, n INTEGER, names VARCHAR[], note VARCHAR)"
    )
    if rows:
        con.executemany(f"INSERT INTO {name} VALUES (?, ?, ?, ?)", rows)


def random_rows(rng: random.Random, keys: list[str]) -> list[tuple[object, ...]]:
    return [
        (
            k,
            rng.choice([None, 0, 1, 2]),
            rng.choice([None, [], ["甲"], ["甲", "乙"]]),
            rng.choice([None, "", "备注"]),
        )
        for k in keys
    ]


def frozen(row: tuple[object, ...]) -> tuple[object, ...]:
    return tuple(tuple(v) if isinstance(v, list) else v for v in row)


@pytest.mark.parametrize("seed", range(12))
def test_the_table_holds_exactly_the_new_rows(seed: int) -> None:
    rng = random.Random(seed)
    con = duckdb.connect()
    keys = [f"r{i}" for i in range(40)]
    old = random_rows(rng, rng.sample(keys, 25))
    new = random_rows(rng, rng.sample(keys, 25))
    # some rows stay exactly as they were
    new = [*{r[0]: r for r in new + rng.sample(old, 10)}.values()]
    assert 0 < len({frozen(r) for r in old} & {frozen(r) for r in new}) < len(new)
    table(con, "t", old)
    table(con, "s", new)
    rowid = dict(con.execute("SELECT k, rowid FROM t").fetchall())
    con.begin()
    deleted, inserted = replace(con, "t", "s", "k", COLUMNS)
    con.commit()
    got = con.execute("SELECT * FROM t ORDER BY k").fetchall()
    assert got == con.execute("SELECT * FROM s ORDER BY k").fetchall()
    unchanged = {frozen(r) for r in old} & {frozen(r) for r in new}
    assert deleted == len(old) - len(unchanged)
    assert inserted == len(new) - len(unchanged)
    # the unchanged rows were left where they were, not deleted and written again
    after = dict(con.execute("SELECT k, rowid FROM t").fetchall())
    assert all(after[r[0]] == rowid[r[0]] for r in unchanged)


def test_nothing_changed_writes_nothing() -> None:
    con = duckdb.connect()
    rows = [("a", 1, ["甲"], None), ("b", None, None, "")]
    table(con, "t", rows)
    table(con, "s", rows)
    assert replace(con, "t", "s", "k", COLUMNS) == (0, 0)
    assert sorted(con.execute("SELECT * FROM t").fetchall(), key=str) == sorted(rows, key=str)
