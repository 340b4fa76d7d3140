"""The rules for what changed, a slice at a time.

Which reports are judged again (`plan`): the rules stage keeps a basis (pipelines/warehouse/delta.py,
table `rules_basis`) with one row per report: its key names the organ, the organ's parent region, the
year and the report id; its digest covers what the rules read of the report (file name, format, parser
version, warnings, whether it is the organ-year's current version, the organ's name, its report_scope
row). A report added, removed or changed changes a row, and with it:

* every report of its organ (old and new organ), whatever the year: the carry-over rules and D-Q1
  compare an organ's years, the not-assessable reasons name the organ's first year, and a new version
  makes another one current;
* the reports of its parent (old and new parent) from that year on that cover the parent's region or
  may (report_scope region or unknown): H-X1 sums the current reports of a region's departments and
  subordinate governments of the same year, counts a part from its first year on, and names the parts
  whose own report failed an S/F rule or D-Q1 (which reads the part's previous year). A report of the
  parent's own office reads none of this; a change of its scope is a change of the report itself.

A new version of the rules (rules.yaml, prepare.sql, the stage's code) or no basis: every report.

How they are judged (`evaluate`): the reports to judge are cut into slices (an organ's reports together,
the organs under one parent together), each slice copied with the reports it is compared with (the
same organs' current reports of the year before, the current reports of its regions' parts) into a
DuckDB file of its own, where prepare.sql and the rules run unchanged, and Great Expectations validates
the same SQL on the reports judged there. Only the judged reports' findings are kept; the working set
is one slice, not the warehouse.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines import catalogue, layout
from pipelines.catalogue import Rule
from pipelines.rules import engine
from pipelines.rules.engine import RuleResult
from pipelines.warehouse import delta
from pipelines.warehouse.db import registered

BASIS = "rules_basis"
# Reports per slice on a full run: the work tables of this many reports fit well under 3 GB.
SLICE_REPORTS = 30_000
SEP = "chr(31)"

# One row per report: the key (organ, parent region, year, report) and a digest of what the rules read
# of it beyond its content (report_id is the hash of its bytes; the parser version covers its cells),
# not when it was loaded: the same reports loaded at other times are judged alike, and their basis is equal.
INPUTS_SQL = f"""
SELECT
    concat_ws({SEP}, coalesce(d.agency_id, ''), coalesce(p.parent_agency_id, ''),
              coalesce(CAST(d.year AS VARCHAR), ''), d.report_id) AS key,
    hash(d.file_name, d.medium, d.format_version, d.agency_name, d.title, d.warnings, d.parser_version,
         c.report_id IS NOT NULL, a.name, s.scope, s.sum_check, s.cells_compared,
         s.cells_equal) AS digest
FROM dim_report AS d
LEFT JOIN _gk_current AS c ON c.report_id = d.report_id
LEFT JOIN dim_agency_profile AS p ON p.agency_id = d.agency_id
LEFT JOIN dim_agency AS a ON a.agency_id = d.agency_id
LEFT JOIN report_scope AS s ON s.report_id = d.report_id
"""

# The tables the work tables and the rules read, and which rows of each a slice needs
# (_gk_data: the reports judged and compared with; _gk_agencies: their organs and the regions' parts).
_COPIES = {
    "dim_report": "SELECT * FROM dim_report SEMI JOIN _gk_data USING (report_id)",
    "fact_cell": "SELECT * FROM fact_cell SEMI JOIN _gk_data USING (report_id)",
    "fact_section": "SELECT * FROM fact_section SEMI JOIN _gk_data USING (report_id)",
    "fact_subtotal": "SELECT * FROM fact_subtotal SEMI JOIN _gk_data USING (report_id)",
    "report_scope": "SELECT * FROM report_scope SEMI JOIN _gk_data USING (report_id)",
    "current_report": "SELECT * FROM _gk_current WHERE agency_id IN (SELECT agency_id FROM _gk_agencies) "
    "OR report_id IN (SELECT report_id FROM _gk_data)",
    "dim_agency_profile": "SELECT * FROM dim_agency_profile SEMI JOIN _gk_agencies USING (agency_id)",
    "dim_agency": "SELECT * FROM dim_agency SEMI JOIN _gk_agencies USING (agency_id)",
    "dim_cell": "SELECT * FROM dim_cell",
    "findings": "SELECT * FROM findings LIMIT 0",
    "dim_rule": "SELECT * FROM dim_rule LIMIT 0",
    "judged": "SELECT report_id FROM _gk_judged",
}
WORK_TABLES = (
    "report",
    "uncertain",
    "t3_col",
    "t3_row",
    "t4_block",
    "t2_item",
    "sentence",
    "label",
    "cell_label",
)


def version(rules: Sequence[Rule]) -> str:
    """What forces a full run: the rules as declared, the work tables and the code that runs them."""
    from pipelines import rules as rules_pkg
    from pipelines.rules import cases, guesses

    h = hashlib.sha256()
    for r in rules:
        h.update(
            repr((r.id, r.rule_class, r.check, r.severity, r.zh, r.en, r.sql, r.not_assessable_sql)).encode()
        )
    h.update(engine.PREPARE_SQL.read_bytes())
    for module in (rules_pkg, engine, guesses, cases, catalogue, layout):
        h.update(inspect.getsource(module).encode())
    h.update(inspect.getsource(inspect.getmodule(version)).encode())  # type: ignore[arg-type]
    return h.hexdigest()


@dataclass
class Plan:
    delta: delta.Delta
    judged: int  # reports judged again
    removed: int  # reports gone since the last run (their findings are dropped)
    slices: int
    compared: int = 0  # reports copied into the slices only to be compared with (0 when judged in place)

    @property
    def full(self) -> bool:
        return self.delta.full


def plan(
    con: duckdb.DuckDBPyConnection,
    rules: Sequence[Rule],
    *,
    full: bool = False,
    slice_reports: int = SLICE_REPORTS,
) -> Plan:
    """Compare the reports now with the basis and lay out the reports to judge in slices: temp tables
    `_gk_judge` (report_id, slice) and `_gk_removed` (report_id) of this connection."""
    # the view decides between versions over the whole warehouse: once per run
    con.execute("CREATE OR REPLACE TEMP TABLE _gk_current AS SELECT * FROM current_report")
    d = delta.compare(con, BASIS, INPUTS_SQL, version(rules))
    if full:
        d = dataclasses.replace(d, full=True)
    keys = pl.DataFrame({"key": list(d.keys)}, schema={"key": pl.Utf8})
    with registered(con, {"_gk_keys": keys}):
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _gk_changed AS
            SELECT nullif(k[1], '') AS agency_id, nullif(k[2], '') AS parent_id,
                   TRY_CAST(nullif(k[3], '') AS INTEGER) AS year, k[4] AS report_id
            FROM (SELECT string_split(key, {SEP}) AS k FROM _gk_keys)""")
    if d.full:
        con.execute("CREATE OR REPLACE TEMP TABLE _gk_target AS SELECT report_id, agency_id FROM dim_report")
    else:
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _gk_target AS
            WITH organs AS (
                SELECT DISTINCT agency_id FROM _gk_changed WHERE agency_id IS NOT NULL
            ), regions AS (
                SELECT parent_id AS agency_id, min(year) AS from_year, bool_or(year IS NULL) AS any_year
                FROM _gk_changed WHERE parent_id IS NOT NULL GROUP BY parent_id
            )
            SELECT d.report_id, d.agency_id
            FROM dim_report AS d
            LEFT JOIN regions AS g ON g.agency_id = d.agency_id
            LEFT JOIN report_scope AS s ON s.report_id = d.report_id
            WHERE d.report_id IN (SELECT report_id FROM _gk_changed)
               OR d.agency_id IN (SELECT agency_id FROM organs)
               OR (g.agency_id IS NOT NULL AND s.scope IN ('region', 'unknown')
                   AND (g.any_year OR d.year IS NULL OR d.year >= g.from_year))""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _gk_removed AS
        SELECT DISTINCT report_id FROM _gk_changed
        WHERE report_id NOT IN (SELECT report_id FROM dim_report)""")
    slices = _cut(con, slice_reports)
    (judged,) = con.execute("SELECT count(*) FROM _gk_judge").fetchone() or (0,)
    (removed,) = con.execute("SELECT count(*) FROM _gk_removed").fetchone() or (0,)
    return Plan(d, int(judged), int(removed), slices)


def _cut(con: duckdb.DuckDBPyConnection, size: int) -> int:
    """Number the target reports' slices, about `size` reports each: an organ's reports stay together,
    and a government's with those of the organs under it (its departments, townships and subordinate
    governments, which are their own group with the organs under them). Any cut gives the same findings
    (each slice brings what it is compared with); this one brings few reports twice: a region's
    subordinate governments."""
    parent = dict(
        con.execute(
            "SELECT agency_id, parent_agency_id FROM dim_agency_profile WHERE parent_agency_id IS NOT NULL"
        ).fetchall()
    )
    regions = set(parent.values())

    def root(agency: str) -> str:
        return agency if agency in regions else str(parent.get(agency, agency))

    per_organ = con.execute(
        "SELECT coalesce(agency_id, ''), count(*) FROM _gk_target GROUP BY ALL ORDER BY 1"
    ).fetchall()
    groups: dict[str, int] = {}
    for agency, n in per_organ:
        if agency:
            groups[root(agency)] = groups.get(root(agency), 0) + n
    slice_of: dict[str, int] = {}
    current, filled = 0, 0
    for group in sorted(groups):
        if filled and filled + groups[group] > size:
            current, filled = current + 1, 0
        slice_of[group] = current
        filled += groups[group]
    organs = pl.DataFrame(
        [(a, slice_of[root(a)]) for a, _ in per_organ if a],
        schema={"agency_id": pl.Utf8, "slice": pl.Int64},
        orient="row",
    )
    last = current + (1 if filled else 0)
    with registered(con, {"_gk_organ_slice": organs}):
        # reports without an organ are compared with nothing: any slice will do
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _gk_judge AS
            SELECT t.report_id,
                   coalesce(o.slice, ? + (row_number() OVER (PARTITION BY o.slice IS NULL ORDER BY t.report_id) - 1) // ?)
                       AS slice
            FROM _gk_target AS t LEFT JOIN _gk_organ_slice AS o USING (agency_id)""",
            [last, size],
        )
    (n,) = con.execute("SELECT count(DISTINCT slice) FROM _gk_judge").fetchone() or (0,)
    return int(n)


@dataclass
class SliceRun:
    prepare_seconds: dict[str, float] = field(default_factory=dict)
    rule_seconds: dict[str, float] = field(default_factory=dict)
    gx: dict[str, tuple[bool, int | None, float]] = field(default_factory=dict)
    gx_error: str | None = None
    compared: int = 0  # reports copied into the slices besides the judged ones


def evaluate(
    con: duckdb.DuckDBPyConnection, rules: Sequence[Rule], scratch: Path, *, gx: bool
) -> tuple[SliceRun, list[RuleResult]]:
    """Judge the planned slices one by one, each in its own DuckDB file `scratch`.N, into the temp table
    `_gk_new_findings`; the last slice's work tables are left in the warehouse's `quality` schema."""
    out = SliceRun()
    main = con.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
    con.execute("CREATE OR REPLACE TEMP TABLE _gk_new_findings AS SELECT * FROM findings LIMIT 0")
    slice_ids = [s for (s,) in con.execute("SELECT DISTINCT slice FROM _gk_judge ORDER BY 1").fetchall()]
    for i, s in enumerate(slice_ids):
        path = scratch.with_name(f"{scratch.name}.{s}")
        _remove(path)
        _context(con, s)
        (n_data,) = con.execute("SELECT count(*) FROM _gk_data").fetchone() or (0,)
        (n_judged,) = con.execute("SELECT count(*) FROM _gk_judged").fetchone() or (0,)
        out.compared += int(n_data) - int(n_judged)
        con.execute(f"ATTACH '{path}' AS gk_slice")
        try:
            for table, sql in _COPIES.items():
                con.execute(f"CREATE TABLE gk_slice.{table} AS {sql}")
            con.execute("USE gk_slice")
            try:
                for step, seconds in engine.prepare(con).items():
                    out.prepare_seconds[step] = out.prepare_seconds.get(step, 0.0) + seconds
                for r in engine.evaluate(con, rules):
                    out.rule_seconds[r.rule.id] = out.rule_seconds.get(r.rule.id, 0.0) + r.seconds
            finally:
                con.execute(f'USE "{main}"')
            con.execute(
                "INSERT INTO _gk_new_findings SELECT * FROM gk_slice.findings SEMI JOIN _gk_judged USING (report_id)"
            )
            if i == len(slice_ids) - 1:
                _keep_work_tables(con)
        finally:
            con.execute("DETACH gk_slice")
        if gx and out.gx_error is None:
            try:
                from pipelines.rules import gx as gx_mod

                for rule_id, g in gx_mod.validate(path, rules, table="judged").items():
                    ok, unexpected, seconds = out.gx.get(rule_id, (True, 0, 0.0))
                    total = None if unexpected is None or g.unexpected is None else unexpected + g.unexpected
                    out.gx[rule_id] = (ok and g.success, total, seconds + g.seconds)
            except Exception as e:  # the findings stand without GX
                out.gx_error = f"{type(e).__name__}: {e}"
                out.gx = {}
        _remove(path)
    results = [RuleResult(r, out.rule_seconds.get(r.id, 0.0), 0, 0) for r in rules]
    return out, results


def _context(con: duckdb.DuckDBPyConnection, s: int) -> None:
    """For slice `s`: _gk_judged (its reports), _gk_agencies (their organs, and the parts of those whose
    judged reports cover or may cover their region) and _gk_data (the reports to copy: the judged ones, and the current reports of those
    organs and parts from the year before the earliest judged one on)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _gk_judged AS SELECT report_id FROM _gk_judge WHERE slice = ?", [s]
    )
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _gk_organs AS
        SELECT d.agency_id, min(d.year) AS from_year, bool_or(d.year IS NULL) AS any_year
        FROM dim_report AS d SEMI JOIN _gk_judged USING (report_id)
        WHERE d.agency_id IS NOT NULL GROUP BY d.agency_id""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _gk_agencies AS
        WITH regions AS (
            SELECT d.agency_id, min(d.year) AS from_year, bool_or(d.year IS NULL) AS any_year
            FROM dim_report AS d SEMI JOIN _gk_judged USING (report_id)
            JOIN report_scope AS s ON s.report_id = d.report_id
            WHERE d.agency_id IS NOT NULL AND s.scope IN ('region', 'unknown')
            GROUP BY d.agency_id
        )
        SELECT agency_id, from_year, any_year FROM _gk_organs
        UNION ALL
        SELECT p.agency_id, g.from_year, g.any_year
        FROM dim_agency_profile AS p JOIN regions AS g ON p.parent_agency_id = g.agency_id""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _gk_data AS
        SELECT report_id FROM _gk_judged
        UNION
        SELECT c.report_id FROM _gk_current AS c JOIN _gk_agencies AS a USING (agency_id)
        WHERE a.any_year OR c.year IS NULL OR c.year >= a.from_year - 1""")


def _keep_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The attached slice's work tables into the warehouse's `quality` schema (for reading: what the
    last slice judged)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS quality")
    for t in WORK_TABLES:
        con.execute(f"CREATE OR REPLACE TABLE quality.{t} AS SELECT * FROM gk_slice.quality.{t}")


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)
