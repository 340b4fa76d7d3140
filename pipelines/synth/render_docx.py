"""Word (.docx) reports: real WordprocessingML tables with merged cells (`w:gridSpan` across,
`w:vMerge` down) and repeated header rows, in python-docx's default package.

The document part is written as XML text (building it through python-docx's object model costs
seconds per report for a 28×10 table); every other part is the python-docx template, byte for
byte. Zip entries get the report's own date, so the same seed gives the same bytes.
"""

from __future__ import annotations

import io
import os
import zipfile
from functools import lru_cache
from html import escape

from pipelines.synth.furniture import Letterhead
from pipelines.synth.tables import Table, grid
from pipelines.synth.text import Block

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_DOC_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<w:document xmlns:w="{_W}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>'
)
_SECT = (
    '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1134" w:bottom="1440" '
    'w:left="1134" w:header="851" w:footer="992" w:gutter="0"/><w:cols w:space="425"/>'
    '<w:docGrid w:type="lines" w:linePitch="312"/></w:sectPr>'
)
_TEXT_WIDTH = 9638  # twips between the margins


@lru_cache(maxsize=1)
def _template() -> list[tuple[str, bytes]]:
    import docx

    path = os.path.join(os.path.dirname(docx.__file__), "templates", "default.docx")
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def _t(text: str) -> str:
    return escape(text, quote=False)


def _run(text: str, font: str, size: int, bold: bool = False) -> str:
    pieces = text.split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{_t(p)}</w:t>' for p in pieces)
    b = "<w:b/>" if bold else ""
    return (
        f'<w:r><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="{font}"/>'
        f'{b}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>{body}</w:r>'
    )


def _para(
    text: str,
    font: str = "仿宋_GB2312",
    size: int = 32,
    jc: str | None = None,
    indent: bool = True,
    bold: bool = False,
) -> str:
    ppr = '<w:spacing w:line="560" w:lineRule="exact"/>'
    if jc:
        ppr += f'<w:jc w:val="{jc}"/>'
    elif indent:
        ppr += '<w:ind w:firstLineChars="200" w:firstLine="640"/>'
    return f"<w:p><w:pPr>{ppr}</w:pPr>{_run(text, font, size, bold)}</w:p>"


def _table(t: Table) -> str:
    total = sum(t.widths) or float(t.ncols)
    widths = [round(_TEXT_WIDTH * w / total) for w in (t.widths or [1.0] * t.ncols)]
    border = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    borders = "".join(border.format(s) for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    out = [
        f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        f'<w:jc w:val="center"/><w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        "</w:tblPr><w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>"
    ]
    g = grid(t)
    for r, _slots in enumerate(g):
        trpr = (
            "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>"
            if r < t.head_rows
            else "<w:trPr><w:cantSplit/></w:trPr>"
        )
        out.append(f"<w:tr>{trpr}")
        c = 0
        while c < t.ncols:
            slot = g[r][c]
            if slot is None:
                out.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[c]}" w:type="dxa"/></w:tcPr><w:p/></w:tc>')
                c += 1
                continue
            cell, r0, c0 = slot
            span = cell.cs
            w = sum(widths[c0 : c0 + span])
            pr = f'<w:tcW w:w="{w}" w:type="dxa"/>'
            if span > 1:
                pr += f'<w:gridSpan w:val="{span}"/>'
            if cell.rs > 1:
                pr += '<w:vMerge w:val="restart"/>' if r0 == r else "<w:vMerge/>"
            pr += '<w:vAlign w:val="center"/>'
            if r0 == r:
                font = "Times New Roman" if cell.num else "仿宋_GB2312"
                content = (
                    f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr>{_run(cell.text, font, 21)}</w:p>'
                    if cell.text
                    else "<w:p/>"
                )
            else:
                content = "<w:p/>"
            out.append(f"<w:tc><w:tcPr>{pr}</w:tcPr>{content}</w:tc>")
            c = c0 + span
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _letterhead(lh: Letterhead) -> list[str]:
    """Red header line, document number over a red rule, 附件: the paragraphs above the title."""
    out = []
    if lh.red_header:
        out.append(
            '<w:p><w:pPr><w:jc w:val="center"/></w:pPr>'
            + _run(lh.red_header, "方正小标宋简体", 52).replace("<w:sz ", '<w:color w:val="FF0000"/><w:sz ')
            + "</w:p>"
        )
    if lh.doc_number:
        out.append(
            '<w:p><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="18" w:space="4" w:color="FF0000"/></w:pBdr>'
            f'<w:jc w:val="center"/></w:pPr>{_run(lh.doc_number, "仿宋_GB2312", 32)}</w:p>'
        )
    if lh.attachment:
        out.append(_para(lh.attachment, "黑体", 32, indent=False))
    return out


def _header_parts(text: str) -> dict[str, bytes]:
    """A running page header: its part, and the content type and relationship that declare it."""
    return {
        "word/header1.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:hdr xmlns:w="{_W}"><w:p><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="4" w:space="1" '
            f'w:color="auto"/></w:pBdr><w:jc w:val="center"/></w:pPr>{_run(text, "宋体", 18)}</w:p></w:hdr>'
        ).encode(),
        "[Content_Types].xml": b'<Override PartName="/word/header1.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/></Types>',
        "word/_rels/document.xml.rels": b'<Relationship Id="rIdHeader1" Type="http://schemas.openxmlformats'
        b'.org/officeDocument/2006/relationships/header" Target="header1.xml"/></Relationships>',
    }


def render(
    blocks: list[Block],
    tables: dict[str, list[Table]],
    title: str,
    author: str,
    date: tuple[int, int, int],
    letterhead: Letterhead | None = None,
) -> bytes:
    body = [_DOC_HEAD]
    for b in blocks:
        if b.kind == "title" and letterhead is not None:
            body += _letterhead(letterhead)
            body += [_para(line, "方正小标宋简体", 44, jc="center") for line in letterhead.title_lines]
        elif b.kind == "title":
            body.append(_para(b.text, "方正小标宋简体", 44, jc="center"))
        elif b.kind == "date":
            body.append(_para(b.text, "楷体_GB2312", 32, jc="center"))
        elif b.kind == "h":
            body.append(_para(b.text, "黑体", 32))
        elif b.kind == "sign":
            body.append(_para(b.text, "仿宋_GB2312", 32, jc="right"))
        elif b.kind == "table":
            for t in tables[b.text]:
                body.append(_table(t))
                body.append("<w:p/>")
        else:
            body.append(_para(b.text))
    sect = _SECT
    header = _header_parts(letterhead.running_header) if letterhead and letterhead.running_header else {}
    if header:
        sect = sect.replace("<w:sectPr>", '<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader1"/>')
    body.append(sect + "</w:body></w:document>")
    document = "".join(body).encode("utf-8")
    y, m, d = date
    stamp = f"{y:04d}-{m:02d}-{d:02d}T08:30:00Z"
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_t(title)}</dc:title><dc:creator>{_t(author)}</dc:creator>"
        f"<cp:lastModifiedBy>{_t(author)}</cp:lastModifiedBy><cp:revision>3</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'
    ).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        parts = list(_template())
        if header:
            parts.append(("word/header1.xml", header["word/header1.xml"]))
        for name, data in parts:
            if name == "word/document.xml":
                data = document
            elif name == "docProps/core.xml":
                data = core
            elif name in header and name != "word/header1.xml":
                closing = b"</Types>" if name.endswith("Types].xml") else b"</Relationships>"
                data = data.replace(closing, header[name])
            info = zipfile.ZipInfo(name, date_time=(y, m, d, 8, 30, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()
