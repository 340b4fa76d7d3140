"""The basis comparison the incremental stages use (pipelines/warehouse/delta.py)."""

from __future__ import annotations

import duckdb

from pipelines.warehouse import delta

CURRENT = "SELECT k AS key, hash(v) AS digest FROM inputs"


def _con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE basis (key VARCHAR, digest UBIGINT)")
    con.execute("CREATE TABLE inputs (k VARCHAR, v INTEGER)")
    con.execute("INSERT INTO inputs VALUES ('a', 1), ('b', 2), ('c', 3)")
    return con


def test_no_basis_is_full_then_nothing_changed() -> None:
    con = _con()
    d = delta.compare(con, "basis", CURRENT, "v1")
    assert d.full and d.keys == ("a", "b", "c") and d.total == 3
    delta.remember(con, "basis")
    d = delta.compare(con, "basis", CURRENT, "v1")
    assert d.empty and d.total == 3


def test_added_removed_and_changed_keys() -> None:
    con = _con()
    delta.compare(con, "basis", CURRENT, "v1")
    delta.remember(con, "basis")
    con.execute("UPDATE inputs SET v = 20 WHERE k = 'b'")
    con.execute("DELETE FROM inputs WHERE k = 'c'")
    con.execute("INSERT INTO inputs VALUES ('d', 4)")
    d = delta.compare(con, "basis", CURRENT, "v1")
    assert not d.full and d.keys == ("b", "c", "d") and d.total == 3


def test_not_remembered_is_seen_again_and_new_version_is_full() -> None:
    con = _con()
    delta.compare(con, "basis", CURRENT, "v1")
    delta.remember(con, "basis")
    con.execute("UPDATE inputs SET v = 10 WHERE k = 'a'")
    assert delta.compare(con, "basis", CURRENT, "v1").keys == ("a",)
    # the stage failed before remember: the next night sees the same change
    assert delta.compare(con, "basis", CURRENT, "v1").keys == ("a",)
    assert delta.compare(con, "basis", CURRENT, "v2").full
