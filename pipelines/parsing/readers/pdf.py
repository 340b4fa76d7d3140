"""PDF reader: a report's text layer -> Document (medium "pdf").

PDFium (pypdfium2) supplies each character with its box and each page's vector paths. It is an
order of magnitude faster than pdfminer, which decides how many reports a core reads per second;
pdfminer only reads the rare page whose text PDFium drops (see _Graphics.lost_text).

Tables are found from their ruling lines: horizontal and vertical strokes (and hairline fills)
that touch each other form a lattice. The lattice's distinct x and y positions give the grid,
and a missing line between two neighbouring boxes merges them (a rowspan or colspan), so merged
cells come out expanded with `spanned` copies, as from the HTML reader. Text outside ruled tables
becomes rows of cells split at wide gaps (x-alignment), so tables printed without rules still
reach the mapper as rows in reading order; so do tables ruled only between columns (one row per
line of numbers). A table continued on the next page is simply the next grid: the mapper walks
the rows of all grids in order, and a repeated header is just more label rows.

Coordinates (GridCell.bbox) are PDF points in the page's upright reading frame, origin top-left:
for a page whose text reads upright on screen (the usual case, /Rotate included) that is the
displayed page.
"""

from __future__ import annotations

import bisect
import ctypes
import io
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipelines.model import Document, Grid, GridCell, UnreadableInput
from pipelines.parsing import titles
from pipelines.parsing.numbers import parse_value

# Tolerances, in points.
_SNAP = 2.0  # rulings this close are one line: Word draws neighbouring cell borders a little apart
_SLACK = 3.0  # gap bridged when joining collinear segments and when testing whether lines touch
_HAIRLINE = 2.5  # a filled shape thinner than this is a drawn line, not a cell background
# Gaps between characters, in line heights: a space in the text (a Latin word space is a quarter
# of the font size), and a cell boundary in a row printed without rules (justified prose spreads
# characters, but never by a whole character).
_SPACE_GAP = 0.2
_CELL_GAP = 1.0
_PAGE_NUMBER = re.compile(
    r"^[-—–－\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*[/／]\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?"
    r"[-—–－\s]*$"
)
_NUMBERS_ONLY = re.compile(r"^\d[\d,.]*(?: \d[\d,.]*)+$")
# Fonts without a Unicode map yield private-use or replacement characters.
_UNMAPPED = re.compile("[\ue000-\uf8ff\ufffd]")
_MAX_TITLE = 100
# A report runs to a dozen pages; a volume of thousands is not one report.
_MAX_PAGES = 300
# PDFium is not thread-safe: one document at a time per process (processes scale, threads wait).
_PDFIUM = threading.Lock()

Box = tuple[float, float, float, float]  # x0, top, x1, bottom
Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


class Ocr(Protocol):
    """What reads a PDF's scanned pages (pipelines.parsing.ocr.pdfscan, which the dispatcher passes in)."""

    def scanned_pages(self, pdf: Any, pages: list[Any]) -> dict[int, Any]: ...

    def document(self, pages: list[Any], scans: dict[int, Any], notes: list[str]) -> Document: ...


def read_pdf(data: bytes, ocr: Ocr | None = None) -> Document:
    """Parse a PDF into a Document. Raises UnreadableInput for PDFs that cannot be opened
    (malformed, password-protected). With `ocr`, pages without a usable text layer are read by it
    (the Document's medium is then "scan"); without, such pages have no text."""
    with _PDFIUM:
        pdf = _open(data)
        fallback = _Fallback(data)
        total = len(pdf)
        count = min(total, _MAX_PAGES)
        try:
            pages = [_read_page(pdf, i, fallback) for i in range(count)]
            scans = (
                ocr.scanned_pages(pdf, pages) if ocr is not None else {}
            )  # pages without a usable text layer
        except pdfium.PdfiumError as exc:
            raise UnreadableInput(f"malformed PDF, a page cannot be read: {exc}") from None
        finally:
            pdf.close()
    notes = [f"only the first {count} of {total} pages read"] if count < total else []
    if scans and ocr is not None:
        return ocr.document(pages, scans, notes)
    doc = _document(pages)
    doc.notes += notes
    return doc


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise UnreadableInput("encrypted PDF: cannot be opened without a password") from None
        detail = reason.split("(PDFium:", 1)[-1].strip(" ).") if "PDFium:" in reason else reason
        raise UnreadableInput(
            f"malformed PDF, cannot be opened: {detail.lower() or 'unknown error'}"
        ) from None
    if len(pdf) == 0:
        pdf.close()
        raise UnreadableInput("PDF has no pages")
    return pdf


# --------------------------------------------------------------------------------------------
# characters and lines


@dataclass(slots=True)
class _Char:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(slots=True)
class _Line:
    chars: list[_Char]
    page: int
    x0: float = 0.0
    top: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0
    median: float | None = field(default=None, repr=False, compare=False)  # character height, once asked

    def __post_init__(self) -> None:
        chars = self.chars
        self.x0 = min([c.x0 for c in chars])
        self.x1 = max([c.x1 for c in chars])
        self.top = min([c.top for c in chars])
        self.bottom = max([c.bottom for c in chars])

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def size(self) -> float:
        """The font size as the median character height: a digit or bracket in another font makes
        the line's box taller, not its text larger."""
        if self.median is None:
            heights = sorted([c.bottom - c.top for c in self.chars])
            self.median = heights[len(heights) // 2]
        return self.median

    def runs(self, gap: float) -> list[list[_Char]]:
        """The characters split where they are further apart than `gap` line heights."""
        out = [[self.chars[0]]]
        limit = gap * self.height
        for prev, ch in zip(self.chars, self.chars[1:], strict=False):
            if ch.x0 - prev.x1 > limit:
                out.append([])
            out[-1].append(ch)
        return out

    @property
    def text(self) -> str:
        return " ".join(_spaced(run, self.height) for run in self.runs(_CELL_GAP))


def _spaced(chars: list[_Char], height: float) -> str:
    parts = [chars[0].text]
    for prev, ch in zip(chars, chars[1:], strict=False):
        if ch.x0 - prev.x1 > _SPACE_GAP * height:
            parts.append(" ")
        parts.append(ch.text)
    return "".join(parts)


def _lines(chars: list[_Char], page: int) -> list[_Line]:
    """Characters -> lines, top to bottom: a character belongs to the line whose band holds its
    vertical centre (the band of the line's first character, so lines never chain)."""
    out: list[_Line] = []
    band: tuple[float, float] | None = None
    current: list[_Char] = []
    for ch in sorted(chars, key=lambda c: (c.top + c.bottom) / 2):
        cy = (ch.top + ch.bottom) / 2
        if band is not None and band[0] <= cy <= band[1]:
            current.append(ch)
            continue
        if current:
            out.append(_Line(_dedup(current), page))
        current, band = [ch], (ch.top, ch.bottom)
    if current:
        out.append(_Line(_dedup(current), page))
    return out


def _dedup(chars: list[_Char]) -> list[_Char]:
    """Left to right, without the overprinted copies some generators use for bold type."""
    chars.sort(key=lambda c: c.x0)
    out = [chars[0]]
    for ch in chars[1:]:
        prev = out[-1]
        if ch.text == prev.text and abs(ch.x0 - prev.x0) < 0.3 * max(ch.x1 - ch.x0, 1.0):
            continue
        out.append(ch)
    return out


def _cell_text(chars: list[_Char]) -> str:
    """A ruled cell's text: its lines joined without separators, since a cell wraps a label or a
    number at the cell edge, never between two values."""
    return "".join(_spaced(line.chars, line.height) for line in _lines(chars, 0))


# --------------------------------------------------------------------------------------------
# one page


@dataclass(slots=True)
class _Segment:
    pos: float  # y of a horizontal, x of a vertical segment
    start: float
    end: float


@dataclass
class _Page:
    number: int  # 1-based
    chars: int
    graphics: int  # images and shapes
    rotation: int
    items: list[tuple[float, _Line | list[list[GridCell]]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    height: float = 0.0  # of the upright page, in points
    # the share of the page its largest image covers; None when PDFium cannot place an image
    image_share: float | None = 0.0


def _read_page(pdf: pdfium.PdfDocument, index: int, fallback: _Fallback) -> _Page:
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            raw_chars, rotation = _raw_chars(textpage)
        finally:
            textpage.close()
        graphics = _graphics(page)
        cropbox = page.get_cropbox()
        width, height = page.get_size()
    finally:
        page.close()
    notes = []
    if graphics.lost_text:
        recovered = fallback.chars(index)
        if recovered is not None and len(recovered[0]) > len(raw_chars):
            raw_chars, rotation = recovered
            notes.append("text in fonts that are neither embedded nor installed read with pdfminer")
    to_view = _frame(cropbox, rotation)
    chars = _view_chars(raw_chars, cropbox, rotation)
    out = _Page(index + 1, len(chars), graphics.images + graphics.shapes, rotation, notes=notes)
    out.image_share = (
        None
        if graphics.image_area is None
        else 0.0
        if width <= 0 or height <= 0
        else graphics.image_area / (width * height)
    )
    corners = [to_view(cropbox[0], cropbox[1]), to_view(cropbox[2], cropbox[3])]
    out.height = abs(corners[1][1] - corners[0][1])
    rest = chars
    for lattice in _lattices(*_rulings(graphics.lines, to_view)):
        rows, rest = _table(lattice, rest, out.number)
        if rows:
            out.items.append((lattice.ys[0], rows))
    out.items += [(line.top, line) for line in _lines(rest, out.number)]
    out.items.sort(key=lambda item: item[0])
    _drop_page_numbers(out.items)
    return out


def _raw_chars(textpage: pdfium.PdfTextPage) -> tuple[list[tuple[str, Box]], int]:
    """Characters with their boxes in PDF user space (x0, y0, x1, y1), and the rotation that
    makes the page's dominant text direction read left to right."""
    handle = textpage.raw
    rect = pdfium_c.FS_RECTF()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    found: list[tuple[str, Box, int]] = []
    votes: Counter[int] = Counter()
    get_unicode, is_generated = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_IsGenerated
    loose_box, char_box, char_angle = (
        pdfium_c.FPDFText_GetLooseCharBox,
        pdfium_c.FPDFText_GetCharBox,
        pdfium_c.FPDFText_GetCharAngle,
    )
    quarter_turn = math.pi / 2
    for i in range(pdfium_c.FPDFText_CountChars(handle)):
        code = get_unicode(handle, i)
        if code < 0x21 or 0xD800 <= code <= 0xDFFF or is_generated(handle, i) == 1:
            continue
        text = chr(code)
        if text.isspace():
            continue  # spaces are recovered from the gaps, which also catch positioned text
        if "\u2e80" <= text <= "\u2fdf" or "\uf900" <= text <= "\ufaff":
            text = _ideograph(text)
        if not loose_box(handle, i, rect):
            continue
        found.append((text, (rect.left, rect.bottom, rect.right, rect.top), i))
        angle = char_angle(handle, i)
        if angle >= 0:
            votes[round(angle / quarter_turn) % 4] += 1
    # PDFium measures the angle clockwise (device space, y down); _frame wants it counter-clockwise.
    quarter = (-votes.most_common(1)[0][0]) % 4 if votes else 0

    def tight(i: int) -> Box:
        char_box(handle, i, left, right, bottom, top)
        return (left.value, bottom.value, right.value, top.value)

    return _plausible(found, tight, quarter % 2 == 1), quarter * 90


def _ideograph(ch: str) -> str:
    # Word exports print some ideographs as Kangxi radicals or compatibility ideographs, which look
    # the same but match no label: NFKC maps them to the unified ideograph.
    if "\u2e80" <= ch <= "\u2fdf" or "\uf900" <= ch <= "\ufaff":
        return unicodedata.normalize("NFKC", ch)
    return ch


def _plausible(
    found: list[tuple[str, Box, int]], tight_box: Callable[[int], Box], sideways: bool
) -> list[tuple[str, Box]]:
    """The loose (font-height) box of each character, which keeps a line's characters level; but
    PDFium returns a box many times the glyph's size for some characters (a label set in a
    vertical column, for one): those get a font-height box around the glyph instead. `found`:
    each character with its loose box and its index, whose tight (glyph) box `tight_box` gives,
    asked for only where the loose box is tall."""

    # a box's width is box[w1] - box[w0] and its height box[h1] - box[h0], in the text's direction
    w1, w0, h1, h0 = (3, 1, 2, 0) if sideways else (2, 0, 3, 1)
    heights = sorted([loose[h1] - loose[h0] for _, loose, _ in found])
    em = heights[len(heights) // 2] if heights else 10.0
    out: list[tuple[str, Box]] = []
    for text, loose, index in found:
        lh = loose[h1] - loose[h0]
        if lh > 2 * em:
            tight = tight_box(index)
            lw, tw, th = loose[w1] - loose[w0], tight[w1] - tight[w0], tight[h1] - tight[h0]
            if min(lw / max(tw, 0.5), lh / max(th, 0.5)) > 6:
                cx, cy = (tight[0] + tight[2]) / 2, (tight[1] + tight[3]) / 2
                out.append((text, (cx - em / 2, cy - em / 2, cx + em / 2, cy + em / 2)))
                continue
        out.append((text, loose))
    return out


class _Fallback:
    """pdfminer, for the pages whose text PDFium drops (_Graphics.lost_text): it places glyphs by
    their advance widths, which a font's metrics give without its outlines. Slower by far, so the
    document is parsed only when a page needs it, and once."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pages: list[Any] | None = None

    def chars(self, index: int) -> tuple[list[tuple[str, Box]], int] | None:
        """A page's characters in user space and the rotation of their text, as _raw_chars."""
        from pdfminer.converter import PDFPageAggregator
        from pdfminer.layout import LTChar, LTContainer
        from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
        from pdfminer.pdfpage import PDFPage

        try:
            if self.pages is None:
                self.pages = list(PDFPage.get_pages(io.BytesIO(self.data)))
            page = self.pages[index]
            resources = PDFResourceManager()
            device = PDFPageAggregator(resources, laparams=None)
            PDFPageInterpreter(resources, device).process_page(page)
            layout = device.get_result()
        except Exception:  # pdfminer raises many types on damaged files; PDFium's result stands
            return None
        # pdfminer places the page in a rotated device space; back to user space.
        x0, y0, x1, y1 = page.mediabox
        ctm = {90: (0, -1, 1, 0, -y0, x1), 180: (-1, 0, 0, -1, x1, y1), 270: (0, 1, -1, 0, y1, -x0)}.get(
            page.rotate, (1, 0, 0, 1, -x0, -y0)
        )
        inv = _invert(ctm)
        out: list[tuple[str, Box]] = []
        votes: Counter[int] = Counter()
        stack: list[Any] = [layout]
        while stack:
            item = stack.pop()
            if isinstance(item, LTChar):
                text = item.get_text()
                if len(text) != 1 or text.isspace():
                    continue  # "(cid:12)": a glyph without a Unicode mapping
                text = _ideograph(text)
                ax, ay = _apply(inv, item.x0, item.y0)
                bx, by = _apply(inv, item.x1, item.y1)
                out.append((text, (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))))
                dx, dy = _apply(inv, item.matrix[0], item.matrix[1], linear=True)
                votes[round(math.atan2(dy, dx) / (math.pi / 2)) % 4] += 1
            elif isinstance(item, LTContainer):
                stack.extend(item)
        quarter = votes.most_common(1)[0][0] if votes else 0
        return out, quarter * 90


def _invert(m: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    det = a * d - b * c
    return (d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det)


def _apply(m: Matrix, x: float, y: float, linear: bool = False) -> tuple[float, float]:
    a, b, c, d, e, f = m
    if linear:
        e = f = 0.0
    return a * x + c * y + e, b * x + d * y + f


def _frame(
    cropbox: tuple[float, float, float, float], rotation: int
) -> Callable[[float, float], tuple[float, float]]:
    """User space -> the upright reading frame (origin top-left, y down). `rotation` is the
    counter-clockwise angle of the text in user space; it equals /Rotate for pages whose text
    reads upright when displayed."""
    bx0, by0, bx1, by1 = cropbox
    if rotation == 90:
        return lambda x, y: (y - by0, x - bx0)
    if rotation == 180:
        return lambda x, y: (bx1 - x, y - by0)
    if rotation == 270:
        return lambda x, y: (by1 - y, bx1 - x)
    return lambda x, y: (x - bx0, by1 - y)


def _view_chars(
    raw: list[tuple[str, Box]], cropbox: tuple[float, float, float, float], rotation: int
) -> list[_Char]:
    """The characters in the upright reading frame: _box(_frame(cropbox, rotation), box) for each,
    written out per rotation (a page holds thousands of characters)."""
    bx0, by0, bx1, by1 = cropbox
    out: list[_Char] = []
    append = out.append
    for text, (x0, y0, x1, y1) in raw:
        if rotation == 90:
            ax, ay, bx, by = y0 - by0, x0 - bx0, y1 - by0, x1 - bx0
        elif rotation == 180:
            ax, ay, bx, by = bx1 - x0, y0 - by0, bx1 - x1, y1 - by0
        elif rotation == 270:
            ax, ay, bx, by = by1 - y0, bx1 - x0, by1 - y1, bx1 - x1
        else:
            ax, ay, bx, by = x0 - bx0, by1 - y0, x1 - bx0, by1 - y1
        # min() and max() of two, as the builtins pick (the first unless the second is beyond it)
        append(
            _Char(
                text,
                bx if bx < ax else ax,
                by if by < ay else ay,
                bx if bx > ax else ax,
                by if by > ay else ay,
            )
        )
    return out


def _box(to_view: Callable[[float, float], tuple[float, float]], box: Box) -> Box:
    ax, ay = to_view(box[0], box[1])
    bx, by = to_view(box[2], box[3])
    return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def _drop_page_numbers(items: list[tuple[float, _Line | list[list[GridCell]]]]) -> None:
    """Page numbers ("- 3 -", "第3页 共6页") at the top or bottom are page furniture."""
    for idx in (-1, 0):
        if items:
            line = items[idx][1]
            if isinstance(line, _Line) and _PAGE_NUMBER.match(line.text):
                items.pop(idx)


# --------------------------------------------------------------------------------------------
# page graphics: ruling lines, images, and text PDFium leaves out

Point = tuple[float, float]
# Fonts PDFium can always draw; a text object in any other font that PDFium measures as zero
# width is one it drops from the text page (see _Graphics.lost_text).
_STANDARD_FONTS = ("Times", "Helvetica", "Courier", "Arial", "Symbol", "ZapfDingbats")


@dataclass
class _Graphics:
    lines: list[tuple[Point, Point]] = field(default_factory=list)  # straight strokes, user space
    images: int = 0
    shapes: int = 0  # path objects: text drawn as outlines is all shapes
    # PDFium skips a text object whose box has no width, and a font that is neither embedded nor
    # installed has no glyph boxes: pure-CJK text in a non-embedded font (宋体 referenced by name)
    # then vanishes on a server without CJK fonts, one character or one vertical run at a time.
    lost_text: bool = False
    # the page area its largest image covers (images within two levels of form XObjects), for
    # telling a scanned page; None when PDFium cannot place one of them
    image_area: float | None = 0.0


# Form XObjects an image may sit in and still count towards a page's image area.
_IMAGE_DEPTH = 2


def _graphics(page: pdfium.PdfPage) -> _Graphics:
    out = _Graphics()
    bounds = tuple(ctypes.c_float() for _ in range(4))
    path, image, text = pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_TEXT
    for obj, matrix, kind, depth in _objects(page):
        if kind == path:
            out.shapes += 1
            _path_lines(obj, matrix, out.lines)
        elif kind == image:
            out.images += 1
            if depth <= _IMAGE_DEPTH and out.image_area is not None:
                out.image_area = _image_area(obj, bounds, out.image_area)
        elif kind == text and not out.lost_text:
            out.lost_text = _dropped_text(obj, bounds)
    return out


def _image_area(obj: Any, bounds: tuple[ctypes.c_float, ...], best: float) -> float | None:
    """The larger of `best` and the image's area in its container's space; None when PDFium
    cannot place the image."""
    left, bottom, right, top = bounds
    if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        return None
    return max(best, max(0.0, right.value - left.value) * max(0.0, top.value - bottom.value))


def _dropped_text(obj: Any, bounds: tuple[ctypes.c_float, ...] | None = None) -> bool:
    left, bottom, right, top = bounds or tuple(ctypes.c_float() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top) or right.value - left.value > 0.01:
        return False
    font = pdfium_c.FPDFTextObj_GetFont(obj)
    if not font or pdfium_c.FPDFFont_GetIsEmbedded(font):
        return False
    name = ctypes.create_string_buffer(128)
    pdfium_c.FPDFFont_GetBaseFontName(font, name, len(name))
    base = name.value.decode("latin-1").split("+")[-1]
    return not base.startswith(_STANDARD_FONTS)


def _objects(page: pdfium.PdfPage) -> list[tuple[Any, Matrix, int, int]]:
    """Page objects with the matrix to user space, their type and how many form XObjects deep
    they sit, descending into form XObjects."""
    get_type, path, form = (
        pdfium_c.FPDFPageObj_GetType,
        pdfium_c.FPDF_PAGEOBJ_PATH,
        pdfium_c.FPDF_PAGEOBJ_FORM,
    )
    out: list[tuple[Any, Matrix, int, int]] = []
    append = out.append

    def walk(get: Callable[[Any, int], Any], parent: Any, count: int, outer: Matrix, depth: int) -> None:
        m = pdfium_c.FS_MATRIX()
        for i in range(count):
            obj = get(parent, i)
            kind = get_type(obj)
            if kind != path and kind != form:
                append((obj, outer, kind, depth))  # only paths and forms need their matrix
                continue
            pdfium_c.FPDFPageObj_GetMatrix(obj, m)
            matrix = _multiply((m.a, m.b, m.c, m.d, m.e, m.f), outer)
            if kind == form:
                if depth < 8:
                    walk(
                        pdfium_c.FPDFFormObj_GetObject,
                        obj,
                        pdfium_c.FPDFFormObj_CountObjects(obj),
                        matrix,
                        depth + 1,
                    )
            else:
                append((obj, matrix, kind, depth))

    # Path points are in the path's own space; its matrix maps them to the page.
    raw = page.raw
    walk(pdfium_c.FPDFPage_GetObject, raw, pdfium_c.FPDFPage_CountObjects(raw), _IDENTITY, 0)
    return out


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF row-vector convention)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _visible(get_color: Any, obj: Any) -> bool:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not get_color(obj, r, g, b, a):
        return True
    # white or transparent paint is a background, not a ruling
    return a.value > 0 and min(r.value, g.value, b.value) < 235


def _path_lines(obj: Any, matrix: Matrix, out: list[tuple[Point, Point]]) -> None:
    """The straight strokes of a path, and the centre line of each hairline-thin filled shape
    (some generators draw borders as thin filled rectangles); cell backgrounds are left out."""
    fill = ctypes.c_int()
    stroke = ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke):
        return
    stroked = bool(stroke.value) and _visible(pdfium_c.FPDFPageObj_GetStrokeColor, obj)
    filled = fill.value != 0 and _visible(pdfium_c.FPDFPageObj_GetFillColor, obj)
    if not stroked and not filled:
        return
    a, b, c, d, e, f = matrix
    x = ctypes.c_float()
    y = ctypes.c_float()
    subpaths: list[list[Point]] = []
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append([point])
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            subpaths[-1].append(point)
        else:
            subpaths[-1] += [(math.nan, math.nan), point]  # a curve breaks the straight run
        if pdfium_c.FPDFPathSegment_GetClose(seg):
            subpaths[-1].append(subpaths[-1][0])
    for points in subpaths:
        if stroked:
            out.extend(
                (p, q)
                for p, q in zip(points, points[1:], strict=False)
                if not (math.isnan(p[0]) or math.isnan(q[0]))
            )
            continue
        xs = [p[0] for p in points if not math.isnan(p[0])]
        ys = [p[1] for p in points if not math.isnan(p[1])]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        if y1 - y0 <= _HAIRLINE < x1 - x0:
            out.append(((x0, (y0 + y1) / 2), (x1, (y0 + y1) / 2)))
        elif x1 - x0 <= _HAIRLINE < y1 - y0:
            out.append((((x0 + x1) / 2, y0), ((x0 + x1) / 2, y1)))


def _rulings(
    lines: list[tuple[Point, Point]], to_view: Callable[[float, float], tuple[float, float]]
) -> tuple[list[_Segment], list[_Segment]]:
    """Horizontal and vertical rulings in the reading frame; diagonals (the slashed corner cell
    of some tables) are not rulings."""
    horizontal: list[_Segment] = []
    vertical: list[_Segment] = []
    for p, q in lines:
        x0, y0 = to_view(*p)
        x1, y1 = to_view(*q)
        if abs(y1 - y0) < 1.0 and abs(x1 - x0) >= 1.0:
            horizontal.append(_Segment((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
        elif abs(x1 - x0) < 1.0 and abs(y1 - y0) >= 1.0:
            vertical.append(_Segment((x0 + x1) / 2, min(y0, y1), max(y0, y1)))
    return _join(horizontal), _join(vertical)


def _join(segments: list[_Segment]) -> list[_Segment]:
    """Collinear segments that overlap or nearly touch -> one (dotted lines, per-cell borders)."""
    out: list[_Segment] = []
    group: list[_Segment] = []
    for s in sorted(segments, key=lambda s: s.pos) + [_Segment(math.inf, 0.0, 0.0)]:
        if group and s.pos - group[0].pos > _SNAP:
            pos = sum(g.pos for g in group) / len(group)
            run: _Segment | None = None
            for g in sorted(group, key=lambda g: g.start):
                if run is not None and g.start <= run.end + _SLACK:
                    run.end = max(run.end, g.end)
                else:
                    run = _Segment(pos, g.start, g.end)
                    out.append(run)
            group = []
        group.append(s)
    return out


# --------------------------------------------------------------------------------------------
# ruled tables


@dataclass
class _Lattice:
    horizontal: list[_Segment]
    vertical: list[_Segment]
    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)


def _lattices(horizontal: list[_Segment], vertical: list[_Segment]) -> list[_Lattice]:
    """Groups of rulings that touch each other, top to bottom."""
    parent = list(range(len(horizontal) + len(vertical)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(horizontal):
        for j, v in enumerate(vertical):
            if h.start - _SLACK <= v.pos <= h.end + _SLACK and v.start - _SLACK <= h.pos <= v.end + _SLACK:
                parent[find(i)] = find(len(horizontal) + j)
    groups: dict[int, _Lattice] = {}
    for i, h in enumerate(horizontal):
        groups.setdefault(find(i), _Lattice([], [])).horizontal.append(h)
    for j, v in enumerate(vertical):
        groups.setdefault(find(len(horizontal) + j), _Lattice([], [])).vertical.append(v)
    out = [g for g in groups.values() if len(g.horizontal) >= 2 and len(g.vertical) >= 2]
    return sorted(out, key=lambda g: min(h.pos for h in g.horizontal))


def _cluster(values: list[float]) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][0] <= _SNAP:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(group) / len(group) for group in out]


def _bounds(
    rules: list[float], span: tuple[float, float], has_text: Callable[[float, float], bool]
) -> list[float]:
    """Grid positions along one axis: the rulings, plus the far ends of the crossing lines where
    a border was not drawn (a table cut by a page break) and text lies beyond the last ruling."""
    pos = _cluster(rules)
    if span[0] < pos[0] - _SNAP and has_text(span[0], pos[0]):
        pos.insert(0, span[0])
    if span[1] > pos[-1] + _SNAP and has_text(pos[-1], span[1]):
        pos.append(span[1])
    return pos


def _table(lattice: _Lattice, chars: list[_Char], page: int) -> tuple[list[list[GridCell]], list[_Char]]:
    """The grid rows of one ruled table, and the characters outside it."""
    hs, vs = lattice.horizontal, lattice.vertical
    x_span = (min(h.start for h in hs), max(h.end for h in hs))
    y_span = (min(v.start for v in vs), max(v.end for v in vs))

    def text_in(x0: float, x1: float, y0: float, y1: float) -> bool:
        return any(x0 <= (c.x0 + c.x1) / 2 <= x1 and y0 <= (c.top + c.bottom) / 2 <= y1 for c in chars)

    ys = _bounds([h.pos for h in hs], y_span, lambda a, b: text_in(*x_span, a, b))
    xs = _bounds([v.pos for v in vs], x_span, lambda a, b: text_in(a, b, ys[0], ys[-1]))
    for y in _unruled_rows(xs, ys, chars):
        hs.append(_Segment(y, xs[0], xs[-1]))  # a rule the table left out, so that it divides cells
        bisect.insort(ys, y)
    lattice.xs, lattice.ys = xs, ys
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows < 1 or n_cols < 2:
        return [], chars
    region = _regions(lattice, n_rows, n_cols)
    if len(set(region)) < 2:
        return [], chars  # a frame around text, not a table
    inside: dict[int, list[_Char]] = {}
    outside: list[_Char] = []
    for ch in chars:
        cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
        if xs[0] - 1 <= cx <= xs[-1] + 1 and ys[0] - 1 <= cy <= ys[-1] + 1:
            i = min(max(bisect.bisect(ys, cy) - 1, 0), n_rows - 1)
            j = min(max(bisect.bisect(xs, cx) - 1, 0), n_cols - 1)
            inside.setdefault(region[i * n_cols + j], []).append(ch)
        else:
            outside.append(ch)
    return _grid_rows(lattice, region, inside, page), outside


def _unruled_rows(xs: list[float], ys: list[float], chars: list[_Char]) -> list[float]:
    """Row boundaries a table did not rule (a table ruled only between columns): where a box holds
    several lines that each carry a number and other text, it holds that many rows. Lines are
    grouped by spacing (a wrapped label's lines are closer than two rows' lines), and a group
    with several such lines is divided between them, each label line going to the nearest one."""
    out: list[float] = []
    table = sorted((c for c in chars if xs[0] <= (c.x0 + c.x1) / 2 <= xs[-1]), key=lambda c: c.top + c.bottom)
    keys = [(c.top + c.bottom) / 2 for c in table]
    for top, bottom in zip(ys, ys[1:], strict=False):
        band = table[bisect.bisect_left(keys, top) : bisect.bisect_right(keys, bottom)]
        lines = _value_lines(_lines(band, 0), xs)
        if sum(v for _, v in lines) < 2:
            continue  # one row: a ruled cell may wrap a label, or a number, over several lines
        group = lines[:1]
        for line, value in lines[1:]:
            prev = group[-1][0]
            if line.top - prev.bottom > 0.45 * min(line.size, prev.size):
                out += _split_group(group) + [(prev.bottom + line.top) / 2]
                group = []
            group.append((line, value))
        out += _split_group(group)
    return out


def _split_group(group: list[tuple[_Line, bool]]) -> list[float]:
    """Boundaries inside a group of closely spaced lines holding several value lines."""
    centres = [(line.top + line.bottom) / 2 for line, _ in group]
    anchors = [c for c, (_, value) in zip(centres, group, strict=True) if value]
    if len(anchors) < 2:
        return []
    owner = [min(anchors, key=lambda a: abs(a - c)) for c in centres]
    return [
        (group[i - 1][0].bottom + group[i][0].top) / 2
        for i in range(1, len(group))
        if owner[i] != owner[i - 1]
    ]


def _value_columns(line: _Line, xs: list[float]) -> set[int] | None:
    """The columns that hold numbers, when the line has a number in some column and text in
    another; None for other lines."""
    columns: dict[int, list[_Char]] = {}
    for ch in line.chars:
        columns.setdefault(bisect.bisect(xs, (ch.x0 + ch.x1) / 2), []).append(ch)
    numbers = {
        col for col, chs in columns.items() if parse_value("".join(c.text for c in chs))[0] == "number"
    }
    return numbers if len(columns) >= 2 and numbers else None


def _value_lines(lines: list[_Line], xs: list[float]) -> list[tuple[_Line, bool]]:
    """Each line with whether it is a row of values, unlike the second half of a wrapped number.
    Two rows of one box share their value columns (at least 总计); a value line whose numbers sit
    only in columns that are empty on another value line holds wrapped digits of numbers too wide
    for their columns (full-width digits stack one per line above and below the row's one-digit
    values), and that other line is the rest of the same row: neither is a row of its own."""
    found = [_value_columns(line, xs) for line in lines]
    values = [numbers for numbers in found if numbers is not None]
    return [
        (line, numbers is not None and not any(numbers.isdisjoint(other) for other in values))
        for line, numbers in zip(lines, found, strict=True)
    ]


def _regions(lattice: _Lattice, n_rows: int, n_cols: int) -> list[int]:
    """Union-find over the grid boxes: neighbours without a ruling between them are one cell."""
    xs, ys = lattice.xs, lattice.ys
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def ruled(segments: list[_Segment], pos: float, across: float) -> bool:
        return any(
            abs(s.pos - pos) <= _SNAP and s.start - _SLACK <= across <= s.end + _SLACK for s in segments
        )

    for i in range(n_rows):
        y_mid = (ys[i] + ys[i + 1]) / 2
        for j in range(n_cols):
            x_mid = (xs[j] + xs[j + 1]) / 2
            if j + 1 < n_cols and not ruled(lattice.vertical, xs[j + 1], y_mid):
                parent[find(i * n_cols + j + 1)] = find(i * n_cols + j)
            if i + 1 < n_rows and not ruled(lattice.horizontal, ys[i + 1], x_mid):
                parent[find((i + 1) * n_cols + j)] = find(i * n_cols + j)
    return [find(k) for k in range(n_rows * n_cols)]


def _grid_rows(
    lattice: _Lattice, region: list[int], inside: dict[int, list[_Char]], page: int
) -> list[list[GridCell]]:
    xs, ys = lattice.xs, lattice.ys
    n_cols = len(xs) - 1
    texts = {r: _cell_text(chs) for r, chs in inside.items()}
    boxes: dict[int, Box] = {}
    for k, r in enumerate(region):
        i, j = divmod(k, n_cols)
        box = boxes.get(r)
        boxes[r] = (
            (xs[j], ys[i], xs[j + 1], ys[i + 1])
            if box is None
            else (min(box[0], xs[j]), min(box[1], ys[i]), max(box[2], xs[j + 1]), max(box[3], ys[i + 1]))
        )
    # An empty box left of a row's values (a label cell that a stray ruling cut in two) stays a
    # plain blank cell: the mapper drops surplus leading blanks, while a blank value column (blank
    # for zero) must keep its position.
    origin: dict[int, int] = {}
    for k, r in enumerate(region):
        origin.setdefault(r, k)
    rows: list[list[GridCell]] = []
    for i in range(len(ys) - 1):
        cells = []
        for j in range(n_cols):
            k = i * n_cols + j
            r = region[k]
            text = texts.get(r, "")
            spanned = origin[r] != k
            cells.append(GridCell(text, len(rows), j, spanned=spanned, page=page, bbox=_rounded(boxes[r])))
        if any(c.text for c in cells):
            rows.append(cells)
    return rows


# --------------------------------------------------------------------------------------------
# the document


def _document(pages: list[_Page]) -> Document:
    if sum(p.chars for p in pages) == 0:
        if any(p.graphics for p in pages):
            raise UnreadableInput("scanned PDF without a text layer: needs OCR")
        raise UnreadableInput("PDF has only blank pages")
    _drop_running_lines(pages)
    grids: list[Grid] = []
    text_rows: list[list[GridCell]] = []
    paragraphs: list[str] = []
    previous: _Line | None = None
    margins = _page_margins(pages)
    for _, item in (item for page in pages for item in page.items):
        if isinstance(item, _Line):
            text_rows.append(_line_cells(item, len(text_rows)))
            if previous is not None and _continues(previous, item, margins):
                paragraphs[-1] += item.text
            else:
                paragraphs.append(item.text)
            previous = item
            continue
        if text_rows:
            grids.append(Grid(len(grids), text_rows, aligned=False))
            text_rows = []
        grids.append(Grid(len(grids), item, aligned=True))
        previous = None  # a table ends the paragraph before it
    if text_rows:
        grids.append(Grid(len(grids), text_rows, aligned=False))
    text = "\n".join(paragraphs)
    if len(_UNMAPPED.findall(text)) > 0.3 * len(text.replace("\n", "")):
        raise UnreadableInput("PDF text layer has no Unicode mapping (unreadable fonts): needs OCR")
    head = [item for page in pages[:2] for _, item in page.items if isinstance(item, _Line)]
    return Document(medium="pdf", tables=grids, text=text, title=_title(head), notes=_notes(pages))


def _notes(pages: list[_Page]) -> list[str]:
    notes: list[str] = []
    blank = [p.number for p in pages if p.chars == 0 and p.graphics]
    if blank:
        notes.append(f"page(s) {_ranges(blank)} have no text layer (images or outlines only): not read")
    for note in sorted({n for p in pages for n in p.notes}):
        notes.append(f"page(s) {_ranges([p.number for p in pages if note in p.notes])}: {note}")
    rotated = [f"{p.number} ({p.rotation}°)" for p in pages if p.rotation]
    if rotated:
        notes.append(f"rotated text read upright on page(s) {', '.join(rotated)}")
    return notes


def _line_cells(line: _Line, row: int) -> list[GridCell]:
    pieces = [piece for run in line.runs(_CELL_GAP) for piece in _numbers_apart(run, line.height)]
    return [
        GridCell(
            _spaced(run, line.height),
            row,
            col,
            page=line.page,
            bbox=_rounded((min(c.x0 for c in run), line.top, max(c.x1 for c in run), line.bottom)),
        )
        for col, run in enumerate(pieces)
    ]


def _numbers_apart(run: list[_Char], height: float) -> list[list[_Char]]:
    """A run of numbers closer than a cell gap ("57 0": a table printed without rules in narrow
    columns) is one cell per number: a space never falls inside a printed number."""
    if not _NUMBERS_ONLY.match(_spaced(run, height)):
        return [run]
    out = [[run[0]]]
    for prev, ch in zip(run, run[1:], strict=False):
        if ch.x0 - prev.x1 > _SPACE_GAP * height:
            out.append([])
        out[-1].append(ch)
    return out


def _rounded(box: Box) -> Box:
    return round(box[0], 2), round(box[1], 2), round(box[2], 2), round(box[3], 2)


def _page_margins(pages: list[_Page]) -> dict[int, tuple[float, float]]:
    """Each page's text block edges (left, right); a page with too few full lines to show its
    right edge (the last page, a page of tables) takes the edge the other pages share."""
    edges = {p.number: _margins([item for _, item in p.items if isinstance(item, _Line)]) for p in pages}
    known = [right for _, right in edges.values() if right != math.inf]
    shared = _mode(known)[0] if known else math.inf
    return {n: (left, shared if right == math.inf else right) for n, (left, right) in edges.items()}


def _margins(lines: list[_Line]) -> tuple[float, float]:
    """The text block's left and right edges: where most lines start and end. Justified lines end
    at the same x; a right edge no two lines share does not show that lines are wrapped."""
    if not lines:
        return 0.0, math.inf
    left, _ = _mode([ln.x0 for ln in lines])
    right, count = _mode([ln.x1 for ln in lines])
    return left, right if count >= 2 else math.inf


def _mode(values: list[float], tolerance: float = 1.5) -> tuple[float, int]:
    """The value most others lie within `tolerance` of, and how many do."""
    return max(((v, sum(abs(w - v) <= tolerance for w in values)) for v in values), key=lambda vc: vc[1])


def _continues(prev: _Line, line: _Line, margins: dict[int, tuple[float, float]]) -> bool:
    """Does `line` continue the paragraph of `prev`? A wrapped line fills the measure to the right
    margin and the next starts at the left margin; a new paragraph is indented and a heading or
    a paragraph's last line stops short."""
    left, _ = margins[line.page]
    _, right = margins[prev.page]
    size = max(prev.size, line.size)
    if (
        abs(prev.size - line.size) > 0.3 * size
        or len(line.runs(_CELL_GAP)) > 1
        or len(prev.runs(_CELL_GAP)) > 1
    ):
        return False
    near = line.page != prev.page or line.top - prev.bottom < size
    return near and prev.x1 >= right - 1.5 * size and line.x0 <= left + 0.5 * size


def _title(lines: list[_Line]) -> str | None:
    """The report title among the first lines: see titles.find_title. Two lines are one block when
    they are of one size, adjacent, and centred alike or start at the same x (a title wrapped in
    the measure); a breadcrumb or a column name above the title is furniture, never joined."""
    lines = lines[: titles.WINDOW]
    together = [
        abs(a.size - b.size) <= 0.15 * max(a.size, b.size)
        and a.page == b.page
        and 0 <= b.top - a.bottom < 1.2 * max(a.height, b.height)
        and (abs((a.x0 + a.x1) - (b.x0 + b.x1)) / 2 <= a.height or abs(a.x0 - b.x0) <= 0.5 * a.height)
        for a, b in zip(lines, lines[1:], strict=False)
    ]
    found = titles.find_title([ln.text for ln in lines], together)
    return found.text[:_MAX_TITLE] if found else None


def _drop_running_lines(pages: list[_Page]) -> None:
    """Page headers and footers: the first or last line of a page, in its top or bottom tenth,
    that repeats (digits aside) at that end of at least two pages and half of them, or that is a
    browser's print header or footer (the date and time, the page address)."""
    ends: dict[tuple[int, str], int] = {}

    def end_lines(page: _Page) -> list[tuple[int, int, _Line]]:
        out = []
        for end, idx in ((0, 0), (1, len(page.items) - 1)):
            if not page.items:
                continue
            line = page.items[idx][1]
            if not isinstance(line, _Line) or page.height <= 0:
                continue
            near = line.top < 0.1 * page.height if end == 0 else line.bottom > 0.9 * page.height
            if near:
                out.append((end, idx, line))
        return out

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", "".join(line.text.split()))

    for page in pages:
        for end, _, line in end_lines(page):
            ends[(end, key(line))] = ends.get((end, key(line)), 0) + 1
    need = max(2, (len(pages) + 1) // 2)
    for page in pages:
        drop = {
            idx
            for end, idx, line in end_lines(page)
            if ends[(end, key(line))] >= need or titles.is_print_furniture(line.text)
        }
        if drop:
            page.items = [item for i, item in enumerate(page.items) if i not in drop]


def _ranges(numbers: list[int]) -> str:
    out: list[str] = []
    for n in numbers:
        if out and out[-1].split("-")[-1] == str(n - 1):
            out[-1] = f"{out[-1].split('-')[0]}-{n}"
        else:
            out.append(str(n))
    return ", ".join(out)
