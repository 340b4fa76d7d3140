"""The rule catalogue evaluated against the warehouse: build the work tables once
(sql/quality/prepare.sql), evaluate every rule's SQL into `findings`, and log the run in `rule_runs`.

The findings table is rebuilt in one transaction (delete, then insert), so readers never see half a
run and re-running over the same warehouse gives the same table. Great Expectations validates the
same SQL afterwards (pipelines/rules/gx.py); `catalogue.fail_query` is the one place both take it from.
pipelines/rules/__init__.py runs the steps in order.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import polars as pl

from pipelines import layout, packaged
from pipelines.catalogue import FAIL_COLUMNS, NOT_ASSESSABLE_COLUMNS, Rule

PREPARE_SQL = packaged.path("sql", "quality", "prepare.sql")
_STEP = re.compile(r"^-- step: (\w+)\s*$", re.MULTILINE)


@dataclass
class RuleResult:
    rule: Rule
    seconds: float
    fail: int
    not_assessable: int
    gx_success: bool | None = None
    gx_unexpected: int | None = None
    gx_seconds: float | None = None


@dataclass
class RunResult:
    run_id: str
    started_at: datetime
    prepare_seconds: dict[str, float]
    rules: list[RuleResult] = field(default_factory=list)
    # why GX did not validate (None: it did, or was not asked)
    gx_error: str | None = None
    cases: Any = None  # what the case log did (pipelines.rules.cases.CaseStats), when it ran
    plan: Any = None  # which reports the run judged (pipelines.rules.slices.Plan), when planned

    @property
    def seconds(self) -> float:
        return sum(self.prepare_seconds.values()) + sum(r.seconds for r in self.rules)

    def by_id(self) -> dict[str, RuleResult]:
        return {r.rule.id: r for r in self.rules}


# ---------------------------------------------------------------------------------------------
# Work tables


def prepare(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """(Re)build the `quality` schema's work tables; returns seconds per step."""
    steps = _steps(PREPARE_SQL.read_text(encoding="utf-8"))
    times: dict[str, float] = {}
    con.begin()
    try:
        for name, sql in steps:
            t0 = time.perf_counter()
            con.execute(sql)
            if name == "macros":
                _seed_labels(con)
            times[name] = time.perf_counter() - t0
    except BaseException:
        con.rollback()
        raise
    con.commit()
    return times


def _steps(text: str) -> list[tuple[str, str]]:
    parts = _STEP.split(text)
    # parts: [preamble, name1, body1, name2, body2, ...]
    return [(parts[i], parts[i + 1].strip()) for i in range(1, len(parts), 2) if parts[i + 1].strip()]


# Short labels for messages, where the statutory label is too long to repeat in a sentence.
_T3_ROW_SHORT = {
    "new_received": "本年新收",
    "carried_over": "上年结转",
    "total": "（七）总计",
    "carried_forward": "结转下年度继续办理",
    "other": "其他处理",
    "other_overdue_correction": "逾期不补正",
    "other_overdue_fee": "逾期未缴费",
    "other_misc": "其他处理·其他",
}
_T3_COL_SHORT = {"other_org": "其他组织"}
_NUMBERING = re.compile(r"（[一二三四五六七八九十]）|[一二三四]、|[0-9][.、]")


def t3_row_label(code: str) -> str:
    if code in _T3_ROW_SHORT:
        return _T3_ROW_SHORT[code]
    return _NUMBERING.split(layout.T3_ROW_BY_CODE[code].label)[-1].strip()


def t3_col_label(code: str) -> str:
    return _T3_COL_SHORT.get(code) or next(c.label for c in layout.T3_COLS if c.code == code).split("·")[-1]


def label_rows() -> list[tuple[str, str, int, str]]:
    rows: list[tuple[str, str, int, str]] = []
    rows += [("t3_row", r.code, i, t3_row_label(r.code)) for i, r in enumerate(layout.T3_ROWS)]
    rows += [("t3_col", c.code, i, t3_col_label(c.code)) for i, c in enumerate(layout.T3_COLS)]
    rows += [("t3_group", g, i, label) for i, (g, label) in enumerate(layout.T3_GROUPS.items())]
    rows += [("t2_item", it.code, i, it.label) for i, it in enumerate(layout.T2_ITEMS)]
    rows += [("t4_block", b, i, label) for i, (b, label) in enumerate(layout.T4_BLOCKS)]
    return rows


def cell_label_rows() -> list[tuple[str, str, str]]:
    """(cell_id, format, "表三 予以公开·自然人") for every cell of both formats."""
    out = []
    for s in layout.CELLS:
        if s.table == "三":
            text = f"{t3_row_label(s.row_code)}·{t3_col_label(s.col_code)}"
        elif s.table == "四":
            text = f"{dict(layout.T4_BLOCKS)[s.row_code]}·{dict(layout.T4_COLS)[s.col_code]}"
        else:
            text = f"{s.row_label}·{s.col_label}"
        out.append((s.cell_id, s.format, f"表{s.table} {text}"))
    return out


def _seed_labels(con: duckdb.DuckDBPyConnection) -> None:
    labels = pl.DataFrame(
        label_rows(), schema={"kind": pl.Utf8, "code": pl.Utf8, "ord": pl.Int64, "zh": pl.Utf8}, orient="row"
    )
    cells = pl.DataFrame(
        cell_label_rows(), schema={"cell_id": pl.Utf8, "format": pl.Utf8, "zh": pl.Utf8}, orient="row"
    )
    con.register("_gk_labels", labels)
    con.register("_gk_cell_labels", cells)
    try:
        con.execute("CREATE OR REPLACE TABLE quality.label AS SELECT * FROM _gk_labels")
        con.execute("CREATE OR REPLACE TABLE quality.cell_label AS SELECT * FROM _gk_cell_labels")
    finally:
        con.unregister("_gk_labels")
        con.unregister("_gk_cell_labels")


# ---------------------------------------------------------------------------------------------
# Rules -> findings


def evaluate(con: duckdb.DuckDBPyConnection, rules: Sequence[Rule]) -> list[RuleResult]:
    """Rebuild `findings` and `dim_rule` from the rules, in one transaction; needs `prepare` first."""
    results = []
    con.begin()
    try:
        con.execute("DELETE FROM findings")
        con.execute("DELETE FROM dim_rule")
        con.executemany(
            "INSERT INTO dim_rule VALUES (?, ?, ?, ?, ?, ?)",
            [[r.id, r.rule_class, r.check, r.severity, r.zh, r.en] for r in rules],
        )
        for rule in rules:
            results.append(_evaluate_one(con, rule))
        con.execute("DROP TABLE IF EXISTS _gk_stage")
        # counted once at the end: on small warehouses the statements, not the data, cost the time
        counts = {
            (rid, status): n
            for rid, status, n in con.execute(
                "SELECT rule_id, status, count(*) FROM findings GROUP BY ALL"
            ).fetchall()
        }
    except BaseException:
        con.rollback()
        raise
    con.commit()
    for r in results:
        r.fail = counts.get((r.rule.id, "fail"), 0)
        r.not_assessable = counts.get((r.rule.id, "not_assessable"), 0)
    return results


def _evaluate_one(con: duckdb.DuckDBPyConnection, rule: Rule) -> RuleResult:
    t0 = time.perf_counter()
    cols = ", ".join(FAIL_COLUMNS)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _gk_stage AS SELECT {cols} FROM (\n{rule.sql}\n)")
    # Instances that touch a guessed cell, of the judged report or of the report it is compared
    # with (last year's, a child's), are kept as not assessable, with the rule's own message: the
    # numbers are what the parser read, the doubt is said up front. A wrong guess in one report
    # must not make another organ's report look wrong (e.g. an F2019 表二 glued run of a child
    # feeding its government's H-X1, or last year's feeding T2-X2). The price: a real break whose
    # reference was guessed right is not assessable too (平潭 2022→2023 stock-flow: 2022's 698
    # comes from the glued run "8855698").
    con.execute(
        """
        INSERT INTO findings
        WITH guessed AS (
            SELECT s.report_id, s.instance, string_agg(coalesce(l.zh, u.cell_id), '、' ORDER BY u.cell_id) AS cells
            FROM _gk_stage s
            JOIN quality.uncertain u ON u.report_id = s.report_id AND list_contains(s.cell_ids, u.cell_id)
            LEFT JOIN quality.cell_label l ON l.cell_id = u.cell_id AND l.format = u.format
            GROUP BY s.report_id, s.instance
        ), related_guessed AS (
            SELECT s.report_id, s.instance, string_agg(coalesce(l.zh, u.cell_id), '、' ORDER BY u.cell_id) AS cells
            FROM _gk_stage s
            JOIN quality.uncertain u ON u.report_id = s.related_report_id
                                    AND list_contains(s.related_cell_ids, u.cell_id)
            LEFT JOIN quality.cell_label l ON l.cell_id = u.cell_id AND l.format = u.format
            GROUP BY s.report_id, s.instance
        )
        SELECT s.report_id, ?, coalesce(s.instance, ''),
               CASE WHEN g.cells IS NULL AND r.cells IS NULL THEN 'fail' ELSE 'not_assessable' END, ?,
               coalesce(s.cell_ids, []), s.related_report_id, coalesce(s.related_cell_ids, []),
               s.expected, s.actual, s.diff, coalesce(s.blank_decided, false),
               CASE WHEN g.cells IS NULL AND r.cells IS NULL THEN s.message_zh
                    WHEN g.cells IS NULL THEN '无法判断：所比较报告的 ' || r.cells
                         || ' 是解析器在多种可能中推测的数值，印刷的数值不确定。按推测值：' || s.message_zh
                    ELSE '无法判断：' || g.cells || ' 是解析器在多种可能中推测的数值，印刷的数值不确定。按推测值：'
                         || s.message_zh END
        FROM _gk_stage s
        LEFT JOIN guessed g ON g.report_id = s.report_id AND g.instance IS NOT DISTINCT FROM s.instance
        LEFT JOIN related_guessed r ON r.report_id = s.report_id AND r.instance IS NOT DISTINCT FROM s.instance
        """,
        [rule.id, rule.severity],
    )
    if rule.not_assessable_sql:
        na_cols = ", ".join(NOT_ASSESSABLE_COLUMNS)
        con.execute(
            f"""
            INSERT INTO findings
            SELECT report_id, ?, coalesce(instance, ''), 'not_assessable', ?, coalesce(cell_ids, []),
                   related_report_id, CAST([] AS VARCHAR[]), NULL, NULL, NULL, false, '无法判断：' || reason_zh
            FROM (SELECT {na_cols} FROM (
{rule.not_assessable_sql}
            ))""",
            [rule.id, rule.severity],
        )
    return RuleResult(rule, time.perf_counter() - t0, 0, 0)


def record(con: duckdb.DuckDBPyConnection, result: RunResult) -> None:
    """Append the run to the rule_runs audit log."""
    con.executemany(
        "INSERT OR REPLACE INTO rule_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                result.run_id,
                r.rule.id,
                result.started_at,
                r.seconds,
                r.fail,
                r.not_assessable,
                r.gx_success,
                r.gx_unexpected,
                r.gx_seconds,
            ]
            for r in result.rules
        ],
    )


def find(con: duckdb.DuckDBPyConnection, rules: Sequence[Rule], *, run_id: str) -> RunResult:
    """Prepare the work tables and evaluate every rule into `findings` (the rules stage without GX
    and the rule_runs log)."""
    started = datetime.now(UTC)
    prep = prepare(con)
    return RunResult(run_id, started, prep, evaluate(con, rules))
