"""Reports as archivists save them (pipelines/synth/render_print.py): a synthetic site page printed to
PDF by headless Chromium, and converted to .docx and .doc by LibreOffice, parse to their expected
JSON — cells, organ, year and format — with the site's chrome printed around them.

Chromium and LibreOffice come from `make system-packages`; without them these tests skip locally and
fail in CI (CI installs both)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipelines.bench.accuracy import run_accuracy
from pipelines.parsing.parse import read_document
from pipelines.synth import render_print
from pipelines.synth.corpus import generate


def _need(tool: str | None, what: str) -> None:
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must have {what} (scripts/install-system-packages.sh)", pytrace=False)
        pytest.skip(f"no {what}: run scripts/install-system-packages.sh")


def _one(tmp: Path, medium: str, seed: int = 1) -> tuple[Path, dict[str, object]]:
    generate(tmp, 1, [2024], seed, {medium: 1.0}, error_rate=0.0)
    expected = next(tmp.glob("*.expected.json"))
    return expected.with_name(expected.name[: -len(".expected.json")]), json.loads(expected.read_text())


def test_printed_page_reads_exactly_despite_the_site_chrome(tmp_path: Path) -> None:
    _need(render_print.chromium_path(), "Chromium")
    path, expected = _one(tmp_path / "a", "printed-pdf")
    assert path.suffix == ".pdf" and "browser_print" in expected["quirks"]  # type: ignore[operator]
    doc = read_document(path.read_bytes(), path.name)
    # the browser's print header and footer and the site's navigation are in the file ...
    assert "https://www." in doc.text or "首页" in doc.text
    # ... but the title is the report's
    assert doc.title == expected["title"]
    [score] = run_accuracy(tmp_path / "a")
    assert score.exact, (score.fields_correct, score.wrong[:5])
    # the same seed prints the same bytes (the print date is the synthetic one)
    again, _ = _one(tmp_path / "b", "printed-pdf")
    assert again.read_bytes() == path.read_bytes()


def test_printed_page_with_fullwidth_digits_reads_exactly(tmp_path: Path) -> None:
    """Full-width digits are as wide as a character: in the narrow applicant columns a two-digit
    number wraps one digit per line, above and below the row's other values."""
    _need(render_print.chromium_path(), "Chromium")
    generate(
        tmp_path,
        1,
        [2021, 2022],
        3,
        {"printed-pdf": 1.0},
        error_rate=0.0,
        quirk_rates={"fullwidth_digits": 1.0},
    )
    scores = run_accuracy(tmp_path)
    assert len(scores) == 2 and all("fullwidth_digits" in s.quirks for s in scores)
    for score in scores:
        assert score.exact, (score.name, score.wrong[:5])


@pytest.mark.parametrize(("medium", "suffix"), [("office-docx", ".docx"), ("office-doc", ".doc")])
def test_page_converted_by_libreoffice_reads_exactly(tmp_path: Path, medium: str, suffix: str) -> None:
    _need(render_print.soffice_path(), "LibreOffice")
    path, expected = _one(tmp_path, medium, seed=2)
    assert path.suffix == suffix and "office_convert" in expected["quirks"]  # type: ignore[operator]
    [score] = run_accuracy(tmp_path)
    assert score.medium == medium
    assert score.exact, (score.fields_correct, score.wrong[:5])


def test_print_style_draws_the_browser_header_and_footer() -> None:
    page = render_print.Page(
        "<html><head><title>某局2024年度政府信息公开工作年度报告</title></head><body></body></html>".encode(
            "gbk"
        ),
        "某局2024年度政府信息公开工作年度报告_某县人民政府",
        "https://www.example.gov.cn/a.html",
        (2025, 1, 27, 15, 4),
        us_clock=True,
    )
    html = render_print.with_print_style(page, "portal")
    assert page.printed == "1/27/25, 3:04 PM"
    assert html.isascii() is False and html.decode("gbk")  # still the page's own encoding
    css = html.split(b"<style>", 1)[1].split(b"</style>", 1)[0]
    assert css.isascii() and b"@top-left" in css and b"counter(pages)" in css and b".zwgk-table td" in css
    assert render_print.missing_tool([]) is None
