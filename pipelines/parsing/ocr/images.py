"""Page images from files and from PDF pages, with limits checked before anything is decoded.

Limits (README, "Adding sources"): a report read by OCR has at most MAX_PAGES pages; an image
file may hold at most MAX_PIXELS pixels and MAX_SIDE pixels on a side, read from its header
before its pixels are decoded; a PDF page is rasterised at DPI (less for an oversized page, and
refused beyond MAX_PIXELS at MIN_DPI).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np

from pipelines.model import UnreadableInput

MAX_PAGES = 60  # a report runs to a dozen pages; a scanned volume is not one report
MAX_PIXELS = 60_000_000  # an A4 page at 600 dpi is 35 million
MAX_SIDE = 16_000
DPI = 200.0  # PDF pages are rasterised at this resolution
MIN_DPI = 100.0

# magic bytes -> image kind
_MAGIC = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff")


def image_kind(data: bytes) -> str | None:
    """ "jpeg", "png" or "tiff" from the first bytes, else None."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


def decode(data: bytes, name: str = "") -> Iterator[tuple[np.ndarray, float | None]]:
    """The pages of an image file (a TIFF may hold several) as BGR arrays with the dpi the file
    states (None when it states none or an implausible one). Raises UnreadableInput for a file
    that cannot be decoded or breaks the limits, before decoding its pixels."""
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = None  # our own limit below, checked from the header
    label = f"{name}: " if name else ""
    try:
        img = Image.open(io.BytesIO(data))
    except Exception as exc:  # Pillow raises many kinds for broken files
        raise UnreadableInput(f"{label}image cannot be decoded: {type(exc).__name__}") from None
    frames = getattr(img, "n_frames", 1)
    if frames > MAX_PAGES:
        raise UnreadableInput(
            f"{label}image file of {frames} pages: OCR reads at most {MAX_PAGES} pages (a report has about a dozen)"
        )
    for i in range(frames):
        try:
            img.seek(i)
        except EOFError:
            break
        w, h = img.size
        if w * h > MAX_PIXELS or max(w, h) > MAX_SIDE:
            raise UnreadableInput(
                f"{label}image of {w} × {h} pixels is too large to read (limit {MAX_PIXELS // 1_000_000} million "
                f"pixels, {MAX_SIDE} on a side)"
            )
        try:
            frame = ImageOps.exif_transpose(img) if i == 0 else img.copy()
            rgb = np.asarray((frame or img).convert("RGB"))
        except Exception as exc:
            raise UnreadableInput(f"{label}image cannot be decoded: {type(exc).__name__}") from None
        dpi = _stated_dpi(img.info.get("dpi"), rgb.shape[1], rgb.shape[0])
        yield np.ascontiguousarray(rgb[:, :, ::-1]), dpi


def _stated_dpi(value: object, w: int, h: int) -> float | None:
    try:
        dpi = float(value[0]) if isinstance(value, tuple) else None
    except (TypeError, ValueError):
        return None
    if dpi is None or not 90 <= dpi <= 1200:
        return None
    width_in = min(w, h) / dpi
    return dpi if 5.0 <= width_in <= 13.0 else None  # A5 to A3: a page, not a default of 72


def page_scale(width_pt: float, height_pt: float) -> float:
    """Render scale for a PDF page (pixels per point), lowered for an oversized page; raises
    UnreadableInput for a page too large even at MIN_DPI."""
    for dpi in (DPI, MIN_DPI):
        s = dpi / 72.0
        if width_pt * s * height_pt * s <= MAX_PIXELS and max(width_pt, height_pt) * s <= MAX_SIDE:
            return s
    raise UnreadableInput(
        f"PDF page of {width_pt:.0f} × {height_pt:.0f} points is too large to rasterise for OCR"
    )
