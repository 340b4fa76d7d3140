"""Findings as cases an office works through, kept across nights while `findings` is rebuilt.

A case is an organ's year, a rule and an instance of the rule (a column, row, block or cell): never a
file, a content hash or a run, so a corrected re-publication, a parser upgrade or a re-run meets the
same case again. After every rules run `update` brings the case log up to date:

* a failing finding of a current report without a case opens one (open);
* a resolved case failing again is reopened (reopened), and so is a case whose staff decision was made
  on printed numbers that have since changed (the decision lapses, flagged);
* an open case whose organ-year's current report no longer fails there is resolved, with the version
  that resolved it (a case the rule cannot decide any more, e.g. last year's report is now guessed, stays
  open: nothing says it was fixed);
* the staff decisions of data/decisions.csv are joined (pipelines/rules/decisions.py); a malformed row
  is reported in decision_issue with its line, never stopping the run.

Every change is a row of finding_case_event; no case is ever deleted. Re-running over the same
warehouse and decisions changes nothing (no event, no new time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.rules import decisions as decisions_mod
from pipelines.warehouse.db import registered, transaction

# The case key, in SQL: rule, year and a hash of organ, year, rule and instance.
CASE_ID_SQL = (
    "{rule} || '-' || CAST({year} AS VARCHAR) || '-' || "
    "left(sha256(concat_ws(chr(31), {agency}, CAST({year} AS VARCHAR), {rule}, {instance})), 12)"
)
# The printed numbers a finding rests on: its cells' values (or kind: blank, dash…), what the rule
# expected and what was printed. Wording changes of the message do not touch it.
_FAILING_SQL = """
CREATE OR REPLACE TEMP TABLE _gk_failing AS
WITH fail AS (
    SELECT f.*, c.agency_id, c.year
    FROM findings AS f
    JOIN current_report AS c USING (report_id)
    WHERE f.status = 'fail' AND c.agency_id IS NOT NULL AND c.year IS NOT NULL
), cells AS (
    SELECT x.report_id, x.rule_id, x.instance,
           string_agg(x.cell_id || '=' || coalesce(CAST(v.value AS VARCHAR), v.kind, '?'), ';' ORDER BY x.cell_id) AS printed
    FROM (SELECT report_id, rule_id, instance, unnest(cell_ids) AS cell_id FROM fail) AS x
    LEFT JOIN fact_cell AS v ON v.report_id = x.report_id AND v.cell_id = x.cell_id
    GROUP BY x.report_id, x.rule_id, x.instance
)
SELECT {case_id} AS case_id, f.agency_id, f.year, f.rule_id, f.instance, f.severity, f.report_id,
       md5(concat_ws('|', coalesce(p.printed, ''), coalesce(CAST(f.expected AS VARCHAR), ''),
                     coalesce(CAST(f.actual AS VARCHAR), ''))) AS printed,
       f.message_zh
FROM fail AS f
LEFT JOIN cells AS p USING (report_id, rule_id, instance)"""


def case_id_sql(agency: str, year: str, rule: str, instance: str) -> str:
    return CASE_ID_SQL.format(agency=agency, year=year, rule=rule, instance=instance)


@dataclass
class CaseStats:
    opened: int = 0
    resolved: int = 0
    reopened: int = 0
    decisions: int = 0
    lapsed: int = 0
    problems: list[str] = field(default_factory=list)  # decision_issue, as the log shows them


def update(con: duckdb.DuckDBPyConnection, *, now: datetime, decisions_file: Path | None = None) -> CaseStats:
    """Bring the case log up to date with the findings of this run (`now`: its start) and the decisions
    of `decisions_file` (default data/decisions.csv). One transaction."""
    stats = CaseStats()
    previous = con.execute("SELECT max(started_at) FROM rule_runs WHERE started_at < ?", [now]).fetchone()
    before = previous[0] if previous and previous[0] is not None else now
    with transaction(con):
        con.execute(
            _FAILING_SQL.format(case_id=case_id_sql("f.agency_id", "f.year", "f.rule_id", "f.instance"))
        )
        stats.opened = _open(con, now)
        stats.reopened = _reopen(con, now)
        _numbers_changed(con, now)
        stats.resolved = _resolve(con, now, before)
        _join_decisions(con, now, decisions_file, stats)
        con.execute("DROP TABLE IF EXISTS _gk_failing")
    return stats


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    row = con.execute(sql, params or []).fetchone()
    return int(row[0]) if row else 0


def _open(con: duckdb.DuckDBPyConnection, now: datetime) -> int:
    n = _count(con, "SELECT count(*) FROM _gk_failing ANTI JOIN finding_case_log USING (case_id)")
    con.execute(
        """
        INSERT INTO finding_case_event
        SELECT f.case_id, ?, 'opened', f.report_id, '发现：' || f.message_zh
        FROM _gk_failing f ANTI JOIN finding_case_log USING (case_id)""",
        [now],
    )
    con.execute(
        """
        INSERT INTO finding_case_log
        SELECT case_id, agency_id, year, rule_id, instance, severity, 'open', ?, ?, NULL, report_id, NULL,
               printed, message_zh, 0
        FROM _gk_failing ANTI JOIN finding_case_log USING (case_id)""",
        [now, now],
    )
    return n


def _reopen(con: duckdb.DuckDBPyConnection, now: datetime) -> int:
    """A resolved case failing again."""
    where = "FROM _gk_failing f JOIN finding_case_log l USING (case_id) WHERE l.status = 'resolved'"
    n = _count(con, f"SELECT count(*) {where}")
    con.execute(
        f"""
        INSERT INTO finding_case_event
        SELECT f.case_id, ?, 'reopened', f.report_id, '再次发现：' || f.message_zh {where}""",
        [now],
    )
    con.execute(
        """
        UPDATE finding_case_log SET status = 'reopened', status_since = ?, last_seen = NULL, resolved_by = NULL,
               report_id = f.report_id, printed = f.printed, message_zh = f.message_zh, severity = f.severity,
               reopened = reopened + 1
        FROM _gk_failing f
        WHERE finding_case_log.case_id = f.case_id AND finding_case_log.status = 'resolved'""",
        [now],
    )
    return n


def _numbers_changed(con: duckdb.DuckDBPyConnection, now: datetime) -> None:
    """A case still failing: its printed numbers changed (a re-publication that did not fix it) is an
    event; a new version with the same numbers only moves the case onto it."""
    con.execute(
        """
        INSERT INTO finding_case_event
        SELECT f.case_id, ?, 'numbers_changed', f.report_id, '所印数字有变化，仍不符：' || f.message_zh
        FROM _gk_failing f JOIN finding_case_log l USING (case_id)
        WHERE l.printed <> f.printed AND l.status_since < ?""",
        [now, now],
    )
    con.execute(
        """
        UPDATE finding_case_log SET report_id = f.report_id, printed = f.printed, message_zh = f.message_zh,
               severity = f.severity
        FROM _gk_failing f
        WHERE finding_case_log.case_id = f.case_id
          AND (finding_case_log.report_id, finding_case_log.printed, finding_case_log.message_zh,
               finding_case_log.severity) IS DISTINCT FROM (f.report_id, f.printed, f.message_zh, f.severity)""",
    )


def _resolve(con: duckdb.DuckDBPyConnection, now: datetime, before: datetime) -> int:
    """Open cases the current report no longer fails (and can still be judged on) are resolved."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _gk_resolved AS
        SELECT l.case_id, c.report_id AS resolved_by, c.file_name
        FROM finding_case_log l
        LEFT JOIN current_report c ON c.agency_id = l.agency_id AND c.year = l.year
        WHERE l.status <> 'resolved'
          AND l.case_id NOT IN (SELECT case_id FROM _gk_failing)
          AND NOT EXISTS (
              SELECT 1 FROM findings f
              WHERE f.report_id = c.report_id AND f.rule_id = l.rule_id AND f.status = 'not_assessable'
                AND (f.instance = l.instance OR f.instance = ''))""",
    )
    n = _count(con, "SELECT count(*) FROM _gk_resolved")
    con.execute(
        """
        INSERT INTO finding_case_event
        SELECT case_id, ?, 'resolved', resolved_by,
               CASE WHEN resolved_by IS NULL THEN '已解决：该机关该年度已没有报告（机关识别或报告有变动）'
                    ELSE '已解决：现行报告（' || file_name || '）不再违反这条规则' END
        FROM _gk_resolved""",
        [now],
    )
    con.execute(
        """
        UPDATE finding_case_log SET status = 'resolved', status_since = ?, last_seen = ?, resolved_by = r.resolved_by
        FROM _gk_resolved r WHERE finding_case_log.case_id = r.case_id""",
        [now, before],
    )
    con.execute("DROP TABLE _gk_resolved")
    return n


def _join_decisions(
    con: duckdb.DuckDBPyConnection, now: datetime, path: Path | None, stats: CaseStats
) -> None:
    known = {c for (c,) in con.execute("SELECT case_id FROM finding_case_log").fetchall()}
    found, problems = decisions_mod.load(path, known)
    stats.decisions = len(found)
    stats.problems = [p.problem_zh for p in problems]
    frame = pl.DataFrame(
        {
            "case_id": [d.case_id for d in found],
            "decision": [d.decision for d in found],
            "who": [d.who for d in found],
            "decided_on": [d.decided_on for d in found],
            "note": [d.note or None for d in found],
            "printed": [d.printed or None for d in found],
            "line": [d.line for d in found],
        },
        schema={
            "case_id": pl.Utf8,
            "decision": pl.Utf8,
            "who": pl.Utf8,
            "decided_on": pl.Date,
            "note": pl.Utf8,
            "printed": pl.Utf8,
            "line": pl.Int32,
        },
    )
    issues = pl.DataFrame(
        {
            "line": [p.line for p in problems],
            "case_id": [p.case_id for p in problems],
            "problem_zh": [p.problem_zh for p in problems],
        },
        schema={"line": pl.Int32, "case_id": pl.Utf8, "problem_zh": pl.Utf8},
    )
    labels = ", ".join(f"('{k}', '{v}')" for k, v in decisions_mod.DECISIONS.items())
    with registered(con, {"_gk_decided": frame, "_gk_issues": issues}):
        con.execute("DELETE FROM decision_issue")
        con.execute(
            "INSERT INTO decision_issue SELECT line, case_id, problem_zh FROM _gk_issues ORDER BY line"
        )
        # withdrawn: a decision no longer in the file
        con.execute(
            """
            INSERT INTO finding_case_event
            SELECT d.case_id, ?, 'decision_withdrawn', NULL, '处理意见已从 data/decisions.csv 中删除'
            FROM case_decision d ANTI JOIN _gk_decided USING (case_id)""",
            [now],
        )
        con.execute("DELETE FROM case_decision WHERE case_id NOT IN (SELECT case_id FROM _gk_decided)")
        # new or changed decisions: recorded on the numbers they were made on (the workbook's, else tonight's)
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _gk_new_decision AS
            SELECT n.*, coalesce(n.printed, l.printed) AS made_on, l.report_id, k.label
            FROM _gk_decided n
            JOIN finding_case_log l USING (case_id)
            JOIN (VALUES {labels}) AS k (code, label) ON k.code = n.decision
            LEFT JOIN case_decision d USING (case_id)
            WHERE d.case_id IS NULL
               OR (d.decision, d.who, d.decided_on, d.note) IS DISTINCT FROM (n.decision, n.who, n.decided_on, n.note)
               OR (n.printed IS NOT NULL AND n.printed <> d.printed)""",
        )
        con.execute(
            """
            INSERT INTO finding_case_event
            SELECT case_id, ?, 'decided', report_id,
                   '处理意见：' || label || '（' || who || '，' || strftime(decided_on, '%Y-%m-%d') || '）'
                   || coalesce('：' || note, '')
            FROM _gk_new_decision""",
            [now],
        )
        con.execute(
            """
            INSERT OR REPLACE INTO case_decision
            SELECT case_id, decision, who, decided_on, note, made_on, false, line, ?
            FROM _gk_new_decision""",
            [now],
        )
        con.execute(
            "UPDATE case_decision SET line = n.line FROM _gk_decided n WHERE case_decision.case_id = n.case_id"
        )
        con.execute("DROP TABLE _gk_new_decision")
    # a decision holds while the numbers it was made on are the case's; when they change it lapses and
    # the case is reopened (flagged), once
    lapsing = """
        FROM case_decision d JOIN finding_case_log l USING (case_id)
        WHERE NOT d.stale AND l.status <> 'resolved' AND d.printed <> l.printed"""
    stats.lapsed = _count(con, f"SELECT count(*) {lapsing}")
    con.execute(
        f"""
        INSERT INTO finding_case_event
        SELECT d.case_id, ?, 'decision_lapsed', l.report_id,
               '所印数字与作出处理意见时不同，处理意见不再适用，问题重新打开：' || l.message_zh
        {lapsing}""",
        [now],
    )
    con.execute(
        f"""
        UPDATE finding_case_log SET status = 'reopened', status_since = ?, reopened = reopened + 1
        WHERE case_id IN (SELECT d.case_id {lapsing})""",
        [now],
    )
    con.execute(
        """
        UPDATE case_decision SET stale = (l.status <> 'resolved' AND case_decision.printed <> l.printed)
        FROM finding_case_log l
        WHERE case_decision.case_id = l.case_id
          AND case_decision.stale IS DISTINCT FROM (l.status <> 'resolved' AND case_decision.printed <> l.printed)""",
    )
