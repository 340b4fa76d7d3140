"""Page images -> Document (medium "scan"), through the PDF reader's own table and text code.

Each page is cleaned (pipelines.parsing.ocr.page), its rulings become the PDF reader's segments and
lattices, the ink of every ruled cell and of every text line outside the tables is read by the
engine, and each recognised character becomes a character with a box, in points of the clean
page: from there `_table`, `_lines` and `_document` of pipelines.parsing.readers.pdf build the grids, the
text rows of unruled tables and the paragraphs exactly as they do for a text-layer PDF. So the
mapper sees the same grids from a scan as from the PDF it was printed from.

Every grid cell keeps its page and its box in the source image's pixels (GridCell.bbox), and the
characters read in it with their probabilities and alternatives (GridCell.ocr), which
pipelines.parsing.ocr.digits checks against the sum rules.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from pipelines.model import Document, UnreadableInput
from pipelines.parsing.numbers import parse_value
from pipelines.parsing.ocr import page as pg
from pipelines.parsing.ocr.engine import DIRT, DOUBT, Engine, Glyph, Reading, default_engine, dirt
from pipelines.parsing.readers import pdf as pdfr

# A run of ink is cut where the gap is wider than this many line heights (the PDF reader's cell
# gap), so that the cells of a table printed without rules stay apart.
_RUN_GAP = 1.0
# Pages whose ink covers more than this share are photographs or dark scans, not text.
_MAX_INK = 0.22
# Text runs per page beyond which a page is noise, not text (a dense page has about 600).
_MAX_RUNS = 2500
# A cell of nothing but these is a dash ("—" for zero): 一 looks the same to the model.
_DASHES = set("一—–-－―_~")
# Marks that never stand beside a Chinese character in a report (its punctuation is full-width).
_NEVER_IN_WORDS = set(".'`\"#+*^~_=|\\!?π")
# A page image holding fewer recognised characters than this is not a page of a report.
MIN_CHARS = 20


@dataclass(slots=True)
class OcrChar:
    """A recognised character in points of the clean page, with its glyph."""

    char: pdfr._Char
    glyph: Glyph


@dataclass
class PageResult:
    page: pdfr._Page
    chars: list[OcrChar]
    clean: pg.CleanPage
    skipped: str | None = None  # why the page was not read (a photograph, noise)


def read_page(image: np.ndarray, number: int, dpi: float | None, engine: Engine | None = None) -> PageResult:
    """One page image -> the PDF reader's _Page (tables and lines), with the characters read."""
    engine = engine or default_engine()
    cp = pg.clean(image, dpi)
    if cp.ink.mean() > _MAX_INK:
        return _skipped(number, cp, f"page {number} is mostly dark (a photograph or a dark scan), not text")
    pt = cp.pt
    hs, vs, rule_mask = pg.rulings(cp.ink, cp.dpi)
    text_ink = cp.ink & (1 - rule_mask)
    horizontal = pdfr._join([pdfr._Segment(h.pos * pt, h.start * pt, h.end * pt) for h in hs])
    vertical = pdfr._join([pdfr._Segment(v.pos * pt, v.start * pt, v.end * pt) for v in vs])
    lattices = pdfr._lattices(horizontal, vertical)
    runs: list[tuple[pg.Run, int]] = []  # (run, its ruled cell or -1)
    cell_id = 0
    outside = text_ink.copy()
    for lat in lattices:
        xs = pdfr._cluster([v.pos for v in lat.vertical])
        ys = pdfr._cluster([h.pos for h in lat.horizontal])
        if len(xs) < 2 or len(ys) < 2:
            continue
        lat.xs, lat.ys = xs, ys
        n_rows, n_cols = len(ys) - 1, len(xs) - 1
        region = pdfr._regions(lat, n_rows, n_cols)
        if len(set(region)) < 2:
            continue  # a frame around the page or a paragraph, not a table
        boxes: dict[int, list[float]] = {}
        for k, r in enumerate(region):
            i, j = divmod(k, n_cols)
            b = boxes.setdefault(r, [xs[j], ys[i], xs[j + 1], ys[i + 1]])
            b[0], b[1] = min(b[0], xs[j]), min(b[1], ys[i])
            b[2], b[3] = max(b[2], xs[j + 1]), max(b[3], ys[i + 1])
        inset = 1 + int(round(0.5 / pt))  # half a point inside the rulings
        for b in boxes.values():
            x0, y0, x1, y1 = (int(round(v / pt)) for v in b)
            cell_id += 1
            for run in pg.text_lines(
                text_ink, x0 + inset, y0 + inset, x1 - inset + 1, y1 - inset + 1, _RUN_GAP
            ):
                runs.append((run, cell_id))
        gx0, gy0, gx1, gy1 = (int(round(v / pt)) for v in (xs[0], ys[0], xs[-1], ys[-1]))
        outside[max(0, gy0 - 2) : gy1 + 3, max(0, gx0 - 2) : gx1 + 3] = 0
    h, w = outside.shape
    runs += [(run, -1) for run in pg.text_lines(outside, 0, 0, w, h, _RUN_GAP)]
    runs = _without_specks(runs, pt)
    if len(runs) > _MAX_RUNS:
        return _skipped(
            number, cp, f"page {number} is not text: {len(runs)} specks of ink (a photograph or noise)"
        )
    lines = _stacks([run for run, _ in runs], [cell for _, cell in runs])
    readings = engine.recognize([_line_image(cp.gray, [r.box for r in group]) for group in lines])
    chars: list[OcrChar] = []
    for group, reading in zip(lines, readings, strict=True):
        for run, part in zip(group, _split([r.box for r in group], reading), strict=True):
            chars += _chars(run, part[1], pt)
    result = pdfr._Page(number, len(chars), 1, 0, notes=[])
    rest = [c.char for c in chars]
    for lat in lattices:
        if not lat.xs:
            continue
        lat.xs, lat.ys = [], []
        rows, rest = pdfr._table(lat, rest, number)
        if rows:
            result.items.append((lat.ys[0], rows))
    result.items += [(line.top, line) for line in pdfr._lines(rest, number)]
    result.items.sort(key=lambda item: item[0])
    pdfr._drop_page_numbers(result.items)
    return PageResult(result, chars, cp)


def _skipped(number: int, cp: pg.CleanPage, why: str) -> PageResult:
    """A page that is not text (a cover photo in a scanned PDF): left out, with the reason."""
    return PageResult(pdfr._Page(number, 0, 1, 0, notes=[]), [], cp, why)


def _stacks(runs: list[pg.Run], cells: list[int]) -> list[list[pg.Run]]:
    """Runs to read together: a cell printing its label one character per line (三、本年度办理结果
    down a narrow column) is read as one line, since a lone character has no context; every other
    run is read alone."""
    boxes = [r.box for r in runs]
    by_cell: dict[int, list[int]] = {}
    for i, c in enumerate(cells):
        if c >= 0:
            by_cell.setdefault(c, []).append(i)
    stacked: dict[int, list[int]] = {}
    for members in by_cell.values():
        if len(members) >= 3 and all(
            boxes[i][2] - boxes[i][0] <= 1.5 * (boxes[i][3] - boxes[i][1]) for i in members
        ):
            stacked[members[0]] = members
    skip = {i for m in stacked.values() for i in m[1:]}
    return [[runs[j] for j in stacked.get(i, [i])] for i in range(len(runs)) if i not in skip]


def _line_image(gray: np.ndarray, boxes: list[pg.Box]) -> np.ndarray:
    """One run's crop, or the crops of a stack side by side at a common height."""
    import cv2

    if len(boxes) == 1:
        return _crop(gray, boxes[0])
    crops = [_crop(gray, b) for b in boxes]
    height = max(c.shape[0] for c in crops)
    parts = []
    for c in crops:
        pad = height - c.shape[0]
        parts.append(
            cv2.copyMakeBorder(c, pad // 2, pad - pad // 2, 0, 0, cv2.BORDER_CONSTANT, value=(255, 255, 255))
        )
    return np.hstack(parts)


def _split(boxes: list[pg.Box], reading: Reading) -> list[tuple[pg.Box, Reading]]:
    """A stack's reading back to its runs: each glyph to the run its position falls in, with its
    position as a share of that run's crop."""
    if len(boxes) == 1:
        return [(boxes[0], reading)]
    widths = [(b[2] - b[0]) + 2 * max(2, int(0.25 * (b[3] - b[1]))) for b in boxes]
    total = float(sum(widths))
    edges = np.cumsum([0, *widths]) / total
    parts: list[list[Glyph]] = [[] for _ in boxes]
    for g in reading.glyphs:
        k = min(int(np.searchsorted(edges, g.x, side="right")) - 1, len(boxes) - 1)
        k = max(k, 0)
        share = (g.x - edges[k]) / max(edges[k + 1] - edges[k], 1e-9)
        parts[k].append(Glyph(g.text, g.prob, g.alts, min(1.0, max(0.0, share))))
    return [(b, Reading(tuple(p))) for b, p in zip(boxes, parts, strict=True)]


def _without_specks(runs: list[tuple[pg.Run, int]], pt: float) -> list[tuple[pg.Run, int]]:
    """Runs smaller than 3 points both ways are dirt (a dash for zero is flat but as wide as a
    character)."""
    small = 3.0 / pt
    return [(r, t) for r, t in runs if r.box[3] - r.box[1] >= small or r.box[2] - r.box[0] >= small]


def _crop(gray: np.ndarray, box: pg.Box) -> np.ndarray:
    """The line image: tight around the ink vertically (the model reads a lone 0 as 。 when it
    is small in its line), a little margin on each side."""
    import cv2

    x0, y0, x1, y1 = (int(v) for v in box)
    height = max(1, y1 - y0)
    pad_y = max(1, int(0.08 * height))
    pad_x = max(2, int(0.25 * height))
    hh, ww = gray.shape
    crop = gray[max(0, y0 - pad_y) : min(hh, y1 + pad_y), max(0, x0 - pad_x) : min(ww, x1 + pad_x)]
    return cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)


def _chars(run: pg.Run, reading: Reading, pt: float) -> list[OcrChar]:
    """Characters with boxes in points: centres where the model read them, edges half way to the
    neighbours (so a run has no inner gaps and stays one cell), top and bottom those of the
    run's line (so that the runs of one line group as one, whatever their characters' heights)."""
    x0, y0, x1, y1 = run.box
    top, bottom = run.band
    height = max(1.0, y1 - y0)
    pad_x = max(2, int(0.25 * height))
    left, width = x0 - pad_x, (x1 - x0) + 2 * pad_x
    glyphs = [g for g in reading.glyphs if g.text.strip() or (not g.text and g.alts)]
    glyphs = [g for i, g in enumerate(glyphs) if not _speck_in_words(glyphs, i)]
    centres = [left + g.x * width for g in glyphs]
    out: list[OcrChar] = []
    for i, (g, cx) in enumerate(zip(glyphs, centres, strict=True)):
        a = x0 if i == 0 else (centres[i - 1] + cx) / 2
        b = x1 if i == len(glyphs) - 1 else (cx + centres[i + 1]) / 2
        if b <= a:
            b = a + 0.1
        text = _normal(g.text)
        out.append(OcrChar(pdfr._Char(text, a * pt, top * pt, b * pt, bottom * pt), g))
    # a possibly missed character is a glyph without text: it has a place, not a character
    return [c for c in out if c.char.text or c.glyph.alts]


def _speck_in_words(glyphs: list[Glyph], i: int) -> bool:
    """A mark beside a Chinese character that Chinese text does not print there: a speck of dirt
    (科研机.构); full-width punctuation is not such a mark."""
    g = glyphs[i]
    if g.text not in DIRT:
        return False
    beside = [glyphs[j].text for j in (i - 1, i + 1) if 0 <= j < len(glyphs)]
    if not any(_ideograph(t) for t in beside) or any(t.isdigit() for t in beside):
        return False  # "1.属于国家秘密" keeps its point
    return g.prob < DOUBT or g.text in _NEVER_IN_WORDS


def _ideograph(text: str) -> bool:
    return len(text) == 1 and "\u4e00" <= text <= "\u9fff"


def _normal(text: str) -> str:
    """Full-width digits and letters as the PDF reader's fonts give them (NFKC leaves CJK
    punctuation alone)."""
    return unicodedata.normalize("NFKC", text) if text.isascii() is False and text.isalnum() else text


def read_pages(
    images: Iterable[tuple[np.ndarray, float | None]], first: int = 1, engine: Engine | None = None
) -> list[PageResult]:
    return [read_page(img, first + i, dpi, engine) for i, (img, dpi) in enumerate(images)]


def read_images(files: list[tuple[bytes, str]]) -> Document:
    """Image files (one, or the pages of a series in order) -> Document (medium "scan")."""
    from pipelines.parsing.ocr import images as im

    pages: list[tuple[np.ndarray, float | None]] = []
    for data, name in files:
        for page in im.decode(data, name if len(files) > 1 else ""):
            pages.append(page)
            if len(pages) > im.MAX_PAGES:
                raise UnreadableInput(f"more than {im.MAX_PAGES} page images: not one report")
    notes = (
        [f"{len(files)} image files read as one report: {', '.join(n for _, n in files)}"]
        if len(files) > 1
        else []
    )
    return document(read_pages(pages), None, notes)


def document(
    results: list[PageResult], pages: list[pdfr._Page] | None = None, notes: list[str] | None = None
) -> Document:
    """Pages read by OCR (among `pages`, the PDF's pages, when some kept their text layer) ->
    Document, with every OCR'd cell's box in source pixels and its glyphs."""
    pages = pages if pages is not None else [r.page for r in results]
    for p in pages:
        p.items = [(y, it) for y, it in p.items if not (isinstance(it, pdfr._Line) and not it.text.strip())]
    if sum(len([c for c in r.chars if c.char.text]) for r in results) < MIN_CHARS:
        why = "; ".join(r.skipped for r in results if r.skipped)
        raise UnreadableInput(
            "no text recognised on the page(s): a blank page, a photograph or a stamp, not a report"
            + (f" ({why})" if why else "")
        )
    doc = pdfr._document(pages)
    doc.medium = "scan"
    attach(doc, results)
    doc.notes = [n for n in doc.notes if "no text layer" not in n]
    doc.notes += notes or []
    for r in results:
        if r.skipped:
            doc.notes.append(f"{r.skipped}: not read")
        for note in r.clean.notes:
            doc.notes.append(f"page {r.page.number}: {note}")
    return doc


def attach(doc: Document, results: list[PageResult]) -> None:
    """Give every grid cell of the OCR'd pages its glyphs and its box in source pixels; a merged
    cell's copies (spanned) take the text of the cell they copy."""
    by_page = {r.page.number: r for r in results}
    texts: dict[tuple[int, tuple[float, ...]], str] = {}
    cells = [c for grid in doc.tables for row in grid.rows for c in row]
    for cell in sorted(cells, key=lambda c: c.spanned):  # the cells themselves, then their copies
        r = by_page.get(cell.page or -1)
        if r is None or cell.bbox is None:
            continue
        x0, y0, x1, y1 = cell.bbox
        key = (r.page.number, tuple(cell.bbox))
        if cell.spanned:
            cell.text = texts.get(key, cell.text)
        else:
            inside = [
                c
                for c in r.chars
                if x0 - 0.5 <= (c.char.x0 + c.char.x1) / 2 <= x1 + 0.5
                and y0 - 0.5 <= (c.char.top + c.char.bottom) / 2 <= y1 + 0.5
            ]
            order = {id(c.char): c for c in inside}
            glyphs: list[Glyph] = []
            for line in pdfr._lines([c.char for c in inside], 0):
                glyphs += [order[id(ch)].glyph for ch in line.chars if id(ch) in order]
            cell.ocr = tuple(glyphs)
            if cell.ocr:
                cell.text = _without_dirt(cell.text, cell.ocr)
                if cell.text.strip() and set(cell.text.strip()) <= _DASHES:
                    cell.text = "—"  # a dash for zero, which the model reads as 一 (one)
            texts[key] = cell.text
        pt = r.clean.pt
        cell.bbox = r.clean.source_box((x0 / pt, y0 / pt, x1 / pt, y1 / pt))


def _without_dirt(text: str, glyphs: tuple[Glyph, ...]) -> str:
    """A number with a mark at its start or end (a speck read as "." or "'") -> the number: the
    mapper would take "1." for a label. The glyphs keep what was read."""
    kept = [g for g in glyphs if g.text]
    while kept and dirt(kept[0]) and not (kept[0].text in "+-" and kept[0].prob >= DOUBT):
        kept.pop(0)  # a sign read clearly is a sign (F2019 本年增/减, a negative count)
    while kept and dirt(kept[-1]):
        kept.pop()
    clean = "".join(g.text for g in kept)
    if clean != "".join(g.text for g in glyphs if g.text) and parse_value(clean)[0] == "number":
        return clean
    return text
