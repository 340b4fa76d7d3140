"""Which mart rows a build recomputes: every row, or the rows the inputs changed since the last build.

Each mart's SQL (sql/marts/<mart>.sql) reads the scope tables below: `mart_scope` (one row: `whole`,
true when every row is recomputed) and, for a build that recomputes part of the marts, the keys to
recompute:

    mart_scope_organ    organs whose inputs changed: their organ-year, coverage, trend and yoy rows
    mart_scope_basis    organs whose mart_total_basis rows can change: a changed organ, its parent (old
                        and new), the changed organ's children and those of a parent with a region
                        report, and below them the organs reached through organs with a region report
                        (a report's role depends on its parent's report and children, and on those of
                        the ancestors its chain of region reports reaches)
    mart_scope_rollup   governments whose mart_region_rollup rows can change: changed organs and
                        their parents, old and new
    mart_scope_region   regions (nation, province, city, county) of the organs of mart_scope_basis,
                        where they are and where they were
    mart_scope_peer     peer groups (year, level, kind, region report) a changed organ-year row was or
                        is in: every rank of the group can move
    mart_scope_year     years in which a mart_organ_year or mart_total_basis row changed

The changed organs come from the marts' basis (`pipelines.warehouse.delta`, table mart_basis): per
organ a digest of everything the marts read about it (current reports with their scope, findings and
identity counts and parser version, profile, name, register rows). The key of an organ names its
parent and regions, so a changed key tells both where the organ was and where it is. The years the
warehouse holds, with the latest year whose reports were due, are one more key: a year added or gone,
or a year come due, recomputes everything (coverage spans, whether an organ stopped and the region
chains run over all years).
"""

from __future__ import annotations

import hashlib
import inspect
from dataclasses import dataclass

import duckdb

BASIS = "mart_basis"
BASIS_DDL = ("sql", "marts", "state", "mart_basis.sql")  # the basis table, created by the first build

YEARS_KEY = "~years"

SCOPES = {
    "mart_scope_organ": "agency_id VARCHAR",
    "mart_scope_basis": "agency_id VARCHAR",
    "mart_scope_rollup": "agency_id VARCHAR",
    "mart_scope_region": "region_level VARCHAR, region_code VARCHAR",
    "mart_scope_peer": "year INTEGER, level VARCHAR, organ_kind VARCHAR, region_report BOOLEAN",
    "mart_scope_year": "year INTEGER",
}


@dataclass(frozen=True)
class Key:
    """How a mart's rows match its scope table (alias m for the mart, s for the scope)."""

    scope: str
    match: str


_ORGAN = "m.agency_id = s.agency_id"
KEYS = {
    "mart_organ_year": Key("mart_scope_organ", _ORGAN),
    "mart_coverage": Key("mart_scope_organ", _ORGAN),
    "mart_organ_trend": Key("mart_scope_organ", _ORGAN),
    "mart_organ_yoy": Key("mart_scope_organ", _ORGAN),
    "mart_total_basis": Key("mart_scope_basis", _ORGAN),
    "mart_region_rollup": Key("mart_scope_rollup", _ORGAN),
    "mart_region_total": Key(
        "mart_scope_region", "m.region_level = s.region_level AND coalesce(m.region_code, '') = s.region_code"
    ),
    "mart_peer_rank": Key(
        "mart_scope_peer",
        "m.year = s.year AND m.level = s.level AND m.organ_kind = s.organ_kind "
        "AND coalesce(m.report_scope = 'region', FALSE) = s.region_report",
    ),
    "mart_year_total": Key("mart_scope_year", "m.year = s.year"),
}

# the marts whose changed rows decide a later scope (mart_scope_peer, mart_scope_year)
CHANGES_READ = ("mart_organ_year", "mart_total_basis")

# one row per organ: key (JSON: organ, parent, regions) and digest of what the marts read about it
INPUTS_SQL = """
WITH cur AS MATERIALIZED (
    SELECT report_id, agency_id, year, format_version, medium, versions, uncertain_cells FROM current_report
),
findings_n AS (
    SELECT
        report_id,
        count(*) FILTER (WHERE status = 'fail') AS fail,
        count(*) FILTER (WHERE status = 'fail' AND severity = 'error') AS error,
        count(*) FILTER (WHERE status = 'not_assessable') AS not_assessable
    FROM findings
    GROUP BY report_id
),
issues_n AS (
    SELECT report_id, count(*) AS n FROM identity_issue GROUP BY report_id
),
reports AS (
    SELECT
        c.agency_id,
        hash(list_sort(list(hash(
            c.report_id, c.year, c.format_version, c.medium, c.versions, c.uncertain_cells, d.parser_version,
            s.scope, f.fail, f.error, f.not_assessable, i.n
        )))) AS h
    FROM cur AS c
    LEFT JOIN dim_report AS d USING (report_id)
    LEFT JOIN report_scope AS s USING (report_id)
    LEFT JOIN findings_n AS f USING (report_id)
    LEFT JOIN issues_n AS i USING (report_id)
    GROUP BY c.agency_id
),
register AS (
    SELECT agency_id, hash(list_sort(list(hash(first_year, last_year)))) AS h
    FROM organ_register
    WHERE agency_id IS NOT NULL
    GROUP BY agency_id
),
organs AS (
    SELECT agency_id FROM dim_agency
    UNION SELECT agency_id FROM dim_agency_profile
    UNION SELECT agency_id FROM cur
    UNION SELECT agency_id FROM register
)
SELECT
    to_json(struct_pack(
        a := o.agency_id, p := pr.parent_agency_id, l := pr.level, r := pr.region_code,
        pc := pr.province_code, cc := pr.city_code, kc := pr.county_code
    ))::VARCHAR AS key,
    hash(
        a.name, pr.level, pr.organ_kind, pr.sector, pr.province, pr.city, pr.county, pr.parent_name,
        rp.h, rg.h
    ) AS digest
FROM organs AS o
LEFT JOIN dim_agency AS a USING (agency_id)
LEFT JOIN dim_agency_profile AS pr USING (agency_id)
LEFT JOIN reports AS rp USING (agency_id)
LEFT JOIN register AS rg USING (agency_id)
UNION ALL
-- the years held, and the latest year whose reports were due (mart_coverage's closed_year)
SELECT
    '~years',
    hash(
        list(DISTINCT year ORDER BY year),
        (SELECT year(timezone('Asia/Shanghai', max(d.loaded_at)) - INTERVAL 31 DAY) - 1 FROM dim_report AS d)
    )
FROM cur
"""


def version(mart_sql: dict[str, str]) -> str:
    """The marts' SQL and this module's scoping: a change to either rebuilds every mart."""
    h = hashlib.sha256()
    for name in sorted(mart_sql):
        h.update(f"{name}\0{mart_sql[name]}\0".encode())
    h.update(inspect.getsource(inspect.getmodule(version)).encode())  # type: ignore[arg-type]
    return h.hexdigest()


def create(con: duckdb.DuckDBPyConnection, *, whole: bool) -> None:
    """The scope tables, empty, with `whole` saying whether every row is recomputed."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE mart_scope AS SELECT {'TRUE' if whole else 'FALSE'} AS whole")
    for name, columns in SCOPES.items():
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({columns})")


def drop(con: duckdb.DuckDBPyConnection) -> None:
    for name in ("mart_scope", *SCOPES):
        con.execute(f"DROP TABLE IF EXISTS {name}")


def changed_organs(con: duckdb.DuckDBPyConnection, keys: tuple[str, ...]) -> None:
    """Fill the scopes that follow from the changed organ keys alone (organ, basis, rollup, region)."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _mart_changed_keys AS
        SELECT
            json_extract_string(k, '$.a') AS agency_id,
            json_extract_string(k, '$.p') AS parent_agency_id,
            json_extract_string(k, '$.l') AS level,
            json_extract_string(k, '$.r') AS region_code,
            json_extract_string(k, '$.pc') AS province_code,
            json_extract_string(k, '$.cc') AS city_code,
            json_extract_string(k, '$.kc') AS county_code
        FROM (SELECT unnest(?::VARCHAR[]) AS k)
        WHERE k LIKE '{%'
        """,
        [list(keys)],
    )
    con.execute("INSERT INTO mart_scope_organ SELECT DISTINCT agency_id FROM _mart_changed_keys")
    con.execute(
        """
        INSERT INTO mart_scope_rollup
        SELECT agency_id FROM _mart_changed_keys
        UNION SELECT parent_agency_id FROM _mart_changed_keys WHERE parent_agency_id IS NOT NULL
        """
    )
    con.execute(
        """
        INSERT INTO mart_scope_basis
        WITH RECURSIVE region_organs AS (
            SELECT DISTINCT d.agency_id
            FROM dim_report AS d
            INNER JOIN report_scope AS s USING (report_id)
            WHERE s.scope = 'region'
        ),
        seeds AS (
            -- a changed organ: everything its chain of region reports reaches can change; its parent:
            -- only when the parent has a region report (its parts, what stands for them)
            SELECT agency_id, TRUE AS through FROM mart_scope_organ
            UNION ALL
            SELECT agency_id, agency_id IN (SELECT agency_id FROM region_organs) FROM mart_scope_rollup
        ),
        down (agency_id, through) AS (
            SELECT agency_id, bool_or(through) FROM seeds GROUP BY agency_id
            UNION
            SELECT p.agency_id, p.agency_id IN (SELECT agency_id FROM region_organs)
            FROM dim_agency_profile AS p
            INNER JOIN down AS d ON p.parent_agency_id = d.agency_id
            WHERE d.through
        )
        SELECT DISTINCT agency_id FROM down
        """
    )
    con.execute(
        """
        INSERT INTO mart_scope_region
        WITH places AS (
            SELECT level, region_code, province_code, city_code, county_code FROM _mart_changed_keys
            UNION ALL
            SELECT p.level, p.region_code, p.province_code, p.city_code, p.county_code
            FROM dim_agency_profile AS p
            SEMI JOIN mart_scope_basis AS b USING (agency_id)
        )
        SELECT 'nation', ''
        UNION SELECT 'province', province_code FROM places WHERE province_code IS NOT NULL
        UNION SELECT 'city', city_code FROM places WHERE city_code IS NOT NULL
        UNION SELECT 'county', county_code FROM places WHERE county_code IS NOT NULL
        UNION
        SELECT level, region_code FROM places
        WHERE level IN ('province', 'city', 'county') AND region_code IS NOT NULL
        """
    )
    con.execute("DROP TABLE _mart_changed_keys")


def changed_rows(mart: str) -> str:
    return f"_mart_changed_{mart}"


def follow(con: duckdb.DuckDBPyConnection, mart: str) -> None:
    """Fill the scopes that follow from a built mart's changed rows (old and new versions)."""
    changed = changed_rows(mart)
    if mart == "mart_organ_year":
        con.execute(
            f"""
            INSERT INTO mart_scope_peer
            SELECT DISTINCT year, level, organ_kind, coalesce(report_scope = 'region', FALSE)
            FROM {changed} WHERE level IS NOT NULL
            """
        )
    if mart in ("mart_organ_year", "mart_total_basis"):
        con.execute(f"INSERT INTO mart_scope_year SELECT DISTINCT year FROM {changed}")
