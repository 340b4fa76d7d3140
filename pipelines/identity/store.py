"""The identity stage: resolve the reports' organs and write dim_report.agency_id, dim_agency,
dim_agency_profile, identity_issue, organ_register, report_version_current and report_scope, in one
transaction. The loader stores the name a report prints; this stage alone decides which organ that is,
so an edit of data/aliases.csv or data/sectors.yaml reaches the reports loaded before it.

A run resolves only the reports that are new, gone or changed since the last run (`identity_basis`,
pipelines/warehouse/delta.py) and recomputes what follows from them: the rows of their organs (old and
new), of the governments above those organs, and the report_scope of every report of those organs and
of the governments they report to (a government's scope compares it with its parts). When anything the
stage reads besides the reports changed (`version`: the data files, the register, the declared scopes,
the code), it resolves every report. Both ways end in the same tables.

Names resolve once each (a warehouse has far fewer names than reports); only names without a place are
resolved per report, since their title and body may tell the place.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipelines import catalogue
from pipelines.identity import (
    CONTEXT_CHARS,
    Identity,
    Resolver,
    aliases,
    current,
    default_resolver,
    divisions,
    names,
    register,
    scope,
    taxonomy,
)
from pipelines.parsing import meta
from pipelines.warehouse import delta, schema
from pipelines.warehouse.db import one, registered, transaction
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

BASIS = "identity_basis"
# One row per report: what the stage reads of it. Its sections and cells are a function of its bytes
# (report_id) and the parser version; loaded_at is kept from a report's first load.
INPUTS_SQL = """
SELECT report_id AS key,
       hash(file_name, medium, format_version, year, agency_name, title, warnings, parser_version) AS digest
FROM dim_report
"""

# A report as the stage reads it (_report_rows).
Row = tuple[
    Any, ...
]  # report_id, agency_name, title, file_name, agency_id, year, loaded_at µs, context, conflicts
Resolved = list[tuple[Row, Identity | None]]


@dataclass(frozen=True)
class RebuildStats:
    reports: int
    agencies: int
    reassigned: int  # reports whose agency_id changed
    issues: dict[str, int]
    scopes: dict[str, int] = field(default_factory=dict)  # reports per report_scope.scope
    full: bool = True  # every report resolved (else only those changed since the last run)
    resolved: int = 0  # reports resolved because they changed (all of them when full)


def version(resolver: Resolver, scope_file: Path, register_file: Path) -> str:
    """What makes the stage resolve every report again: the resolver's data (divisions, sectors,
    aliases), the register, the declared scopes, the identity rules, the stage's code and its tables'
    SQL (report_version ranks the versions)."""
    h = hashlib.sha256(resolver.digest.encode())
    for f in (scope_file, register_file):
        h.update(f.read_bytes() if f.is_file() else b"\0")
    h.update(repr(sorted(catalogue.identity_rules().items())).encode())
    modules = (aliases, divisions, names, taxonomy, register, scope, current, meta)
    for module in (inspect.getmodule(default_resolver), inspect.getmodule(Resolver), *modules):
        h.update(inspect.getsource(module).encode())  # type: ignore[arg-type]
    h.update(inspect.getsource(inspect.getmodule(version)).encode())  # type: ignore[arg-type]
    for relation in schema.by_stage("identity"):
        h.update(relation.sql.encode())
    return h.hexdigest()


def build(
    con: duckdb.DuckDBPyConnection,
    resolver: Resolver | None = None,
    scope_file: Path | None = None,
    register_file: Path | None = None,
    *,
    full: bool = False,
) -> RebuildStats:
    """The stage's driver, in one transaction: the reports changed since the last run resolved with
    `resolver` (default: the project's data files), or every report when `full`, on the first run or
    when `version` changed; the organs of the register (`register_file`, default data/register.csv)
    added whether they reported or not; the scopes of the reports concerned with the declarations of
    `scope_file` (default data/report_scope.csv)."""
    schema.check(con)
    resolver = resolver or default_resolver()
    scope_file = Path(scope_file or scope.SCOPE_FILE)
    register_file = Path(register_file or register.REGISTER_FILE)
    d = delta.compare(con, BASIS, INPUTS_SQL, version(resolver, scope_file, register_file))
    whole = full or d.full
    entries = register.load(register_file, resolver)
    with transaction(con):
        if whole:
            reassigned = _build_all(con, resolver, entries, scope_file)
        elif d.keys:
            reassigned = _build_changed(con, resolver, entries, scope_file, d.keys)
        else:
            reassigned = 0
        delta.remember(con, BASIS)
        reports, agencies = one(
            con, "SELECT (SELECT count(*) FROM dim_report), (SELECT count(*) FROM dim_agency)"
        )
        issues = con.execute(
            "SELECT rule_id, count(*) FROM identity_issue GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        scopes = con.execute("SELECT scope, count(*) FROM report_scope GROUP BY ALL ORDER BY ALL").fetchall()
    return RebuildStats(
        int(reports),
        int(agencies),
        reassigned,
        {str(k): int(n) for k, n in issues},
        {str(k): int(n) for k, n in scopes},
        whole,
        d.total if whole else len(d.keys),
    )


def _report_rows(con: duckdb.DuckDBPyConnection, resolver: Resolver, which: str = "") -> list[Row]:
    """The reports the stage resolves: all, or those whose report_id is in the query `which`. Section
    一's opening is read only for the reports that need it: a name that does not place its organ, or
    an opening that names another organ than the title (ID-5)."""
    only = f"WHERE report_id IN ({which})" if which else ""
    # loaded_at only orders a name's reports: as microseconds, it needs no time-zone conversion per row;
    # of the parser's warnings only the title/opening conflicts (ID-5) matter here
    rows = con.execute(f"""
        SELECT report_id, agency_name, title, file_name, agency_id, year, epoch_us(loaded_at), NULL AS context,
               list_filter(warnings, w -> starts_with(w, '{meta.CONFLICT}')) AS conflicts
        FROM dim_report {only}
        ORDER BY report_id""").fetchall()
    wanted = [row[0] for row in rows if row[8] or resolver.reads_context(row[1], row[3])]
    if not wanted:
        return rows
    openings = dict(
        con.execute(
            f"SELECT report_id, left(text, {CONTEXT_CHARS}) FROM fact_section "
            "WHERE section_key = 's1' AND report_id IN (SELECT unnest(?::VARCHAR[]))",
            [wanted],
        ).fetchall()
    )
    return [(*row[:7], openings.get(row[0]), row[8]) for row in rows]


def _resolve(resolver: Resolver, rows: Iterable[Row]) -> Resolved:
    return [(row, resolver.resolve(row[1], title=row[2], file_name=row[3], context=row[7])) for row in rows]


def _reassign(con: duckdb.DuckDBPyConnection, resolved: Resolved) -> int:
    """dim_report.agency_id of the resolved reports; returns how many changed."""
    assignments = pl.DataFrame(
        {
            "report_id": [row[0] for row, _ in resolved],
            "agency_id": [i.agency_id if i else None for _, i in resolved],
        },
        schema={"report_id": pl.Utf8, "agency_id": pl.Utf8},
    )
    with registered(con, {"_gk_assign": assignments}):
        con.execute("""
            UPDATE dim_report SET agency_id = a.agency_id
            FROM _gk_assign a
            WHERE dim_report.report_id = a.report_id AND dim_report.agency_id IS DISTINCT FROM a.agency_id""")
    return sum(1 for row, ident in resolved if row[4] != (ident.agency_id if ident else None))


def _build_all(
    con: duckdb.DuckDBPyConnection, resolver: Resolver, entries: list[register.Entry], scope_file: Path
) -> int:
    """Every report resolved and every table of the stage rewritten; returns the reports whose organ
    changed."""
    resolved = _resolve(resolver, _report_rows(con, resolver))
    reassigned = _reassign(con, resolved)
    agencies, profiles = _agencies(resolved, resolver, register.identities(entries))
    issues = _issues(resolved, resolver)
    del resolved
    frames = {
        "_gk_agency": agencies,
        "_gk_profile": profiles,
        "_gk_issue": issues,
        "_gk_register": register.frame(entries),
    }
    with registered(con, frames):
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
    scope.build(con, resolver, scope_file)
    return reassigned


def _ids(values: Iterable[str | None]) -> list[str]:
    return sorted({v for v in values if v is not None})


def _build_changed(
    con: duckdb.DuckDBPyConnection,
    resolver: Resolver,
    entries: list[register.Entry],
    scope_file: Path,
    keys: Sequence[str],
) -> int:
    """The reports of `keys` (new, changed or gone) resolved, and what follows from them recomputed;
    returns the reports whose organ changed. The register and the declared scopes are as the last run
    read them (they are part of `version`)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _gk_keys AS SELECT unnest(?::VARCHAR[]) AS report_id", [list(keys)]
    )
    # the organs the changed reports had: a report loaded again keeps its organ; a gone one had a scope row
    before = _ids(
        a
        for (a,) in con.execute("""
            SELECT agency_id FROM dim_report WHERE report_id IN (SELECT report_id FROM _gk_keys)
            UNION ALL SELECT agency_id FROM report_scope WHERE report_id IN (SELECT report_id FROM _gk_keys)""").fetchall()
    )
    resolved = _resolve(resolver, _report_rows(con, resolver, "SELECT report_id FROM _gk_keys"))
    reassigned = _reassign(con, resolved)
    issues = _issues(resolved, resolver)
    with registered(con, {"_gk_issue": issues}):
        con.execute("DELETE FROM identity_issue WHERE report_id IN (SELECT report_id FROM _gk_keys)")
        con.execute(
            f"INSERT INTO identity_issue SELECT {', '.join(ISSUE_COLUMNS)} FROM _gk_issue "
            "ORDER BY report_id, rule_id"
        )
    organs = sorted(set(before) | {i.agency_id for _, i in resolved if i is not None})
    # organ-years whose current version changed: the changed reports' own, and any the ranking moved
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _gk_current_before AS SELECT report_id, agency_id FROM report_version_current"
    )
    current.refresh(con)
    moved = _ids(
        a
        for (a,) in con.execute("""
            SELECT agency_id FROM (
                (SELECT report_id, agency_id FROM _gk_current_before EXCEPT SELECT report_id, agency_id FROM report_version_current)
                UNION ALL
                (SELECT report_id, agency_id FROM report_version_current EXCEPT SELECT report_id, agency_id FROM _gk_current_before))""").fetchall()
    )
    con.execute("DROP TABLE _gk_current_before")
    parents_before = _parents(con, sorted(set(organs) | set(moved)))
    _refresh_organs(con, resolver, register.identities(entries), organs)
    parents_after = _parents(con, sorted(set(organs) | set(moved)))
    # report_scope: the changed reports, every report of their organs and of the governments above them
    concerned = sorted(set(organs) | set(moved) | set(parents_before) | set(parents_after))
    con.execute("DELETE FROM report_scope WHERE report_id IN (SELECT report_id FROM _gk_keys)")
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _gk_scope_reports AS
        SELECT report_id FROM dim_report WHERE agency_id IN (SELECT unnest(?::VARCHAR[]))
        UNION SELECT report_id FROM dim_report WHERE report_id IN (SELECT report_id FROM _gk_keys)""",
        [concerned],
    )
    scope.build(con, resolver, scope_file, reports="_gk_scope_reports")
    con.execute("DROP TABLE _gk_scope_reports")
    con.execute("DROP TABLE _gk_keys")
    return reassigned


def _parents(con: duckdb.DuckDBPyConnection, organs: list[str]) -> list[str]:
    """The parents dim_agency_profile gives `organs`, in order."""
    rows = con.execute(
        "SELECT DISTINCT parent_agency_id FROM dim_agency_profile "
        "WHERE agency_id IN (SELECT unnest(?::VARCHAR[])) AND parent_agency_id IS NOT NULL ORDER BY ALL",
        [organs],
    ).fetchall()
    return [p for (p,) in rows]


def _refresh_organs(
    con: duckdb.DuckDBPyConnection,
    resolver: Resolver,
    registered_organs: Sequence[Identity],
    organs: list[str],
) -> None:
    """The dim_agency and dim_agency_profile rows of `organs` as `_agencies` over every report makes
    them, with the governments above them that have no reports (`_agencies`' fillers): added where an
    organ now needs one, removed where none does any more. The profiles below a changed organ get its
    name as their parent_name."""
    register_of = {i.agency_id: i for i in registered_organs}
    changed = set(organs)
    new: dict[str, tuple[Identity, list[str]]] = {}  # organ -> (identity, names its reports print)
    for aid, (ident, printed) in _latest(con, resolver, organs).items():
        new[aid] = (ident, printed)
    for aid in organs:
        if aid not in new and aid in register_of:
            new[aid] = (register_of[aid], [])
    stored: dict[str, bool] = {}  # whether dim_agency holds an organ, as asked
    gone: set[str] = set()

    def exists(aid: str) -> bool:
        if aid in new:
            return True
        if aid in changed or aid in gone:
            return False
        if aid not in stored:
            stored[aid] = bool(one(con, "SELECT count(*) FROM dim_agency WHERE agency_id = ?", [aid])[0])
        return stored[aid]

    def add(fillers: dict[str, Identity]) -> None:
        for pid, parent in fillers.items():
            new[pid] = (parent, [])
            changed.add(pid)

    add(_fillers(resolver, [i for i, _ in new.values() if i.parent_key], exists))
    # an organ left without reports stays, as a filler, while an organ outside the changed ones is below it
    for aid in sorted(changed - set(new)):
        if aid in new:  # a filler above one found before it
            continue
        child = _child_outside(con, resolver, register_of, aid, changed)
        found = _fillers(resolver, [child], exists) if child is not None else {}
        if aid in found:
            add(found)
            continue
        gone.add(aid)
    # a filler above a changed organ goes when nothing is below it any more, and so on upwards
    above = _parents(con, sorted(changed | gone))
    while above:
        pid = above.pop()
        if pid in new or pid in gone or pid in changed or pid in register_of or _has_reports(con, pid):
            continue
        if any(i.parent_agency_id == pid for i, _ in new.values()) or _children_stored(
            con, pid, changed | gone
        ):
            continue
        gone.add(pid)
        above.extend(_parents(con, [pid]))
    names_of = {aid: i.name for aid, (i, _) in new.items()}
    missing = sorted({i.parent_agency_id for i, _ in new.values() if i.parent_agency_id} - set(names_of))
    for aid, name in con.execute(
        "SELECT agency_id, name FROM dim_agency WHERE agency_id IN (SELECT unnest(?::VARCHAR[]))", [missing]
    ).fetchall():
        if aid not in gone and aid not in changed:
            names_of[aid] = name
    agencies, profiles = _organ_frames(new, names_of)
    touched = sorted(changed | gone | set(new))
    with registered(con, {"_gk_agency": agencies, "_gk_profile": profiles}):
        for table in ("dim_agency", "dim_agency_profile"):
            con.execute(f"DELETE FROM {table} WHERE agency_id IN (SELECT unnest(?::VARCHAR[]))", [touched])
        con.execute("INSERT INTO dim_agency SELECT agency_id, name FROM _gk_agency ORDER BY agency_id")
        con.execute(
            f"INSERT INTO dim_agency_profile ({', '.join(PROFILE_COLUMNS)}) "
            f"SELECT {', '.join(PROFILE_COLUMNS)} FROM _gk_profile ORDER BY agency_id"
        )
    con.execute(
        """
        UPDATE dim_agency_profile SET parent_name = a.name
        FROM dim_agency a
        WHERE dim_agency_profile.parent_agency_id = a.agency_id
          AND a.agency_id IN (SELECT unnest(?::VARCHAR[]))
          AND dim_agency_profile.parent_name IS DISTINCT FROM a.name""",
        [touched],
    )


def _latest(
    con: duckdb.DuckDBPyConnection, resolver: Resolver, organs: Sequence[str]
) -> dict[str, tuple[Identity, list[str]]]:
    """Per organ with reports: the identity its latest report gives (year, then load time, then id, as
    `_agencies` ranks them) and every name its reports print."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _gk_organs AS SELECT unnest(?::VARCHAR[]) AS agency_id", [list(organs)]
    )
    resolved = _resolve(
        resolver,
        _report_rows(
            con,
            resolver,
            "SELECT report_id FROM dim_report WHERE agency_id IN (SELECT agency_id FROM _gk_organs)",
        ),
    )
    con.execute("DROP TABLE _gk_organs")
    return _by_organ(resolved, set(organs))


def _by_organ(
    resolved: Resolved, organs: Container[str] | None = None
) -> dict[str, tuple[Identity, list[str]]]:
    """Per organ (of `organs`, or every one): the identity its latest report gives (year, then load
    time, then id) and every name its reports print, in order."""
    latest: dict[str, tuple[Row, Identity]] = {}
    printed: dict[str, set[str]] = {}
    for row, ident in resolved:
        if ident is None or (organs is not None and ident.agency_id not in organs):
            continue
        printed.setdefault(ident.agency_id, set()).add(ident.printed)
        held = latest.get(ident.agency_id)
        if held is None or _rank(row) > _rank(held[0]):
            latest[ident.agency_id] = (row, ident)
    return {aid: (ident, sorted(printed[aid])) for aid, (_, ident) in latest.items()}


def _rank(row: Row) -> tuple[Any, ...]:
    return (row[5] or 0, row[6], row[0])


def _fillers(
    resolver: Resolver, pending: list[Identity], exists: Callable[[str], bool]
) -> dict[str, Identity]:
    """The governments above the organs of `pending` that have no row (`exists` says which have one),
    and those above them in turn, each as its child's parent_name resolves. The name made from the
    divisions must read back as the same government; if a data edit broke that, the child keeps its
    parent_agency_id and the parent just has no row."""
    found: dict[str, Identity] = {}
    pending = list(pending)
    while pending:
        child = pending.pop()
        pid = child.parent_agency_id
        if pid is None or pid in found or exists(pid) or child.parent_name is None:
            continue
        parent = resolver.resolve(child.parent_name)
        if parent is not None and parent.agency_id == pid:
            found[pid] = parent
            pending.append(parent)
    return found


def _children_stored(con: duckdb.DuckDBPyConnection, parent: str, leaving: set[str]) -> bool:
    """Whether an organ whose row stays has `parent` as its parent."""
    (n,) = one(
        con,
        "SELECT count(*) FROM dim_agency_profile WHERE parent_agency_id = ? "
        "AND agency_id NOT IN (SELECT unnest(?::VARCHAR[]))",
        [parent, sorted(leaving)],
    )
    return bool(n)


def _has_reports(con: duckdb.DuckDBPyConnection, organ: str) -> bool:
    (n,) = one(con, "SELECT count(*) FROM dim_report WHERE agency_id = ?", [organ])
    return bool(n)


def _child_outside(
    con: duckdb.DuckDBPyConnection,
    resolver: Resolver,
    register_of: dict[str, Identity],
    parent: str,
    changed: set[str],
) -> Identity | None:
    """The identity of an organ whose row stays and whose parent is `parent` (the first by id), as
    its reports, the register or, for a filler, the organ below it give it."""
    row = con.execute(
        "SELECT agency_id FROM dim_agency_profile WHERE parent_agency_id = ? "
        "AND agency_id NOT IN (SELECT unnest(?::VARCHAR[])) ORDER BY agency_id LIMIT 1",
        [parent, sorted(changed)],
    ).fetchone()
    if row is None:
        return None
    child = str(row[0])
    found = _latest(con, resolver, [child]).get(child)
    if found is not None:
        return found[0]
    if child in register_of:
        return register_of[child]
    below = _child_outside(con, resolver, register_of, child, changed)
    return resolver.resolve(below.parent_name) if below is not None and below.parent_name else None


def _agencies(
    resolved: Resolved,
    resolver: Resolver,
    registered_organs: Sequence[Identity] = (),
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """dim_agency and dim_agency_profile rows: each organ as its latest report (year, then load time,
    then id) shows it, with every name its reports print; the registered organs without reports; then
    the governments above them that have no reports, so that every parent_agency_id has a row (region
    rollups need their place)."""
    by_organ = _by_organ(resolved)
    organs = {aid: ident for aid, (ident, _) in by_organ.items()}
    for ident in registered_organs:
        organs.setdefault(ident.agency_id, ident)
    organs.update(_fillers(resolver, [i for i in organs.values() if i.parent_key], organs.__contains__))
    names_of = {aid: ident.name for aid, ident in organs.items()}
    return _organ_frames(
        {aid: (i, by_organ[aid][1] if aid in by_organ else []) for aid, i in organs.items()}, names_of
    )


def _organ_frames(
    organs: dict[str, tuple[Identity, list[str]]], names_of: dict[str, str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """dim_agency and dim_agency_profile rows of `organs` (each with the names its reports print),
    in agency_id order; `names_of`: the names of the organs that have rows."""
    rows = sorted(organs.items())
    agencies = _frame([(aid, i.name) for aid, (i, _) in rows], ("agency_id", "name"))
    profiles = _frame(
        [_profile(aid, i, printed, names_of) for aid, (i, printed) in rows],
        PROFILE_COLUMNS,
        {"has_reports": pl.Boolean, "names": pl.List(pl.Utf8)},
    )
    return agencies, profiles


def _profile(aid: str, i: Identity, printed: list[str], names_of: dict[str, str]) -> tuple[Any, ...]:
    """An organ's dim_agency_profile row; `printed`: the names its reports print (none: it has no
    reports); `names_of`: the names of the organs that have rows."""
    province, city, county = (i.division(level) for level in ("province", "city", "county"))
    parent_id = i.parent_agency_id
    return (
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
        names_of.get(parent_id, i.parent_name) if parent_id else None,
        i.resolution,
        bool(printed),
        printed,
    )


def _issues(resolved: Resolved, resolver: Resolver) -> pl.DataFrame:
    rules = catalogue.identity_rules()
    rows: list[tuple[str, str, str, str | None, str | None, str]] = []
    for row, ident in resolved:
        if ident is None:
            rows.append((row[0], "ID-1", rules["ID-1"].severity, None, None, NO_NAME))
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
                    rules["ID-5"].severity,
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
