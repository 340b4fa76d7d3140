"""Scanned reports: synthetic scans generated here (seconds each), read by OCR, every cell exact
or marked uncertain; the sum-rule check of doubtful digits; image series; bad images."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pipelines import ingest as pipeline
from pipelines import layout
from pipelines.bench.accuracy import score
from pipelines.model import Document, Grid, GridCell, ParsedCell, Provenance, UnreadableInput
from pipelines.parsing.mapper import Mapped
from pipelines.parsing.ocr import digits, series
from pipelines.parsing.ocr.engine import Glyph
from pipelines.parsing.parse import parse_bytes
from pipelines.synth.corpus import generate
from tests.conftest import ingest_files

NO_PACKING = {"ocr_layer": 0.0, "mixed_pdf": 0.0, "image_series": 0.0, "tiff": 0.0, "long_image": 0.0}
NO_DAMAGE = {k: 0.0 for k in ("skew", "blur", "noise", "jpeg", "seal", "page_border", "photo")}


def scan_corpus(out: Path, seed: int, **quirks: float) -> list[Path]:
    """One synthetic report as a scan with the given quirk rates; its expected JSON files."""
    rates = {**NO_PACKING, **NO_DAMAGE, "dpi150": 0.0, "dpi200": 0.0, "dpi300": 0.0, **quirks}
    generate(out, 1, [2023], seed, {"scan": 1.0}, 0.0, rates)
    return sorted(out.glob("*.expected.json"))


def read(expected_path: Path) -> tuple[dict[str, Any], Any]:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    src = expected_path.with_name(expected_path.name[: -len(".expected.json")])
    names = {n[0]: n for n in series.group([p.name for p in src.parent.iterdir()])}
    pages = [src.parent / n for n in names.get(src.name, [src.name])]
    report = series.parse_series(pages) if len(pages) > 1 else parse_bytes(src.read_bytes(), src.name)
    return expected, report


def assert_exact_or_marked(expected: dict[str, Any], report: Any, name: str) -> None:
    fs = score(expected, report, name, "scan")
    unmarked = [w for w in fs.wrong if not w[3]]
    assert not unmarked, unmarked
    assert fs.cells_correct >= 0.99 * fs.cells_total, fs.wrong
    assert all(fs.fields_correct.values()), fs.fields_correct


@pytest.fixture(scope="module")
def series_scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], Any]:
    """Phone-camera-like pages: 150 dpi, skewed, JPEG at low quality, a red seal; as a series."""
    out = tmp_path_factory.mktemp("series")
    (exp,) = scan_corpus(out, 3, image_series=1.0, dpi150=1.0, skew=1.0, jpeg=1.0, seal=1.0)
    expected, report = read(exp)
    return out, expected, report


def test_an_image_series_is_read_with_every_cell(series_scan: tuple[Path, dict[str, Any], Any]) -> None:
    out, expected, report = series_scan
    assert {"image_series", "dpi150", "skew", "jpeg", "seal"} <= set(expected["quirks"])
    assert len(list(out.glob("*_p*.jpg"))) >= 3
    assert report.medium == "scan"
    assert_exact_or_marked(expected, report, "series")
    assert report.sections["s1"] and report.title


def test_every_scanned_cell_has_its_page_box_and_reading(
    series_scan: tuple[Path, dict[str, Any], Any],
) -> None:
    _, _, report = series_scan
    printed = [c for c in report.cells.values() if c.raw]
    assert printed
    for c in printed:
        assert c.provenance.page and c.provenance.bbox, c
        x0, y0, x1, y1 = c.provenance.bbox
        assert 0 <= x0 < x1 and 0 <= y0 < y1  # pixels of the page image
        assert c.note and c.note.startswith("OCR "), c  # the text read and its probability
    seal = [w for w in report.warnings if "seal" in w]
    assert seal, report.warnings


def test_a_mixed_pdf_reads_its_scanned_pages_by_ocr(tmp_path: Path) -> None:
    (exp,) = scan_corpus(tmp_path, 4, mixed_pdf=1.0, dpi200=1.0, noise=1.0, page_border=1.0)
    expected, report = read(exp)
    assert exp.name.endswith(".pdf.expected.json")
    assert any("read by OCR" in w and "from the text layer" in w for w in report.warnings), report.warnings
    assert_exact_or_marked(expected, report, "mixed")


@pytest.mark.slow
def test_a_scanners_ocr_layer_without_the_tables_is_read_again(tmp_path: Path) -> None:
    (exp,) = scan_corpus(tmp_path, 5, ocr_layer=1.0, dpi300=1.0, blur=1.0)
    expected, report = read(exp)
    assert any("read by OCR" in w for w in report.warnings)
    assert_exact_or_marked(expected, report, "ocr-layer")


def test_the_same_bytes_give_the_same_document(series_scan: tuple[Path, dict[str, Any], Any]) -> None:
    from pipelines.parsing.ocr.reader import read_images

    out, _, _ = series_scan
    page = sorted(out.glob("*_p*.jpg"))[1]
    first, again = (read_images([(page.read_bytes(), page.name)]) for _ in range(2))
    cells = [[(c.text, c.bbox, c.ocr) for c in row] for g in first.tables for row in g.rows]
    assert cells and cells == [[(c.text, c.bbox, c.ocr) for c in row] for g in again.tables for row in g.rows]
    assert (first.text, first.notes) == (again.text, again.notes)


def test_the_synthetic_scans_are_the_same_bytes_for_a_seed(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        scan_corpus(d, 6, dpi150=1.0, noise=1.0, skew=1.0, seal=1.0)
    assert [p.name for p in sorted(a.iterdir())] == [p.name for p in sorted(b.iterdir())]
    for p in a.iterdir():
        assert p.read_bytes() == (b / p.name).read_bytes(), p.name


@pytest.mark.slow
def test_synthetic_scans_are_read_to_the_target(tmp_path: Path) -> None:
    """The bench's measure on a small corpus of every packing and degradation: at least 99.5 % of
    cells right, and every wrong cell marked uncertain."""
    from pipelines.bench.accuracy import format_report, run_accuracy

    generate(tmp_path, 6, [2023, 2024], 21, {"scan": 1.0}, 0.1, None)
    scores = run_accuracy(tmp_path)
    print(format_report(scores, 10))
    assert len(scores) == 12 and all(s.medium == "scan" for s in scores)
    total = sum(s.cells_total for s in scores)
    correct = sum(s.cells_correct for s in scores)
    assert correct >= 0.995 * total
    assert not [(s.name, w) for s in scores for w in s.wrong if not w[3]]


@pytest.mark.slow
def test_the_real_pdfs_rasterised_are_read_as_scans(real_dir: Path) -> None:
    from pipelines.bench.ocr_engines import rasterised

    out = rasterised(real_dir, 200.0, ["rapidocr"])
    print(out)
    rows = [ln for ln in out.splitlines() if ln.startswith("  ") and ".pdf" in ln]
    assert len(rows) == 3
    assert all("wrong 0 (unmarked 0)" in ln for ln in rows), rows


# --------------------------------------------------------------------------------------------
# an image series through the inbox


def test_a_series_in_the_inbox_is_one_report(
    series_scan: tuple[Path, dict[str, Any], Any], tmp_path: Path
) -> None:
    import duckdb

    out, _, _ = series_scan
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for p in out.glob("*_p*.jpg"):
        (inbox / p.name).write_bytes(p.read_bytes())
    wh = tmp_path / "wh.duckdb"
    first = ingest_files(inbox, wh).counts
    assert first["parsed"] == 1 and first["quarantined"] == 0, first
    con = duckdb.connect(str(wh), read_only=True)
    rows = con.execute("SELECT file_name, medium FROM dim_report").fetchall()
    files = con.execute("SELECT count(*) FROM source_file").fetchone()
    con.close()
    assert rows == [(sorted(p.name for p in inbox.iterdir())[0], "scan")]
    assert files is not None and files[0] == len(list(inbox.iterdir()))
    again = ingest_files(inbox, wh).counts
    assert again["parsed"] == 0 and again["quarantined"] == 0, again


def test_series_naming() -> None:
    names = [
        "a/报告_1.jpg",
        "a/报告_2.jpg",
        "a/报告_3.JPG",
        "b/org_2023.jpg",  # years are not page numbers
        "b/org_2024.jpg",
        "x-p1.png",
        "x-p2.png",
        "y 第1页.jpg",
        "y 第2页.jpg",
        "z_p1.jpg",  # a gap: not a series
        "z_p3.jpg",
        "w_1.jpg",  # different image types
        "w_2.png",
        "v_1.pdf",
        "v_2.pdf",
    ]
    assert series.group(names) == [
        ["a/报告_1.jpg", "a/报告_2.jpg", "a/报告_3.JPG"],
        ["x-p1.png", "x-p2.png"],
        ["y 第1页.jpg", "y 第2页.jpg"],
    ]
    assert series.series_hash(["a", "b"]) != series.series_hash(["b", "a"])


# --------------------------------------------------------------------------------------------
# doubtful digits and the sum rules


def _glyphs(text: str, doubt: dict[int, list[tuple[str, float]]] | None = None) -> tuple[Glyph, ...]:
    doubt = doubt or {}
    out = []
    for i, ch in enumerate(text):
        alts = tuple(doubt.get(i, []))
        prob = 0.999 if i not in doubt else 1.0 - sum(p for _, p in alts) - 0.01
        out.append(Glyph(ch, round(prob, 3), alts, (i + 0.5) / len(text)))
    return tuple(out)


def _report(values: dict[str, int], read: dict[str, tuple[Glyph, ...]]) -> tuple[Mapped, Document]:
    """F2021 cells (0 unless given), each from its own grid cell; `read` overrides the glyphs."""
    cells: dict[str, ParsedCell] = {}
    row: list[GridCell] = []
    for col, cid in enumerate(layout.CELL_IDS["F2021"]):
        glyphs = read.get(cid) or _glyphs(str(values.get(cid, 0)))
        text = "".join(g.text for g in glyphs)
        value = int(text) if text.isdigit() else None
        row.append(GridCell(text, 0, col, page=1, bbox=(col, 0.0, col + 1.0, 1.0), table=0, ocr=glyphs))
        cells[cid] = ParsedCell(
            cid, value, text, "number" if value is not None else "text", Provenance(0, 0, col)
        )
    return Mapped("F2021", cells), Document("scan", [Grid(0, [row])], "")


def test_the_sum_rules_pick_the_one_reading_of_a_doubtful_digit() -> None:
    values = {"t3.new_received.natural_person": 3, "t3.new_received.total": 3}
    values |= {"t3.total.natural_person": 3, "t3.total.total": 3, "t3.granted.natural_person": 3}
    values |= {"t3.granted.total": 3}
    # the 3 of 本年新收·自然人 read as 8, with 3 close behind
    doubtful = {"t3.new_received.natural_person": _glyphs("8", {0: [("3", 0.3)]})}
    mapped, doc = _report(values, doubtful)
    digits.check(mapped, doc)
    c = mapped.cells["t3.new_received.natural_person"]
    assert c.value == 3 and not c.uncertain
    assert "the sum rules give 3" in (c.note or "")
    assert not any(x.uncertain for x in mapped.cells.values())


def test_a_digit_the_rules_cannot_decide_is_marked_with_its_readings() -> None:
    # 表二 has no sum rule: a doubtful digit there stays uncertain, the readings in its note
    doubtful = {"t2.regulation.issued": _glyphs("17", {1: [("1", 0.2)]})}
    mapped, doc = _report({"t2.regulation.issued": 17}, doubtful)
    digits.check(mapped, doc)
    c = mapped.cells["t2.regulation.issued"]
    assert c.uncertain and c.value == 17
    assert "readings 17, 11" in (c.note or "")


def test_two_doubtful_digits_that_fit_the_rules_either_way_are_both_marked() -> None:
    # 自然人 and 商业企业 of 本年新收 both read doubtfully: 5+1 and 1+5 fit 总计 6 alike
    values = {"t3.new_received.natural_person": 5, "t3.new_received.commercial_enterprise": 1}
    values |= {"t3.new_received.total": 6}
    doubtful = {
        "t3.new_received.natural_person": _glyphs("5", {0: [("1", 0.4)]}),
        "t3.new_received.commercial_enterprise": _glyphs("1", {0: [("5", 0.4)]}),
    }
    mapped, doc = _report(values, doubtful)
    digits.check(mapped, doc)
    for cid in doubtful:
        assert mapped.cells[cid].uncertain, mapped.cells[cid]


def test_a_number_read_as_text_is_marked() -> None:
    mapped, doc = _report({}, {"t4.review.upheld": _glyphs("书")})
    digits.check(mapped, doc)
    assert mapped.cells["t4.review.upheld"].uncertain


# --------------------------------------------------------------------------------------------
# images that are not reports, and limits


def _png(img: np.ndarray) -> bytes:
    import cv2

    ok, buf = cv2.imencode(".png", img)
    assert ok
    return buf.tobytes()


def _header_only_png(w: int, h: int) -> bytes:
    """A PNG whose header claims w × h pixels (no pixel data follows)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)  # the start of the first row: the rest never comes
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _stamp() -> np.ndarray:
    import cv2

    img = np.full((1754, 1240, 3), 255, np.uint8)
    cv2.circle(img, (620, 800), 160, (40, 40, 220), 8)
    cv2.circle(img, (620, 800), 40, (40, 40, 220), -1)
    return img


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        (np.full((1754, 1240, 3), 255, np.uint8), "no text recognised"),
        (
            np.random.default_rng(0).integers(0, 255, (1200, 900, 3), dtype=np.uint8),
            r"no text recognised.*\(page 1 is (mostly dark|not text)",
        ),
        (_stamp(), "no text recognised"),
    ],
    ids=["blank", "photo", "stamp"],
)
def test_an_image_that_is_not_a_report_is_refused(image: np.ndarray, reason: str) -> None:
    with pytest.raises(UnreadableInput, match=reason) as e:
        parse_bytes(_png(image), "x.png")
    assert "\n" not in str(e.value)


def test_a_huge_image_is_refused_from_its_header() -> None:
    with pytest.raises(UnreadableInput, match="20000 × 20000 pixels is too large"):
        parse_bytes(_header_only_png(20000, 20000), "huge.png")


def test_a_500_page_scan_is_refused_before_it_is_rasterised() -> None:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    from pipelines.synth.render_scan import _jpeg

    jpeg = ImageReader(io.BytesIO(_jpeg(np.full((40, 30, 3), 200, np.uint8), 80)))
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1)
    for _ in range(500):
        c.drawImage(jpeg, 0, 0, width=595, height=842)
        c.showPage()
    c.save()
    with pytest.raises(UnreadableInput, match="OCR reads at most 60 pages"):
        parse_bytes(buf.getvalue(), "volume.pdf")


def test_a_scanners_invisible_text_layer_is_not_trusted() -> None:
    """A page image under invisible text (a scanner's OCR layer, here even with the tables'
    labels) is read from its pixels: this blank one then has no text at all."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    from pipelines.synth.render_pdf import FONT, _register
    from pipelines.synth.render_scan import _jpeg

    _register()
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1)
    c.drawImage(ImageReader(io.BytesIO(_jpeg(np.full((1100, 780, 3), 255, np.uint8), 80))), 0, 0, 595, 842)
    t = c.beginText(60, 700)
    t.setTextRenderMode(3)
    t.setFont(FONT, 12)
    t.textLine("政府信息公开工作年度报告 本年新收政府信息公开申请数量 行政复议 1 2 3")
    c.drawText(t)
    c.showPage()
    c.save()
    with pytest.raises(UnreadableInput, match="no text recognised"):
        parse_bytes(buf.getvalue(), "layer.pdf")


def test_a_broken_image_is_quarantined_with_a_reason(tmp_path: Path) -> None:
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    outcome = pipeline.parse_all([bad])
    assert not outcome.parsed
    (rejected,) = outcome.quarantined
    assert "image cannot be decoded" in rejected.reason and rejected.medium_guess == "image"
