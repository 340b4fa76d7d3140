"""File -> ParsedReport: pick the reader by content (not by file name alone), then map."""

from __future__ import annotations

import re
from pathlib import Path

from pipelines import meta
from pipelines.mapper import map_document
from pipelines.model import Document, ParsedReport, UnreadableInput
from pipelines.ocr.images import image_kind
from pipelines.readers.encoding import looks_binary

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
PARSER_VERSION = "0.4.0"
# Statutory tables by cell-id prefix, for telling a truncated page from a complete one.
_TABLES = {"t2.": "表二", "t3.": "表三", "t4.": "表四"}
_RE_HTML_END = re.compile(rb"</html\s*>", re.IGNORECASE)
# Where a complete page's end tag is: after it come at most trailing scripts and comments.
_TAIL = 64 * 1024
# A report is a few hundred KB; anything far larger is not one and would only cost memory.
MAX_BYTES = 50 * 1024 * 1024


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
        or b"<table" in data[:200000].lower()
        or b"<body" in lower
        or b"<div" in lower
        or name.endswith((".html", ".htm", ".shtml"))
    ):
        return "html"
    return "text"


def read_document(data: bytes, filename: str) -> Document:
    if not data.strip():
        raise UnreadableInput("empty file")
    too_large = size_problem(len(data))
    if too_large:
        raise UnreadableInput(too_large)
    medium = sniff(data, filename)
    if medium == "html":
        from pipelines.readers.html import read_html

        return read_html(data)
    if medium == "text":
        if looks_binary(data):
            raise UnreadableInput("binary data of unknown type, not a report")
        from pipelines.readers.text import read_text

        return read_text(data)
    if medium == "pdf":
        from pipelines.readers.pdf import read_pdf

        return read_pdf(data)
    if medium == "docx":
        from pipelines.readers.docx import read_docx

        return read_docx(data)
    if medium == "image":
        from pipelines.ocr.reader import read_images

        return read_images([(data, filename)])
    from pipelines.readers.docx import read_docx
    from pipelines.readers.legacy import convert_legacy

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
    agency, year = meta.agency_and_year(doc.title, doc.text)
    if year is not None and year < 2019:
        raise UnreadableInput(f"report for {year}: before 2019 reports used locally defined tables")
    mapped = map_document(doc)
    if doc.medium == "scan":
        from pipelines.ocr.digits import check

        check(mapped, doc)
    if mapped.format_version == "UNKNOWN":
        raise UnreadableInput("no statutory tables (表二/表三/表四) found: not an annual report")
    missing = [
        name
        for prefix, name in _TABLES.items()
        if not any(c.raw is not None for cid, c in mapped.cells.items() if cid.startswith(prefix))
    ]
    if missing and doc.medium == "html" and not _RE_HTML_END.search(data[-_TAIL:]):
        # A download cut short: the mapper would fill the lost tables with blanks, which the marts
        # would count as zeros. A complete page missing a table (printed as an image) still loads.
        raise UnreadableInput(
            f"truncated HTML: the page stops before its end (no </html>) and {'、'.join(missing)} is missing"
        )
    return ParsedReport(
        agency=agency,
        year=year,
        format_version=mapped.format_version,
        medium=doc.medium,
        cells=mapped.cells,
        sections=meta.split_sections(doc.text),
        title=doc.title,
        warnings=doc.notes + mapped.warnings,
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
