"""One file to a report or a quarantine row: what a parser process does with each file it is given.

Every outcome is one of `Parsed` (the report as loader frames), `Rejected` (a quarantine row with
its one-line reason) or `Duplicate` (bytes another file of the run had first; decided by the run,
which sees the files in order). Nothing here raises for bad input.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from pipelines.ingest.scan import file_hash
from pipelines.parsing import parse
from pipelines.parsing.ocr.images import IMAGE_SUFFIXES, image_kind
from pipelines.warehouse import frames
from pipelines.warehouse.frames import LoadItem, ReportFrames
from pipelines.warehouse.load import Rejected

__all__ = [
    "Job",
    "Parsed",
    "Rejected",
    "guess_medium",
    "parse_data",
    "parse_job",
    "parse_path",
    "unread",
    "one_line",
]


@dataclass(frozen=True)
class Job:
    """A file to parse: its place in the run's order, the name stored in the warehouse, and either
    its path (a parser process on this machine reads it) or its bytes (a process elsewhere)."""

    index: int
    name: str
    path: bytes | None = None  # os.fsencode of the path: any file name, whatever its encoding
    data: bytes | None = None
    size: int = 0  # bytes, as the scan saw them: what the memory limit is in proportion to
    digest: str | None = None  # the content hash the scan computed, if any (of a series: its series hash)
    # an image series (the page images of one report): their paths, or their bytes with their names
    pages: tuple[bytes, ...] = ()
    page_data: tuple[tuple[bytes, str], ...] = ()

    @property
    def series(self) -> bool:
        return bool(self.pages or self.page_data)

    @property
    def filename(self) -> str:
        """The base name the parser sniffs the medium from (the stored, readable one)."""
        return self.name.rsplit("/", 1)[-1]


class Parsed(NamedTuple):
    file_name: str
    content_hash: str
    frames: ReportFrames


def parse_job(job: Job) -> LoadItem | Rejected:
    """A job's outcome: its bytes, its file, or its series of page images parsed."""
    if job.series:
        return parse_series(job)
    if job.data is not None:
        return parse_data(job.data, job.name)
    return parse_path(job.path or b"", job.name, job.digest)


def parse_series(job: Job) -> LoadItem | Rejected:
    """The page images of one report (pipelines.parsing.ocr.series), keyed on the series hash."""
    from pipelines.parsing.ocr.series import parse_pages

    digest = job.digest or ""
    try:
        files = list(job.page_data) or [
            (Path(os.fsdecode(p)).read_bytes(), os.fsdecode(p)) for p in job.pages
        ]
        for data, name in files:
            too_large = parse.size_problem(len(data))
            if too_large:
                raise parse.UnreadableInput(f"{Path(name).name}: {too_large}")
        return LoadItem(job.name, digest, parse_pages([(data, Path(name).name) for data, name in files]))
    except OSError as e:
        return Rejected(job.name, digest, f"cannot read a page of the series: {e.strerror or e}", "image")
    except parse.UnreadableInput as e:
        return Rejected(job.name, digest, one_line(str(e)), "image")
    except Exception as e:  # a parser bug must cost one report, not the night's batch
        return Rejected(job.name, digest, f"parser error: {type(e).__name__}: {one_line(str(e))}", "image")


def parse_path(path: str | bytes | Path, name: str, digest: str | None = None) -> LoadItem | Rejected:
    """Read and parse one file. The size is checked from stat, before reading: a 200 MB file must not
    be read into memory to be rejected."""
    filename = name.rsplit("/", 1)[-1]
    p = Path(os.fsdecode(path))
    try:
        too_large = parse.size_problem(p.stat().st_size)
        if too_large:
            return Rejected(name, digest or file_hash(p), too_large, guess_medium(head(p), filename))
        data = p.read_bytes()
    except OSError as e:
        return unread(name, e.strerror or str(e))
    return parse_data(data, name)


def parse_data(data: bytes, name: str) -> LoadItem | Rejected:
    """Parse bytes. The content hash is of the bytes parsed, even if the file changed since a scan."""
    digest = hashlib.sha256(data).hexdigest()
    filename = name.rsplit("/", 1)[-1]
    try:
        report = parse.parse_bytes(data, filename)
    except parse.UnreadableInput as e:
        return Rejected(name, digest, one_line(str(e)), guess_medium(data, name))
    except Exception as e:  # a parser bug must cost one file, not the night's batch
        reason = f"parser error: {type(e).__name__}: {one_line(str(e))}"
        return Rejected(name, digest, reason, guess_medium(data, name))
    return LoadItem(name, digest, report)


def to_frames(item: LoadItem | Rejected) -> Parsed | Rejected:
    """A parsed report as loader frames (in the parser process, so that the loader gets Arrow data)."""
    if isinstance(item, Rejected):
        return item
    return Parsed(item.file_name, item.content_hash, frames.build([item]))


def unread(name: str, why: str) -> Rejected:
    """A quarantine row for something that could not be read: no bytes, so no content hash; the row
    is keyed on the name, marked so that it cannot clash with a hash."""
    key = "unread:" + hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()
    return Rejected(name, key, f"cannot read file: {why}")


def head(path: str | bytes | Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(1024)
    except OSError:
        return b""


def one_line(text: str) -> str:
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
