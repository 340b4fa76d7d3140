"""Text-layer PDFs drawn with reportlab's canvas (built-in CID font STSong-Light: no font file).

A small layout engine of its own, because the quirks need control over pages: tables split
across pages with or without repeated header rows (rowspan cells continue as empty boxes on the
next page, as Word draws them), a table page stored portrait with /Rotate 90 and its content
turned so that it displays upright, numbers wrapped inside narrow cells, page numbers in the
footer. `invariant=1` keeps the bytes identical for a seed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from pipelines.synth.furniture import Letterhead
from pipelines.synth.tables import Cell, Table, grid
from pipelines.synth.text import Block

FONT = "STSong-Light"
A4 = (595.2756, 841.8898)
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 62.0, 72.0, 64.0
_widths: dict[tuple[str, float], float] = {}
_NO_LINE_START = set("，。、；：？！）》”’」】")


def _register() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _w(ch: str, size: float) -> float:
    key = (ch, size)
    w = _widths.get(key)
    if w is None:
        w = _widths[key] = pdfmetrics.stringWidth(ch, FONT, size)
    return w


def wrap(text: str, width: float, size: float, keep_digits: bool = True) -> list[str]:
    """Break text into lines of at most `width` points; CJK breaks anywhere, digit runs stay whole
    unless `keep_digits` is False (a number too wide for its cell then wraps, as in real PDFs)."""
    lines: list[str] = []
    for para in text.split("\n"):
        tokens: list[str] = []
        for ch in para:
            if keep_digits and tokens and (ch.isdigit() or ch in ".,") and tokens[-1][-1:].isdigit():
                tokens[-1] += ch
            else:
                tokens.append(ch)
        line, lw = "", 0.0
        for tok in tokens:
            tw = sum(_w(ch, size) for ch in tok)
            # closing punctuation never starts a line (禁则): it hangs in the margin instead
            if line and lw + tw > width and tok not in _NO_LINE_START:
                lines.append(line)
                line, lw = "", 0.0
            if tw > width and not keep_digits:
                for ch in tok:  # a single over-wide token: break it by character
                    cw = _w(ch, size)
                    if line and lw + cw > width:
                        lines.append(line)
                        line, lw = "", 0.0
                    line += ch
                    lw += cw
                continue
            line += tok
            lw += tw
        lines.append(line)
    return lines


@dataclass
class Options:
    split_ok: bool = True  # a table may break across pages (else it starts on a fresh page)
    repeat_header: bool = False
    rotate: str | None = None  # table kind drawn on a rotated landscape page
    narrow_numbers: bool = False
    # what actually happened, for the quirk list
    split: bool = False
    rotated: bool = False
    numbers_wrapped: bool = False
    pages: int = 0
    notes: list[str] = field(default_factory=list)


class _Doc:
    def __init__(self, c: Canvas, opts: Options, running: str | None = None) -> None:
        self.c = c
        self.opts = opts
        self.page = 1
        self.pw, self.ph = A4
        self.y = self.ph - MARGIN_TOP
        self.rotated = False
        self.running = running
        self._header()

    def _header(self) -> None:
        """A running page header: small text over a thin rule at the top of every page."""
        if not self.running:
            return
        size = 9.0
        width = sum(_w(ch, size) for ch in self.running)
        self.c.setFont(FONT, size)
        self.c.drawString((self.pw - width) / 2, self.ph - 40, self.running)
        self.c.setLineWidth(0.5)
        self.c.line(MARGIN_X, self.ph - 44, self.pw - MARGIN_X, self.ph - 44)

    @property
    def width(self) -> float:
        return self.pw - 2 * MARGIN_X

    def _footer(self) -> None:
        text = f"— {self.page} —"
        self.c.setFont(FONT, 10)
        self.c.drawString((self.pw - pdfmetrics.stringWidth(text, FONT, 10)) / 2, 30, text)

    def new_page(self, rotated: bool = False) -> None:
        self._footer()
        self.c.showPage()
        self.page += 1
        self.rotated = rotated
        if rotated:
            # stored portrait, shown landscape: /Rotate 90 turns the page clockwise for display, so
            # the content is drawn turned the other way and reads upright on screen. (reportlab
            # writes the MediaBox of a rotated page with the page size swapped, hence the
            # landscape page size for a portrait MediaBox.)
            self.c.setPageSize((A4[1], A4[0]))
            self.c.setPageRotation(90)
            self.c.transform(0, 1, -1, 0, A4[0], 0)
            self.pw, self.ph = A4[1], A4[0]
        else:
            self.c.setPageSize(A4)
            self.c.setPageRotation(0)
            self.pw, self.ph = A4
        self.y = self.ph - MARGIN_TOP
        self._header()

    def finish(self) -> None:
        self._footer()
        self.c.showPage()
        self.opts.pages = self.page

    def text(
        self, text: str, size: float, align: str = "left", indent: float = 0.0, gap: float = 4.0
    ) -> None:
        lead = size * 1.6
        lines = wrap(text, self.width - indent, size)
        for i, line in enumerate(lines):
            if self.y - lead < MARGIN_BOTTOM:
                self.new_page()
            self.y -= lead
            lw = sum(_w(ch, size) for ch in line)
            if align == "center":
                x = (self.pw - lw) / 2
            elif align == "right":
                x = self.pw - MARGIN_X - lw
            else:
                x = MARGIN_X + (indent if i == 0 else 0)
            self.c.setFont(FONT, size)
            self.c.drawString(x, self.y + size * 0.3, line)
        self.y -= gap

    # ------------------------------------------------------------------------------------------

    def table(self, t: Table, size: float = 9.0) -> None:
        rotate = self.opts.rotate == t.kind
        if rotate:
            self.new_page(rotated=True)
            self.opts.rotated = True
        total = sum(t.widths) or float(t.ncols)
        # narrow 表四 columns: three-digit numbers no longer fit and wrap inside their cell
        scale = 0.5 if self.opts.narrow_numbers and t.kind == "t4" else 1.0
        widths = [self.width * scale * w / total for w in (t.widths or [1.0] * t.ncols)]
        x0 = MARGIN_X + (self.width - sum(widths)) / 2
        xs = [x0]
        for w in widths:
            xs.append(xs[-1] + w)
        g = grid(t)
        lead = size * 1.35
        pad = 3.0
        lines: dict[int, list[str]] = {}
        heights = [lead + 2 * pad] * len(t.rows)
        for r, slots in enumerate(g):
            for c, slot in enumerate(slots):
                if slot is None or (slot[1], slot[2]) != (r, c):
                    continue
                cell = slot[0]
                cw = xs[c + cell.cs] - xs[c] - 2 * pad
                ls = wrap(cell.text, cw, size, keep_digits=not (cell.num and self.opts.narrow_numbers))
                if cell.num and len(ls) > 1:
                    self.opts.numbers_wrapped = True
                lines[id(cell)] = ls
                need = len(ls) * lead + 2 * pad
                if cell.rs == 1:
                    heights[r] = max(heights[r], need)
        for r, slots in enumerate(g):  # a merged cell taller than its rows grows the last one
            for c, slot in enumerate(slots):
                if slot is None or (slot[1], slot[2]) != (r, c) or slot[0].rs == 1:
                    continue
                cell = slot[0]
                have = sum(heights[r : r + cell.rs])
                need = len(lines[id(cell)]) * lead + 2 * pad
                if need > have:
                    heights[r + cell.rs - 1] += need - have
        pages = self._paginate(t, heights)
        for i, page_rows in enumerate(pages):
            if i:
                self.new_page(rotated=rotate)
                self.opts.split = True
            self._draw_rows(t, g, page_rows, heights, xs, lines, size, lead, pad)
            self.y = page_rows[-1][1] - heights[page_rows[-1][0]]
        self.y -= 10
        if rotate:
            self.new_page()

    def _paginate(self, t: Table, heights: list[float]) -> list[list[tuple[int, float]]]:
        head = list(range(t.head_rows))
        table_h = sum(heights)
        avail = self.y - MARGIN_BOTTOM
        first_block = sum(heights[: t.head_rows + 1])
        full_page = self.ph - MARGIN_TOP - MARGIN_BOTTOM
        if first_block > avail or (not self.opts.split_ok and table_h > avail and table_h <= full_page):
            self.new_page(rotated=self.rotated)
        pages: list[list[tuple[int, float]]] = [[]]
        y = self.y
        for r in range(len(t.rows)):
            if y - heights[r] < MARGIN_BOTTOM and pages[-1]:
                pages.append([])
                y = self.ph - MARGIN_TOP
                if self.opts.repeat_header and r >= t.head_rows:
                    for h in head:
                        pages[-1].append((h, y))
                        y -= heights[h]
            pages[-1].append((r, y))
            y -= heights[r]
        return pages

    def _draw_rows(
        self,
        t: Table,
        g: list[list[tuple[Cell, int, int] | None]],
        page_rows: list[tuple[int, float]],
        heights: list[float],
        xs: list[float],
        lines: dict[int, list[str]],
        size: float,
        lead: float,
        pad: float,
    ) -> None:
        c = self.c
        c.setLineWidth(0.6)
        c.setFont(FONT, size)
        top_of = {r: y for r, y in page_rows}
        present = [r for r, _ in page_rows]
        done: set[tuple[int, int]] = set()
        for r in present:
            for _col, slot in enumerate(g[r]):
                if slot is None:
                    continue
                cell, r0, c0 = slot
                if (r0, c0) in done:
                    continue
                covered = [rr for rr in present if r0 <= rr < r0 + cell.rs]
                if not covered or covered[0] != r:
                    continue
                done.add((r0, c0))
                top = top_of[covered[0]]
                bottom = top_of[covered[-1]] - heights[covered[-1]]
                x1, x2 = xs[c0], xs[c0 + cell.cs]
                c.rect(x1, bottom, x2 - x1, top - bottom, stroke=1, fill=0)
                if r0 not in covered:
                    continue  # the rest of a merged cell begun on the previous page
                ls = lines[id(cell)]
                block = len(ls) * lead
                y = (top + bottom) / 2 + block / 2 - lead + (lead - size) / 2 + size * 0.15
                for line in ls:
                    lw = sum(_w(ch, size) for ch in line)
                    c.drawString((x1 + x2 - lw) / 2, y, line)
                    y -= lead


def _letterhead(doc: _Doc, lh: Letterhead) -> None:
    """Red header line, document number over a red rule, 附件, then the title line by line."""
    c = doc.c
    if lh.red_header:
        c.setFillColorRGB(0.85, 0.0, 0.0)
        doc.text(lh.red_header, 24, align="center", gap=10)
        c.setFillColorRGB(0, 0, 0)
    if lh.doc_number:
        doc.text(lh.doc_number, 12, align="center", gap=6)
        c.setStrokeColorRGB(0.85, 0.0, 0.0)
        c.setLineWidth(1.5)
        c.line(MARGIN_X, doc.y, doc.pw - MARGIN_X, doc.y)
        c.setStrokeColorRGB(0, 0, 0)
        doc.y -= 16
    if lh.attachment:
        doc.text(lh.attachment, 12, gap=6)
    for i, line in enumerate(lh.title_lines):
        doc.text(line, 16, align="center", gap=8 if i == len(lh.title_lines) - 1 else 0)


def render(
    blocks: list[Block],
    tables: dict[str, list[Table]],
    title: str,
    author: str,
    creator: str,
    opts: Options,
    letterhead: Letterhead | None = None,
) -> bytes:
    _register()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(title)
    c.setAuthor(author)
    c.setCreator(creator)
    doc = _Doc(c, opts, letterhead.running_header if letterhead else None)
    for b in blocks:
        if b.kind == "title" and letterhead is not None:
            _letterhead(doc, letterhead)
        elif b.kind == "title":
            doc.text(b.text, 16, align="center", gap=8)
        elif b.kind == "date":
            doc.text(b.text, 12, align="center", gap=8)
        elif b.kind == "h":
            doc.text(b.text, 12, gap=2)
        elif b.kind == "sign":
            doc.text(b.text, 12, align="right", gap=0)
        elif b.kind == "table":
            for t in tables[b.text]:
                doc.table(t)
        else:
            doc.text(b.text, 12, indent=24)
    doc.finish()
    c.save()
    return buf.getvalue()
