"""What is in the inbox and what of it needs parsing: the incremental half of a run.

A file is known by its path's size and modification time (source_file): when both are unchanged the
stored content hash is reused and the file is not even read. Bytes are parsed only when their hash
is neither a report nor a quarantined file *of the current parser version*, so a nightly run parses
the night's new and changed files, and a new PARSER_VERSION re-parses everything.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import duckdb
import polars as pl

from pipelines.parsing.ocr.series import group, is_image, series_hash
from pipelines.progress import progress
from pipelines.warehouse.db import registered

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"


class Duplicate(NamedTuple):
    file_name: str
    content_hash: str
    same_as: str  # the file of this run that had these bytes first


class FileEntry(NamedTuple):
    path: Path
    name: str  # relative to the inbox, posix: the name stored in the warehouse
    size: int
    mtime_ns: int
    content_hash: str | None  # None when the file could not be read (see error)
    status: str  # new | changed | unchanged (by path, against source_file)
    error: str | None = None
    # the page images of a series read as one report (pipelines.parsing.ocr.series), path is the first
    pages: tuple[Path, ...] = ()


class Plan(NamedTuple):
    """Every discovered file, and what the run does with it."""

    entries: list[FileEntry]
    to_parse: list[FileEntry]  # first file of each hash not parsed yet with this parser
    duplicates: list[Duplicate]  # new bytes already in to_parse under another name
    unreadable: list[FileEntry]
    hashed: int  # files read to hash them (the others were known from size and mtime)

    def count(self, status: str) -> int:
        return sum(1 for e in self.entries if e.content_hash is not None and e.status == status)

    @property
    def known(self) -> int:
        """Files whose bytes were already parsed with this parser (nothing to do)."""
        return len(self.entries) - len(self.to_parse) - len(self.duplicates) - len(self.unreadable)


def discover(inbox: Path) -> list[Path]:
    """Every regular file under inbox, sorted by relative path, less hidden files and folders, JSON
    files (the corpus' *.expected.json answers, manifest.json, organs.json) and READMEs. A missing
    inbox is an error: a mistyped path must not look like an empty night."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise FileNotFoundError(f"inbox is not a directory: {inbox}")
    found = []
    for dirpath, dirnames, filenames in os.walk(inbox):
        # hidden folders hold tool state, e.g. the fetcher's partial downloads (.gongkai-fetch)
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


def file_hash(path: Path) -> str:
    """sha256 of a file, streamed: a file far over the size limit is hashed, never held in memory."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def plan(con: duckdb.DuckDBPyConnection, inbox: Path, *, parser_version: str) -> Plan:
    """Scan the inbox against the warehouse: which files are new, changed or unchanged, and which
    bytes need parsing. Reads only files whose size or mtime changed; writes no rows."""
    listed, unreadable = _stat_all(Path(inbox))
    previous = _previous(con, [name for _, name, _, _ in listed])
    needs_hash = [row for row in listed if _stored_hash(previous.get(row[1]), row[2], row[3]) is None]
    hashes: dict[str, str] = {}
    for p, name, _, _ in progress(needs_hash, len(needs_hash), "hashing"):
        try:
            hashes[name] = file_hash(p)
        except OSError as e:
            unreadable.append(FileEntry(p, name, 0, 0, None, NEW, e.strerror or str(e)))
    entries: list[FileEntry] = []
    for p, name, size, mtime in listed:
        prev = previous.get(name)
        digest = _stored_hash(prev, size, mtime) or hashes.get(name)
        if digest is None:  # vanished or unreadable while hashing
            continue
        status = NEW if prev is None else UNCHANGED if prev[2] == digest else CHANGED
        entries.append(FileEntry(p, name, size, mtime, digest, status))
    units = plan_entries(entries)  # an image series is one report: one entry
    done = _parsed_already(con, {f.content_hash for f in units if f.content_hash}, parser_version)
    to_parse, duplicates = _new_bytes(units, done)
    unreadable.sort(key=lambda f: f.name)
    return Plan(
        sorted(entries + unreadable, key=lambda f: f.name), to_parse, duplicates, unreadable, len(hashes)
    )


def _stat_all(inbox: Path) -> tuple[list[tuple[Path, str, int, int]], list[FileEntry]]:
    """(path, name, size, mtime_ns) of every discovered file, and the files stat could not read."""
    listed: list[tuple[Path, str, int, int]] = []
    unreadable: list[FileEntry] = []
    for p in discover(inbox):
        name = p.relative_to(inbox).as_posix()
        try:
            st = p.stat()
        except OSError as e:
            unreadable.append(FileEntry(p, name, 0, 0, None, NEW, e.strerror or str(e)))
            continue
        listed.append((p, name, st.st_size, st.st_mtime_ns))
    return listed, unreadable


def _new_bytes(entries: list[FileEntry], done: set[str]) -> tuple[list[FileEntry], list[Duplicate]]:
    """The first file of each hash not parsed yet, and the later files with the same bytes."""
    to_parse: list[FileEntry] = []
    duplicates: list[Duplicate] = []
    first_of: dict[str, str] = {}
    for entry in entries:
        key = entry.content_hash or ""  # every entry here was hashed
        if key in done:
            continue
        if key in first_of:
            duplicates.append(Duplicate(entry.name, key, first_of[key]))
            continue
        first_of[key] = entry.name
        to_parse.append(entry)
    return to_parse, duplicates


def _stored_hash(prev: tuple[int, int, str] | None, size: int, mtime_ns: int) -> str | None:
    if prev is not None and prev[0] == size and prev[1] == mtime_ns:
        return prev[2]
    return None


def _previous(con: duckdb.DuckDBPyConnection, names: list[str]) -> dict[str, tuple[int, int, str]]:
    """source_file rows of these paths: path -> (size, mtime_ns, content_hash)."""
    if not names:
        return {}
    frame = pl.DataFrame({"path": names}, schema={"path": pl.Utf8})
    with registered(con, {"_gk_listing": frame}):
        rows = con.execute(
            "SELECT s.path, s.size, s.mtime_ns, s.content_hash FROM source_file s "
            "SEMI JOIN _gk_listing l ON l.path = s.path"
        ).fetchall()
    return {path: (size, mtime, digest) for path, size, mtime, digest in rows}


def _parsed_already(con: duckdb.DuckDBPyConnection, hashes: set[str], parser_version: str) -> set[str]:
    """The hashes among these that this parser version has already turned into a report or a
    quarantine row."""
    if not hashes:
        return set()
    frame = pl.DataFrame({"h": sorted(hashes)}, schema={"h": pl.Utf8})
    with registered(con, {"_gk_hashes": frame}):
        rows = con.execute(
            """
            SELECT report_id FROM dim_report SEMI JOIN _gk_hashes ON h = report_id WHERE parser_version = ?
            UNION
            SELECT content_hash FROM quarantine SEMI JOIN _gk_hashes ON h = content_hash WHERE parser_version = ?
            """,
            [parser_version, parser_version],
        ).fetchall()
    return {h for (h,) in rows}


def record_sources(con: duckdb.DuckDBPyConnection, entries: Iterable[FileEntry], seen_at: datetime) -> int:
    """Upsert the source_file row of every readable file: size, mtime and hash as scanned, first_seen
    kept, last_seen set to this run. Rows of files no longer in the inbox are left alone."""
    rows = [(e.name, e.size, e.mtime_ns, e.content_hash) for e in entries if e.content_hash is not None]
    if not rows:
        return 0
    frame = pl.DataFrame(
        rows,
        schema={"path": pl.Utf8, "size": pl.Int64, "mtime_ns": pl.Int64, "content_hash": pl.Utf8},
        orient="row",
    ).with_columns(seen=pl.lit(seen_at, dtype=pl.Datetime("us", "UTC")))
    with registered(con, {"_gk_sources": frame}):
        con.execute("""
            INSERT INTO source_file (path, size, mtime_ns, content_hash, first_seen, last_seen)
            SELECT path, size, mtime_ns, content_hash, seen, seen FROM _gk_sources
            ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,
                content_hash = excluded.content_hash, last_seen = excluded.last_seen""")
    return len(rows)


def plan_entries(entries: list[FileEntry]) -> list[FileEntry]:
    """The scan's entries with the pages of each series replaced by one entry: the first page's
    path and name, the series hash, and every page in `pages`."""
    by_name = {e.name: e for e in entries if e.content_hash is not None}
    out = list(entries)
    for names in group([n for n in by_name if is_image(n)]):
        pages = [by_name[n] for n in names]
        first = pages[0]
        merged = first._replace(
            content_hash=series_hash([p.content_hash or "" for p in pages]),
            size=sum(p.size for p in pages),
            pages=tuple(p.path for p in pages),
        )
        drop = {id(p) for p in pages}
        out = [e for e in out if id(e) not in drop]
        out.append(merged)
    return sorted(out, key=lambda e: e.name)
