"""The PDF reader's fast paths read what their plain versions read, on every committed PDF and on
generated ones: a page's image share, measured while the reader walks the page's objects (plain:
pypdfium2's object iterator on the page loaded again), the characters' upright boxes and the
plausible-box choice (tight glyph boxes fetched only where a loose box is tall)."""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from pipelines.parsing.readers import pdf as pdfr

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "corpus" / "real"


def _plain_share(pdf: pdfium.PdfDocument, index: int) -> float:
    page = pdf[index]
    try:
        w, h = page.get_size()
        if w <= 0 or h <= 0:
            return 0.0
        best = 0.0
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
            x0, y0, x1, y1 = obj.get_bounds()
            best = max(best, max(0.0, x1 - x0) * max(0.0, y1 - y0) / (w * h))
        return best
    finally:
        page.close()


def _with_images() -> bytes:
    """Pages with an image drawn directly, inside a form, inside forms three deep (not counted),
    and none."""
    picture = ImageReader(Image.fromarray(np.full((40, 60, 3), 128, dtype=np.uint8)))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawImage(picture, 50, 50, 300, 200)
    c.drawString(72, 800, "text")
    c.showPage()
    c.beginForm("inner")
    c.drawImage(picture, 0, 0, 400, 500)
    c.endForm()
    c.doForm("inner")
    c.drawImage(picture, 10, 10, 20, 20)
    c.showPage()
    c.beginForm("deep")
    c.drawImage(picture, 0, 0, 500, 700)
    c.endForm()
    for name, inner in (("d1", "deep"), ("d2", "d1"), ("d3", "d2")):
        c.beginForm(name)
        c.doForm(inner)
        c.endForm()
    c.doForm("d3")
    c.showPage()
    c.drawString(72, 800, "no image")
    c.showPage()
    c.save()
    return buf.getvalue()


def _files() -> list[tuple[str, bytes]]:
    found = [*sorted(REAL.glob("*.pdf")), *sorted((ROOT / "data" / "samples").glob("*.pdf"))]
    return [(p.name, p.read_bytes()) for p in found] + [("images.pdf", _with_images())]


@pytest.mark.parametrize(("name", "data"), _files(), ids=lambda v: v if isinstance(v, str) else "")
def test_image_share_matches_the_object_iterator(name: str, data: bytes) -> None:
    pdf = pdfium.PdfDocument(data)
    try:
        shares = [pdfr._read_page(pdf, i, pdfr._Fallback(data)).image_share for i in range(len(pdf))]
        assert shares == [_plain_share(pdf, i) for i in range(len(pdf))]
    finally:
        pdf.close()
    if name == "images.pdf":
        # direct, in a form, three forms deep (left out), none
        assert shares[0] == pytest.approx(300 * 200 / (A4[0] * A4[1]))
        assert shares[1] == pytest.approx(400 * 500 / (A4[0] * A4[1]))
        assert shares[2] == 0.0 and shares[3] == 0.0


def test_upright_boxes_match_the_frame_transform() -> None:
    rng = random.Random(3)
    values = [0.0, -0.0, 1.5, -2.25, float("nan"), 595.0]
    for rotation in (0, 90, 180, 270):
        for _ in range(500):
            box = tuple(rng.choice([*values, rng.uniform(-100, 900)]) for _ in range(4))
            cropbox = tuple(rng.choice([0.0, -0.0, 10.5, 595.0, 842.0]) for _ in range(4))
            want = pdfr._Char("字", *pdfr._box(pdfr._frame(cropbox, rotation), box))
            assert repr(pdfr._view_chars([("字", box)], cropbox, rotation)) == repr([want])


def test_tall_loose_boxes_get_a_box_around_the_glyph() -> None:
    # nine characters of 10 pt; one loose box 70 pt tall around a glyph 1 x 10 pt, one 25 pt tall
    # around a glyph 8 x 20 pt (not many times the glyph: kept)
    loose = [(float(10 * i), 0.0, float(10 * i + 10), 10.0) for i in range(9)]
    loose += [(100.0, 0.0, 110.0, 70.0), (120.0, 0.0, 130.0, 25.0)]
    tight = {9: (104.5, 20.0, 105.5, 30.0), 10: (121.0, 2.0, 129.0, 22.0)}
    asked: list[int] = []

    def tight_box(i: int) -> pdfr.Box:
        asked.append(i)
        return tight[i]

    found = [("字", box, i) for i, box in enumerate(loose)]
    out = pdfr._plausible(found, tight_box, sideways=False)
    assert asked == [9, 10]  # only the tall ones
    assert out[9] == ("字", (100.0, 20.0, 110.0, 30.0))
    assert out[10] == ("字", loose[10]) and out[:9] == [("字", b) for b in loose[:9]]
