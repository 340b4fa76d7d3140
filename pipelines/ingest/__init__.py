"""The ingest stage: inbox files -> parsed reports -> warehouse tables.

`run` is the stage's one driver (the Dagster ingest asset, the benchmarks and the tests call it): it
brings the warehouse to the code's schema (the first step of every run), scans the inbox against it
(scan.py: which files are new, changed or unchanged, which bytes this parser has not parsed yet),
parses those files and loads the reports batch by batch, quarantines what did not parse, remembers
the scanned files and logs the run. One bad file never stops the batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from pipelines.ingest import job, origins, parallel, scan
from pipelines.ingest.budget import Budget
from pipelines.ingest.job import guess_medium
from pipelines.ingest.scan import Duplicate, Plan
from pipelines.parsing import parse
from pipelines.pause import pause_point
from pipelines.progress import progress
from pipelines.warehouse import load, schema
from pipelines.warehouse.frames import ReportFrames
from pipelines.warehouse.load import LoadItem, Rejected

__all__ = ["BATCH_SIZE", "Ingested", "ParseOutcome", "guess_medium", "parse_all", "parse_one", "run"]

# Reports per warehouse transaction: big enough for fast bulk inserts (~200 cells a report),
# small enough that a failure loses little and memory stays flat.
BATCH_SIZE = 2000


class ParseOutcome(NamedTuple):
    """Every file given to the parser ends in exactly one of the three lists."""

    parsed: list[LoadItem]
    quarantined: list[Rejected]
    duplicates: list[Duplicate]

    @property
    def files_seen(self) -> int:
        return len(self.parsed) + len(self.quarantined) + len(self.duplicates)


class Ingested(NamedTuple):
    """What an ingest did: the reports it loaded are counted, not kept (a backlog of 10,000 parsed
    reports held at once took gigabytes); the quarantined files and duplicates are listed; `counts`
    is the run's load_run row."""

    parsed: int
    quarantined: list[Rejected]
    duplicates: list[Duplicate]
    plan: Plan
    counts: dict[str, Any]


def run(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    *,
    run_id: str,
    started_at: datetime,
    batch_size: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    budget: Budget | None = None,
) -> Ingested:
    """Migrate the warehouse, scan the inbox, parse the files this parser has not parsed yet and load
    them batch by batch, so memory holds one batch of reports whatever the backlog; then quarantine
    what did not parse, remember the scanned files (source_file) and log the run (load_run).

    Files are parsed by `workers` parser processes (default: one per core), or on the Dask cluster
    at `scheduler`, each under `budget` (pipelines/ingest/budget.py); their reports come back as
    loader frames in the inbox's order, so the warehouse is the same however they were parsed.

    Every report gets started_at as its loaded_at. A run stopped half-way leaves whole batches loaded
    and no source_file rows, so the next scan parses those files again and the loader's
    delete-then-insert keeps one copy of each.
    """
    schema.migrate(con)
    version = parse.PARSER_VERSION
    plan = scan.plan(con, Path(inbox), parser_version=version)
    batch_size = batch_size or BATCH_SIZE
    out = ParseOutcome([], [_unread_entry(e) for e in plan.unreadable], list(plan.duplicates))
    loaded = 0
    batch: list[ReportFrames] = []  # emptied into the warehouse whenever it is full
    first_of: dict[str, str] = {}
    results = parallel.outcomes(plan.to_parse, workers=workers, scheduler=scheduler, budget=budget)
    for result in progress(results, len(plan.to_parse), "parsing"):
        digest = result.content_hash
        if not digest.startswith("unread:"):
            if digest in first_of:  # the file changed since the scan, into bytes another file has
                out.duplicates.append(Duplicate(result.file_name, digest, first_of[digest]))
                continue
            first_of[digest] = result.file_name
        if isinstance(result, Rejected):
            out.quarantined.append(result)
            continue
        batch.append(result.frames)
        if len(batch) >= batch_size:
            loaded += load.load_frames(
                con, ReportFrames.concat(batch), parser_version=version, loaded_at=started_at
            )
            batch.clear()
    if batch:
        loaded += load.load_frames(
            con, ReportFrames.concat(batch), parser_version=version, loaded_at=started_at
        )
        batch.clear()
    pause_point("parsed")
    load.quarantine_many(con, out.quarantined, parser_version=version)
    scan.forget_unread(con, [r.content_hash for r in out.quarantined])
    counts: dict[str, Any] = {
        "files_seen": len(plan.entries),
        "parsed": loaded,
        "quarantined": len(out.quarantined),
        "skipped_duplicates": len(out.duplicates),
        "files_new": plan.count(scan.NEW),
        "files_changed": plan.count(scan.CHANGED),
        "files_unchanged": plan.count(scan.UNCHANGED),
    }
    # After the loads: a file is remembered only once its bytes are in the warehouse.
    scan.record_sources(con, plan.entries, started_at)
    origins.record(con, Path(inbox), started_at)
    load.record_run(
        con,
        run_id=run_id,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        parser_version=version,
        **counts,
    )
    return Ingested(loaded, out.quarantined, out.duplicates, plan, {"run_id": run_id, **counts})


def parse_all(paths: Iterable[Path], root: Path | None = None) -> ParseOutcome:
    """Parse every file, keeping every report in memory (tests and benchmarks that score parsed
    reports; a run loads batch by batch). Bad input is quarantined with its reason and never stops
    the batch.

    File names are stored relative to root when given (so sub-folders of the inbox stay
    distinguishable), else as the bare name. Bytes seen earlier in the batch are duplicates.
    """
    paths = list(paths)
    out = ParseOutcome([], [], [])
    first_of: dict[str, str] = {}
    for path in progress(paths, len(paths), "parsing"):
        name = Path(path).relative_to(root).as_posix() if root is not None else Path(path).name
        _add(out, parse_one(Path(path), name, seen=first_of))
    return out


def _add(out: ParseOutcome, result: LoadItem | Rejected | Duplicate) -> None:
    if isinstance(result, Duplicate):
        out.duplicates.append(result)
    elif isinstance(result, Rejected):
        out.quarantined.append(result)
    else:
        out.parsed.append(result)


def parse_one(
    path: Path, name: str, *, seen: dict[str, str], digest: str | None = None
) -> LoadItem | Rejected | Duplicate:
    """One file to a report, a quarantine row, or a duplicate of bytes in `seen` (hash -> first
    name; updated), in this process. `digest` is the hash a scan already streamed, if any. Never
    raises for bad input."""
    result = job.parse_path(path, name, digest)
    if not result.content_hash.startswith("unread:"):
        if result.content_hash in seen:
            return Duplicate(name, result.content_hash, seen[result.content_hash])
        seen[result.content_hash] = name
    return result


def _unread_entry(entry: scan.FileEntry) -> Rejected:
    """The quarantine row of what the scan could not read: its error is the whole reason."""
    row = job.unread(entry.name, "")
    return row._replace(reason=entry.error or "cannot read file: unknown error")
