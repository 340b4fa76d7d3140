"""The Great Expectations suite, built from the rule catalogue, validated against the DuckDB warehouse.

One `UnexpectedRowsExpectation` per rule whose query is the rule's own SQL (`catalogue.fail_query`), so
GX and the findings table can never disagree about what a rule says; GX's count of unexpected rows
is recorded next to the findings count in `rule_runs`, and a test checks they are equal.

GX 1.24 on DuckDB: the SQL datasource connects through duckdb-engine, but every metric comes back
empty (upstream GX issues #11579 and #10738): `SqlAlchemyExecutionEngine.execute_query` returns the
cursor result after its `with get_connection()` block has closed the connection, and a DuckDB
cursor is gone once its connection closes, while e.g. PostgreSQL drivers have already buffered
the rows. `buffered_results()` patches that one method, for the duration of a validation only, to
buffer the rows inside the block. The pandas datasource needs no patch but cannot run
`UnexpectedRowsExpectation` at all, so every rule would have to be written a second time as pandas
expectations; expectations/README.md has the measurement behind the choice.

No network: analytics are disabled (environment and context config), the context is ephemeral
(in memory, never GX Cloud), and tests run a validation with sockets blocked.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines import catalogue
from pipelines.catalogue import Rule
from pipelines.warehouse import db

# Before GX is imported anywhere: the env var is what GX reads when a context has no setting.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

DATASOURCE = "gongkai_warehouse"
SUITE = "gongkai_statutory_rules"


@dataclass(frozen=True)
class GxResult:
    rule_id: str
    success: bool
    unexpected: int | None  # None when GX raised instead of counting
    seconds: float
    error: str | None = None


def gx_query(rule: Rule) -> str:
    """The rule's failing-instances query in GX's template language: GX `str.format`s the query to
    substitute {batch}, so the SQL's own braces are doubled. The batch is the warehouse's reports
    (dim_report), which restricts nothing the rules select but ties the query to the batch."""
    sql = catalogue.fail_query(rule).replace("{", "{{").replace("}", "}}")
    return f"SELECT gk.* FROM (\n{sql}\n) AS gk\nWHERE gk.report_id IN (SELECT report_id FROM {{batch}})"


def build_suite(rules: Sequence[Rule], ctx: Any = None) -> Any:
    """The expectation suite, one UnexpectedRowsExpectation per catalogue rule (GX needs an active
    context to create one: `ctx`, else a new ephemeral one)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    if ctx is None:
        context()
    suite = gx.ExpectationSuite(name=SUITE)
    for rule in rules:
        suite.add_expectation(
            gxe.UnexpectedRowsExpectation(
                unexpected_rows_query=gx_query(rule),
                description=f"{rule.id}: {rule.en}",
                meta={"rule_id": rule.id, "check": rule.check, "severity": rule.severity, "zh": rule.zh},
            )
        )
    return suite


@contextmanager
def buffered_results() -> Iterator[None]:
    """Make GX's SQL metrics work on DuckDB: buffer each query's rows before its connection closes."""
    from great_expectations.execution_engine import SqlAlchemyExecutionEngine

    original = SqlAlchemyExecutionEngine.execute_query

    def execute_query(self: Any, query: Any) -> Any:
        with self.get_connection() as connection:
            result = self._execute_query_with_recovery(connection, query)
            # freeze() reads every row now; calling the frozen result gives a Result over them
            return result.freeze()()

    SqlAlchemyExecutionEngine.execute_query = execute_query  # type: ignore[method-assign]
    try:
        yield
    finally:
        SqlAlchemyExecutionEngine.execute_query = original  # type: ignore[method-assign]


def context() -> Any:
    """An in-memory GX context with analytics and progress bars off."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        store_backend_defaults=InMemoryStoreBackendDefaults(),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def validate(
    warehouse_path: str | Path, rules: Sequence[Rule], *, patched: bool = True, table: str = "dim_report"
) -> dict[str, GxResult]:
    """Validate the suite against the warehouse file; the work tables must exist (engine.prepare).

    Opens its own connection through SQLAlchemy, so no other connection with a different DuckDB
    configuration may hold the file meanwhile. Rules are validated one expectation at a time, which
    is what gives a time per rule; the expectations are those of `build_suite`. `patched=False`
    shows the upstream behaviour (for the measurement and the test that the patch is still needed).
    `table` is the batch: a table of the report_ids whose failing instances count (a slice's judged
    reports, pipelines/rules/slices.py)."""
    path = Path(warehouse_path).resolve()
    ctx = context()
    datasource = ctx.data_sources.add_sql(
        DATASOURCE,
        connection_string=f"duckdb:///{path}",
        # the pipeline's memory cap (db.connect's) on the engine's own connections
        kwargs={"connect_args": {"config": db.config(db.limits(), path)}},
    )
    try:
        asset = datasource.add_table_asset("reports", table_name=table)
        batch = asset.add_batch_definition_whole_table("all").get_batch()
        suite = build_suite(rules, ctx)
        out: dict[str, GxResult] = {}
        with buffered_results() if patched else nullcontext():
            for expectation in suite.expectations:
                rule_id = expectation.meta["rule_id"]
                t0 = time.perf_counter()
                res = batch.validate(expectation, result_format="BASIC")
                seconds = time.perf_counter() - t0
                observed = res.result.get("observed_value")
                error = None
                if res.exception_info and res.exception_info.get("raised_exception"):
                    error = res.exception_info.get("exception_message")
                else:
                    # exception_info is keyed by metric when a metric failed
                    for info in (res.exception_info or {}).values():
                        if isinstance(info, dict) and info.get("raised_exception"):
                            error = info.get("exception_message")
                out[rule_id] = GxResult(
                    rule_id, bool(res.success), None if error else _int(observed), seconds, error
                )
        return out
    finally:
        # Both engines hold DuckDB connections, and DuckDB refuses a connection with another
        # configuration (ours) to a file while any of them is open.
        datasource.get_execution_engine().close()
        datasource.get_engine().dispose()


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
