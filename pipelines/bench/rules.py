"""`gongkai rules bench`: the rules at national scale, and the GX engine measurement.

`synthesise` writes N reports straight into a warehouse with SQL (no parsing: this measures the
rules, not the parser): organs reporting 2019–2025 (F2019 for 2019–2020, F2021 after), ~200 cells
a report, six text sections, a region government over every 19 organs. Values are one consistent
template report scaled per organ-year, so every linear rule holds (including the region sums and
carry-overs), and 3% of reports get one miscounted cell, so the rules have findings to write.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipelines import catalogue, layout, rules, warehouse
from pipelines.identity import current
from pipelines.rules import engine
from pipelines.warehouse import schema

YEARS = tuple(range(2019, 2026))
GROUP = 20  # one region government and 19 organs its report sums


def template(fmt: str) -> dict[str, float]:
    """One report whose every §6 rule holds: carry-overs and stocks are 0 so that scaling it by a
    different factor each year keeps the cross-year rules too."""
    cols = [c.code for c in layout.T3_COLS]
    applicants = cols[:-1]
    leaf = {
        "granted": (3, 1),
        "partially_granted": (1, 0),
        "unavailable_not_held": (2, 1),
        "not_handled_duplicate": (1, 0),
        "denied_process_info": (1, 0),
    }
    other = "other" if fmt == "F2019" else "other_misc"
    leaf[other] = (1, 0)
    cells: dict[str, float] = {}
    outcome = layout.T3_OUTCOME_ROWS[fmt]
    for row in outcome:
        person, company = leaf.get(row, (0, 0))
        vals = [person, company, 0, 0, 0, 0]
        for c, v in zip(applicants, vals, strict=True):
            cells[f"t3.{row}.{c}"] = v
        cells[f"t3.{row}.total"] = sum(vals)
    for c in cols:
        total = sum(cells[f"t3.{r}.{c}"] for r in outcome)
        cells[f"t3.total.{c}"] = total
        cells[f"t3.new_received.{c}"] = total
        cells[f"t3.carried_over.{c}"] = 0
        cells[f"t3.carried_forward.{c}"] = 0
    for block, _ in layout.T4_BLOCKS:
        parts = (
            {"upheld": 1, "corrected": 1, "other": 0, "pending": 1}
            if block == "review"
            else {"upheld": 1, "corrected": 0, "other": 0, "pending": 0}
        )
        for k, v in parts.items():
            cells[f"t4.{block}.{k}"] = v
        cells[f"t4.{block}.total"] = sum(parts.values())
    t2 = {
        "issued": 3,
        "repealed": 3,
        "in_force": 0,
        "decisions": 40,
        "amount": 1.25,
        "new_made": 3,
        "new_published": 3,
        "total_published": 0,
        "prev_year_items": 0,
        "items_change": 0,
        "items": 5,
    }
    for cid in layout.CELL_IDS[fmt]:
        if cid.startswith("t2."):
            cells[cid] = t2[cid.rsplit(".", 1)[1]]
    assert set(cells) == set(layout.CELL_IDS[fmt])
    return cells


def synthesise(con: duckdb.DuckDBPyConnection, n_reports: int) -> dict[str, Any]:
    """Write n_reports synthetic reports (and their hierarchy) into an empty warehouse."""
    schema.migrate(con)
    t0 = time.perf_counter()
    tpl = pl.DataFrame(
        [(fmt, cid, float(v)) for fmt in layout.FORMATS for cid, v in template(fmt).items()],
        schema={"format": pl.Utf8, "cell_id": pl.Utf8, "v": pl.Float64},
        orient="row",
    )
    con.register("_gk_template", tpl)
    n_years = len(YEARS)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _gk_reports AS
        WITH r AS (
            SELECT i, i // {n_years} AS org, {YEARS[0]} + i % {n_years} AS year
            FROM range({n_reports}) t(i)
        )
        SELECT i, org, year, sha256(CAST(i AS VARCHAR)) AS report_id,
               'a' || lpad(CAST(org AS VARCHAR), 15, '0') AS agency_id,
               CASE WHEN year <= 2020 THEN 'F2019' ELSE 'F2021' END AS format,
               org % {GROUP} = 0 AS is_region,
               -- a child's scale; a region's is the sum of its children's (same year)
               CASE WHEN org % {GROUP} = 0
                    THEN (SELECT sum(1 + (c % 5) + (year - {YEARS[0]}))
                          FROM range(org + 1, org + {GROUP}) k(c) WHERE c * {n_years} + (year - {YEARS[0]}) < {n_reports})
                    ELSE 1 + (org % 5) + (year - {YEARS[0]}) END AS m,
               -- 3% of the organs' reports carry one publisher error each (not the regions: their
               -- sums would break too, which H-X1 already covers through the children)
               CASE WHEN org % {GROUP} = 0 THEN NULL
                    WHEN i % 100 = 37 THEN 't3.granted.natural_person'
                    WHEN i % 100 = 53 THEN 't4.review.total'
                    WHEN i % 100 = 71 THEN 't3.new_received.natural_person' END AS fault
        FROM r""")
    con.execute("INSERT INTO dim_agency SELECT DISTINCT agency_id, '机关' || agency_id FROM _gk_reports")
    con.execute("""
        INSERT INTO dim_report
        SELECT report_id, 'r' || i || '.html', 'html', format, year, agency_id, '机关' || agency_id,
               year || '年度政府信息公开工作年度报告', [], 'bench', TIMESTAMPTZ '2026-01-01 00:00:00+00'
        FROM _gk_reports""")
    # the hierarchy as the identity stage writes it: each group's organs under its region government,
    # whose reports cover the region (report_scope)
    con.execute(f"""
        INSERT INTO dim_agency_profile
        SELECT DISTINCT agency_id, agency_id, 'county', CASE WHEN is_region THEN 'government' ELSE 'department' END,
               CASE WHEN is_region THEN 'government' ELSE 'other' END, '320903', '32', '江苏省', '3209', '盐城市',
               '320903', '盐都区', NULL,
               CASE WHEN is_region THEN NULL ELSE 'a' || lpad(CAST(org - org % {GROUP} AS VARCHAR), 15, '0') END,
               NULL, 'division', true, ['机关' || agency_id]
        FROM _gk_reports""")
    con.execute("""
        INSERT INTO report_scope
        SELECT report_id, agency_id, year, CASE WHEN is_region THEN 'region' ELSE 'office' END,
               CASE WHEN is_region THEN 'declared' ELSE 'organ_kind' END, NULL, NULL, NULL, NULL, NULL,
               NULL, NULL, NULL, NULL, NULL, 'bench'
        FROM _gk_reports""")
    con.execute("""
        INSERT INTO fact_cell
        SELECT r.report_id, t.cell_id, r.format,
               t.v * r.m + CASE WHEN t.cell_id = r.fault
                                     OR (r.fault = 't3.new_received.natural_person' AND t.cell_id = 't3.new_received.total')
                                THEN 1 ELSE 0 END,
               CAST(t.v * r.m AS VARCHAR), 'number', false, NULL, 2, 3, 4, NULL, NULL
        FROM _gk_reports r JOIN _gk_template t USING (format)""")
    current.refresh(con)  # and the current versions, as the identity stage stores them
    # About 1.5 KB of prose a report, in sentences that change with the organ and the year; the
    # stated number of applications is the table's, so TX-Q1 holds.
    new_received = {fmt: template(fmt)["t3.new_received.total"] for fmt in layout.FORMATS}
    con.execute(
        """
        INSERT INTO fact_section
        SELECT r.report_id, s.key, NULL,
               r.year || '年，本机关' || r.agency_id || '认真贯彻落实《中华人民共和国政府信息公开条例》，围绕中心工作，'
               || '坚持以公开为常态、不公开为例外。' || s.key || '方面，全年主动公开政府信息' || (r.m * 37 + r.org % 11)
               || '条，发布政策解读' || (r.m + r.org % 7) || '篇。本年度共收到政府信息公开申请'
               || CAST(r.m * CASE r.format WHEN 'F2019' THEN ? ELSE ? END AS BIGINT) || '件，均在法定期限内答复。'
               || repeat('严格落实信息发布审查制度，规范公开流程，提升公开质量和实效，切实保障人民群众知情权。', 2)
        FROM _gk_reports r, (VALUES ('s1'), ('s2'), ('s3'), ('s4'), ('s5'), ('s6')) s(key)""",
        [new_received["F2019"], new_received["F2021"]],
    )
    con.unregister("_gk_template")
    con.execute("DROP TABLE _gk_reports")
    (cells,) = con.execute("SELECT count(*) FROM fact_cell").fetchone() or (0,)
    return {"reports": n_reports, "cells": cells, "seconds": time.perf_counter() - t0}


@dataclass
class SpeedResult:
    reports: int
    cells: int
    setup_seconds: float
    run: engine.RunResult
    gx_seconds: dict[str, float]


def speed(n_reports: int, workdir: Path, *, gx: bool = False) -> SpeedResult:
    """Synthesise n_reports into a fresh warehouse file and time a rules run (the stage's driver)."""
    db = Path(workdir) / "bench_rules.duckdb"
    for p in (db, db.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    con = warehouse.connect(db)
    try:
        con.execute("SET enable_progress_bar = false")
        info = synthesise(con, n_reports)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    run = rules.run(db, gx=gx)
    if run.gx_error:
        raise RuntimeError(f"Great Expectations did not run: {run.gx_error}")
    gx_seconds = {r.rule.id: r.gx_seconds for r in run.rules if r.gx_seconds is not None}
    for p in (db, db.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    return SpeedResult(n_reports, int(info["cells"]), info["seconds"], run, gx_seconds)


def format_speed(res: SpeedResult) -> str:
    run = res.run
    lines = [
        f"{res.reports:,} reports, {res.cells:,} fact_cell rows (synthesised in {res.setup_seconds:.1f} s)",
        "",
        f"{'step':28} {'seconds':>8}",
    ]
    lines += [f"prepare: {name:19} {sec:8.2f}" for name, sec in run.prepare_seconds.items()]
    lines.append("")
    gx_head = f" {'GX s':>7} {'GX unexpected':>13}" if res.gx_seconds else ""
    lines.append(f"{'rule':8} {'seconds':>8} {'fail':>7} {'not assessable':>14}{gx_head}")
    for r in run.rules:
        gx_cols = (
            f" {r.gx_seconds or 0:7.2f} {r.gx_unexpected if r.gx_unexpected is not None else '-':>13}"
            if res.gx_seconds
            else ""
        )
        lines.append(f"{r.rule.id:8} {r.seconds:8.2f} {r.fail:7} {r.not_assessable:14}{gx_cols}")
    prep = sum(run.prepare_seconds.values())
    rules = sum(r.seconds for r in run.rules)
    lines.append("")
    lines.append(
        f"total: prepare {prep:.2f} s + rules {rules:.2f} s = {prep + rules:.2f} s"
        + (f"; GX validation of the same SQL {sum(res.gx_seconds.values()):.2f} s" if res.gx_seconds else "")
    )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The GX engine measurement behind expectations/README.md


def compare_gx_engines(n_reports: int, workdir: Path) -> str:
    """Time the two ways GX can validate the catalogue on the same synthetic warehouse:
    the SQL datasource (patched) running every rule's own query, and the pandas datasource, which
    has no UnexpectedRowsExpectation and so needs the rules re-expressed as column expectations —
    done here for the one rule where that is easiest (T3-S1, one ExpectColumnPairValuesToBeEqual on
    a frame of every 表三 column), to get a lower bound on its cost."""
    from pipelines.rules import gx as gx_mod

    db = Path(workdir) / "bench_gx.duckdb"
    db.unlink(missing_ok=True)
    con = warehouse.connect(db)
    try:
        synthesise(con, n_reports)
    finally:
        con.close()
    run = rules.run(db, gx=False)
    fail_s1 = run.by_id()["T3-S1"].fail
    catalogue_rules = catalogue.load()
    t0 = time.perf_counter()
    sql_results = gx_mod.validate(db, catalogue_rules)
    sql_total = time.perf_counter() - t0
    sql_s1 = sql_results["T3-S1"]
    unpatched = gx_mod.validate(db, [r for r in catalogue_rules if r.id == "T3-S1"], patched=False)["T3-S1"]
    agree = sum(1 for r in run.rules if sql_results[r.rule.id].unexpected == r.fail)

    import great_expectations.expectations as gxe  # its pandas datasource is what is measured here

    t0 = time.perf_counter()
    con = warehouse.connect(db, read_only=True)
    try:
        frame = con.execute(
            "SELECT report_id, col_code, new_received + carried_over AS expected, "
            "total + carried_forward AS actual FROM quality.t3_col"
        ).df()
    finally:
        con.close()
    fetched = time.perf_counter() - t0
    ctx = gx_mod.context()
    batch = (
        ctx.data_sources.add_pandas("frames")
        .add_dataframe_asset("t3_col")
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    t1 = time.perf_counter()
    res = batch.validate(
        gxe.ExpectColumnPairValuesToBeEqual(column_A="expected", column_B="actual"), result_format="BASIC"
    )
    pandas_s1 = time.perf_counter() - t1
    db.unlink(missing_ok=True)
    unexpected = res.result.get("unexpected_count")
    return "\n".join(
        [
            f"GX engine comparison on {n_reports:,} synthetic reports ({len(frame):,} 表三 columns, "
            f"{fail_s1} T3-S1 violations in findings)",
            f"  SQL datasource, unpatched: T3-S1 success={unpatched.success}, unexpected={unpatched.unexpected}, "
            f"error={unpatched.error!r}",
            f"  SQL datasource, patched: all {len(catalogue_rules)} rules in {sql_total:.2f} s "
            f"(T3-S1 alone {sql_s1.seconds:.2f} s, unexpected {sql_s1.unexpected}); "
            f"unexpected count = findings count for {agree} of {len(catalogue_rules)} rules",
            f"  pandas datasource: T3-S1 only, fetch frame {fetched:.2f} s + validate {pandas_s1:.2f} s "
            f"= {fetched + pandas_s1:.2f} s (unexpected {unexpected}); the other {len(catalogue_rules) - 1} rules "
            "have no pandas form without rewriting them",
        ]
    )
