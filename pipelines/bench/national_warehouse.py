"""The synthetic nation (pipelines/synth/nation.py) written straight into a warehouse: no files, no
parsing — each report becomes the four loader frames a parser process would send, and the loader
(`warehouse.load.load_frames`) inserts them 2,000 reports a transaction, as a backfill's run does. So
the time spent in the loader is what loading 1.1 million parsed reports costs, measured apart from the
time spent making them up.

Every report is printed as an HTML page (80%), a PDF (8%), a Word file (5%) or a text dump (7%); about
1% is loaded a second time as a crawler's text dump of the same page (the same numbers under another
report id, as the real inbox has them). A report's cells carry their raw text and where they sit in
their table, as a parser gives them.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipelines import layout, warehouse
from pipelines.ingest import BATCH_SIZE
from pipelines.parsing.parse import PARSER_VERSION
from pipelines.synth import nation as nation_mod
from pipelines.warehouse import frames, load, schema
from pipelines.warehouse.frames import ReportFrames

LOADED_AT = datetime(2026, 4, 1, tzinfo=UTC)  # one backfill run: every report carries its start
MEDIA = (("html", ".html", 0.80), ("pdf", ".pdf", 0.08), ("docx", ".docx", 0.05), ("text", ".txt", 0.07))
DUPLICATE_SHARE = 0.01
_TABLE_INDEX = {"二": 1, "三": 2, "四": 3}


@dataclass
class Written:
    organs: int
    reports: int  # report rows, duplicates included
    duplicates: int
    cells: int
    seconds: float  # everything
    load_seconds: float  # inside the loader (load_frames)
    batches: int
    errors: list[nation_mod.Injected] = field(default_factory=list)
    held_out: list[tuple[int, int]] = field(default_factory=list)
    first_batches_seconds: float = 0.0  # loader time of the first and last tenth of the batches: does
    last_batches_seconds: float = 0.0  # a batch cost more as the warehouse grows?


def _cell_table() -> pl.DataFrame:
    """Per format and position in layout.CELL_IDS: the cell id, and the table, row and column a parser
    reports it at."""
    rows = []
    for fmt in layout.FORMATS:
        rows_seen: dict[str, list[str]] = {}  # table -> its row codes in order
        cols_seen: dict[tuple[str, str], int] = {}  # (table, row) -> cells so far
        for pos, cid in enumerate(layout.CELL_IDS[fmt]):
            spec = layout.SPEC_BY_ID[(fmt, cid)]
            table_rows = rows_seen.setdefault(spec.table, [])
            if spec.row_code not in table_rows:
                table_rows.append(spec.row_code)
            col = cols_seen.get((spec.table, spec.row_code), 0) + 1
            cols_seen[(spec.table, spec.row_code)] = col
            row = table_rows.index(spec.row_code) + 1
            rows.append((fmt, pos, cid, _TABLE_INDEX[spec.table], row, col, spec.col_code == "amount"))
    return pl.DataFrame(
        rows,
        schema={
            "format": pl.Utf8,
            "pos": pl.Int64,
            "cell_id": pl.Utf8,
            "prov_table": pl.Int64,
            "prov_row": pl.Int64,
            "prov_col": pl.Int64,
            "amount": pl.Boolean,
        },
        orient="row",
    )


def _medium(seed: int, key: str, year: int) -> tuple[str, str]:
    x = nation_mod._draw(seed, "medium", key, year)
    for medium, ext, share in MEDIA:
        if x < share:
            return medium, ext
        x -= share
    return MEDIA[0][0], MEDIA[0][1]


def to_frames(reports: Sequence[nation_mod.Report], seed: int, cell_table: pl.DataFrame) -> ReportFrames:
    """The loader's frames of a batch of reports (and of the text dumps some of them are loaded as too)."""
    ids, names, media, fmts, years, agencies, titles, values = [], [], [], [], [], [], [], []
    sec_ids, sec_keys, sec_texts = [], [], []
    for r in reports:
        medium, ext = _medium(seed, r.organ.key, r.year)
        copies = [(r.report_id, medium, r.file_name[: -len(".html")] + ext)]
        if nation_mod._draw(seed, "dump", r.organ.key, r.year) < DUPLICATE_SHARE:
            dump_id = hashlib.sha256((r.report_id + "/dump").encode()).hexdigest()
            copies.append((dump_id, "text", r.file_name[: -len(".html")] + ".dump.txt"))
        for rid, m, file_name in copies:
            ids.append(rid)
            names.append(file_name)
            media.append(m)
            fmts.append(r.format)
            years.append(r.year)
            agencies.append(r.organ.name)
            titles.append(r.title)
            values.append(r.values)
            for key, text in r.sections.items():
                sec_ids.append(rid)
                sec_keys.append(key)
                sec_texts.append(text)
    n = len(ids)
    report_frame = pl.DataFrame(
        {
            "report_id": ids,
            "file_name": names,
            "medium": media,
            "format_version": fmts,
            "year": years,
            "agency_name": agencies,
            "title": titles,
            "warnings": [[] for _ in range(n)],
        },
        schema=frames.REPORT_SCHEMA,
    )
    value = pl.col("value")
    cells = (
        pl.DataFrame(
            {"report_id": ids, "format": fmts, "value": values},
            schema={"report_id": pl.Utf8, "format": pl.Utf8, "value": pl.List(pl.Float64)},
        )
        .with_columns(pos=pl.int_ranges(0, value.list.len()))
        .explode(["value", "pos"])
        .join(cell_table, on=["format", "pos"], how="left", maintain_order="left")
        .with_columns(
            raw_text=pl.when(value.is_null())
            .then(pl.lit(""))
            .when(pl.col("amount"))
            .then(value.cast(pl.Utf8))
            .otherwise(value.cast(pl.Int64).cast(pl.Utf8)),
            kind=pl.when(value.is_null()).then(pl.lit("blank")).otherwise(pl.lit("number")),
            uncertain=pl.lit(False),
            note=pl.lit(None, dtype=pl.Utf8),
            prov_page=pl.lit(None, dtype=pl.Int64),
            bbox_x0=pl.lit(None, dtype=pl.Float64),
            bbox_y0=pl.lit(None, dtype=pl.Float64),
            bbox_x1=pl.lit(None, dtype=pl.Float64),
            bbox_y1=pl.lit(None, dtype=pl.Float64),
        )
        .select(list(frames.CELL_SCHEMA))
    )
    sections = pl.DataFrame(
        {
            "report_id": sec_ids,
            "section_key": sec_keys,
            "heading": [frames.SECTION_HEADINGS.get(k) for k in sec_keys],
            "text": sec_texts,
        },
        schema=frames.SECTION_SCHEMA,
    )
    subtotals = pl.DataFrame(schema=frames.SUBTOTAL_SCHEMA)
    return ReportFrames(report_frame, cells, sections, subtotals)


def write(
    path: Path,
    nation: nation_mod.Nation,
    years: Sequence[int] = nation_mod.YEARS,
    *,
    held_out: Iterable[tuple[int, int]] = (),
    batch_size: int = BATCH_SIZE,
    echo: bool = False,
) -> Written:
    """Write every published report of the nation (less the held-out organ-years) into the warehouse at
    `path`, which is created (an existing file is replaced)."""
    path = Path(path)
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)
    held = frozenset(held_out)
    t0 = time.perf_counter()
    con = warehouse.connect(path)
    cell_table = _cell_table()
    loads: list[float] = []
    errors: list[nation_mod.Injected] = []
    rows = cells = 0
    try:
        con.execute("SET enable_progress_bar = false")
        schema.migrate(con)
        batch: list[nation_mod.Report] = []

        def flush() -> None:
            nonlocal rows, cells
            parsed = to_frames(batch, nation.seed, cell_table)
            t = time.perf_counter()
            rows += load.load_frames(con, parsed, parser_version=PARSER_VERSION, loaded_at=LOADED_AT)
            loads.append(time.perf_counter() - t)
            cells += parsed.cells.height
            batch.clear()
            if echo and len(loads) % 50 == 0:
                print(
                    f"  {rows:,} reports loaded in {time.perf_counter() - t0:.0f} s "
                    f"(loader {sum(loads):.0f} s)",
                    file=sys.stderr,
                    flush=True,
                )

        for report in nation_mod.reports(nation, years, held_out=held):
            if report.error is not None:
                errors.append(report.error)
            batch.append(report)
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
        con.execute("CHECKPOINT")
    finally:
        con.close()
    tenth = max(1, len(loads) // 10)
    con = warehouse.connect(path, read_only=True)
    try:
        row = con.execute(
            "SELECT count(*) FILTER (WHERE file_name LIKE '%.dump.txt') FROM dim_report"
        ).fetchone()
        dups = int(row[0]) if row else 0
    finally:
        con.close()
    return Written(
        organs=len(nation.organs),
        reports=rows,
        duplicates=dups,
        cells=cells,
        seconds=time.perf_counter() - t0,
        load_seconds=sum(loads),
        batches=len(loads),
        errors=errors,
        held_out=sorted(held),
        first_batches_seconds=sum(loads[:tenth]) / tenth,
        last_batches_seconds=sum(loads[-tenth:]) / tenth,
    )
