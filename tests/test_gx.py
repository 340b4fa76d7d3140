"""Great Expectations: the suite comes from the catalogue, runs on DuckDB through the patched SQL
datasource, agrees with the findings table, and makes no network call."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_rules import load, make, run  # tests/ is on sys.path (rootdir conftest, no package)

from pipelines import catalogue, warehouse
from pipelines.catalogue import Rule
from pipelines.rules import gx
from pipelines.warehouse import schema


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A warehouse file with one report breaking several rules and a clean one."""
    path = tmp_path_factory.mktemp("gx") / "wh.duckdb"
    con = warehouse.connect(path)
    try:
        schema.migrate(con)
        load(
            con,
            make(2023, scale=2),
            make(
                2024,
                add={
                    "t4.review.total": 1,
                    "t3.granted.natural_person": 1,
                    "t3.granted.total": 1,
                    "t2.normative_doc.in_force": 4,
                },
            ),
        )
        run(con)
    finally:
        con.close()
    yield path


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError(f"network call attempted: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(None, a[0] if a else None))  # type: ignore[arg-type]
    return attempts


def test_suite_is_built_from_the_catalogue() -> None:
    rules = catalogue.load()
    suite = gx.build_suite(rules)
    assert [e.meta["rule_id"] for e in suite.expectations] == [r.id for r in rules]
    for exp, rule in zip(suite.expectations, rules, strict=True):
        assert type(exp).__name__ == "UnexpectedRowsExpectation"
        assert exp.unexpected_rows_query == gx.gx_query(rule)
        # the rule's own SQL, not a second version of it
        assert rule.sql.replace("{", "{{").replace("}", "}}") in exp.unexpected_rows_query
        assert "{batch}" in exp.unexpected_rows_query
        assert exp.meta["check"] == rule.check and exp.description.startswith(rule.id)


def test_gx_counts_what_the_findings_table_holds(wh: Path, no_network: list[Any]) -> None:
    results = gx.validate(wh, catalogue.load())
    con = warehouse.connect(wh, read_only=True)
    try:
        fails = dict(
            con.execute("SELECT rule_id, count(*) FROM findings WHERE status = 'fail' GROUP BY 1").fetchall()
        )
    finally:
        con.close()
    assert fails.keys() >= {"T4-F1", "T3-F2", "T2-X1"}
    for rule_id, res in results.items():
        assert res.error is None, (rule_id, res.error)
        assert res.unexpected == fails.get(rule_id, 0), rule_id
        assert res.success == (rule_id not in fails), rule_id
    assert no_network == []


def test_gx_runs_offline(no_network: list[Any]) -> None:
    ctx = gx.context()
    assert ctx.config.analytics_enabled is False
    assert os.environ["GX_ANALYTICS_ENABLED"] == "false"
    assert type(ctx).__name__ == "EphemeralDataContext"  # in memory: never GX Cloud, nothing on disk
    assert no_network == []


def test_the_patch_is_still_needed(wh: Path) -> None:
    """Upstream GX issues #11579 / #10738: on DuckDB every SQL metric comes back empty. If this test
    fails, GX has fixed it and `gx.buffered_results` can go."""
    rules = [r for r in catalogue.load() if r.id == "T4-F1"]
    unpatched = gx.validate(wh, rules, patched=False)["T4-F1"]
    assert unpatched.unexpected is None and unpatched.error is not None
    assert gx.validate(wh, rules)["T4-F1"].unexpected == 1


def test_the_patch_is_undone_after_validation(wh: Path) -> None:
    from great_expectations.execution_engine import SqlAlchemyExecutionEngine

    before = SqlAlchemyExecutionEngine.execute_query
    gx.validate(wh, catalogue.load()[:1])
    assert SqlAlchemyExecutionEngine.execute_query is before


def test_braces_in_rule_sql_reach_duckdb_unchanged(wh: Path) -> None:
    # GX str.formats the query for {batch}: the builder must escape the SQL's own braces
    rule = Rule(
        "Z-1",
        "Q",
        "Q",
        "info",
        "括号",
        "braces",
        "SELECT report_id, '' AS instance, CAST([] AS VARCHAR[]) AS cell_ids, "
        "CAST(NULL AS VARCHAR) AS related_report_id, CAST([] AS VARCHAR[]) AS related_cell_ids, "
        "CAST(NULL AS DOUBLE) AS expected, CAST(NULL AS DOUBLE) AS actual, CAST(NULL AS DOUBLE) AS diff, "
        "false AS blank_decided, '{x}' AS message_zh FROM quality.report "
        "WHERE {'k': year}.k = 2024",
    )
    res = gx.validate(wh, [rule])["Z-1"]
    assert res.error is None and res.unexpected == 1


def test_the_warehouse_is_free_again_after_validation(wh: Path) -> None:
    gx.validate(wh, catalogue.load()[:2])
    con = warehouse.connect(wh)  # our configuration differs from duckdb-engine's: must not clash
    con.close()
