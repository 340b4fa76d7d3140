"""Idempotent, transactional loads of parsed reports and quarantined files into the star schema.

Every write is keyed by content hash (report_id) and runs in one transaction, so a batch is either
fully in the warehouse or not at all, and loading the same files again leaves every table except
the load_run audit log byte-for-byte the same. Report text only ever reaches SQL as parameters or
through registered frames, never by string building.

The loader stores what a report says (the organ's name as printed, its title and first section);
which organ that is, dim_report.agency_id and dim_agency, is the identity stage's to write.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple

import duckdb
import polars as pl

from pipelines.model import ParsedReport
from pipelines.warehouse import frames
from pipelines.warehouse.db import one, registered, transaction
from pipelines.warehouse.frames import SECTION_HEADINGS, LoadItem, ReportFrames

__all__ = [
    "SECTION_HEADINGS",
    "LoadItem",
    "Rejected",
    "load_reports",
    "load_frames",
    "quarantine_many",
    "record_run",
    "finish_run",
]
REPORT_TABLES = ("fact_cell", "fact_section", "fact_subtotal", "dim_report")


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
    The first item of each content hash is loaded (load_frames says how)."""
    batch: dict[str, LoadItem] = {}
    for file_name, content_hash, report in items:
        batch.setdefault(content_hash, LoadItem(file_name, content_hash, report))
    return load_frames(con, frames.build(batch.values()), parser_version=parser_version, loaded_at=loaded_at)


def load_frames(
    con: duckdb.DuckDBPyConnection,
    parsed: ReportFrames,
    *,
    parser_version: str,
    loaded_at: datetime | None = None,
) -> int:
    """Load parsed reports (frames.ReportFrames, one row per distinct report_id) in one transaction;
    returns reports loaded.

    Idempotent: each report's rows are deleted and inserted again by report_id, keeping the
    loaded_at of its first load and the organ identity gave it, and bytes that load are taken out
    of quarantine. On any error the whole batch is rolled back, including the deletes.

    loaded_at is the run's start for a pipeline run, so that every batch of one run carries the
    same time: current_report takes a later loaded_at as a re-publication, which versions loaded
    together (an HTML page and its text dump) must not look like.
    """
    if not len(parsed):
        return 0
    ids = parsed.reports["report_id"].to_list()
    if len(set(ids)) != len(ids):
        raise ValueError("load_frames: a report_id occurs twice in one batch")
    now = loaded_at or datetime.now(UTC)
    with transaction(con):
        # a re-loaded report keeps its first load time and the organ identity gave it
        kept = pl.DataFrame(
            con.execute(
                "SELECT report_id, loaded_at, agency_id FROM dim_report WHERE report_id IN (SELECT UNNEST(?))",
                [ids],
            ).fetchall(),
            schema={"report_id": pl.Utf8, "kept_at": pl.Datetime("us", "UTC"), "agency_id": pl.Utf8},
            orient="row",
        )
        reports = parsed.reports.join(kept, on="report_id", how="left", maintain_order="left").with_columns(
            parser_version=pl.lit(parser_version, dtype=pl.Utf8),
            loaded_at=pl.coalesce(pl.col("kept_at"), pl.lit(now, dtype=pl.Datetime("us", "UTC"))),
        )
        registered_frames = {
            "_gk_reports": reports,
            "_gk_cells": parsed.cells,
            "_gk_sections": parsed.sections,
            "_gk_subtotals": parsed.subtotals,
        }
        with registered(con, registered_frames):
            if kept.height:
                # Facts exist only for reports already in dim_report (same transaction), so
                # fresh reports skip the scans of the big tables.
                _delete_reports(con, kept["report_id"].to_list())
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
    return len(ids)


def _delete_reports(con: duckdb.DuckDBPyConnection, report_ids: list[str]) -> None:
    for table in REPORT_TABLES:
        con.execute(f"DELETE FROM {table} WHERE report_id IN (SELECT UNNEST(?))", [report_ids])


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
        # An update of the rows there, then a plain insert of the new ones in the order given: an
        # INSERT ... ON CONFLICT does not keep the order of its input.
        con.execute("""
            UPDATE quarantine SET file_name = r.file_name, reason = r.reason,
                medium_guess = r.medium_guess, parser_version = r.parser_version
            FROM _gk_rejected r WHERE quarantine.content_hash = r.content_hash""")
        known = {
            h
            for (h,) in con.execute(
                "SELECT content_hash FROM quarantine WHERE content_hash IN (SELECT UNNEST(?))", [ids]
            ).fetchall()
        }
        with registered(con, {"_gk_new": df.filter(~pl.col("content_hash").is_in(sorted(known)))}):
            con.execute("""
                INSERT INTO quarantine (content_hash, file_name, reason, medium_guess, detected_at, parser_version)
                SELECT content_hash, file_name, reason, medium_guess, detected_at, parser_version FROM _gk_new""")
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
