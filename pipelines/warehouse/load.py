"""Idempotent, transactional loads of parsed reports and quarantined files into the star schema.

Every write is keyed by content hash (report_id) and runs in one transaction, so a batch is either
fully in the warehouse or not at all, and loading the same files again leaves every table except
the load_run audit log byte-for-byte the same. Report text only ever reaches SQL as parameters or
through registered frames, never by string building.

The loader stores what a report says (the organ's name as printed, its title and first section);
which organ that is, dim_report.agency_id and dim_agency, is the identity stage's to write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

import duckdb
import polars as pl

from pipelines import layout
from pipelines.model import ParsedReport
from pipelines.warehouse.db import one, registered, transaction

# The parser gives only section keys; the headings are the statutory ones, the same in both formats.
SECTION_HEADINGS = {key: heading for key, heading, _ in layout.SECTIONS}
REPORT_TABLES = ("fact_cell", "fact_section", "fact_subtotal", "dim_report")


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


def load_reports(
    con: duckdb.DuckDBPyConnection,
    items: Iterable[tuple[str, str, ParsedReport]],
    *,
    parser_version: str,
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
    with transaction(con):
        # a re-loaded report keeps its first load time and the organ identity gave it
        kept = {
            rid: (at, agency)
            for rid, at, agency in con.execute(
                "SELECT report_id, loaded_at, agency_id FROM dim_report WHERE report_id IN (SELECT UNNEST(?))",
                [ids],
            ).fetchall()
        }
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
                _delete_reports(con, list(kept))
            con.execute("DELETE FROM quarantine WHERE content_hash IN (SELECT UNNEST(?))", [ids])
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
                "INSERT INTO fact_subtotal SELECT report_id, group_code, col_code, value, raw_text FROM _gk_subtotals"
            )
    return len(batch)


def _delete_reports(con: duckdb.DuckDBPyConnection, report_ids: list[str]) -> None:
    for table in REPORT_TABLES:
        con.execute(f"DELETE FROM {table} WHERE report_id IN (SELECT UNNEST(?))", [report_ids])


def _reports_frame(
    items: Iterable[LoadItem],
    kept: Mapping[str, tuple[datetime, str | None]],
    now: datetime,
    parser_version: str,
) -> pl.DataFrame:
    rows = [
        {
            "report_id": it.content_hash,
            "file_name": it.file_name,
            "medium": it.report.medium,
            "format_version": it.report.format_version,
            "year": it.report.year,
            "agency_id": kept[it.content_hash][1] if it.content_hash in kept else None,
            "agency_name": it.report.agency,
            "title": it.report.title,
            "warnings": list(it.report.warnings),
            "parser_version": parser_version,
            "loaded_at": kept[it.content_hash][0] if it.content_hash in kept else now,
        }
        for it in items
    ]
    return pl.DataFrame(
        rows,
        schema={
            "report_id": pl.Utf8,
            "file_name": pl.Utf8,
            "medium": pl.Utf8,
            "format_version": pl.Utf8,
            "year": pl.Int64,
            "agency_id": pl.Utf8,
            "agency_name": pl.Utf8,
            "title": pl.Utf8,
            "warnings": pl.List(pl.Utf8),
            "parser_version": pl.Utf8,
            "loaded_at": pl.Datetime("us", "UTC"),
        },
    )


_CELL_SCHEMA: dict[str, Any] = {
    "report_id": pl.Utf8,
    "cell_id": pl.Utf8,
    "format": pl.Utf8,
    "value": pl.Float64,
    "raw_text": pl.Utf8,
    "kind": pl.Utf8,
    "uncertain": pl.Boolean,
    "note": pl.Utf8,
    "prov_table": pl.Int64,
    "prov_row": pl.Int64,
    "prov_col": pl.Int64,
    "prov_page": pl.Int64,
    "bbox_x0": pl.Float64,
    "bbox_y0": pl.Float64,
    "bbox_x1": pl.Float64,
    "bbox_y1": pl.Float64,
}


def _cells_frame(items: Iterable[LoadItem]) -> pl.DataFrame:
    # Column lists rather than row dicts: this is the hot loop at national scale (~200 cells a report).
    cols: dict[str, list[Any]] = {c: [] for c in _CELL_SCHEMA}
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
    return pl.DataFrame(cols, schema=_CELL_SCHEMA)


def _subtotals_frame(items: Iterable[LoadItem]) -> pl.DataFrame:
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
    return pl.DataFrame(
        rows,
        schema={
            "report_id": pl.Utf8,
            "group_code": pl.Utf8,
            "col_code": pl.Utf8,
            "value": pl.Float64,
            "raw_text": pl.Utf8,
        },
        orient="row",
    )


def _sections_frame(items: Iterable[LoadItem]) -> pl.DataFrame:
    rows = [
        (it.content_hash, key, SECTION_HEADINGS.get(key), text)
        for it in items
        for key, text in sorted(it.report.sections.items())
    ]
    return pl.DataFrame(
        rows,
        schema={"report_id": pl.Utf8, "section_key": pl.Utf8, "heading": pl.Utf8, "text": pl.Utf8},
        orient="row",
    )


def quarantine_many(
    con: duckdb.DuckDBPyConnection, rejected: Iterable[Rejected], *, parser_version: str
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
    df = pl.DataFrame(
        [tuple(r) for r in batch.values()],
        schema={"file_name": pl.Utf8, "content_hash": pl.Utf8, "reason": pl.Utf8, "medium_guess": pl.Utf8},
        orient="row",
    ).with_columns(
        detected_at=pl.lit(datetime.now(UTC), dtype=pl.Datetime("us", "UTC")),
        parser_version=pl.lit(parser_version, dtype=pl.Utf8),
    )
    ids = list(batch)
    with transaction(con), registered(con, {"_gk_rejected": df}):
        loaded = [
            r
            for (r,) in con.execute(
                "SELECT report_id FROM dim_report WHERE report_id IN (SELECT UNNEST(?))", [ids]
            ).fetchall()
        ]
        if loaded:
            _delete_reports(con, loaded)
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
    parser_version: str,
    files_new: int = 0,
    files_changed: int = 0,
    files_unchanged: int = 0,
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
            parser_version,
        ],
    )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, *, finished_at: datetime) -> int | None:
    """Close a run's load_run row at publish time: the findings the rules left, and the end time.
    Returns the findings count, None when the rules did not run in this run (no rule_runs rows)."""
    (ran,) = one(con, "SELECT count(*) FROM rule_runs WHERE run_id = ?", [run_id])
    findings = one(con, "SELECT count(*) FROM findings WHERE status = 'fail'")[0] if ran else None
    con.execute(
        "UPDATE load_run SET findings = ?, finished_at = ? WHERE run_id = ?", [findings, finished_at, run_id]
    )
    return findings
