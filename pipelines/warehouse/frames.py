"""Parsed reports as the four frames the loader inserts: what a parser process sends the loader.

A parser process (pipelines/ingest/pool.py, or a Dask worker) turns each report into these frames
itself, so that what travels to the single DuckDB writer is columnar Arrow data, not Python
objects, and the writer only concatenates and inserts. `to_ipc`/`from_ipc` is that journey: one
Arrow IPC stream per frame.

The reports frame holds what the report says; what the warehouse already knows about a report id
(its first load time, the organ identity gave it) and the run's parser version are added by the
loader (load.load_frames).
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import polars as pl

from pipelines import layout
from pipelines.model import ParsedReport

# The parser gives only section keys; the headings are the statutory ones, the same in both formats.
SECTION_HEADINGS = {key: heading for key, heading, _ in layout.SECTIONS}


class LoadItem(NamedTuple):
    file_name: str
    content_hash: str
    report: ParsedReport


REPORT_SCHEMA: dict[str, Any] = {
    "report_id": pl.Utf8,
    "file_name": pl.Utf8,
    "medium": pl.Utf8,
    "format_version": pl.Utf8,
    "year": pl.Int64,
    "agency_name": pl.Utf8,
    "title": pl.Utf8,
    "warnings": pl.List(pl.Utf8),
}
CELL_SCHEMA: dict[str, Any] = {
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
SECTION_SCHEMA: dict[str, Any] = {
    "report_id": pl.Utf8,
    "section_key": pl.Utf8,
    "heading": pl.Utf8,
    "text": pl.Utf8,
}
SUBTOTAL_SCHEMA: dict[str, Any] = {
    "report_id": pl.Utf8,
    "group_code": pl.Utf8,
    "col_code": pl.Utf8,
    "value": pl.Float64,
    "raw_text": pl.Utf8,
}
_NAMES = ("reports", "cells", "sections", "subtotals")


@dataclass(frozen=True)
class ReportFrames:
    """Reports (one row each, in order) and their cells, sections and subtotals."""

    reports: pl.DataFrame
    cells: pl.DataFrame
    sections: pl.DataFrame
    subtotals: pl.DataFrame

    def __len__(self) -> int:
        return self.reports.height

    def to_ipc(self) -> bytes:
        """The four frames as Arrow IPC streams, in one bytes object."""
        parts = []
        for name in _NAMES:
            buf = io.BytesIO()
            getattr(self, name).write_ipc_stream(buf)
            parts.append(buf.getvalue())
        return pickle.dumps(parts, protocol=5)

    @classmethod
    def from_ipc(cls, data: bytes) -> ReportFrames:
        parts = pickle.loads(data)
        return cls(*(pl.read_ipc_stream(io.BytesIO(p)) for p in parts))

    @classmethod
    def concat(cls, frames: Sequence[ReportFrames]) -> ReportFrames:
        """One frame set of many, rows in the order given."""
        if not frames:
            return build([])
        if len(frames) == 1:
            return frames[0]
        return cls(
            *(pl.concat([getattr(f, name) for f in frames], how="vertical", rechunk=True) for name in _NAMES)
        )


def build(items: Iterable[tuple[str, str, ParsedReport]]) -> ReportFrames:
    """The frames of (file_name, content_hash, report) items, in their order."""
    loaded = [LoadItem(*it) for it in items]
    return ReportFrames(_reports(loaded), _cells(loaded), _sections(loaded), _subtotals(loaded))


def _reports(items: Sequence[LoadItem]) -> pl.DataFrame:
    cols: dict[str, list[Any]] = {c: [] for c in REPORT_SCHEMA}
    for it in items:
        r = it.report
        cols["report_id"].append(it.content_hash)
        cols["file_name"].append(it.file_name)
        cols["medium"].append(r.medium)
        cols["format_version"].append(r.format_version)
        cols["year"].append(r.year)
        cols["agency_name"].append(r.agency)
        cols["title"].append(r.title)
        cols["warnings"].append(list(r.warnings))
    return pl.DataFrame(cols, schema=REPORT_SCHEMA)


def _cells(items: Sequence[LoadItem]) -> pl.DataFrame:
    # Column lists rather than row dicts: this is the hot loop at national scale (~200 cells a report).
    cols: dict[str, list[Any]] = {c: [] for c in CELL_SCHEMA}
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
    return pl.DataFrame(cols, schema=CELL_SCHEMA)


def _subtotals(items: Sequence[LoadItem]) -> pl.DataFrame:
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
    return pl.DataFrame(rows, schema=SUBTOTAL_SCHEMA, orient="row")


def _sections(items: Sequence[LoadItem]) -> pl.DataFrame:
    rows = [
        (it.content_hash, key, SECTION_HEADINGS.get(key), text)
        for it in items
        for key, text in sorted(it.report.sections.items())
    ]
    return pl.DataFrame(rows, schema=SECTION_SCHEMA, orient="row")
