"""Inbox -> parsed reports -> warehouse, as plain functions that the Dagster assets and tests call."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from pipelines import parse, warehouse
from pipelines.warehouse import LoadItem, Rejected

# Reports per warehouse transaction: big enough for fast bulk inserts (~200 cells a report),
# small enough that a failure loses little and memory stays flat.
BATCH_SIZE = 2000


class Duplicate(NamedTuple):
    file_name: str
    content_hash: str
    same_as: str  # the file of this batch that had these bytes first


class ParseOutcome(NamedTuple):
    """Every discovered file ends in exactly one of the three lists."""

    parsed: list[LoadItem]
    quarantined: list[Rejected]
    duplicates: list[Duplicate]

    @property
    def files_seen(self) -> int:
        return len(self.parsed) + len(self.quarantined) + len(self.duplicates)


def discover(inbox: Path) -> list[Path]:
    """Every regular file under inbox, sorted by relative path, less hidden files, JSON files (the
    corpus' *.expected.json answers, manifest.json, organs.json) and READMEs. A missing inbox is an error: a mistyped path must not
    look like an empty night."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise FileNotFoundError(f"inbox is not a directory: {inbox}")
    found = []
    for dirpath, dirnames, filenames in os.walk(inbox):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            p = Path(dirpath, name)
            if _wanted(name) and p.is_file():
                found.append(p)
    return sorted(found, key=lambda p: p.relative_to(inbox).as_posix())


def _wanted(name: str) -> bool:
    # Reports are never JSON; a corpus folder's JSON files and README are its answers and notes
    # (*.expected.json, manifest.json, organs.json), not reports to quarantine.
    return not (name.startswith(".") or name.lower().endswith(".json") or name.upper().startswith("README"))


def inbox_fingerprint(inbox: Path) -> str:
    """Hash of the inbox listing (name, size, mtime): changes when a file is added, replaced or removed."""
    h = hashlib.sha256()
    if Path(inbox).is_dir():
        for p in discover(inbox):
            st = p.stat()
            h.update(f"{p.relative_to(inbox).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def parse_all(paths: Iterable[Path], root: Path | None = None) -> ParseOutcome:
    """Parse every file; bad input is quarantined with its reason and never stops the batch.

    File names are stored relative to root when given (so sub-folders of the inbox stay
    distinguishable), else as the bare name.
    """
    out = ParseOutcome([], [], [])
    first_of: dict[str, str] = {}
    for path in paths:
        name = Path(path).relative_to(root).as_posix() if root is not None else Path(path).name
        try:
            data = Path(path).read_bytes()
        except OSError as e:
            # No bytes, so no content hash: key the row on the name, marked so it cannot clash.
            key = "unread:" + hashlib.sha256(name.encode()).hexdigest()
            out.quarantined.append(Rejected(name, key, f"cannot read file: {e.strerror or e}"))
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest in first_of:
            out.duplicates.append(Duplicate(name, digest, first_of[digest]))
            continue
        first_of[digest] = name
        try:
            report = parse.parse_bytes(data, Path(path).name)
        except parse.UnreadableInput as e:
            out.quarantined.append(Rejected(name, digest, _one_line(str(e)), guess_medium(data, name)))
        except Exception as e:  # a parser bug must cost one file, not the night's batch
            reason = f"parser error: {type(e).__name__}: {_one_line(str(e))}"
            out.quarantined.append(Rejected(name, digest, reason, guess_medium(data, name)))
        else:
            out.parsed.append(LoadItem(name, digest, report))
    return out


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
    if head.startswith(b"<!doctype html") or b"<html" in head or b"<table" in head:
        return "html"
    ext = Path(name).suffix.lower()
    by_ext = {".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".html": "html", ".htm": "html",
              ".txt": "text", ".md": "text"}
    return by_ext.get(ext)


def store(con: duckdb.DuckDBPyConnection, outcome: ParseOutcome, *, run_id: str,
          started_at: datetime) -> dict[str, Any]:
    """Write one parse outcome to an open warehouse and log the run; returns the run's counts."""
    warehouse.ensure_schema(con)
    for i in range(0, len(outcome.parsed), BATCH_SIZE):
        warehouse.load_reports(con, outcome.parsed[i:i + BATCH_SIZE])
    warehouse.quarantine_many(con, outcome.quarantined)
    warehouse.record_run(con, run_id=run_id, started_at=started_at, finished_at=datetime.now(UTC),
                         files_seen=outcome.files_seen, parsed=len(outcome.parsed),
                         quarantined=len(outcome.quarantined), skipped_duplicates=len(outcome.duplicates))
    return {"run_id": run_id, "files_seen": outcome.files_seen, "parsed": len(outcome.parsed),
            "quarantined": len(outcome.quarantined), "skipped_duplicates": len(outcome.duplicates)}


def run(inbox: Path, warehouse_path: Path, *, run_id: str | None = None) -> dict[str, Any]:
    """Discover, parse and load an inbox; returns {"run": counts of this run, **warehouse.summary()}."""
    started = datetime.now(UTC)
    outcome = parse_all(discover(inbox), root=Path(inbox))
    con = warehouse.connect(warehouse_path)
    try:
        counts = store(con, outcome, run_id=run_id or str(uuid.uuid4()), started_at=started)
        return {"run": counts, **warehouse.summary(con)}
    finally:
        con.close()
