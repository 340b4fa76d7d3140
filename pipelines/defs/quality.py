"""The rules asset: every rule of expectations/rules.yaml evaluated into the findings table after each
warehouse load, validated with Great Expectations, and reported as one asset check per rule group.

Runs in the nightly job after the load (pipelines/defs/nightly.py).
A report that breaks rules is a finding, not a pipeline failure: the checks are WARN severity and
the asset succeeds whatever the rules find. Only a broken rule (bad SQL) or an unreachable
warehouse fails the run.

No `from __future__ import annotations` here: Dagster reads the annotations at definition time.
"""

import duckdb
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
)

from pipelines.defs.resources import InboxResource, WarehouseResource
from pipelines.pause import pause_point
from pipelines.quality import catalogue, engine, hierarchy

GROUP = "quality"
CHECK_TITLES = {
    "S": "表三 printed sum rule (T3-S1)",
    "F": "总计 rules (T3-F1..F3, T4-F1..F3)",
    "X": "cross-year rules (T3-X1, T2-X1, T2-X2)",
    "Q": "plausibility rules (Q1, T2-Q2, T3-Q3, TX-Q1)",
    "H": "region sums (H-X1)",
    "D": "copied reports (D-Q1)",
}
# Enough examples to see what is wrong; the full list is the report_findings view.
SAMPLE_MESSAGES = 10


def check_name(group: str) -> str:
    return f"rules_{group}"


@asset(
    # after agency_dimension: the rules compare an organ's years under the organs it resolves
    group_name=GROUP,
    kinds={"duckdb"},
    deps=[AssetKey("warehouse_tables"), AssetKey("agency_dimension")],
    check_specs=[
        AssetCheckSpec(check_name(g), asset="rule_findings", description=t) for g, t in CHECK_TITLES.items()
    ],
    description="Findings of the statutory consistency rules (FORMAT.md §6, expectations/rules.yaml): one "
    "row per (report, rule, failing instance) in the findings table and the report_findings view, "
    "validated by a Great Expectations suite built from the same catalogue.",
)
def rule_findings(
    context: AssetExecutionContext, warehouse: WarehouseResource, inbox: InboxResource
) -> MaterializeResult:
    rules = catalogue.load()
    con = warehouse.connect()
    try:
        links = hierarchy.load_inbox(con, inbox.folder())
        result = engine.run_rules(con, rules, run_id=context.run.run_id)
    finally:
        con.close()
    gx_error = None
    try:
        from pipelines.quality import gx

        # the file this run writes: in a nightly run the staging copy, not the published warehouse
        for rule_id, g in gx.validate(warehouse.working_path(), rules).items():
            r = result.by_id()[rule_id]
            r.gx_success, r.gx_unexpected, r.gx_seconds = g.success, g.unexpected, g.seconds
    except Exception as e:  # GX is the second opinion; the findings above stand without it
        gx_error = f"{type(e).__name__}: {e}"
        context.log.warning(f"Great Expectations validation did not run: {gx_error}")
    con = warehouse.connect()
    try:
        engine.record(con, result)
        samples = _samples(con)
    finally:
        con.close()
    checks = [_check_result(g, result, samples.get(g, []), gx_error) for g in CHECK_TITLES]
    pause_point("rules")
    return MaterializeResult(
        metadata={
            "findings": sum(r.fail for r in result.rules),
            "not_assessable": sum(r.not_assessable for r in result.rules),
            "by_rule": MetadataValue.json(
                {r.rule.id: {"fail": r.fail, "not_assessable": r.not_assessable} for r in result.rules}
            ),
            "seconds": round(result.seconds, 2),
            "organ_links": links,
            "gx": "ok" if gx_error is None else gx_error,
        },
        check_results=checks,
    )


def _samples(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = con.execute(
        "SELECT d.check_group, f.source_file || ' ' || f.rule_id || '：' || f.message "
        "FROM report_findings f JOIN dim_rule d USING (rule_id) "
        "ORDER BY d.check_group, f.severity, f.source_file, f.rule_id"
    ).fetchall()
    out: dict[str, list[str]] = {}
    for group, text in rows:
        out.setdefault(group, []).append(text)
    return out


def _check_result(
    group: str, result: engine.RunResult, samples: list[str], gx_error: str | None
) -> AssetCheckResult:
    rules = [r for r in result.rules if r.rule.check == group]
    fails = sum(r.fail for r in rules)
    meta: dict[str, object] = {
        r.rule.id: MetadataValue.json(
            {
                "severity": r.rule.severity,
                "fail": r.fail,
                "not_assessable": r.not_assessable,
                "gx_success": r.gx_success,
                "gx_unexpected": r.gx_unexpected,
            }
        )
        for r in rules
    }
    meta["findings"] = fails
    if samples:
        shown = samples[:SAMPLE_MESSAGES]
        more = (
            f"\n\n… and {len(samples) - len(shown)} more in report_findings"
            if len(samples) > len(shown)
            else ""
        )
        meta["examples"] = MetadataValue.md("\n".join(f"- {s}" for s in shown) + more)
    if gx_error:
        meta["gx_error"] = gx_error
    gx_failed = any(r.gx_success is False for r in rules)
    return AssetCheckResult(
        check_name=check_name(group),
        asset_key=AssetKey("rule_findings"),
        passed=fails == 0 and not gx_failed,
        severity=AssetCheckSeverity.WARN,
        metadata=meta,  # type: ignore[arg-type]
    )


QUALITY_ASSETS = [rule_findings]
