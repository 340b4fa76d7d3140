"""The rules stage: the statutory consistency rules (FORMAT.md §6) of expectations/rules.yaml run into
the `findings` table, validated by Great Expectations, and logged in `rule_runs`.

`run` is the stage's one driver; the Dagster rules asset, `gongkai rules run`, the benchmarks and the
tests call it. The steps, in order: the guessed cells explained (guesses.explain, into guessed_cell),
the work tables and every rule (engine.find), the cases an office works through brought up to date
with tonight's findings and the staff decisions of data/decisions.csv (cases.update), the GX
validation of the same SQL (through its own connection), the audit log. The region rule H-X1 takes its organ
hierarchy from the identity stage (dim_agency_profile.parent_agency_id, report_scope).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

from pipelines import catalogue
from pipelines.catalogue import Rule
from pipelines.rules import cases, engine, guesses
from pipelines.rules.engine import RunResult
from pipelines.warehouse import connect, schema

__all__ = ["RunResult", "run"]


def run(
    warehouse_path: str | Path,
    *,
    run_id: str | None = None,
    gx: bool = True,
    rules: Sequence[Rule] | None = None,
    decisions: Path | None = None,
) -> RunResult:
    """Run every rule on the warehouse file, then bring the cases up to date with the staff decisions
    of `decisions` (default data/decisions.csv). GX is the second opinion: when it cannot run, the
    findings stand and `gx_error` says why."""
    rules = tuple(rules) if rules is not None else catalogue.load()
    con = connect(warehouse_path)
    try:
        schema.check(con)
        con.execute("SET enable_progress_bar = false")
        guesses.explain(con)
        result = engine.find(con, rules, run_id=run_id or str(uuid.uuid4()))
        result.cases = cases.update(con, now=result.started_at, decisions_file=decisions)
    finally:
        con.close()
    if gx:
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
