"""The identity stage: resolve every report's organ and write the agency dimension, dim_report.agency_id,
dim_agency, dim_agency_profile and identity_issue, in one transaction. The loader stores the name a
report prints; this stage alone decides which organ that is, so an edit of data/aliases.csv or data/sectors.yaml reach the reports loaded before it. Names
resolve once each (a warehouse has far fewer names than reports); only names without a place are
resolved per report, since their title and body may tell the place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipelines import catalogue
from pipelines.identity import CONTEXT_CHARS, Identity, Resolver, current, default_resolver, register, scope
from pipelines.parsing import meta
from pipelines.warehouse import schema
from pipelines.warehouse.db import registered, transaction
from pipelines.warehouse.rows import replace as replace_rows

PROFILE_COLUMNS = (
    "agency_id",
    "identity_key",
    "level",
    "organ_kind",
    "sector",
    "region_code",
    "province_code",
    "province",
    "city_code",
    "city",
    "county_code",
    "county",
    "township",
    "parent_agency_id",
    "parent_name",
    "resolution",
    "has_reports",
    "names",
)
ISSUE_COLUMNS = ("report_id", "rule_id", "severity", "agency_id", "name", "message_zh")
# What the stage reads: the names, titles and file names the loader stored, section 一's opening, and
# (for report_scope) the text and cells of governments' reports.
READS = ("dim_report", "fact_section", "fact_cell")
NO_NAME = "报告标题、正文和文件名中均未找到报告机关名称，无法归属机关；报告已保留，但不进入按机关的统计"


@dataclass(frozen=True)
class RebuildStats:
    reports: int
    agencies: int
    reassigned: int  # reports whose agency_id changed
    issues: dict[str, int]
    scopes: dict[str, int] = field(default_factory=dict)  # reports per report_scope.scope


def build(
    con: duckdb.DuckDBPyConnection,
    resolver: Resolver | None = None,
    scope_file: Path | None = None,
    register_file: Path | None = None,
) -> RebuildStats:
    """The stage's driver: every report re-resolved with `resolver` (default: the project's data files),
    the organs of the register (`register_file`, default data/register.csv) added whether they
    reported or not, then every report's scope (report_scope) with the declarations of `scope_file`
    (default: the project's data/report_scope.csv)."""
    schema.check(con)
    resolver = resolver or default_resolver()
    # loaded_at only orders a name's reports: as microseconds, it needs no time-zone conversion per row;
    # of the parser's warnings only the title/opening conflicts (ID-5) matter here
    reports = con.execute(f"""
        SELECT r.report_id, r.agency_name, r.title, r.file_name, r.agency_id, r.year, epoch_us(r.loaded_at),
               left(s.text, {CONTEXT_CHARS}) AS context,
               list_filter(r.warnings, w -> starts_with(w, '{meta.CONFLICT}')) AS conflicts
        FROM dim_report r
        LEFT JOIN fact_section s ON s.report_id = r.report_id AND s.section_key = 's1'
        ORDER BY r.report_id""").fetchall()
    resolved: list[tuple[tuple[Any, ...], Identity | None]] = [
        (row, resolver.resolve(row[1], title=row[2], file_name=row[3], context=row[7])) for row in reports
    ]
    assignments = pl.DataFrame(
        {
            "report_id": [row[0] for row, _ in resolved],
            "agency_id": [i.agency_id if i else None for _, i in resolved],
        },
        schema={"report_id": pl.Utf8, "agency_id": pl.Utf8},
    )
    reassigned = sum(1 for row, ident in resolved if row[4] != (ident.agency_id if ident else None))
    entries = register.load(register_file, resolver)
    agencies, profiles = _agencies(resolved, resolver, register.identities(entries))
    issues = _issues(resolved, resolver)
    with (
        transaction(con),
        registered(
            con,
            {
                "_gk_assign": assignments,
                "_gk_agency": agencies,
                "_gk_profile": profiles,
                "_gk_issue": issues,
                "_gk_register": register.frame(entries),
            },
        ),
    ):
        con.execute("""
            UPDATE dim_report SET agency_id = a.agency_id
            FROM _gk_assign a
            WHERE dim_report.report_id = a.report_id AND dim_report.agency_id IS DISTINCT FROM a.agency_id""")
        current.refresh(con)
        replace_rows(con, "dim_agency", "_gk_agency", "agency_id", ("agency_id", "name"))
        replace_rows(con, "dim_agency_profile", "_gk_profile", "agency_id", PROFILE_COLUMNS)
        con.execute("DELETE FROM identity_issue")
        con.execute(
            f"INSERT INTO identity_issue SELECT {', '.join(ISSUE_COLUMNS)} FROM _gk_issue "
            "ORDER BY report_id, rule_id"
        )
        con.execute("DELETE FROM organ_register")
        con.execute(
            f"INSERT INTO organ_register SELECT {', '.join(register.TABLE_COLUMNS)} FROM _gk_register ORDER BY line"
        )
    scopes = scope.build(con, resolver, scope_file)
    counts: dict[str, int] = {}
    for rule_id in issues["rule_id"].to_list():
        counts[rule_id] = counts.get(rule_id, 0) + 1
    return RebuildStats(len(reports), agencies.height, reassigned, dict(sorted(counts.items())), scopes)


def _agencies(
    resolved: list[tuple[tuple[Any, ...], Identity | None]],
    resolver: Resolver,
    registered_organs: Sequence[Identity] = (),
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """dim_agency and dim_agency_profile rows: each organ as its latest report (year, then load time,
    then id) shows it, with every name its reports print; the registered organs without reports; then
    the governments above them that have no reports, so that every parent_agency_id has a row (region
    rollups need their place)."""
    latest: dict[str, tuple[tuple[Any, ...], Identity]] = {}
    printed: dict[str, set[str]] = {}
    for row, ident in resolved:
        if ident is None:
            continue
        printed.setdefault(ident.agency_id, set()).add(ident.printed)
        rank = (row[5] or 0, row[6], row[0])
        held = latest.get(ident.agency_id)
        if held is None or rank > (held[0][5] or 0, held[0][6], held[0][0]):
            latest[ident.agency_id] = (row, ident)
    organs = {aid: ident for aid, (_, ident) in latest.items()}
    for ident in registered_organs:
        organs.setdefault(ident.agency_id, ident)
    pending = [i for i in organs.values() if i.parent_key]
    while pending:
        child = pending.pop()
        parent_id = child.parent_agency_id
        if parent_id is None or parent_id in organs or child.parent_name is None:
            continue
        parent = resolver.resolve(child.parent_name)
        # the name made from the divisions must read back as the same government; if a data edit
        # broke that, the child keeps its parent_agency_id and the parent just has no row
        if parent is not None and parent.agency_id == parent_id:
            organs[parent_id] = parent
            pending.append(parent)
    names = {aid: ident.name for aid, ident in organs.items()}
    agency_rows: list[tuple[str, str]] = []
    profile_rows: list[tuple[Any, ...]] = []
    for aid, i in sorted(organs.items()):
        agency_rows.append((aid, i.name))
        province, city, county = (i.division(level) for level in ("province", "city", "county"))
        parent_id = i.parent_agency_id
        profile_rows.append(
            (
                aid,
                i.key,
                i.level,
                i.organ_kind,
                i.sector,
                i.region[-1].code if i.region else None,
                province.code if province else None,
                province.name if province else None,
                city.code if city else None,
                city.name if city else None,
                county.code if county else None,
                county.name if county else None,
                i.township,
                parent_id,
                names.get(parent_id, i.parent_name) if parent_id else None,
                i.resolution,
                aid in printed,
                sorted(printed.get(aid, ())),
            )
        )
    agencies = _frame(agency_rows, ("agency_id", "name"))
    profiles = _frame(profile_rows, PROFILE_COLUMNS, {"has_reports": pl.Boolean, "names": pl.List(pl.Utf8)})
    return agencies, profiles


def _issues(resolved: list[tuple[tuple[Any, ...], Identity | None]], resolver: Resolver) -> pl.DataFrame:
    rows: list[tuple[str, str, str, str | None, str | None, str]] = []
    for row, ident in resolved:
        if ident is None:
            rows.append((row[0], "ID-1", catalogue.identity_rules()["ID-1"].severity, None, None, NO_NAME))
            continue
        rows += [
            (row[0], issue.rule_id, issue.severity, ident.agency_id, ident.name, issue.message_zh)
            for issue in ident.issues
        ]
        message = opening_disagrees(row[8] or (), ident, resolver, title=row[2], context=row[7])
        if message:
            rows.append(
                (
                    row[0],
                    "ID-5",
                    catalogue.identity_rules()["ID-5"].severity,
                    ident.agency_id,
                    ident.name,
                    message,
                )
            )
    return _frame(rows, ISSUE_COLUMNS)


def opening_disagrees(
    warnings: Sequence[str], ident: Identity, resolver: Resolver, *, title: str | None, context: str | None
) -> str | None:
    """ID-5: the parser's note that the opening sentence names another organ or year than the title,
    kept when the two names are indeed two organs (an alias or the place left out makes them one)."""
    for warning in warnings:
        found = meta.parse_conflict(warning)
        if found is None:
            continue
        title_agency, title_year, opening_agency, opening_year = found
        other_year = title_year is not None and opening_year is not None and title_year != opening_year
        other = resolver.resolve(opening_agency, title=title, context=context) if opening_agency else None
        if other_year or (other is not None and other.agency_id != ident.agency_id):
            return (
                f"报告标题写明“{title_agency}”（{title_year or '年份不详'}年度），正文开头却写“{opening_agency}”"
                f"（{opening_year or '年份不详'}年度）；报告已按标题归属，请核对原文"
                "（若二者确为同一机关，可在 data/aliases.csv 中登记 organ 行）"
            )
    return None


def _frame(
    rows: list[tuple[Any, ...]], columns: tuple[str, ...], types: dict[str, Any] | None = None
) -> pl.DataFrame:
    """Rows as a frame of text columns, except the columns `types` names (built column by column, which
    polars converts in bulk)."""
    schema = {c: (types or {}).get(c, pl.Utf8) for c in columns}
    return pl.DataFrame({c: [row[i] for row in rows] for i, c in enumerate(columns)}, schema=schema)
