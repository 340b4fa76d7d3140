"""Word (.docx) reader: body paragraphs and tables in document order -> Document (medium "docx").

word/document.xml is read with lxml directly: python-docx builds an object per run and cell,
which costs far more than the few XPath walks needed here, and hides where a merged cell starts.
Tables come out as aligned grids with merged cells expanded as in the HTML reader: a gridSpan
leaves spanned copies to its right, a vMerge continuation is a spanned copy of the cell above.
Tables that only frame content (one cell per row, or holding other tables) are read through.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import cast

from lxml import etree

from pipelines.model import Document, Grid, GridCell, UnreadableInput
from pipelines.parsing import titles
from pipelines.parsing.readers.limits import MAX_COLUMNS, MAX_DOCX_XML, CellCount, check_tags

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": _W, "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"}
# The uncompressed document.xml of a long report is a few MB; far beyond that is a zip bomb.
_MAX_XML = MAX_DOCX_XML
_MAX_TITLE = 100

# Content controls (w:sdt) and custom XML wrap paragraphs and tables: walked through.
_BLOCKS = etree.XPath("./w:p | ./w:tbl | ./w:sdt/w:sdtContent | ./w:customXml", namespaces=_NS)
_ROWS = etree.XPath("./w:tr | ./w:sdt/w:sdtContent/w:tr | ./w:customXml/w:tr", namespaces=_NS)
_CELLS = etree.XPath("./w:tc | ./w:sdt/w:sdtContent/w:tc | ./w:customXml/w:tc", namespaces=_NS)
_NESTED = etree.XPath(".//w:tbl", namespaces=_NS)
# Text-bearing run content; deleted text (w:delText) and field codes (w:instrText) are not shown,
# and a text box's mc:Fallback repeats its mc:Choice.
_RUN_TEXT = etree.XPath("(.//w:t | .//w:tab | .//w:br | .//w:cr)[not(ancestor::mc:Fallback)]", namespaces=_NS)
_JC = etree.XPath("string(./w:pPr/w:jc/@w:val)", namespaces=_NS)
_T, _TAB, _BR, _CR = (f"{{{_W}}}{n}" for n in ("t", "tab", "br", "cr"))
_P, _TBL = f"{{{_W}}}p", f"{{{_W}}}tbl"


def _each(xpath: etree.XPath, el: etree._Element) -> list[etree._Element]:
    return cast(list[etree._Element], xpath(el))


def read_docx(data: bytes) -> Document:
    """Parse a .docx into a Document. Raises UnreadableInput for ZIP files that are not Word
    documents and for corrupt archives."""
    xml = _document_xml(data)
    check_tags(xml, "Word document")
    body = _body(xml)
    del xml
    paragraphs: list[tuple[str, str]] = []  # (text, alignment)
    grids: list[Grid] = []
    text: list[str] = []
    count = CellCount()
    for kind, item in _walk(body):
        if kind == "table":
            grids.append(_grid(item, len(grids), count))
            text.append("")
        else:
            line = _paragraph_text(item)
            text.append(line)
            if line.strip():
                paragraphs.append((line, cast(str, _JC(item))))
    if not paragraphs and not grids:
        raise UnreadableInput("Word document has no text")
    joined = "\n".join(text).strip("\n")
    return Document(medium="docx", tables=grids, text=joined, title=_title(paragraphs))


def _document_xml(data: bytes) -> bytes:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableInput(f"corrupt ZIP archive, not a readable .docx: {exc}") from None
    with archive:
        names = set(archive.namelist())
        if "word/document.xml" not in names:
            raise UnreadableInput(
                f"ZIP archive is not a Word document (no word/document.xml): {_kind(archive, names)}"
            )
        info = archive.getinfo("word/document.xml")
        if info.file_size > _MAX_XML:
            raise UnreadableInput(
                f"Word document body too large for a report ({info.file_size // 2**20} MB uncompressed; "
                f"limit {_MAX_XML // 2**20} MB)"
            )
        try:
            return archive.read(info)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:  # RuntimeError: encrypted entry
            raise UnreadableInput(f"corrupt .docx, word/document.xml cannot be read: {exc}") from None


def _kind(archive: zipfile.ZipFile, names: set[str]) -> str:
    """What the archive is instead, for the quarantine reason."""
    if "xl/workbook.xml" in names:
        return "an Excel workbook"
    if "ppt/presentation.xml" in names:
        return "a PowerPoint presentation"
    if "mimetype" in names:
        mime = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
        return f"an OpenDocument file ({mime})" if "opendocument" in mime else f"a {mime} file"
    return "unknown contents"


def _body(xml: bytes) -> etree._Element:
    # No entity expansion and no network: the XML comes from an untrusted upload.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        if getattr(exc, "code", None) == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
            # a text run over 10 MB or nesting over 256 levels: libxml2's limits, no report's
            why = str(exc.msg).split(",")[0]
            raise UnreadableInput(
                f"Word document beyond the XML parser's limits ({why}): not a report"
            ) from None
        raise UnreadableInput(f"corrupt .docx, word/document.xml is not well-formed XML: {exc}") from None
    body = root.find("w:body", _NS)
    if body is None:
        raise UnreadableInput("Word document has no body")
    return body


def _walk(container: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """("paragraph" | "table", element) in document order; framing tables are walked through."""
    for el in _each(_BLOCKS, container):
        if el.tag == _P:
            yield "paragraph", el
        elif el.tag == _TBL:
            if _is_frame(el):
                for row in _each(_ROWS, el):
                    for cell in _each(_CELLS, row):
                        yield from _walk(cell)
            else:
                yield "table", el
        else:
            yield from _walk(el)


def _is_frame(table: etree._Element) -> bool:
    """A table used for layout: it holds other tables, or never more than one cell per row."""
    if _each(_NESTED, table):
        return True
    return all(len(_each(_CELLS, row)) <= 1 for row in _each(_ROWS, table))


def _paragraph_text(p: etree._Element) -> str:
    parts = []
    for node in _each(_RUN_TEXT, p):
        tag = node.tag
        if tag == _T:
            parts.append(node.text or "")
        elif tag == _TAB:
            parts.append(" ")
        elif tag in (_BR, _CR):
            parts.append("\n")
    return "".join(parts)


def _cell_text(tc: etree._Element) -> str:
    # Paragraphs in one cell are a wrapped label or number ("商业" / "企业"): joined without a space.
    return " ".join("".join(_paragraph_text(p) for _, p in _walk(tc)).split())


def _int(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return max(int(el.get(f"{{{_W}}}val", default)), 0)
    except ValueError:
        return default


def _grid(table: etree._Element, index: int, count: CellCount | None = None) -> Grid:
    count = count or CellCount()
    rows: list[list[GridCell]] = []
    above: dict[int, GridCell] = {}  # the latest cell in each grid column, for vMerge continuations
    for r, tr in enumerate(_each(_ROWS, table)):
        row: list[GridCell] = []
        col = min(_int(tr.find("w:trPr/w:gridBefore", _NS), 0), MAX_COLUMNS)
        count.add(col)
        row.extend(GridCell("", r, c) for c in range(col))
        for tc in _each(_CELLS, tr):
            props = tc.find("w:tcPr", _NS)
            span = max(_int(props.find("w:gridSpan", _NS) if props is not None else None, 1), 1)
            span = min(span, MAX_COLUMNS)
            count.add(span)
            vmerge = props.find("w:vMerge", _NS) if props is not None else None
            continues = vmerge is not None and vmerge.get(f"{{{_W}}}val", "continue") == "continue"
            if continues:
                for c in range(col, col + span):
                    origin = above.get(c)
                    row.append(GridCell(origin.text if origin else "", r, c, spanned=True))
            else:
                text = _cell_text(tc)
                row.append(GridCell(text, r, col))
                row.extend(GridCell(text, r, c, spanned=True) for c in range(col + 1, col + span))
            col += span
        for cell in row:
            above[cell.col] = cell
        rows.append(row)
    return Grid(index=index, rows=rows, aligned=True)


def _title(paragraphs: list[tuple[str, str]]) -> str | None:
    """The report title among the first paragraphs (see titles.find_title): two paragraphs are one
    block when both are centred, as a title printed on two lines is; a page converted from the
    web has its breadcrumb and navigation above the title, never joined to it."""
    head = paragraphs[: titles.WINDOW]
    together = [a[1] == "center" and b[1] == "center" for a, b in zip(head, head[1:], strict=False)]
    found = titles.find_title([t for t, _ in head], together)
    return found.text[:_MAX_TITLE] if found else None
