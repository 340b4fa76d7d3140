"""File -> ParsedReport: pick the reader by content (not by file name alone), then map."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from pipelines.model import Document, ParsedReport, UnreadableInput
from pipelines.parsing import meta
from pipelines.parsing.completeness import truncation_problem
from pipelines.parsing.mapper import map_document
from pipelines.parsing.ocr.images import image_kind
from pipelines.parsing.readers.encoding import looks_binary

__all__ = [
    "parse_bytes",
    "parse_file",
    "read_document",
    "UnreadableInput",
    "PARSER_VERSION",
    "MAX_BYTES",
    "size_problem",
]

# Bumped whenever parsing output may change; stored with every parsed report.
PARSER_VERSION = "0.6.0"
# Statutory tables by cell-id prefix, for telling a truncated page from a complete one.
_TABLES = {"t2.": "表二", "t3.": "表三", "t4.": "表四"}
_RE_HTML_END = re.compile(rb"</html\s*>", re.IGNORECASE)
_RE_TABLE_TAG = re.compile(rb"<table", re.IGNORECASE)
# Where a complete page's end tag is: after it come at most trailing scripts and comments.
_TAIL = 64 * 1024
# A report is a few hundred KB; anything far larger is not one and would only cost memory.
MAX_BYTES = 50 * 1024 * 1024


def current_year() -> int:
    """The calendar year now: no report can be for a later one."""
    return date.today().year


def year_problem(year: int | None) -> str | None:
    """Why a report for this statistics year is not loaded, or None. A report is published the
    year after the one it reports on (a 2025 report in early 2026), so a statistics year after the
    current one is impossible: a misprint or a wrong date, which would stretch every organ's
    coverage to that year."""
    if year is None:
        return None
    if year < 2019:
        return f"report for {year}: before 2019 reports used locally defined tables"
    if year > current_year():
        return f"report for {year}: a statistics year after the current year ({current_year()}) is impossible"
    return None


def size_problem(size: int) -> str | None:
    """Why a file of this many bytes is not parsed, or None. Callers that can stat a file ask before
    reading it, so that a huge file never reaches memory; read_document asks again for raw bytes."""
    if size > MAX_BYTES:
        return f"file too large ({size / (1024 * 1024):.0f} MB, limit {MAX_BYTES // (1024 * 1024)} MB): not a report"
    return None


def sniff(data: bytes, filename: str) -> str:
    head = data[:4096].lstrip()
    lower = head.lower()
    name = filename.lower()
    if head.startswith(b"%PDF"):
        return "pdf"
    if image_kind(data[:16]):
        return "image"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    if (
        lower.startswith((b"<!doctype html", b"<html", b"<?xml"))
        or _RE_TABLE_TAG.search(data, 0, 200000) is not None
        or b"<body" in lower
        or b"<div" in lower
        or name.endswith((".html", ".htm", ".shtml"))
    ):
        return "html"
    return "text"


def read_document(data: bytes, filename: str) -> Document:
    if not data or data.isspace():  # blank (no copy of the bytes made to tell)
        raise UnreadableInput("empty file")
    too_large = size_problem(len(data))
    if too_large:
        raise UnreadableInput(too_large)
    medium = sniff(data, filename)
    if medium == "html":
        from pipelines.parsing.readers.html import read_html

        return read_html(data)
    if medium == "text":
        if looks_binary(data):
            raise UnreadableInput("binary data of unknown type, not a report")
        from pipelines.parsing.readers.text import read_text

        return read_text(data)
    if medium == "pdf":
        from pipelines.parsing.ocr import pdfscan
        from pipelines.parsing.readers.pdf import read_pdf

        return read_pdf(data, ocr=pdfscan)  # scanned pages are read by OCR
    if medium == "docx":
        from pipelines.parsing.readers.docx import read_docx

        return read_docx(data)
    if medium == "image":
        from pipelines.parsing.ocr.reader import read_images

        return read_images([(data, filename)])
    from pipelines.parsing.readers.docx import read_docx
    from pipelines.parsing.readers.legacy import convert_legacy

    converted = convert_legacy(data)
    if converted is None:
        raise UnreadableInput("legacy Word/WPS file and LibreOffice is not installed")
    doc = read_docx(converted)
    doc.notes.append("converted from legacy Word/WPS with LibreOffice")
    return doc


def parse_bytes(data: bytes, filename: str) -> ParsedReport:
    return parse_document(read_document(data, filename), data)


def parse_document(doc: Document, data: bytes = b"") -> ParsedReport:
    """A reader's Document -> ParsedReport (`data`: the file's bytes, for media that can tell a
    truncated file by its end)."""
    found = meta.identify(doc.title, doc.text)
    agency, year = found.agency, found.year
    impossible = year_problem(year)
    if impossible:
        raise UnreadableInput(impossible)
    mapped = map_document(doc)
    if doc.medium == "scan":
        from pipelines.parsing.ocr.digits import check

        check(mapped, doc)
    if mapped.format_version == "UNKNOWN":
        raise UnreadableInput("no statutory tables (表二/表三/表四) found: not an annual report")
    printed = {cid[:3] for cid, c in mapped.cells.items() if c.raw is not None}  # "t2." ...
    missing = [name for prefix, name in _TABLES.items() if prefix not in printed]
    if missing and doc.medium == "html" and not _RE_HTML_END.search(data[-_TAIL:]):
        # A download cut short: the mapper would fill the lost tables with blanks, which the marts
        # would count as zeros. A complete page missing a table (printed as an image) still loads.
        raise UnreadableInput(
            f"truncated HTML: the page stops before its end (no </html>) and {'、'.join(missing)} is missing"
        )
    truncated = truncation_problem(mapped.cells, doc.text)
    if truncated:
        # the missing cells would load as blanks and count as zeros: the file waits in quarantine
        # for its complete copy
        raise UnreadableInput(truncated)
    return ParsedReport(
        agency=agency,
        year=year,
        format_version=mapped.format_version,
        medium=doc.medium,
        cells=mapped.cells,
        sections=meta.split_sections(doc.text),
        title=doc.title,
        warnings=doc.notes + mapped.warnings + ([found.conflict] if found.conflict else []),
        subtotals=mapped.subtotals,
    )


def parse_file(path: str | Path) -> ParsedReport:
    p = Path(path)
    try:
        too_large = size_problem(p.stat().st_size)
        if too_large:
            raise UnreadableInput(too_large)
        data = p.read_bytes()
    except OSError as e:
        raise UnreadableInput(f"cannot read file: {e.strerror or e}") from None
    return parse_bytes(data, p.name)
