"""The DuckDB warehouse: schema, idempotent loads of parsed reports, quarantine, summary.

Every write is keyed by content hash (report_id) and runs in one transaction, so a batch is either
fully in the warehouse or not at all, and loading the same files again leaves every table except
the load_run audit log byte-for-byte the same. Report text only ever reaches SQL as parameters or
through registered DataFrames, never by string building.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pandas as pd

from pipelines import identity, layout, parse
from pipelines.dbutil import registered, transaction
from pipelines.identity import store as identity_store
from pipelines.model import ParsedReport

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "sql" / "schema"
# The parser gives only section keys; the headings are the statutory ones, the same in both formats.
SECTION_HEADINGS = {key: heading for key, heading, _ in layout.SECTIONS}


class LoadItem(NamedTuple):
    file_name: str
    content_hash: str
    report: ParsedReport


class Rejected(NamedTuple):
    """A file that did not become a report, as stored in the quarantine table."""

    file_name: str
    content_hash: str
    reason: str
    medium_guess: str | None = None


class DimCellRow(NamedTuple):
    cell_id: str
    format: str
    table_no: str
    row_code: str
    col_code: str
    row_label: str
    col_label: str
    unit: str
    group_code: str | None


def current_parser() -> str:
    """PARSER_VERSION, read when called (tests change it to see what a new parser re-parses)."""
    return parse.PARSER_VERSION


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    if str(path) != ":memory:" and not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables (sql/schema/*.sql in name order) and re-seed dim_cell. Idempotent.

    The DDL uses CREATE ... IF NOT EXISTS, so an existing table whose definition changed is not
    migrated: that needs an explicit migration (or a fresh warehouse).
    """
    with transaction(con):
        identity_store.migrate(con)
        for sql_file in sorted(SCHEMA_DIR.glob("*.sql")):
            con.execute(sql_file.read_text(encoding="utf-8"))
        cells = pd.DataFrame(dim_cell_rows(), columns=list(DimCellRow._fields))
        with registered(con, {"_gk_cells": cells}):
            con.execute("DELETE FROM dim_cell")
            con.execute(
                f"INSERT INTO dim_cell ({', '.join(DimCellRow._fields)}) "
                f"SELECT {', '.join(DimCellRow._fields)} FROM _gk_cells ORDER BY cell_id, format"
            )


def dim_cell_rows() -> list[DimCellRow]:
    """The dim_cell seed, from the layout (which shared/spec/cells.tsv mirrors)."""
    return [
        DimCellRow(
            s.cell_id, s.format, s.table, s.row_code, s.col_code, s.row_label, s.col_label, s.unit, s.group
        )
        for s in layout.CELLS
    ]


def normalise_agency_name(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split())


def agency_id(name: str) -> str:
    """Stable id of the organ a name designates (pipelines.identity): the same organ gets the same id
    in every warehouse, however its place is written; a name without a readable place keeps the id
    of its normalised name."""
    ident = identity.resolve(name)
    if ident is not None:
        return ident.agency_id
    return hashlib.sha256(normalise_agency_name(name).encode("utf-8")).hexdigest()[:16]


def load_reports(
    con: duckdb.DuckDBPyConnection,
    items: Iterable[tuple[str, str, ParsedReport]],
    *,
    parser_version: str | None = None,
    loaded_at: datetime | None = None,
) -> int:
    """Load (file_name, content_hash, report) items in one transaction; returns reports loaded.

    Idempotent: each report's rows are deleted and inserted again by report_id, keeping the
    loaded_at of its first load, and bytes that load are taken out of quarantine. On any error
    the whole batch is rolled back, including the deletes.

    loaded_at is the run's start for a pipeline run, so that every batch of one run carries the
    same time: current_report takes a later loaded_at as a re-publication, which versions loaded
    together (an HTML page and its text dump) must not look like.
    """
    batch: dict[str, LoadItem] = {}
    for file_name, content_hash, report in items:
        batch.setdefault(content_hash, LoadItem(file_name, content_hash, report))
    if not batch:
        return 0
    ids = list(batch)
    now = loaded_at or datetime.now(UTC)
    parser_version = parser_version or current_parser()
    with transaction(con):
        kept = dict(
            con.execute(
                "SELECT report_id, loaded_at FROM dim_report WHERE report_id IN (SELECT UNNEST(?))", [ids]
            ).fetchall()
        )
        frames = {
            "_gk_reports": _reports_frame(batch.values(), kept, now, parser_version),
            "_gk_cells": _cells_frame(batch.values()),
            "_gk_sections": _sections_frame(batch.values()),
            "_gk_subtotals": _subtotals_frame(batch.values()),
        }
        with registered(con, frames):
            if kept:
                # Facts exist only for reports already in dim_report (same transaction), so
                # fresh reports skip the scans of the big tables.
                for table in ("fact_cell", "fact_section", "fact_subtotal", "dim_report"):
                    con.execute(f"DELETE FROM {table} WHERE report_id IN (SELECT UNNEST(?))", [list(kept)])
            con.execute("DELETE FROM quarantine WHERE content_hash IN (SELECT UNNEST(?))", [ids])
            con.execute(
                "INSERT OR IGNORE INTO dim_agency SELECT DISTINCT agency_id, agency_norm "
                "FROM _gk_reports WHERE agency_id IS NOT NULL"
            )
            con.execute(
                "INSERT INTO dim_report SELECT report_id, file_name, medium, format_version, year,"
                " agency_id, agency_name, title, warnings, parser_version, loaded_at FROM _gk_reports"
            )
            con.execute("""
                INSERT INTO fact_cell
                SELECT report_id, cell_id, format, value, raw_text, kind, uncertain, note,
                       prov_table, prov_row, prov_col, prov_page,
                       CASE WHEN bbox_x0 IS NULL THEN NULL ELSE [bbox_x0, bbox_y0, bbox_x1, bbox_y1] END
                FROM _gk_cells""")
            con.execute(
                "INSERT INTO fact_section SELECT report_id, section_key, heading, text FROM _gk_sections"
            )
            con.execute(
                "INSERT INTO fact_subtotal SELECT report_id, group_code, col_code, value, raw_text "
                "FROM _gk_subtotals"
            )
    return len(batch)


def _reports_frame(
    items: Iterable[LoadItem], kept: Mapping[str, datetime], now: datetime, parser_version: str
) -> pd.DataFrame:
    rows = []
    for it in items:
        r = it.report
        # the organ from its name, else from the title, body opening and file name (pipelines.identity)
        ident = identity.resolve(
            r.agency, title=r.title, file_name=it.file_name, context=r.sections.get("s1")
        )
        rows.append(
            {
                "report_id": it.content_hash,
                "file_name": it.file_name,
                "medium": r.medium,
                "format_version": r.format_version,
                "year": r.year,
                "agency_id": ident.agency_id if ident else None,
                "agency_norm": ident.name if ident else None,
                "agency_name": r.agency,
                "title": r.title,
                "warnings": list(r.warnings),
                "parser_version": parser_version,
                "loaded_at": kept.get(it.content_hash, now),
            }
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "report_id",
            "file_name",
            "medium",
            "format_version",
            "year",
            "agency_id",
            "agency_norm",
            "agency_name",
            "title",
            "warnings",
            "parser_version",
            "loaded_at",
        ],
    )
    df["year"] = pd.array(df["year"], dtype="Int64")
    df["loaded_at"] = pd.to_datetime(df["loaded_at"], utc=True)
    return df


_CELL_COLUMNS = (
    "report_id",
    "cell_id",
    "format",
    "value",
    "raw_text",
    "kind",
    "uncertain",
    "note",
    "prov_table",
    "prov_row",
    "prov_col",
    "prov_page",
    "bbox_x0",
    "bbox_y0",
    "bbox_x1",
    "bbox_y1",
)


def _cells_frame(items: Iterable[LoadItem]) -> pd.DataFrame:
    # Column lists rather than row dicts: this is the hot loop at national scale (~200 cells a report).
    cols: dict[str, list[Any]] = {c: [] for c in _CELL_COLUMNS}
    for it in items:
        fmt = it.report.format_version
        for cid, c in it.report.cells.items():
            p = c.provenance
            box = p.bbox or (None, None, None, None)
            cols["report_id"].append(it.content_hash)
            cols["cell_id"].append(cid)
            cols["format"].append(fmt)
            cols["value"].append(None if c.value is None else float(c.value))
            cols["raw_text"].append(c.raw)
            cols["kind"].append(c.kind)
            cols["uncertain"].append(bool(c.uncertain))
            cols["note"].append(c.note)
            cols["prov_table"].append(p.table)
            cols["prov_row"].append(p.row)
            cols["prov_col"].append(p.col)
            cols["prov_page"].append(p.page)
            cols["bbox_x0"].append(box[0])
            cols["bbox_y0"].append(box[1])
            cols["bbox_x1"].append(box[2])
            cols["bbox_y1"].append(box[3])
    typed: dict[str, Any] = {}
    for name, values in cols.items():
        if name in ("value", "bbox_x0", "bbox_y0", "bbox_x1", "bbox_y1"):
            typed[name] = pd.array(values, dtype="Float64")
        elif name.startswith("prov_"):
            typed[name] = pd.array(values, dtype="Int64")
        elif name == "uncertain":
            typed[name] = pd.array(values, dtype="bool")
        else:
            typed[name] = pd.array(values, dtype="object")
    return pd.DataFrame(typed)


def _subtotals_frame(items: Iterable[LoadItem]) -> pd.DataFrame:
    rows = [
        (
            it.content_hash,
            group,
            c.cell_id.rsplit(".", 1)[1],
            None if c.value is None else float(c.value),
            c.raw,
        )
        for it in items
        for group, cells in sorted(it.report.subtotals.items())
        for c in cells
    ]
    df = pd.DataFrame(
        rows, columns=["report_id", "group_code", "col_code", "value", "raw_text"], dtype="object"
    )
    df["value"] = pd.array(df["value"], dtype="Float64")
    return df


def _sections_frame(items: Iterable[LoadItem]) -> pd.DataFrame:
    rows = [
        (it.content_hash, key, SECTION_HEADINGS.get(key), text)
        for it in items
        for key, text in sorted(it.report.sections.items())
    ]
    return pd.DataFrame(rows, columns=["report_id", "section_key", "heading", "text"], dtype="object")


def quarantine(
    con: duckdb.DuckDBPyConnection,
    file_name: str,
    content_hash: str,
    reason: str,
    medium_guess: str | None = None,
) -> None:
    """Quarantine one file; see quarantine_many."""
    quarantine_many(con, [Rejected(file_name, content_hash, reason, medium_guess)])


def quarantine_many(
    con: duckdb.DuckDBPyConnection, rejected: Iterable[Rejected], *, parser_version: str | None = None
) -> int:
    """Record files that did not parse, in one transaction; returns rows written.

    Idempotent by content hash: a re-run updates name and reason but keeps detected_at. Bytes
    that were loaded as a report before (by an older parser) leave the report tables, so that the
    warehouse always reflects the latest parse of every file.
    """
    batch: dict[str, Rejected] = {}
    for r in rejected:
        batch.setdefault(r.content_hash, Rejected(*r))
    if not batch:
        return 0
    df = pd.DataFrame(list(batch.values()), columns=list(Rejected._fields), dtype="object")
    df["detected_at"] = pd.Timestamp(datetime.now(UTC))
    df["parser_version"] = parser_version or current_parser()
    ids = list(batch)
    with transaction(con), registered(con, {"_gk_rejected": df}):
        loaded = [
            r
            for (r,) in con.execute(
                "SELECT report_id FROM dim_report WHERE report_id IN (SELECT UNNEST(?))", [ids]
            ).fetchall()
        ]
        if loaded:
            for table in ("fact_cell", "fact_section", "fact_subtotal", "dim_report"):
                con.execute(f"DELETE FROM {table} WHERE report_id IN (SELECT UNNEST(?))", [loaded])
        con.execute("""
            INSERT INTO quarantine (content_hash, file_name, reason, medium_guess, detected_at, parser_version)
            SELECT content_hash, file_name, reason, medium_guess, detected_at, parser_version FROM _gk_rejected
            ON CONFLICT (content_hash) DO UPDATE SET
                file_name = excluded.file_name, reason = excluded.reason,
                medium_guess = excluded.medium_guess, parser_version = excluded.parser_version""")
    return len(batch)


def record_run(
    con: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    started_at: datetime,
    finished_at: datetime,
    files_seen: int,
    parsed: int,
    quarantined: int,
    skipped_duplicates: int,
    files_new: int = 0,
    files_changed: int = 0,
    files_unchanged: int = 0,
    parser_version: str | None = None,
) -> None:
    con.execute(
        "INSERT OR REPLACE INTO load_run (run_id, started_at, finished_at, files_seen, parsed, quarantined, "
        "skipped_duplicates, files_new, files_changed, files_unchanged, parser_version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            started_at,
            finished_at,
            files_seen,
            parsed,
            quarantined,
            skipped_duplicates,
            files_new,
            files_changed,
            files_unchanged,
            parser_version or current_parser(),
        ],
    )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, *, finished_at: datetime) -> int | None:
    """Close a run's load_run row at publish time: the findings the rules left, and the end time.
    Returns the findings count, None when the rules did not run in this run (no rule_runs rows)."""
    (ran,) = _one(con, "SELECT count(*) FROM rule_runs WHERE run_id = ?", [run_id])
    findings = _one(con, "SELECT count(*) FROM findings WHERE status = 'fail'")[0] if ran else None
    con.execute(
        "UPDATE load_run SET findings = ?, finished_at = ? WHERE run_id = ?", [findings, finished_at, run_id]
    )
    return findings


def summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What the warehouse holds: counts, years, formats and every quarantined file with its reason."""
    reports, agencies = _one(con, "SELECT count(*), count(DISTINCT agency_id) FROM dim_report")
    (cells,) = _one(con, "SELECT count(*) FROM fact_cell")
    years = [
        y
        for (y,) in con.execute(
            "SELECT DISTINCT year FROM dim_report WHERE year IS NOT NULL ORDER BY year"
        ).fetchall()
    ]
    formats = dict(
        con.execute("SELECT format_version, count(*) FROM dim_report GROUP BY ALL ORDER BY 1").fetchall()
    )
    quarantined = [
        {"file_name": f, "reason": r}
        for f, r in con.execute(
            "SELECT file_name, reason FROM quarantine ORDER BY file_name, content_hash"
        ).fetchall()
    ]
    return {
        "reports": reports,
        "agencies": agencies,
        "years": years,
        "formats": formats,
        "cells": cells,
        "quarantined": quarantined,
    }


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> tuple[Any, ...]:
    row = con.execute(sql, params).fetchone()
    assert row is not None  # aggregate queries always return a row
    return tuple(row)
