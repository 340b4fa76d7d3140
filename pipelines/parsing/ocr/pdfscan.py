"""Scanned pages of a PDF: which pages need OCR, rasterised while the PDF is open.

A page needs OCR when it has no text layer but draws something (an image-only scan); when its
only text is invisible over a large image (a scanner's own OCR layer, whose digits are not to be
trusted); or when the document's text layer never names the statutory tables' labels while some
pages carry a large image (an OCR layer that lost the tables, or a text report whose tables were
pasted in as pictures). Those pages are read from their pixels; the other pages keep their text
layer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pypdfium2 as pdfium

from pipelines.model import Document, UnreadableInput
from pipelines.parsing.ocr import images as im
from pipelines.parsing.ocr import reader
from pipelines.parsing.readers import pdf as pdfr

# Any of these in a text layer shows it holds the statutory tables.
_TABLE_LABELS = ("本年新收", "申请人情况", "行政复议", "主动公开政府信息情况")
# An image covering this share of a page makes it a scanned page.
_IMAGE_SHARE = 0.3


def _page_text(page: Any) -> str:
    parts: list[str] = []
    for _, item in page.items:
        if isinstance(item, pdfr._Line):
            parts.append(item.text)
        else:
            parts += [c.text for row in item for c in row]
    return "".join("".join(parts).split())


def _image_share(page: Any) -> float:
    """The share of a page that its largest image covers (measured when the reader read the page)."""
    if page.image_share is None:
        raise pdfium.PdfiumError("Failed to locate pageobject.")
    return float(page.image_share)


def _ocr_layer(pdf: Any, index: int) -> bool:
    """Is all the page's text invisible (render mode 3), as a scanner's OCR layer is?"""
    import pypdfium2.raw as pdfium_c

    page = pdf[index]
    try:
        texts = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=3))
        return bool(texts) and all(
            pdfium_c.FPDFTextObj_GetTextRenderMode(t.raw) == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE
            for t in texts
        )
    finally:
        page.close()


def scanned_pages(pdf: Any, pages: list[Any]) -> dict[int, tuple[np.ndarray, float]]:
    """Page number -> (BGR image, dpi) for every page to be read by OCR; {} for a text PDF."""
    need = [p.number for p in pages if p.chars == 0 and p.graphics]
    need += [
        p.number
        for p in pages
        if p.chars and p.graphics and _image_share(p) >= _IMAGE_SHARE and _ocr_layer(pdf, p.number - 1)
    ]
    if not any(label in _page_text(p) for p in pages for label in _TABLE_LABELS):
        need = sorted({*need, *(p.number for p in pages if _image_share(p) >= _IMAGE_SHARE)})
    if not need:
        return {}
    if len(need) > im.MAX_PAGES:
        raise UnreadableInput(
            f"scanned PDF of {len(need)} pages: OCR reads at most {im.MAX_PAGES} pages (a report has about a dozen)"
        )
    out: dict[int, tuple[np.ndarray, float]] = {}
    for number in need:
        page = pdf[number - 1]
        try:
            scale = im.page_scale(*page.get_size())
            bitmap = page.render(scale=scale, may_draw_forms=False)
            arr = bitmap.to_numpy()
            # PDFium renders BGR(A)
            out[number] = (np.ascontiguousarray(arr[:, :, :3]) if arr.ndim == 3 else arr.copy(), scale * 72.0)
        finally:
            page.close()
    return out


def document(pages: list[Any], scans: dict[int, tuple[np.ndarray, float]], notes: list[str]) -> Document:
    """The PDF's pages with the scanned ones read by OCR -> Document (medium "scan")."""
    results = [reader.read_page(img, number, dpi) for number, (img, dpi) in sorted(scans.items())]
    by_number = {r.page.number: r.page for r in results}
    merged = [by_number.get(p.number, p) for p in pages]
    text_pages = len(pages) - len(results)
    note = f"page(s) {_ranges(sorted(by_number))} read by OCR" + (
        f", {text_pages} from the text layer" if text_pages else ""
    )
    return reader.document(results, merged, [note, *notes])


def _ranges(numbers: list[int]) -> str:
    return pdfr._ranges(numbers)
