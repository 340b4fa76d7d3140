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

from pipelines.ingest import names
from pipelines.parsing.ocr.series import group, is_image, series_hash
from pipelines.progress import progress
from pipelines.warehouse.db import one, registered

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
    error: str | None = None  # why it cannot be read, one line
    raw_path: bytes | None = None  # the name's bytes, when they are not UTF-8 (name is then readable text)
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
    files (the corpus' *.expected.json answers, manifest.json, organs.json), READMEs and symbolic
    links that lead out of the inbox. A missing inbox is an error: a mistyped path must not look like
    an empty night."""
    return walk(inbox)[0]


def walk(inbox: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """discover's files, and what it could not or would not read, each with its one-line reason: a
    folder it may not list, a symbolic link out of the inbox (never followed: a link to /etc/passwd
    must not be read into the warehouse), a broken link."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise FileNotFoundError(f"inbox is not a directory: {inbox}")
    root = os.path.realpath(inbox)
    found: list[Path] = []
    problems: list[tuple[Path, str]] = []

    def refused(e: OSError) -> None:
        if e.filename is not None:
            problems.append((Path(os.fsdecode(e.filename)), f"cannot read folder: {e.strerror or e}"))

    for dirpath, dirnames, filenames in os.walk(inbox, onerror=refused):
        # hidden folders hold tool state, e.g. the fetcher's partial downloads (.gongkai-fetch)
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for d in dirnames:
            p = Path(dirpath, d)
            if p.is_symlink() and not _inside(p, root):
                problems.append((p, "symbolic link to a folder outside the inbox: not followed"))
        for name in filenames:
            p = Path(dirpath, name)
            if not _wanted(name):
                continue
            if p.is_symlink():
                if not os.path.exists(p):
                    problems.append((p, "broken symbolic link"))
                    continue
                if not _inside(p, root):
                    problems.append((p, "symbolic link to a file outside the inbox: not followed"))
                    continue
            if p.is_file():
                found.append(p)

    def key(p: Path) -> str:
        return p.relative_to(inbox).as_posix()

    return sorted(found, key=key), sorted(problems, key=lambda pr: key(pr[0]))


def _inside(link: Path, root: str) -> bool:
    target = os.path.realpath(link)
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def _wanted(name: str) -> bool:
    # Reports are never JSON; a corpus folder's JSON files and README are its answers and notes
    # (*.expected.json, manifest.json, organs.json), not reports to quarantine.
    return not (name.startswith(".") or name.lower().endswith(".json") or name.upper().startswith("README"))


def inbox_fingerprint(inbox: Path) -> str:
    """Hash of the inbox listing (name, size, mtime): changes when a file is added, replaced or
    removed. Names are hashed as bytes: any name, whatever its encoding."""
    h = hashlib.sha256()
    if Path(inbox).is_dir():
        for p in discover(inbox):
            try:
                st = p.stat()
            except OSError:
                continue  # gone since the listing: the next tick sees the change
            h.update(
                os.fsencode(p.relative_to(inbox).as_posix()) + f"\0{st.st_size}\0{st.st_mtime_ns}\n".encode()
            )
    return h.hexdigest()


def file_hash(path: str | bytes | Path) -> str:
    """sha256 of a file, streamed: a file far over the size limit is hashed, never held in memory."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def plan(con: duckdb.DuckDBPyConnection, inbox: Path, *, parser_version: str) -> Plan:
    """Scan the inbox against the warehouse: which files are new, changed or unchanged, and which
    bytes need parsing. Reads only files whose size or mtime changed; writes no rows."""
    listed, unreadable = _stat_all(Path(inbox))
    previous = _previous(con, [f.name for f in listed])
    needs_hash = [f for f in listed if _stored_hash(previous.get(f.name), f.size, f.mtime_ns) is None]
    hashes: dict[str, str] = {}
    for f in progress(needs_hash, len(needs_hash), "hashing"):
        try:
            hashes[f.name] = file_hash(f.path)
        except OSError as e:
            unreadable.append(f._replace(size=0, mtime_ns=0, error=f"cannot read file: {e.strerror or e}"))
    entries: list[FileEntry] = []
    for f in listed:
        prev = previous.get(f.name)
        digest = _stored_hash(prev, f.size, f.mtime_ns) or hashes.get(f.name)
        if digest is None:  # vanished or unreadable while hashing
            continue
        status = NEW if prev is None else UNCHANGED if prev[2] == digest else CHANGED
        entries.append(f._replace(content_hash=digest, status=status))
    units = plan_entries(entries)  # an image series is one report: one entry
    done = _parsed_already(con, {f.content_hash for f in units if f.content_hash}, parser_version)
    to_parse, duplicates = _new_bytes(units, done)
    unreadable.sort(key=lambda f: f.name)
    return Plan(
        sorted(entries + unreadable, key=lambda f: f.name), to_parse, duplicates, unreadable, len(hashes)
    )


def _stat_all(inbox: Path) -> tuple[list[FileEntry], list[FileEntry]]:
    """Every discovered file with its size and mtime (no hash yet), and what could not be read, each
    under its stored name: text (names.readable), distinct, with the bytes kept when not UTF-8."""
    files, problems = walk(inbox)
    rels = [(p, p.relative_to(inbox).as_posix()) for p in files]
    rels += [
        (p, p.relative_to(inbox).as_posix() + ("/" if why.startswith("cannot read folder") else ""))
        for p, why in problems
    ]
    taken = {rel for _, rel in rels if names.is_text(rel)}

    def stored(rel: str) -> tuple[str, bytes | None]:
        if names.is_text(rel):
            return rel, None
        text = names.readable(rel)
        if text in taken:
            text = names.disambiguated(text, rel)
        taken.add(text)
        return text, names.raw(rel)

    listed: list[FileEntry] = []
    unreadable: list[FileEntry] = []
    for p, rel in rels[: len(files)]:
        name, raw = stored(rel)
        try:
            st = p.stat()
        except OSError as e:
            unreadable.append(
                FileEntry(p, name, 0, 0, None, NEW, f"cannot read file: {e.strerror or e}", raw)
            )
            continue
        listed.append(FileEntry(p, name, st.st_size, st.st_mtime_ns, None, NEW, None, raw))
    for (p, rel), (_, why) in zip(rels[len(files) :], problems, strict=True):
        name, raw = stored(rel)
        unreadable.append(FileEntry(p, name, 0, 0, None, NEW, why, raw))
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
    rows = [
        (e.name, e.size, e.mtime_ns, e.content_hash, e.raw_path)
        for e in entries
        if e.content_hash is not None
    ]
    if not rows:
        return 0
    frame = pl.DataFrame(
        rows,
        schema={
            "path": pl.Utf8,
            "size": pl.Int64,
            "mtime_ns": pl.Int64,
            "content_hash": pl.Utf8,
            "raw_path": pl.Binary,
        },
        orient="row",
    ).with_columns(seen=pl.lit(seen_at, dtype=pl.Datetime("us", "UTC")))
    # An update of the rows there, then a plain insert of the new ones in the order given: an
    # INSERT ... ON CONFLICT does not keep the order of its input.
    with registered(con, {"_gk_sources": frame}):
        con.execute("""
            UPDATE source_file SET size = s.size, mtime_ns = s.mtime_ns, content_hash = s.content_hash,
                last_seen = s.seen, raw_path = s.raw_path
            FROM _gk_sources s WHERE source_file.path = s.path""")
        known = {
            p
            for (p,) in con.execute(
                "SELECT path FROM source_file SEMI JOIN _gk_sources USING (path)"
            ).fetchall()
        }
    with registered(con, {"_gk_new": frame.filter(~pl.col("path").is_in(sorted(known)))}):
        con.execute("""
            INSERT INTO source_file (path, size, mtime_ns, content_hash, first_seen, last_seen, raw_path)
            SELECT path, size, mtime_ns, content_hash, seen, seen, raw_path FROM _gk_new""")
    return len(rows)


def forget_unread(con: duckdb.DuckDBPyConnection, keep: Iterable[str]) -> int:
    """Drop the quarantine rows of files and folders that could not be read by an earlier run and
    were not reported again by this one (readable now, or gone): a run lists what it cannot read
    today. `keep` holds this run's quarantine keys; returns the rows dropped."""
    keys = sorted(k for k in keep if k.startswith("unread:"))
    (n,) = one(
        con,
        "SELECT count(*) FROM quarantine WHERE starts_with(content_hash, 'unread:') "
        "AND content_hash NOT IN (SELECT UNNEST(?::VARCHAR[]))",
        [keys],
    )
    if n:
        con.execute(
            "DELETE FROM quarantine WHERE starts_with(content_hash, 'unread:') "
            "AND content_hash NOT IN (SELECT UNNEST(?::VARCHAR[]))",
            [keys],
        )
    return int(n)


def plan_entries(entries: list[FileEntry]) -> list[FileEntry]:
    """The scan's entries with the pages of each series replaced by one entry: the first page's
    path and name, the series hash, and every page in `pages`."""
    by_name = {e.name: e for e in entries if e.content_hash is not None}
    out = list(entries)
    for series_names in group([n for n in by_name if is_image(n)]):
        pages = [by_name[n] for n in series_names]
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
