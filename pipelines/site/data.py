"""What the site reads from the warehouse, in one pass: the marts for the numbers, current_report
for which file stands for an organ-year, report_findings for what does not add up; and fact_cell, a
batch of organ pages at a time, for their tables (`encoded_cells`, `cells_for`).

Every query orders its rows completely, so the same warehouse gives the same pages byte for byte.
Tables written by other steps may be missing (a warehouse on which the rules never ran has no
findings): the site then says so instead of failing.
"""

from __future__ import annotations

import gc
import operator
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import duckdb
import numpy
import pyarrow.compute

from pipelines.site import pinyin
from pipelines.site.names import slug

CHINA = ZoneInfo("Asia/Shanghai")
_T = TypeVar("_T")
REQUIRED = ("current_report", "mart_organ_year", "mart_coverage", "dim_agency_profile")


def _pickled_by_fields(cls: type[_T]) -> type[_T]:
    """A frozen dataclass pickled as its class and its field values (taken by one C call), unpickled by
    its constructor: dataclasses' own pickling looks up the class's fields for every object, and the
    organ pages' digests (pages/organ.py) pickle millions of them a night at national size."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    if len(names) < 2:
        raise TypeError(f"{cls.__name__}: attrgetter of one field gives no tuple")
    get = operator.attrgetter(*names)

    def __reduce__(self: _T) -> tuple[type[_T], tuple[Any, ...]]:
        return (cls, get(self))

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
    return cls


class MissingTables(RuntimeError):
    """The warehouse lacks the marts the site is built from."""


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Organ:
    agency_id: str
    name: str
    level: str | None
    kind: str | None
    sector: str | None
    province: str | None
    city: str | None
    county: str | None
    parent_id: str | None
    parent_name: str | None
    page: str  # path of its page, relative to the site root
    region_code: str | None = None  # most specific division code (2, 4 or 6 digits)
    province_code: str | None = None
    city_code: str | None = None
    county_code: str | None = None
    township: str | None = None
    names: tuple[str, ...] = ()  # every name its reports print
    has_reports: bool = True  # False: in the register of organs that must report, never published


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Report:
    report_id: str
    agency_id: str
    year: int
    file_name: str
    medium: str
    format_version: str
    title: str | None
    agency_name: str | None
    versions: int
    uncertain_cells: int
    loaded_at: datetime
    source_url: str | None = None  # where the file was fetched from (source_origin), None for inbox files
    listing_url: str | None = None  # the listing page its link was found on
    # with report_id, what its fact_cell and fact_section rows are a function of: the loader parses
    # a file again only under another parser version, and replaces its rows by report_id
    parser_version: str = ""


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Finding:
    report_id: str
    rule_id: str
    severity: str
    cell_ids: tuple[str, ...]
    expected: float | None
    actual: float | None
    diff: float | None
    message: str
    source_file: str
    actual_blank: bool = False  # what the report printed is a blank (the rule counted it as 0)
    instance: str = ""  # which instance of the rule (findings.instance)


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Status:
    """A report's verdict (report_status): passed, failed or unchecked, and why."""

    status: str
    reasons: tuple[str, ...]
    worst: str | None  # severity of the worst failed rule


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Scope:
    """Whether a report covers its organ's whole region (report_scope), and the evidence."""

    scope: str  # region | office | unknown
    basis: str
    evidence: str


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Guess:
    """A cell the parser guessed (guessed_cell), explained."""

    report_id: str
    cell_id: str
    format: str
    value: float | None
    chosen: str | None
    readings: tuple[str, ...]
    why: str


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Case:
    """A finding as a case an office works through (finding_case): its status, the staff's decision."""

    case_id: str
    rule_id: str
    severity: str
    agency_id: str
    year: int
    instance: str
    status: str  # open | resolved | reopened
    state: str  # resolved, else the holding decision, else open | reopened
    first_seen: str  # Beijing time, to the minute
    status_since: str
    days_to_resolve: int | None
    report_id: str
    resolved_by: str | None
    decision: str | None  # confirmed | explained | false_alarm, while it holds
    decision_given: str | None  # as in data/decisions.csv, held or lapsed
    decided_by: str | None
    decided_on: str | None
    note: str | None
    reopened: int
    printed: str
    message: str

    @property
    def key(self) -> tuple[str, int, str, str]:
        return (self.agency_id, self.year, self.rule_id, self.instance)


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Rule:
    rule_id: str
    severity: str
    title: str


@dataclass
class SiteData:
    organs: dict[str, Organ]
    organ_years: list[Row]  # mart_organ_year rows
    coverage: list[Row]  # mart_coverage rows
    reports: dict[str, Report]  # current reports by report_id
    findings: list[Finding]  # failed rules of current reports
    rules: dict[str, Rule]
    not_assessable: dict[str, int]  # rule_id -> current reports the rule could not decide
    rules_ran: bool
    cell_labels: dict[tuple[str, str], tuple[str, str]]  # (cell_id, format) -> (row label, col label)
    quarantine: list[tuple[str, str]]
    unassigned: list[dict[str, Any]]  # loaded reports without organ or year
    identity_issues: list[dict[str, Any]]
    files_total: int
    as_of: str | None
    latest_load: list[str] = field(default_factory=list)  # report_ids first loaded by the latest run
    status: dict[str, Status] = field(default_factory=dict)  # current reports' verdicts by report_id
    scopes: dict[str, Scope] = field(default_factory=dict)  # current reports' scope by report_id
    year_totals: list[dict[str, Any]] = field(default_factory=list)  # mart_year_total rows
    guesses: list[Guess] = field(default_factory=list)  # guessed cells of current reports
    region_totals: list[dict[str, Any]] = field(default_factory=list)  # mart_region_total rows
    register: list[dict[str, Any]] = field(default_factory=list)  # organ_register rows
    cases: dict[tuple[str, int, str, str], Case] = field(
        default_factory=dict
    )  # by (agency, year, rule, instance)
    case_events: dict[str, list[tuple[str, str, str]]] = field(
        default_factory=dict
    )  # case -> (time, event, detail)
    decision_issues: list[dict[str, Any]] = field(default_factory=list)  # decision_issue rows
    # the organs' names in pinyin, and any other name a page spells (search.py), for the next build
    spellings: pinyin.Spellings = field(default_factory=pinyin.Spellings)

    # Worked out from the coverage rows once (a million at national size): every list page asks.
    @cached_property
    def closed_year(self) -> int | None:
        """The latest year whose reports were due when the newest report was loaded
        (mart_coverage.closed_year): an organ missing only later years has not stopped reporting."""
        return max(
            (r["closed_year"] for r in self.coverage if r.get("closed_year") is not None), default=None
        )

    @property
    def years(self) -> list[int]:
        return list(self._years)

    @cached_property
    def _years(self) -> tuple[int, ...]:
        return tuple(sorted({r["year"] for r in self.coverage}))


def table_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views()"
    ).fetchall()
    return {name for (name,) in rows}


def records(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


class Row(Mapping[str, Any]):
    """A row of a query, read like a dict by column name: the column index is shared by every row of
    the query and equal values are one object, so that a million rows of fifty columns take a tenth
    of the memory of as many dicts (mart_organ_year at national size: 4 GB as dicts)."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: tuple[Any, ...]) -> None:
        self._index = index
        self._values = values

    def __getitem__(self, key: str) -> Any:
        return self._values[self._index[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return f"Row({dict(self)!r})"

    def __getstate__(self) -> tuple[dict[str, int], tuple[Any, ...]]:
        return (self._index, self._values)

    def __setstate__(self, state: tuple[dict[str, int], tuple[Any, ...]]) -> None:
        self._index, self._values = state


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[Row]:
    """The rows of a query as Rows, every string and number of them shared among equal values."""
    cur = con.execute(sql)
    index = {d[0]: i for i, d in enumerate(cur.description or ())}
    return [Row(index, values) for values in shared_values(cur)]


def shared_values(cur: duckdb.DuckDBPyConnection) -> Iterator[tuple[Any, ...]]:
    """The rows of a query, fetched a chunk at a time, with equal strings and numbers one object: a
    national warehouse's million reports repeat their organs' names, formats and counts. Zero and
    minus zero are one object too, and print alike on every page (render.clean).

    A query whose columns are all of `_ARROW` types (or lists of them) is fetched as Arrow batches and
    each column's distinct values are made Python objects once (`_arrow_values`): a value at a time,
    DuckDB's conversion took a third of a national build's loading. Any other is fetched as Python
    rows and shared a column at a time by dict.setdefault (no Python call per value)."""
    types = [str(d[1]) for d in cur.description or ()]
    if types and all(t.removesuffix("[]") in _ARROW for t in types):
        yield from _arrow_values(cur, types)
        return
    pools: dict[str, dict[Any, Any]] = {"str": {}, "float": {}, "int": {}}
    kinds = [_SHARED.get(t) for t in types]
    while chunk := cur.fetchmany(_CHUNK):
        columns = [
            list(map(pools[kind].setdefault, col, col)) if kind else col
            for kind, col in zip(kinds, zip(*chunk, strict=True), strict=True)
        ]
        yield from zip(*columns, strict=True)


def _arrow_values(cur: duckdb.DuckDBPyConnection, types: list[str]) -> Iterator[tuple[Any, ...]]:
    """shared_values of a query of `_ARROW` columns: per Arrow batch and column, its distinct values
    (dictionary_encode) made Python objects and shared, then taken by their codes (numpy). A list
    column is converted as it is."""
    pools: dict[str, dict[Any, Any]] = {"str": {}, "float": {}, "int": {}}
    kinds = [_SHARED.get(t) for t in types]
    lists = [t.endswith("[]") for t in types]
    for batch in cur.to_arrow_reader(_CHUNK):
        columns = []
        for col, kind, is_list in zip(batch.columns, kinds, lists, strict=True):
            if is_list:
                columns.append(col.to_pylist())
                continue
            coded = col.dictionary_encode()
            distinct = coded.dictionary.to_pylist()
            if kind:
                distinct = list(map(pools[kind].setdefault, distinct, distinct))
            objects = numpy.empty(len(distinct) + 1, dtype=object)  # the last: NULL
            objects[: len(distinct)] = distinct
            codes = coded.indices
            if codes.null_count:
                codes = pyarrow.compute.fill_null(codes, len(distinct))
            columns.append(objects[codes.to_numpy()].tolist())
        yield from zip(*columns, strict=True)


_CHUNK = 100_000
# DuckDB's column types whose values rows share (lists are not hashable; the rest seldom repeat).
_SHARED = {"VARCHAR": "str", "DOUBLE": "float", "FLOAT": "float", "BIGINT": "int", "INTEGER": "int"}
# DuckDB's column types that Arrow turns into the Python values DuckDB's own conversion gives (not a
# timestamp with time zone, for one: its zone object differs).
_ARROW = {"VARCHAR", "DOUBLE", "FLOAT", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "BOOLEAN"}


def load(con: duckdb.DuckDBPyConnection, spellings: pinyin.Spellings | None = None) -> SiteData:
    """What the site is drawn from; names are spelled in pinyin by `spellings` (those of the previous
    build, pinyin.Spellings.read), else each converted afresh.

    Python's cyclic garbage collector is paused meanwhile: the load makes tens of millions of objects
    at national size, all of which live on, and the collector went through them again and again (a
    third of the loading; reference counting still frees what the load drops)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _load(con, pinyin.Spellings() if spellings is None else spellings)
    finally:
        if paused:
            gc.enable()


def _load(con: duckdb.DuckDBPyConnection, spellings: pinyin.Spellings) -> SiteData:
    present = table_names(con)
    missing = [t for t in REQUIRED if t not in present]
    if missing:
        raise MissingTables(
            "the warehouse has no " + ", ".join(missing) + ": build the organ dimension and the "
            "marts first (gongkai run)"
        )
    organs = _organs(con, spellings)
    # the schema creates the findings tables up front; dim_rule is seeded only when the rules run
    rules_ran = {"report_findings", "dim_rule"} <= present and bool(
        _scalar(con, "SELECT count(*) FROM dim_rule")
    )
    reports = {r.report_id: r for r in _reports(con)}
    return SiteData(
        organs=organs,
        organ_years=rows(con, "SELECT * FROM mart_organ_year ORDER BY agency_id, year"),
        coverage=rows(
            con,
            "SELECT agency_id, year, status, report_id, first_year"
            + (", registered, expected_from, expected_to, organ_status" if _has_register(con) else "")
            + (", closed_year" if _has_column(con, "mart_coverage", "closed_year") else "")
            + " FROM mart_coverage ORDER BY agency_id, year",
        ),
        reports=reports,
        findings=_findings(con) if rules_ran else [],
        rules=_rules(con) if rules_ran else {},
        not_assessable=_not_assessable(con) if "report_not_assessable" in present else {},
        rules_ran=rules_ran,
        cell_labels={
            (c, f): (r, k)
            for c, f, r, k in con.execute(
                "SELECT cell_id, format, row_label, col_label FROM dim_cell ORDER BY ALL"
            ).fetchall()
        },
        quarantine=[
            (f, r)
            for f, r in con.execute(
                "SELECT file_name, reason FROM quarantine ORDER BY file_name, content_hash"
            ).fetchall()
        ],
        unassigned=records(
            con,
            "SELECT file_name, year, agency_name, medium FROM dim_report "
            "WHERE agency_id IS NULL OR year IS NULL ORDER BY file_name, report_id",
        ),
        identity_issues=_identity_issues(con) if "identity_issue" in present else [],
        files_total=_scalar(con, "SELECT count(*) FROM dim_report") or 0,
        as_of=_as_of(con),
        latest_load=_latest_load(con, present),
        status=_status(con) if rules_ran and "report_status" in present else {},
        scopes=_scopes(con) if "report_scope" in present else {},
        year_totals=(
            records(con, "SELECT * FROM mart_year_total ORDER BY year, province NULLS FIRST")
            if "mart_year_total" in present
            else []
        ),
        guesses=_guesses(con) if "guessed_cell" in present else [],
        region_totals=(
            records(
                con, "SELECT * FROM mart_region_total ORDER BY region_level, region_code NULLS FIRST, year"
            )
            if "mart_region_total" in present
            else []
        ),
        register=(
            records(con, "SELECT * FROM organ_register ORDER BY line") if "organ_register" in present else []
        ),
        cases=_cases(con) if "finding_case" in present else {},
        case_events=_case_events(con) if "finding_case_event" in present else {},
        decision_issues=(
            records(con, "SELECT * FROM decision_issue ORDER BY line, case_id")
            if "decision_issue" in present
            else []
        ),
        spellings=spellings,
    )


def _cases(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, int, str, str], Case]:
    rows = con.execute("""
        SELECT case_id, rule_id, severity, agency_id, year, instance, status, state, first_seen, status_since,
               days_to_resolve, report_id, resolved_by, decision, decision_given, decided_by,
               strftime(decided_on, '%Y-%m-%d'), note, reopened, printed, message
        FROM finding_case ORDER BY case_id""").fetchall()
    names = [f.name for f in fields(Case)]
    out = {}
    for r in rows:
        values = dict(zip(names, r, strict=True))
        values["first_seen"] = china_time(values["first_seen"]) or ""
        values["status_since"] = china_time(values["status_since"]) or ""
        case = Case(**values)
        out[case.key] = case
    return out


def _case_events(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str, str]]]:
    out: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for case_id, at, event, detail in con.execute(
        "SELECT case_id, seen_at, event, detail_zh FROM finding_case_event ORDER BY case_id, seen_at, event"
    ).fetchall():
        out[case_id].append((china_time(at) or "", event, detail))
    return dict(out)


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND column_name = ?", [table, column]
    ).fetchone()
    return bool(row and row[0])


def _has_register(con: duckdb.DuckDBPyConnection) -> bool:
    """mart_coverage knows the register (built by this code's marts, not an older build)."""
    return _has_column(con, "mart_coverage", "organ_status")


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    return row[0] if row else None


def _organs(con: duckdb.DuckDBPyConnection, spellings: pinyin.Spellings) -> dict[str, Organ]:
    """Every organ with a report, and every organ the register says must report: by region code
    (province, city, county; unplaced organs last), then by name in pinyin order."""
    registered = (
        "OR a.agency_id IN (SELECT agency_id FROM organ_register)"
        if "organ_register" in table_names(con)
        else ""
    )
    rows = shared_values(
        con.execute(f"""
        SELECT a.agency_id, a.name, p.level, p.organ_kind, p.sector, p.province, p.city, p.county,
               p.parent_agency_id, p.parent_name, p.region_code, p.province_code, p.city_code,
               p.county_code, p.township, coalesce(p.names, []),
               a.agency_id IN (SELECT agency_id FROM current_report)
        FROM dim_agency a
        LEFT JOIN dim_agency_profile p USING (agency_id)
        WHERE a.agency_id IN (SELECT agency_id FROM current_report) {registered}
        ORDER BY a.agency_id""")
    )
    organs = [
        Organ(
            a,
            name,
            level,
            kind,
            sector,
            province,
            city,
            county,
            parent_id,
            parent_name,
            page=f"organ/{slug(a)}.html",
            region_code=code,
            province_code=pcode,
            city_code=ccode,
            county_code=kcode,
            township=town,
            names=tuple(printed),
            has_reports=bool(reported),
        )
        for (
            a,
            name,
            level,
            kind,
            sector,
            province,
            city,
            county,
            parent_id,
            parent_name,
            code,
            pcode,
            ccode,
            kcode,
            town,
            printed,
            reported,
        ) in rows
    ]
    organs.sort(key=lambda o: organ_order(o, spellings))
    return {o.agency_id: o for o in organs}


def organ_order(o: Organ, spellings: pinyin.Spellings) -> tuple[Any, ...]:
    """Region code first (a province's own organs before its cities'), then the name in pinyin."""
    code = o.region_code
    return (code is None, code or "", *spellings.sort_key(o.name), o.agency_id)


def _reports(con: duckdb.DuckDBPyConnection) -> list[Report]:
    origin = "source_origin" in table_names(con)
    rows = con.execute(f"""
        SELECT c.report_id, c.agency_id, c.year, c.file_name, c.medium, c.format_version, r.title,
               r.agency_name, c.versions, c.uncertain_cells, epoch_us(c.loaded_at),
               {"o.url, o.listing_url" if origin else "NULL::VARCHAR, NULL::VARCHAR"}, r.parser_version
        FROM current_report c JOIN dim_report r USING (report_id)
        {"LEFT JOIN source_origin o ON o.path = c.file_name" if origin else ""}
        ORDER BY c.agency_id, c.year""")
    moment = _moments()
    return [
        Report(
            rid,
            aid,
            year,
            file,
            medium,
            fmt,
            title,
            name,
            versions,
            uncertain,
            moment(at),
            url,
            listing,
            parser,
        )
        for rid, aid, year, file, medium, fmt, title, name, versions, uncertain, at, url, listing, parser in (
            shared_values(rows)
        )
    ]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _moments() -> Callable[[int], datetime]:
    """A moment in microseconds since the epoch as a datetime (UTC), each distinct one made once: a
    timestamp with time zone costs DuckDB's conversion a time-zone lookup per value, and the reports
    a run loaded share its moments."""
    made: dict[int, datetime] = {}

    def moment(us: int) -> datetime:
        got = made.get(us)
        if got is None:
            got = made[us] = _EPOCH + timedelta(microseconds=us)
        return got

    return moment


def _findings(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    # actual_blank: the rule counted a blank as 0, and its message says 空白 where a number would be;
    # the tables show 空白 too (a failing rule's only blank cell on the printed side)
    rows = con.execute("""
        SELECT f.report_id, f.rule_id, f.severity, f.cell_ids, f.expected, f.actual, f.diff, f.message,
               f.source_file, f.instance,
               f.actual = 0 AND contains(f.message, '空白') AND EXISTS (
                   SELECT 1 FROM fact_cell c
                   WHERE c.report_id = f.report_id AND list_contains(f.cell_ids, c.cell_id)
                     AND c.value IS NULL AND c.kind = 'blank') AS actual_blank
        FROM report_findings f
        SEMI JOIN current_report c USING (report_id)
        ORDER BY f.report_id, CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                 f.rule_id, f.message, f.cell_ids""")
    return [
        Finding(r[0], r[1], r[2], tuple(r[3] or ()), r[4], r[5], r[6], r[7], r[8], bool(r[10]), r[9])
        for r in shared_values(rows)
    ]


def _status(con: duckdb.DuckDBPyConnection) -> dict[str, Status]:
    rows = con.execute("""
        SELECT report_id, status, reasons, worst_severity FROM report_status
        WHERE is_current ORDER BY report_id""")
    return {r: Status(s, tuple(reasons or ()), w) for r, s, reasons, w in shared_values(rows)}


def _scopes(con: duckdb.DuckDBPyConnection) -> dict[str, Scope]:
    rows = con.execute("""
        SELECT report_id, scope, basis, evidence_zh FROM report_scope
        SEMI JOIN current_report USING (report_id) ORDER BY report_id""")
    return {r: Scope(s, b, e) for r, s, b, e in shared_values(rows)}


def _guesses(con: duckdb.DuckDBPyConnection) -> list[Guess]:
    rows = con.execute("""
        SELECT g.report_id, g.cell_id, g.format, g.value, g.chosen, g.readings, g.why_zh
        FROM guessed_cell g SEMI JOIN current_report USING (report_id)
        ORDER BY g.report_id, g.cell_id""").fetchall()
    return [Guess(r, c, f, v, ch, tuple(rd or ()), w) for r, c, f, v, ch, rd, w in rows]


def _rules(con: duckdb.DuckDBPyConnection) -> dict[str, Rule]:
    rows = con.execute("SELECT rule_id, severity, title_zh FROM dim_rule ORDER BY rule_id").fetchall()
    return {r[0]: Rule(*r) for r in rows}


def _not_assessable(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return dict(
        con.execute("""
        SELECT rule_id, count(DISTINCT report_id) FROM report_not_assessable
        SEMI JOIN current_report USING (report_id) GROUP BY rule_id ORDER BY rule_id""").fetchall()
    )


def _identity_issues(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return records(
        con,
        """
        SELECT i.rule_id, i.severity, i.agency_id, i.name, i.message_zh AS message, r.file_name
        FROM identity_issue i JOIN dim_report r USING (report_id)
        ORDER BY i.rule_id, r.file_name, i.report_id""",
    )


def _as_of(con: duckdb.DuckDBPyConnection) -> str | None:
    """When the newest report in the warehouse was loaded: a property of the data, so rebuilding the
    site from the same warehouse gives the same pages (a build clock would not)."""
    return china_time(_scalar(con, "SELECT max(loaded_at) FROM dim_report"))


def china_time(moment: datetime | None) -> str | None:
    """A load time as the pages show it: Beijing time, to the minute."""
    return None if moment is None else moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def _latest_load(con: duckdb.DuckDBPyConnection, present: set[str]) -> list[str]:
    """Current reports first loaded by the latest load run: what arrived last night."""
    if "load_run" not in present:
        return []
    rows = con.execute("""
        SELECT c.report_id
        FROM current_report c
        WHERE c.loaded_at >= (SELECT max(started_at) FROM load_run)
        ORDER BY c.agency_id, c.year""").fetchall()
    return [r for (r,) in rows]


def cells_for(con: duckdb.DuckDBPyConnection, report_ids: list[str]) -> dict[str, dict[str, tuple[Any, ...]]]:
    """fact_cell of some reports: report_id -> cell_id -> (value, raw_text, kind, uncertain, why), `why`
    the guess explained in Chinese (guessed_cell), else the parser's note. Read in batches of organs,
    so that memory stays flat however many reports the warehouse holds."""
    out: dict[str, dict[str, tuple[Any, ...]]] = defaultdict(dict)
    explained = "guessed_cell" in table_names(con)
    cur = con.execute(
        f"""
        SELECT f.report_id, f.cell_id, f.value, f.raw_text, f.kind, f.uncertain,
               {"coalesce(g.why_zh, f.note)" if explained else "f.note"}
        FROM fact_cell f
        {"LEFT JOIN guessed_cell g USING (report_id, cell_id)" if explained else ""}
        SEMI JOIN (SELECT unnest(?::VARCHAR[]) AS report_id) USING (report_id)""",
        [report_ids],
    )
    for report_id, cell_id, *rest in cur.fetchall():
        out[report_id][cell_id] = tuple(rest)
    return out


# A character that json.dumps escapes (a quote, a backslash, a control character) or that the pages'
# inline JSON escapes (pipelines/site/render.py: <, >, &, U+2028, U+2029): a report with one in a cell's
# text is encoded in Python instead.
_NEEDS_ESCAPING = r'["\\<>&\x00-\x1f\x{2028}\x{2029}]'


def encoded_cells(
    con: duckdb.DuckDBPyConnection,
    reports: Sequence[tuple[str, str]],
    order: Mapping[str, Sequence[str]],
    whitespace: str,
) -> dict[str, str]:
    """The cells of some (report_id, format) as the JSON text of tables.encode, written by DuckDB: one
    entry per cell id of `order[format]`, null for a cell the report does not have, 0 for a blank one
    (or one whose text is only `whitespace`), else its text stripped of `whitespace`. Only plain
    reports are returned: one with an uncertain cell, a blank cell that prints text, or a character
    JSON or a page must escape, is left to Python (tables.build), and so is every report with findings
    (the caller leaves them out). A row per cell would cost more in Python than drawing the page.

    Each call reads the report ids of all of fact_cell once: about a second of one core at national
    size, so callers ask for thousands of reports at a time."""
    if not reports:
        return {}
    todo = "SELECT unnest($ids::VARCHAR[]) AS report_id, unnest($formats::VARCHAR[]) AS format"
    params = {"ids": [r for r, _ in reports], "formats": [f for _, f in reports]}
    cur = con.execute(_encode_sql(todo), {**params, **_encode_params(order, whitespace)})
    return {report_id: text for report_id, special, text in cur.fetchall() if not special}


def _encode_sql(todo: str) -> str:
    return f"""
        WITH todo AS ({todo}),
        lay AS (SELECT unnest($lf::VARCHAR[]) AS format, unnest($lc::VARCHAR[]) AS cell_id,
                       unnest($lo::INTEGER[]) AS ord),
        got AS (SELECT report_id, cell_id, trim(raw_text, $ws) AS text, kind, uncertain
                FROM fact_cell SEMI JOIN todo USING (report_id))
        SELECT t.report_id,
               coalesce(bool_or(g.uncertain OR CASE WHEN g.kind = 'blank' THEN coalesce(g.text, '') <> ''
                                                    ELSE regexp_matches(g.text, $special) END), false) AS special,
               -- a list sorted by the cells' order, not string_agg(... ORDER BY): DuckDB's ordered
               -- aggregate holds every row of the batch and needed more than 512MB for 2,000 organs
               '[' || array_to_string(list_transform(list_sort(list(struct_pack(
                   o := l.ord,
                   e := CASE WHEN g.cell_id IS NULL THEN 'null'
                             WHEN g.kind = 'blank' OR coalesce(g.text, '') = '' THEN '0'
                             ELSE '"' || g.text || '"' END))), x -> x.e), ',') || ']' AS cells
        FROM todo t JOIN lay l USING (format)
        LEFT JOIN got g ON g.report_id = t.report_id AND g.cell_id = l.cell_id
        GROUP BY t.report_id"""


def _encode_params(order: Mapping[str, Sequence[str]], whitespace: str) -> dict[str, Any]:
    lay = [(fmt, cid, i) for fmt, ids in order.items() for i, cid in enumerate(ids)]
    return {
        "lf": [f for f, _, _ in lay],
        "lc": [c for _, c, _ in lay],
        "lo": [i for _, _, i in lay],
        "ws": whitespace,
        "special": _NEEDS_ESCAPING,
    }
