"""Reports as scans: the text-layer PDF of a report rasterised and degraded like a scanner or a
phone camera would, then packed the way publishers post scans.

Degradations (each a quirk in the expected JSON, so `gongkai bench accuracy` has a row for it):
`dpi150`/`dpi200`/`dpi300` (the scan's resolution), `skew` (±0.3–2°), `blur`, `noise` (grain and
specks), `jpeg` (strong compression), `seal` (a red seal over the signature on the last page),
`page_border` (the scanner lid's dark edges), `photo` (a phone photo: the page on a dark desk,
in perspective, unevenly lit).

Packing (one per report): `scan_pdf` (an image-only PDF), `ocr_layer` (the same with a scanner's
invisible OCR layer that lost the tables), `mixed_pdf` (the text pages kept, the table pages
scanned), `image_series` (one JPEG or PNG per page, `<name>_p1.jpg`, `<name>_p2.jpg`, ...),
`tiff` (one multi-page TIFF), `long_image` (all pages stacked in one PNG).

Everything random comes from the draft's seeded generator, so the same seed gives the same bytes.
"""

from __future__ import annotations

import io
import random
from typing import Any

import numpy as np

PACKINGS = ("scan_pdf", "ocr_layer", "mixed_pdf", "image_series", "tiff", "long_image")
DEGRADATIONS = ("skew", "blur", "noise", "jpeg", "seal", "page_border", "photo")
A4 = (595.2756, 841.8898)


def choose(quirk_rates: dict[str, float], rng: random.Random) -> list[str]:
    """The scan quirks of one report: a resolution, a packing, and degradations."""
    resolutions = ("dpi150", "dpi200", "dpi300")
    out = [rng.choices(resolutions, [quirk_rates[r] for r in resolutions])[0]]
    packing = "scan_pdf"
    for name in PACKINGS[1:]:
        if rng.random() < quirk_rates[name]:
            packing = name
            break
    out.append(packing)
    for name in DEGRADATIONS:
        if name == "photo" and packing != "image_series":
            continue
        if rng.random() < quirk_rates[name]:
            out.append(name)
    return out


def file_name(stem: str, quirks: list[str]) -> str:
    """The report's (first) file: `<stem>.pdf`, `<stem>_p1.jpg`, `<stem>.tif`, `<stem>.png`."""
    if "image_series" in quirks:
        return f"{stem}_p1.{'jpg' if 'photo' in quirks or 'jpeg' in quirks else 'png'}"
    if "tiff" in quirks:
        return f"{stem}.tif"
    if "long_image" in quirks:
        return f"{stem}.png"
    return f"{stem}.pdf"


def _cv2() -> Any:
    import cv2

    cv2.setNumThreads(1)
    return cv2


def rasterise(pdf: bytes, dpi: float) -> list[np.ndarray]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        pages = []
        for i in range(len(doc)):
            page = doc[i]
            arr = page.render(scale=dpi / 72.0).to_numpy()
            pages.append(np.ascontiguousarray(arr[:, :, :3]))  # BGR
            page.close()
        return pages
    finally:
        doc.close()


def _seal(img: np.ndarray, rng: np.random.Generator, dpi: float) -> np.ndarray:
    """A red round seal over the lowest text on the right half of the page (the signature)."""
    cv2 = _cv2()
    h, w = img.shape[:2]
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    ink_rows = np.flatnonzero((gray[:, w // 2 :] < 128).sum(axis=1) > 2)
    cy = int(ink_rows[-1]) - int(0.1 * dpi) if ink_rows.size else int(0.75 * h)
    cols = np.flatnonzero((gray[max(0, cy - 20) : cy + 20, w // 2 :] < 128).sum(axis=0) > 0)
    cx = w // 2 + (int(cols.mean()) if cols.size else w // 4)
    r = int(0.8 * dpi)  # a seal 4 cm across
    layer = np.full_like(img, 255)
    red = (int(rng.integers(20, 60)), int(rng.integers(20, 60)), int(rng.integers(200, 240)))
    thick = max(2, int(0.04 * dpi))
    cv2.circle(layer, (cx, cy), r, red, thick, cv2.LINE_AA)
    cv2.circle(layer, (cx, cy), int(r * 0.93), red, max(1, thick // 3), cv2.LINE_AA)
    star = []
    for k in range(10):
        rad = r * (0.32 if k % 2 == 0 else 0.13)
        a = -np.pi / 2 + k * np.pi / 5
        star.append((int(cx + rad * np.cos(a)), int(cy + rad * np.sin(a))))
    cv2.fillPoly(layer, [np.array(star, dtype=np.int32)], red, cv2.LINE_AA)
    # the organ's name around the rim, as short strokes
    for k in range(18):
        a = np.pi * (0.85 + 1.3 * k / 17)
        x, y = cx + 0.72 * r * np.cos(a), cy + 0.72 * r * np.sin(a)
        cv2.rectangle(
            layer, (int(x - 0.06 * r), int(y - 0.06 * r)), (int(x + 0.06 * r), int(y + 0.06 * r)), red, -1
        )
    cv2.line(
        layer, (cx - int(0.45 * r), cy + int(0.5 * r)), (cx + int(0.45 * r), cy + int(0.5 * r)), red, thick
    )
    mottle = rng.random(layer.shape[:2]) < 0.15  # ink that did not take
    layer[mottle] = 255
    return np.minimum(img, layer)  # red over black text leaves the text dark


def _border(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    out = img.copy()
    for side in rng.choice(4, size=int(rng.integers(1, 3)), replace=False):
        depth = int(rng.integers(8, 40))
        shade = int(rng.integers(20, 90))
        if side == 0:
            out[:depth] = shade
        elif side == 1:
            out[-depth:] = shade
        elif side == 2:
            out[:, :depth] = shade
        else:
            out[:, -depth:] = shade
    return out


def _photo(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The page on a dark desk, photographed at a slant, lit from one side."""
    cv2 = _cv2()
    h, w = img.shape[:2]
    margin = int(0.08 * max(h, w))
    ch, cw = h + 2 * margin, w + 2 * margin
    desk = np.empty((ch, cw, 3), dtype=np.uint8)
    base = rng.integers(40, 90, size=3)
    grad = np.linspace(0.8, 1.1, cw)[None, :, None]
    desk[:] = np.clip(base[None, None, :] * grad, 0, 255).astype(np.uint8)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    jitter = rng.uniform(0.01, 0.05, size=(4, 2)) * np.array([w, h], dtype=np.float64)
    signs = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]])
    dst = (src + margin + signs * jitter).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(
        img, m, (cw, ch), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT, dst=desk
    )
    light = np.linspace(float(rng.uniform(0.78, 0.9)), 1.0, ch)[:, None, None]
    if rng.random() < 0.5:
        light = light[::-1]
    return np.clip(warped.astype(np.float32) * light, 0, 255).astype(np.uint8)


def degrade(pages: list[np.ndarray], quirks: list[str], dpi: float, seed: int) -> list[np.ndarray]:
    cv2 = _cv2()
    rng = np.random.default_rng(seed)
    out = []
    for i, img in enumerate(pages):
        if "seal" in quirks and i == len(pages) - 1:
            img = _seal(img, rng, dpi)
        if "page_border" in quirks:
            img = _border(img, rng)
        if "skew" in quirks:
            angle = float(rng.uniform(0.3, 2.0)) * (1 if rng.random() < 0.5 else -1)
            h, w = img.shape[:2]
            m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
            img = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
        if "photo" in quirks:
            img = _photo(img, rng)
        if "blur" in quirks:
            img = cv2.GaussianBlur(img, (0, 0), float(rng.uniform(0.5, 0.9)) * dpi / 150)
        if "noise" in quirks:
            grain = rng.normal(0, float(rng.uniform(5, 12)), img.shape[:2])[:, :, None]
            img = np.clip(img.astype(np.float32) + grain, 0, 255).astype(np.uint8)
            specks = rng.random(img.shape[:2]) < 0.0004
            img[specks] = 0
        out.append(img)
    return out


def _jpeg(img: np.ndarray, quality: int) -> bytes:
    cv2 = _cv2()
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return buf.tobytes()


def _png(img: np.ndarray) -> bytes:
    cv2 = _cv2()
    ok, buf = cv2.imencode(".png", img, [cv2.IMWRITE_PNG_COMPRESSION, 6])
    assert ok
    return buf.tobytes()


def _image_pdf(jpegs: list[bytes], ocr_text: list[str] | None = None) -> bytes:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    from pipelines.synth.render_pdf import FONT, _register

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    c.setCreator("Scanner")
    if ocr_text:
        _register()
    for i, data in enumerate(jpegs):
        image = ImageReader(io.BytesIO(data))
        w, h = image.getSize()
        size = A4 if h >= w else (A4[1], A4[0])  # a landscape page (a rotated table) stays one
        c.setPageSize(size)
        c.drawImage(image, 0, 0, width=size[0], height=size[1])
        if ocr_text and i < len(ocr_text):
            t = c.beginText(60, A4[1] - 80)
            t.setTextRenderMode(3)  # invisible, as a scanner's OCR layer
            t.setFont(FONT, 12)
            t.textLine(ocr_text[i])
            c.drawText(t)
        c.showPage()
    c.save()
    return buf.getvalue()


def _mixed(text_pdf: bytes, scanned_pdf: bytes, scanned: set[int]) -> bytes:
    import pypdfium2 as pdfium

    text, scan = pdfium.PdfDocument(text_pdf), pdfium.PdfDocument(scanned_pdf)
    out = pdfium.PdfDocument.new()
    try:
        for i in range(len(text)):
            out.import_pages(scan if i in scanned else text, [i])
        buf = io.BytesIO()
        out.save(buf)
        return buf.getvalue()
    finally:
        out.close()
        text.close()
        scan.close()


def _table_pages(pdf: bytes) -> set[int]:
    """Pages of a text-layer PDF that hold table rules (the pages a mixed PDF scans)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        out = set()
        for i in range(len(doc)):
            text = doc[i].get_textpage().get_text_range()
            if any(k in text for k in ("本年新收", "行政复议", "主动公开")):
                out.add(i)
        out.discard(0)  # the title page keeps its text layer
        return out or {len(doc) - 1}
    finally:
        doc.close()


def render(pdf: bytes, quirks: list[str], file: str, seed: int, title: str) -> list[tuple[str, bytes]]:
    """The scan files of a report: [(file name, bytes)], the first named `file`."""
    dpi = float(next(q for q in quirks if q.startswith("dpi"))[3:])
    pages = rasterise(pdf, dpi)
    if "long_image" in quirks:
        # pages stacked as one picture, then scanned or compressed as one
        width = max(im.shape[1] for im in pages)  # a landscape page is wider: pad the others
        padded = [np.pad(im, ((0, 0), (0, width - im.shape[1]), (0, 0)), constant_values=255) for im in pages]
        (long,) = degrade([np.vstack(padded)], quirks, dpi, seed)
        return [(file, _png(long))]
    pages = degrade(pages, quirks, dpi, seed)
    quality = 40 + seed % 16 if "jpeg" in quirks else 88
    stem = file.rsplit(".", 1)[0]
    if "image_series" in quirks:
        stem = stem[: -len("_p1")]
        ext = file.rsplit(".", 1)[1]
        enc = (lambda im: _jpeg(im, quality)) if ext == "jpg" else _png
        return [(f"{stem}_p{i + 1}.{ext}", enc(im)) for i, im in enumerate(pages)]
    if "tiff" in quirks:
        from PIL import Image

        frames = [Image.fromarray(im[:, :, ::-1]) for im in pages]
        buf = io.BytesIO()
        frames[0].save(
            buf,
            format="TIFF",
            save_all=True,
            append_images=frames[1:],
            compression="tiff_deflate",
            dpi=(dpi, dpi),
        )
        return [(file, buf.getvalue())]
    jpegs = [_jpeg(im, quality) for im in pages]
    if "ocr_layer" in quirks:
        # the scanner's OCR kept a garbled title and lost the tables
        garbled = "".join(ch if i % 3 else "口" for i, ch in enumerate(title))
        return [(file, _image_pdf(jpegs, [garbled] + ["一 二 三" for _ in jpegs[1:]]))]
    if "mixed_pdf" in quirks:
        scanned = _table_pages(pdf)
        return [(file, _mixed(pdf, _image_pdf(jpegs), scanned))]
    return [(file, _image_pdf(jpegs))]
