"""The rules stage: the statutory consistency rules (FORMAT.md §6) of expectations/rules.yaml run into
the `findings` table, validated by Great Expectations, and logged in `rule_runs`.

`run` is the stage's one driver; the Dagster rules asset, `gongkai rules run`, the benchmarks and the
tests call it. The steps, in order: the guessed cells explained (guesses.explain, into guessed_cell),
the work tables and every rule (engine.find), the cases an office works through brought up to date
with tonight's findings and the staff decisions of data/decisions.csv (cases.update), the GX
validation of the same SQL (through its own connection), the audit log. The region rule H-X1 takes its organ
hierarchy from the identity stage (dim_agency_profile.parent_agency_id, report_scope).

The rules judge only the reports whose findings can have changed since the last run, and their
neighbours (pipelines/rules/slices.py): a slice at a time in a scratch DuckDB file beside the warehouse,
GX validating each slice. A full run (no basis, a new version of the rules, `full=True`) that fits in
one slice is judged in the warehouse itself, GX validating the warehouse.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines import catalogue
from pipelines.catalogue import Rule
from pipelines.rules import cases, engine, guesses, slices
from pipelines.rules.engine import RunResult
from pipelines.warehouse import connect, delta, schema
from pipelines.warehouse.db import transaction

__all__ = ["RunResult", "run"]


def run(
    warehouse_path: str | Path,
    *,
    run_id: str | None = None,
    gx: bool = True,
    rules: Sequence[Rule] | None = None,
    decisions: Path | None = None,
    full: bool = False,
    slice_reports: int = slices.SLICE_REPORTS,
) -> RunResult:
    """Run the rules on the warehouse file for the reports whose findings can have changed (every
    report when `full`), then bring the cases up to date with the staff decisions of `decisions`
    (default data/decisions.csv). GX is the second opinion: when it cannot run, the findings stand
    and `gx_error` says why. `slice_reports`: reports per slice of a full run."""
    rules = tuple(rules) if rules is not None else catalogue.load()
    run_id = run_id or str(uuid.uuid4())
    in_place = False
    con = connect(warehouse_path)
    try:
        schema.check(con)
        con.execute("SET enable_progress_bar = false")
        guesses.explain(con)
        started = datetime.now(UTC)
        plan = slices.plan(con, rules, full=full, slice_reports=slice_reports)
        if plan.full and plan.slices <= 1:
            in_place = True
            result = engine.find(con, rules, run_id=run_id)
            with transaction(con):
                delta.remember(con, slices.BASIS)
        else:
            sliced, results = slices.evaluate(con, rules, _scratch(warehouse_path), gx=gx)
            result = RunResult(run_id, started, sliced.prepare_seconds, results)
            _replace(con, rules, full=plan.full)
            _count(con, result)
            for r in result.rules:
                if r.rule.id in sliced.gx:
                    r.gx_success, r.gx_unexpected, r.gx_seconds = sliced.gx[r.rule.id]
            result.gx_error = sliced.gx_error
            plan.compared = sliced.compared
        result.plan = plan
        result.cases = cases.update(con, now=result.started_at, decisions_file=decisions)
    finally:
        con.close()
    if gx and in_place:
        try:
            from pipelines.rules import gx as gx_mod

            for rule_id, g in gx_mod.validate(Path(warehouse_path), rules).items():
                r = result.by_id()[rule_id]
                r.gx_success, r.gx_unexpected, r.gx_seconds = g.success, g.unexpected, g.seconds
        except Exception as e:  # the findings above stand without GX
            result.gx_error = f"{type(e).__name__}: {e}"
    con = connect(warehouse_path)
    try:
        engine.record(con, result)
    finally:
        con.close()
    return result


def _scratch(warehouse_path: str | Path) -> Path:
    path = Path(warehouse_path).resolve()
    return path.with_name(f".{path.name}.rules-slice")


def _replace(con: duckdb.DuckDBPyConnection, rules: Sequence[Rule], *, full: bool) -> None:
    """The judged reports' findings (and the removed reports' none) in place of theirs, the rule
    catalogue, and the basis they were computed from, in one transaction."""
    with transaction(con):
        if full:
            con.execute("DELETE FROM findings")
        else:
            con.execute(
                "DELETE FROM findings WHERE report_id IN "
                "(SELECT report_id FROM _gk_judge UNION ALL SELECT report_id FROM _gk_removed)"
            )
        con.execute("INSERT INTO findings SELECT * FROM _gk_new_findings")
        con.execute("DELETE FROM dim_rule")
        con.executemany(
            "INSERT INTO dim_rule VALUES (?, ?, ?, ?, ?, ?)",
            [[r.id, r.rule_class, r.check, r.severity, r.zh, r.en] for r in rules],
        )
        delta.remember(con, slices.BASIS)


def _count(con: duckdb.DuckDBPyConnection, result: RunResult) -> None:
    """Each rule's findings as they stand after the run (the judged reports' and the others')."""
    counts = {
        (rid, status): n
        for rid, status, n in con.execute(
            "SELECT rule_id, status, count(*) FROM findings GROUP BY ALL"
        ).fetchall()
    }
    for r in result.rules:
        r.fail = counts.get((r.rule.id, "fail"), 0)
        r.not_assessable = counts.get((r.rule.id, "not_assessable"), 0)
