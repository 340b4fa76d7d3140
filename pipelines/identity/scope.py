"""Report scope: whether a report's numbers cover its organ's whole region (a county government's report
that adds up its departments' and towns' reports), the organ's own office only, or that cannot be told.

Every report gets a row of `report_scope`, written by the identity stage after the organs are resolved,
with the evidence kept beside the verdict. In order of weight:

1. a declared row of `data/report_scope.csv` (staff know their region's practice): columns `organ`
   (any name the identity stage resolves to the organ), `scope` (region or office), `from_year` and
   `to_year` (optional, inclusive), `note`;
2. the report's own wording when it is unmistakable (`全区共受理政府信息公开申请21件`,
   `全县各级行政机关…`, or `本机关共收到…申请`);
3. its numbers against the sum of its subordinates' reports (the organs whose parent it is in
   dim_agency_profile): equal cell by cell, or nearly (a region report with a publisher's slip), is a
   region report; printing fewer applications than its subordinates together is an own-office report;
4. the wording's weaker hints (`全区`, `本机关` without a count beside them);
5. the kind of organ: a department's report, and a township's that has no reporting subordinates,
   cover their own office.

A government report with none of these is `unknown`: the totals keep it apart (mart_year_total) and
the region rule H-X1 does not judge it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipelines import packaged
from pipelines.identity.resolve import Resolver
from pipelines.warehouse.db import registered
from pipelines.warehouse.rows import replace as replace_rows

SCOPE_FILE = packaged.path("data", "report_scope.csv")
COLUMNS = ("organ", "scope", "from_year", "to_year", "note")
SCOPES = ("region", "office")
TABLE_COLUMNS = (
    "report_id",
    "agency_id",
    "year",
    "scope",
    "basis",
    "declared",
    "declared_note",
    "wording",
    "wording_strength",
    "wording_text",
    "sum_check",
    "parts_due",
    "parts_present",
    "cells_compared",
    "cells_equal",
    "evidence_zh",
)
# A region report may differ from its parts' sum in some cells (a publisher's slip, a misread cell,
# one part that copied last year's report) and still be one; an own-office report agrees with the
# sum only by coincidence, and so does a region report whose parts are mostly missing from the
# warehouse. On synthetic corpora (seeds 1, 3, 7) region reports agreed on 16-100% of the non-zero
# 表三/表四 cells compared, own-office reports on 0-7% (at most 4 cells); real region reports with
# one of their many parts loaded on 0-1%. H-X1 judges only region reports that agree this far. A
# region report one of whose parts copied last year's report agreed on 12.7% (15 of 118 cells, seed 1,
# 300 organs) but its 本年新收 was 0.68 of the parts' sum; own-office reports were 0.04-0.15 of theirs.
MOSTLY_EQUAL = 0.75
PARTLY_EQUAL = 0.15
PARTLY_EQUAL_NEAR = 0.05  # enough when 本年新收 is near the parts' sum (NEAR times it, either way)
NEAR = 2.0
PARTLY_EQUAL_MIN_CELLS = 5
_UNITS = "区县市省旗州盟"
_GOVERNMENT_BODIES = ("人民政府", "管理委员会", "管委会", "行政公署", "办事处")


class ScopeFileError(ValueError):
    """data/report_scope.csv is malformed; the message names the line."""


@dataclass(frozen=True, slots=True)
class Declared:
    agency_id: str
    organ: str
    scope: str
    from_year: int | None
    to_year: int | None
    note: str
    line: int

    def covers(self, year: int | None) -> bool:
        if year is None:
            return self.from_year is None and self.to_year is None
        return (self.from_year is None or year >= self.from_year) and (
            self.to_year is None or year <= self.to_year
        )


def load_declared(path: Path, resolver: Resolver) -> list[Declared]:
    """The declared rows, each organ resolved to its agency id; a missing file declares nothing."""
    path = Path(path)
    if not path.is_file():
        return []
    out: list[Declared] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ScopeFileError(f"{path}: header must be {','.join(COLUMNS)}")
        for row in reader:
            line = reader.line_num
            organ = (row["organ"] or "").strip()
            scope = (row["scope"] or "").strip()
            if not organ:
                raise ScopeFileError(f"{path}:{line}: organ is empty")
            if scope not in SCOPES:
                raise ScopeFileError(f"{path}:{line}: scope must be region or office, not {scope!r}")
            first, last = (_year(row[k], path, line, k) for k in ("from_year", "to_year"))
            if first is not None and last is not None and first > last:
                raise ScopeFileError(f"{path}:{line}: from_year is after to_year")
            ident = resolver.resolve(organ)
            if ident is None:
                raise ScopeFileError(f"{path}:{line}: {organ!r} names no organ")
            out.append(
                Declared(ident.agency_id, organ, scope, first, last, (row["note"] or "").strip(), line)
            )
    for i, a in enumerate(out):
        for b in out[:i]:
            if a.agency_id == b.agency_id and _overlap(a, b):
                raise ScopeFileError(
                    f"{path}:{a.line}: {a.organ!r} is the organ of line {b.line} too, for the same years"
                )
    return out


def _year(text: str | None, path: Path, line: int, column: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"(19|20)\d\d", text):
        raise ScopeFileError(f"{path}:{line}: {column} must be a year such as 2023, not {text!r}")
    return int(text)


def _overlap(a: Declared, b: Declared) -> bool:
    lo = max(a.from_year or 0, b.from_year or 0)
    hi = min(a.to_year or 9999, b.to_year or 9999)
    return lo <= hi


# ---------------------------------------------------------------------------------------------------
# The report's wording


@dataclass(frozen=True)
class Wording:
    scope: str | None  # region, office, conflict (both, equally strong), or None (nothing said)
    strength: str | None  # strong (a count beside the words) or weak
    text: str | None  # the words that decided, with a little context


def region_words(place: str | None, name: str | None) -> str:
    """A pattern for "the whole region" as this government says it: 全区, 全县 … in its own unit, or
    全 and its place's name (全盐都区). A county saying 全市 speaks of its city, not of itself."""
    units = {place[-1]} if place and place[-1] in _UNITS else set()
    if name:
        body = name
        for suffix in _GOVERNMENT_BODIES:
            if body.endswith(suffix):
                body = body[: -len(suffix)]
                break
        if body and body[-1] in _UNITS:
            units.add(body[-1])
    if not units:
        units = set(_UNITS)
    unit = "[" + "".join(sorted(units)) + "]"
    named = re.escape(place) if place else None
    short = re.escape(place[:-1]) if place and len(place) > 2 and place[-1] in _UNITS else None
    alternatives = [f"(?:{short})?{unit}" if short else unit] + ([named] if named else [])
    return "全(?:" + "|".join(alternatives) + ")"


_COUNT = (
    r"[^。；;！!？?]{0,12}?(?:共|累计|合计|总计)?(?:收到|受理|新收|办理|办结|登记)[^。；;！!？?]{0,16}?申请"
)
_OFFICE = r"本机关(?!不掌握)"
_STRONG_OFFICE = re.compile(_OFFICE + _COUNT)
_WEAK_OFFICE = re.compile(r"(?:^|[，,。；;\s]|年)" + _OFFICE)
_ALL_LEVELS = re.compile(r"各级行政机关")
_SUMMED = re.compile(r"本报告[^。；;]{0,24}(?:汇总|涵盖|包括)[^。；;]{0,24}(?:部门|乡镇|街道|下级)")
_SPACE = re.compile(r"\s+")


def wording(text: str, region: str) -> Wording:
    """What the report says of its own scope; `region` is region_words() of its organ."""
    text = _SPACE.sub("", text or "")
    strong_region = [
        m
        for p in (re.compile(region + _COUNT), re.compile(region + _ALL_LEVELS.pattern), _SUMMED)
        for m in p.finditer(text)
    ]
    strong_office = list(_STRONG_OFFICE.finditer(text))
    if strong_region or strong_office:
        return _pick(strong_region, strong_office, "strong", text)
    weak_region = list(re.finditer(region, text))
    weak_office = list(_WEAK_OFFICE.finditer(text))
    if weak_region or weak_office:
        return _pick(weak_region, weak_office, "weak", text)
    return Wording(None, None, None)


def _pick(region: list[re.Match[str]], office: list[re.Match[str]], strength: str, text: str) -> Wording:
    if region and office:
        return Wording("conflict", strength, _quote(region[0], text) + " / " + _quote(office[0], text))
    m = (region or office)[0]
    return Wording("region" if region else "office", strength, _quote(m, text))


def _quote(m: re.Match[str], text: str) -> str:
    start, end = max(0, m.start() - 6), min(len(text), m.end() + 12)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


# ---------------------------------------------------------------------------------------------------
# The stage step


# The parts due of each government report, stored before _SUMS reads them: inlined as a CTE, its row
# count is misjudged (by far) and the planner builds the hash join of the parts' cells on fact_cell
# instead, which took three times the CPU at 148k reports.
_DUE = """
CREATE OR REPLACE TEMP TABLE _gk_due AS
WITH gov AS (
    SELECT r.report_id, r.agency_id, r.year
    FROM dim_report r JOIN dim_agency_profile p USING (agency_id)
    WHERE p.organ_kind = 'government' AND r.year IS NOT NULL {only}
),
parts AS (
    -- the organs whose parent the government is, from the first year they reported
    SELECT p.parent_agency_id AS gov_id, p.agency_id, min(c.year) AS first_year
    FROM dim_agency_profile p JOIN current_report c USING (agency_id)
    WHERE p.parent_agency_id IS NOT NULL
    GROUP BY ALL
),
due AS (
    SELECT g.report_id, c.report_id AS part_report_id
    FROM gov g
    JOIN parts pa ON pa.gov_id = g.agency_id AND pa.first_year <= g.year
    LEFT JOIN current_report c ON c.agency_id = pa.agency_id AND c.year = g.year
)
SELECT * FROM due
"""

_SUMS = """
WITH due AS (SELECT * FROM _gk_due),
counts AS (
    SELECT report_id, count(*) AS parts_due, count(part_report_id) AS parts_present
    FROM due GROUP BY report_id
),
sums AS (
    SELECT d.report_id, f.cell_id, sum(CAST(coalesce(f.value, 0) AS DECIMAL(38, 6))) AS s, count(*) AS n
    FROM due d JOIN fact_cell f ON f.report_id = d.part_report_id
    WHERE f.cell_id LIKE 't3.%' OR f.cell_id LIKE 't4.%'
    GROUP BY ALL
),
cmp AS (
    SELECT c.report_id, f.cell_id, CAST(coalesce(f.value, 0) AS DECIMAL(38, 6)) AS v, s.s
    FROM counts c
    JOIN sums s ON s.report_id = c.report_id AND s.n = c.parts_present
    JOIN fact_cell f ON f.report_id = c.report_id AND f.cell_id = s.cell_id
)
SELECT
    c.report_id, c.parts_due, c.parts_present,
    count(m.cell_id) FILTER (WHERE m.v <> 0 OR m.s <> 0) AS cells_compared,
    count(m.cell_id) FILTER (WHERE (m.v <> 0 OR m.s <> 0) AND m.v = m.s) AS cells_equal,
    count(m.cell_id) FILTER (WHERE m.cell_id IN ('t3.new_received.total', 't3.total.total') AND m.v < m.s)
        AS key_cells_below,
    CAST(max(m.v) FILTER (WHERE m.cell_id = 't3.new_received.total') AS DOUBLE) AS own_new,
    CAST(max(m.s) FILTER (WHERE m.cell_id = 't3.new_received.total') AS DOUBLE) AS parts_new
FROM counts c LEFT JOIN cmp m USING (report_id)
GROUP BY ALL
"""


def build(
    con: duckdb.DuckDBPyConnection,
    resolver: Resolver,
    scope_file: Path | None = None,
    *,
    reports: str | None = None,
) -> None:
    """Rebuild report_scope, inside the caller's transaction: every report's row, or only those of the
    reports in the table named `reports` (column report_id; the other rows stay as they are). Needs dim_report.agency_id and dim_agency_profile
    written (store.build does this first)."""
    declared = load_declared(scope_file or SCOPE_FILE, resolver)
    only = f"AND r.report_id IN (SELECT report_id FROM {reports})" if reports else ""
    rows = con.execute(f"""
        SELECT r.report_id, r.agency_id, r.year, p.organ_kind, p.level,
               coalesce(p.township, p.county, p.city, p.province) AS place, a.name
        FROM dim_report r
        LEFT JOIN dim_agency_profile p USING (agency_id)
        LEFT JOIN dim_agency a USING (agency_id)
        WHERE TRUE {only}
        ORDER BY r.report_id""").fetchall()
    con.execute(_DUE.format(only=only))
    sums = {row[0]: row[1:] for row in con.execute(_SUMS).fetchall()}
    con.execute("DROP TABLE _gk_due")
    wanted = [r[0] for r in rows if r[3] == "government" and (r[4] != "township" or r[0] in sums)]
    texts = _texts(con, wanted)
    by_agency: dict[str, list[Declared]] = {}
    for d in declared:
        by_agency.setdefault(d.agency_id, []).append(d)
    out = []
    for report_id, agency_id, year, kind, level, place, name in rows:
        decl = next((d for d in by_agency.get(agency_id or "", ()) if d.covers(year)), None)
        said = (
            wording(texts[report_id], region_words(place, name))
            if report_id in texts
            else Wording(None, None, None)
        )
        out.append(_row(report_id, agency_id, year, kind, level, decl, said, sums.get(report_id)))
    frame = pl.DataFrame(
        out,
        schema={
            c: (
                pl.Int64
                if c in ("year", "parts_due", "parts_present", "cells_compared", "cells_equal")
                else pl.Utf8
            )
            for c in TABLE_COLUMNS
        },
        orient="row",
    )
    with registered(con, {"_gk_scope": frame}):
        if reports:
            con.execute(f"DELETE FROM report_scope WHERE report_id IN (SELECT report_id FROM {reports})")
            con.execute(
                f"INSERT INTO report_scope ({', '.join(TABLE_COLUMNS)}) "
                f"SELECT {', '.join(TABLE_COLUMNS)} FROM _gk_scope ORDER BY report_id"
            )
        else:
            replace_rows(con, "report_scope", "_gk_scope", "report_id", TABLE_COLUMNS)


def _texts(con: duckdb.DuckDBPyConnection, report_ids: Sequence[str]) -> dict[str, str]:
    if not report_ids:
        return {}
    rows = con.execute(
        """
        SELECT ids.report_id, coalesce(string_agg(s.text, '\n' ORDER BY s.section_key), '')
        FROM (SELECT unnest(?::VARCHAR[]) AS report_id) ids
        LEFT JOIN fact_section s USING (report_id)
        GROUP BY ids.report_id""",
        [list(report_ids)],
    ).fetchall()
    return dict(rows)


def sum_check(sums: Sequence[Any] | None) -> str | None:
    """How a government's report compares with the sum of its subordinates' reports of the same year."""
    if sums is None:
        return None
    due, present, compared, equal, below, own_new, parts_new = sums
    if present == 0:
        return "no_parts"
    near = bool(own_new and parts_new) and 1 / NEAR <= own_new / parts_new <= NEAR
    share = PARTLY_EQUAL_NEAR if near else PARTLY_EQUAL
    partly = equal >= PARTLY_EQUAL_MIN_CELLS and equal >= share * compared
    if below == 2 and not partly:
        return "below_parts"  # fewer applications than its parts together, and no likeness: not their sum
    if present < due:
        return "incomplete"
    if equal == compared:
        return "equal"  # with nothing but zeros on both sides too: equal, though it proves nothing
    if equal >= PARTLY_EQUAL_MIN_CELLS and equal >= MOSTLY_EQUAL * compared:
        return "mostly_equal"
    return "partly_equal" if partly else "differs"


_SUM_ZH = {
    "equal": "数字与 {present} 个下级机关报告之和逐格相等",
    "mostly_equal": "数字与 {present} 个下级机关报告之和大部分相等（{equal}/{compared} 格）",
    "partly_equal": "数字与 {present} 个下级机关报告之和部分相等（{equal}/{compared} 格），像是合计但有出入",
    "differs": "数字与 {present} 个下级机关报告之和几乎都不相等（{equal}/{compared} 格相等）",
    "below_parts": "本年新收和办理总计都小于 {present} 个下级机关报告之和，不可能是全区域合计",
    "incomplete": "{due} 个下级机关中只有 {present} 个有本年度报告，无法用合计判断",
    "no_parts": "没有下级机关本年度的报告",
}
_WORDING_ZH = {"region": "报告称“{text}”", "office": "报告称“{text}”", "conflict": "报告的说法不一（{text}）"}


def _row(
    report_id: str,
    agency_id: str | None,
    year: int | None,
    kind: str | None,
    level: str | None,
    decl: Declared | None,
    said: Wording,
    sums: Sequence[Any] | None,
) -> tuple[Any, ...]:
    check = sum_check(sums)
    due, present, compared, equal = sums[:4] if sums is not None else (None, None, None, None)
    evidence: list[str] = []
    if decl is not None:
        evidence.append(
            f"data/report_scope.csv 第 {decl.line} 行登记为"
            + ("全区域报告" if decl.scope == "region" else "本机关报告")
            + (f"（{decl.note}）" if decl.note else "")
        )
    if said.scope is not None:
        evidence.append(_WORDING_ZH[said.scope].format(text=said.text))
    if check is not None:
        evidence.append(_SUM_ZH[check].format(due=due, present=present, compared=compared, equal=equal))
    scope, basis = _decide(kind, level, decl, said, check if compared else None)
    if basis == "organ_kind":
        evidence.append(
            "政府部门的报告只含本部门的数字" if kind == "department" else "乡镇报告没有单独报告的下级机关"
        )
    if agency_id is None:
        evidence.append("未能确定报告机关")
    elif scope == "unknown" and not evidence:
        evidence.append("报告未说明范围，也没有下级机关的报告可供比较")
    return (
        report_id,
        agency_id,
        year,
        scope,
        basis,
        decl.scope if decl else None,
        decl.note if decl else None,
        said.scope,
        said.strength,
        said.text,
        check,
        due,
        present,
        compared,
        equal,
        "；".join(evidence),
    )


def _decide(
    kind: str | None, level: str | None, decl: Declared | None, said: Wording, check: str | None
) -> tuple[str, str]:
    """(scope, basis): declared > unmistakable wording > the sum of the parts > hints in the wording >
    the kind of organ."""
    if decl is not None:
        return decl.scope, "declared"
    if kind is None:
        return "unknown", "none"
    if kind == "department":
        return "office", "organ_kind"
    if said.strength == "strong" and said.scope in SCOPES:
        return str(said.scope), "wording"
    if check in ("equal", "mostly_equal", "partly_equal"):
        return "region", "sum"
    if check == "below_parts":
        return "office", "sum"
    if said.scope in SCOPES:
        return str(said.scope), "wording"
    if level == "township" and check in (None, "no_parts"):
        return "office", "organ_kind"
    return "unknown", "none"
