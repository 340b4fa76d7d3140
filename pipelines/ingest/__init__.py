"""The ingest stage: inbox files -> parsed reports -> warehouse tables.

`run` is the stage's one driver (the Dagster ingest asset, the benchmarks and the tests call it): it
brings the warehouse to the code's schema (the first step of every run), scans the inbox against it
(scan.py: which files are new, changed or unchanged, which bytes this parser has not parsed yet),
parses those files and loads the reports batch by batch, quarantines what did not parse, remembers
the scanned files and logs the run. One bad file never stops the batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from pipelines.ingest import origins, scan, series
from pipelines.ingest.scan import Duplicate, Plan
from pipelines.parsing import parse
from pipelines.parsing.ocr.images import IMAGE_SUFFIXES, image_kind
from pipelines.pause import pause_point
from pipelines.progress import progress
from pipelines.warehouse import load, schema
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
) -> Ingested:
    """Migrate the warehouse, scan the inbox, parse the files this parser has not parsed yet and load
    them batch by batch, so memory holds one batch of reports whatever the backlog; then quarantine
    what did not parse, remember the scanned files (source_file) and log the run (load_run).

    Every report gets started_at as its loaded_at. A run stopped half-way leaves whole batches loaded
    and no source_file rows, so the next scan parses those files again and the loader's
    delete-then-insert keeps one copy of each.
    """
    schema.migrate(con)
    version = parse.PARSER_VERSION
    plan = scan.plan(con, Path(inbox), parser_version=version)
    batch_size = batch_size or BATCH_SIZE
    # parsed holds one batch at a time: it is emptied into the warehouse whenever it is full
    out = ParseOutcome(
        [], [_unread(e.name, e.error or "unknown error") for e in plan.unreadable], list(plan.duplicates)
    )
    loaded = 0
    first_of: dict[str, str] = {}
    for e in progress(plan.to_parse, len(plan.to_parse), "parsing"):
        if e.pages:  # the page images of one report
            _add(out, series.parse_entry(e, seen=first_of))
        else:
            _add(out, parse_one(e.path, e.name, seen=first_of, digest=e.content_hash))
        if len(out.parsed) >= batch_size:
            loaded += load.load_reports(con, out.parsed, parser_version=version, loaded_at=started_at)
            out.parsed.clear()
    if out.parsed:
        loaded += load.load_reports(con, out.parsed, parser_version=version, loaded_at=started_at)
        out.parsed.clear()
    pause_point("parsed")
    load.quarantine_many(con, out.quarantined, parser_version=version)
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
    name; updated). `digest` is the hash a scan already streamed, if any. Never raises for bad input."""
    try:
        # From stat, before reading: a 200 MB file must not be read into memory to be rejected.
        too_large = parse.size_problem(path.stat().st_size)
        if too_large:
            return Rejected(name, digest or scan.file_hash(path), too_large, guess_medium(_head(path), name))
        data = path.read_bytes()
    except OSError as e:
        return _unread(name, e.strerror or str(e))
    digest = hashlib.sha256(data).hexdigest()  # of the bytes parsed, even if the file changed since a scan
    if digest in seen:
        return Duplicate(name, digest, seen[digest])
    seen[digest] = name
    try:
        report = parse.parse_bytes(data, path.name)
    except parse.UnreadableInput as e:
        return Rejected(name, digest, _one_line(str(e)), guess_medium(data, name))
    except Exception as e:  # a parser bug must cost one file, not the night's batch
        reason = f"parser error: {type(e).__name__}: {_one_line(str(e))}"
        return Rejected(name, digest, reason, guess_medium(data, name))
    return LoadItem(name, digest, report)


def _unread(name: str, why: str) -> Rejected:
    # No bytes, so no content hash: key the row on the name, marked so it cannot clash.
    key = "unread:" + hashlib.sha256(name.encode()).hexdigest()
    return Rejected(name, key, f"cannot read file: {why}")


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(1024)
    except OSError:
        return b""


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "no reason given"


def guess_medium(data: bytes, name: str) -> str | None:
    """A cheap guess for the quarantine table, from magic bytes first and the extension second."""
    head = data[:1024].lstrip().lower()
    if head.startswith(b"%pdf"):
        return "pdf"
    if head.startswith(b"pk\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: legacy .doc
        return "doc"
    if image_kind(data[:16]):
        return "image"
    if head.startswith(b"<!doctype html") or b"<html" in head or b"<table" in head:
        return "html"
    ext = Path(name).suffix.lower()
    by_ext = {
        ".pdf": "pdf",
        ".docx": "docx",
        ".doc": "doc",
        ".html": "html",
        ".htm": "html",
        ".txt": "text",
        ".md": "text",
        **dict.fromkeys(IMAGE_SUFFIXES, "image"),
    }
    return by_ext.get(ext)
