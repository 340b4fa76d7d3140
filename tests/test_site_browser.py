"""The site in a real browser: headless Chromium (Debian's, installed by
scripts/install-system-packages.sh) opens every kind of page of the sample site over HTTP, with no
console error, no page error and no dialog (the hostile organ's <script> stays text); key numbers in
the rendered pages are held against the warehouse, and screenshots of the main pages are kept for a
person to look at (tmp/site-screenshots/, or $GONGKAI_SCREENSHOTS).

Without /usr/bin/chromium the test skips locally and fails in CI (CI installs it)."""

from __future__ import annotations

import csv
import functools
import http.server
import io
import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from test_site import build_all, organ_file

from tests.conftest import REPO, run_nightly

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(os.environ.get("GONGKAI_SCREENSHOTS") or REPO / "tmp" / "site-screenshots")

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail("CI must have /usr/bin/chromium (scripts/install-system-packages.sh)", pytrace=False)
    pytest.skip("no /usr/bin/chromium: run scripts/install-system-packages.sh", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return build_all(tmp_path_factory.mktemp("site-browser"))


@pytest.fixture(scope="module")
def con(built: tuple[Path, Path]) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(built[0]), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def base_url(built: tuple[Path, Path]) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(built[1]))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


class Browser:
    """One page, recording console errors, page errors, failed requests and dialogs."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}"))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, url: str, shot: str | None = None) -> Any:
        self.page.goto(url)
        self.page.wait_for_load_state("load")
        # every chart drawn: Plotly puts an SVG into each chart container
        self.page.wait_for_function(
            "Array.from(document.querySelectorAll('.chart[data-spec]'))"
            ".every(el => el.offsetParent === null || el.querySelector('svg.main-svg'))",
            timeout=20_000,
        )
        if shot:
            SHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
        assert self.problems == [], (url, self.problems)
        assert self.dialogs == [], (url, self.dialogs)
        return self.page


@pytest.fixture(scope="module")
def browser(built: tuple[Path, Path]) -> Iterator[Any]:
    # after the build: Dagster's in-process run must not start inside Playwright's event loop
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Browser]:
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    yield Browser(page)
    context.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    row = con.execute(sql, params or []).fetchone()
    assert row is not None
    return row[0]


def test_overview(tab: Browser, base_url: str, con: duckdb.DuckDBPyConnection) -> None:
    page = tab.open(base_url + "index.html", "overview")
    value = page.locator(".kpi", has_text="年度报告").locator(".kpi-value").inner_text()
    assert value == f"{scalar(con, 'SELECT count(*) FROM current_report'):,}"
    assert page.locator("#outcomes-by-year .chart svg.main-svg").count() >= 1
    # the CSV under a chart is its table, with a BOM for Excel
    with page.expect_download() as dl:
        page.locator("#outcomes-by-year button.csv").click()
    text = Path(dl.value.path()).read_text(encoding="utf-8")
    assert text.startswith("\ufeff年度,本年新收（件）")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    # each application once: the year totals, not the sum of every report (the district's report
    # covers its bureaus')
    sums = con.execute(
        "SELECT year, new_received FROM mart_year_total WHERE province IS NULL ORDER BY year"
    ).fetchall()
    assert [(int(r[0]), float(r[1])) for r in rows[1:]] == [(y, float(v)) for y, v in sums]


def test_compare_filters_and_ranks(tab: Browser, base_url: str, con: duckdb.DuckDBPyConnection) -> None:
    page = tab.open(base_url + "compare.html", "compare")
    page.select_option("#f-year", "2023")
    page.select_option("#f-metric", "new_received")
    page.select_option("#f-top", "all")
    page.wait_for_selector("#ranking-chart svg.main-svg")
    # single organs by default: the district's report sums its bureaus' and is ranked apart
    names = page.locator("#ranking-table tbody tr td:nth-child(2)").all_text_contents()
    assert "盐都区人民政府" not in names and "盐城市盐都区财政局" in names
    assert "另行排名" in page.locator("#summary").inner_text()
    page.select_option("#f-scope", "region")
    assert page.locator("#ranking-table tbody tr td:nth-child(2)").all_text_contents() == ["盐都区人民政府"]
    assert page.locator("#ranking-table tbody tr td:nth-child(6)").all_text_contents() == ["全区域报告"]
    page.select_option("#f-scope", "all")
    first = page.locator("#ranking-table tbody tr").first.locator("td").nth(6).get_attribute("data-v")
    best = scalar(con, "SELECT max(new_received) FROM mart_organ_year WHERE year = 2023")
    assert float(first or "nan") == best
    shown = page.locator("#ranking-table tbody tr").count()
    assert shown == scalar(
        con, "SELECT count(*) FROM mart_organ_year WHERE year = 2023 AND new_received IS NOT NULL"
    )
    # a filter narrows both charts and their tables
    page.select_option("#f-level", "county")
    page.select_option("#f-sector", "finance")
    assert page.locator("#ranking-table tbody tr").count() == 1
    assert "盐城市盐都区财政局" in page.locator("#ranking-chart").inner_text()
    assert tab.problems == []


def test_organ_page(
    tab: Browser, base_url: str, con: duckdb.DuckDBPyConnection, built: tuple[Path, Path]
) -> None:
    path = organ_file(con, built[1], "盐都区人民政府").relative_to(built[1]).as_posix()
    page = tab.open(base_url + path + "#y2024", "organ")
    panel = page.locator("#y2024")
    assert panel.is_visible() and not page.locator("#y2019").is_visible()
    # 表三 一、本年新收 总计 as printed, against the warehouse
    cell = panel.locator("table.t3 tbody tr").first.locator("td").last
    printed = scalar(
        con,
        """SELECT f.raw_text FROM fact_cell f JOIN current_report c USING (report_id)
                             JOIN dim_agency a USING (agency_id)
                             WHERE a.name = '盐都区人民政府' AND c.year = 2024 AND f.cell_id = 't3.new_received.total'""",
    )
    assert cell.inner_text().strip().startswith(printed.strip())
    # a failing cell carries its finding, and the numbered list under the tables says what it is
    bad = panel.locator("td.bad").first
    assert "本报告" in (bad.get_attribute("title") or "")
    assert panel.locator(".findings > ol > li").count() == scalar(
        con,
        """
        SELECT count(*) FROM report_findings f JOIN current_report c USING (report_id)
        JOIN dim_agency a ON a.agency_id = c.agency_id WHERE a.name = '盐都区人民政府' AND c.year = 2024""",
    )
    page.locator(".year-tabs [data-year='2019']").click()
    assert page.locator("#y2019").is_visible() and not panel.is_visible()


def test_hostile_organ_stays_text(
    tab: Browser, base_url: str, con: duckdb.DuckDBPyConnection, built: tuple[Path, Path]
) -> None:
    path = organ_file(con, built[1], "%alert(1)%").relative_to(built[1]).as_posix()
    page = tab.open(base_url + path, "organ-hostile")
    name = scalar(con, "SELECT name FROM dim_agency WHERE name LIKE '%alert(1)%'")
    assert page.locator("h1").inner_text() == name
    page.locator(".year-tabs [data-year='2021']").click()
    assert "alert(1)</script>" in page.locator("h1").inner_text()
    assert page.locator(".year-tabs [data-year='2020']").inner_text().endswith("缺报")
    page = tab.open(base_url + "compare.html")
    page.select_option("#f-year", "2021")
    page.select_option("#f-metric", "new_received")
    page.select_option("#f-top", "all")
    assert "alert(1)</script>" in page.locator("#ranking-chart").inner_text()
    assert tab.dialogs == []


def test_other_pages(tab: Browser, base_url: str, con: duckdb.DuckDBPyConnection) -> None:
    page = tab.open(base_url + "quality.html", "quality")
    findings = scalar(con, "SELECT count(*) FROM report_findings SEMI JOIN current_report USING (report_id)")
    assert page.locator(".kpi", has_text="问题").first.locator(".kpi-value").inner_text() == f"{findings:,}"
    page = tab.open(base_url + "coverage.html", "coverage")
    assert page.locator("td.cov.miss").count() == scalar(
        con, "SELECT count(*) FROM mart_coverage WHERE status = 'missing'"
    )
    with page.expect_download() as dl:
        page.locator("button.csv[data-table=coverage-table]").click()
    grid = list(csv.reader(io.StringIO(Path(dl.value.path()).read_text(encoding="utf-8-sig"))))
    assert grid[0][:5] == ["机关", "层级", "地区", "情况", "2019"] and {"已发布", "缺报"} <= {
        c for row in grid for c in row
    }
    # the date of the data in every row, and the years in the file's name
    as_of = page.locator("body").get_attribute("data-as-of")
    assert grid[0][-1] == "数据截至" and as_of and {row[-1] for row in grid[1:]} == {as_of}
    assert dl.value.suggested_filename == "报告覆盖_2019-2025年_全部机关.csv"
    page.locator("#cov-only").check()
    assert page.locator("#coverage-table tbody tr:visible").count() == scalar(
        con, "SELECT count(DISTINCT agency_id) FROM mart_coverage WHERE status = 'missing'"
    )
    # a published year opens that year of the organ's page
    page.locator("#coverage-table tbody tr:visible td.cov.ok").first.click()
    page.wait_for_url("**/organ/*.html#y*")
    year = page.url.rsplit("#y", 1)[1]
    assert page.locator(f"#y{year}").is_visible()
    page = tab.open(base_url + "organs.html", "organs")
    header = page.locator("#organs-table thead th").nth(5)  # 已发布（年）
    header.click()
    header.click()  # descending
    first = page.locator("#organs-table tbody tr").first.locator("td").nth(5).inner_text()
    assert int(first) == scalar(
        con, "SELECT max(n) FROM (SELECT count(*) n FROM current_report GROUP BY agency_id)"
    )
    page = tab.open(base_url + "rule/H-X1.html", "rule")
    assert page.locator("#rule-table tbody tr").count() == scalar(
        con,
        "SELECT count(*) FROM report_findings SEMI JOIN current_report USING (report_id) WHERE rule_id = 'H-X1'",
    )


def test_works_from_file_url(tab: Browser, built: tuple[Path, Path]) -> None:
    page = tab.open((built[1] / "index.html").as_uri())
    assert page.locator(".chart svg.main-svg").count() >= 2
    page = tab.open((built[1] / "compare.html").as_uri())
    page.select_option("#f-metric", "new_received")
    page.wait_for_selector("#ranking-chart svg.main-svg")


def test_empty_warehouse_has_empty_states(tab: Browser, tmp_path: Path) -> None:
    from pipelines.site.build import build_site

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    run_nightly(inbox, tmp_path / "wh.duckdb", tmp_path, site=tmp_path / "nightly-site")
    site = build_site(tmp_path / "wh.duckdb", tmp_path / "site").out_dir
    page = tab.open(site.joinpath("index.html").as_uri(), "empty-overview")
    assert page.locator(".empty").count() >= 3
    page = tab.open(site.joinpath("compare.html").as_uri())
    assert (
        page.locator("#ranking-empty").is_visible()
        and page.locator("#distribution-table tbody tr").count() == 0
    )


# --- issue 14: phones, permalinks, the workbook, search, the toolbar, print ----------------------

# Elements wider than the screen, outside any element that scrolls or clips them.
OVERFLOW = """() => { const W = document.documentElement.clientWidth, out = [];
  const clipped = el => { for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true; } return false; };
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > W + 1 && el.offsetParent !== null && !clipped(el)) out.push(el.tagName + '.' + el.className);
  }
  return {scroll: document.documentElement.scrollWidth, width: W, over: out.slice(0, 5)}; }"""


def every_kind_of_page(site: Path, con: duckdb.DuckDBPyConnection) -> list[str]:
    organ = organ_file(con, site, "盐都区人民政府").relative_to(site).as_posix()
    return [
        "index.html",
        "regions.html",
        "region/32.html",
        "region/3209.html",
        "region/320903.html",
        "compare.html",
        "organs.html",
        organ,
        "quality.html",
        "unchecked.html",
        "guessed.html",
        "coverage.html",
        "rule/H-X1.html",
        "about.html",
    ]


def test_no_page_is_wider_than_a_phone(
    browser: Any, base_url: str, built: tuple[Path, Path], con: duckdb.DuckDBPyConnection
) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    tab = Browser(context.new_page())
    try:
        for path in every_kind_of_page(built[1], con):
            page = tab.open(base_url + path, "phone-" + path.replace("/", "-").removesuffix(".html"))
            got = page.evaluate(OVERFLOW)
            assert got["scroll"] <= 390 and got["over"] == [], (path, got)
    finally:
        context.close()


def test_a_link_restores_the_view(tab: Browser, base_url: str, browser: Any) -> None:
    page = tab.open(base_url + "compare.html")
    page.select_option("#f-year", "2023")
    page.select_option("#f-metric", "new_received")
    page.select_option("#f-level", "county")
    page.select_option("#f-top", "all")
    page.select_option("#f-county", "盐都区")
    url = page.url
    assert "year=2023" in url and "metric=new_received" in url and "county=" in url
    rows = page.locator("#ranking-table tbody tr").all_inner_texts()
    cite = page.locator("#cite .cite-url").inner_text()
    assert cite == url and "数据截至" in page.locator("#cite").inner_text()
    # the same link in a fresh tab: the same filters, the same ranking
    other = Browser(browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page())
    again = other.open(url)
    assert (
        again.locator("#f-year").input_value() == "2023"
        and again.locator("#f-county").input_value() == "盐都区"
    )
    assert again.locator("#f-metric").input_value() == "new_received"
    assert again.locator("#ranking-table tbody tr").all_inner_texts() == rows
    # the CSV's name says what it holds
    with again.expect_download() as dl:
        again.locator("#ranking-csv").click()
    assert dl.value.suggested_filename == "机关排名_2023年_本年新收申请_县级_盐都区_单个机关_全部.csv"
    # a filter box's text lives in the link too
    page = other.open(base_url + "coverage.html")
    page.fill("#cov-filter", "财政")
    page.locator("#cov-only").check()
    shown = page.locator("#coverage-table tbody tr:visible").count()
    again = other.open(page.url)
    assert again.locator("#cov-filter").input_value() == "财政" and again.locator("#cov-only").is_checked()
    assert again.locator("#coverage-table tbody tr:visible").count() == shown
    other.page.context.close()


def test_the_workbook_downloads_and_counts_every_finding(
    tab: Browser, base_url: str, con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    page = tab.open(base_url + "about.html")
    with page.expect_download() as dl:
        page.locator("#workbook a[download]").click()
    assert dl.value.suggested_filename.startswith(
        "问题清单（数据截至"
    ) and dl.value.suggested_filename.endswith(".xlsx")
    dl.value.save_as(tmp_path / "book.xlsx")
    wb = load_workbook(tmp_path / "book.xlsx")
    ws = wb["问题清单"]
    assert ws.max_row - 1 == scalar(
        con, "SELECT count(*) FROM report_findings SEMI JOIN current_report USING (report_id)"
    )
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref and ws["A1"].value == "案件编号"
    assert {c.value for c in ws[1]} >= {"机关", "处理意见", "处理人", "日期"}


def test_search_by_full_name_and_pinyin(tab: Browser, base_url: str) -> None:
    page = tab.open(base_url + "region/320903.html")
    box = page.locator("#site-search")
    for query in ("盐城市盐都区人民政府", "江苏省盐都区人民政府", "ydqrmzf", "盐都区人民政府"):
        box.fill(query)
        first = page.locator("#site-search-results li a").first
        first.wait_for()
        assert first.inner_text() == "盐都区人民政府", query
    box.fill("盐城市人民政府")  # the city's government has no page: no district's government instead
    page.locator("#site-search-results li").first.wait_for()
    assert page.locator("#site-search-results li a", has_text="盐都区人民政府").count() == 0
    box.fill("ycs")  # a region by its initials
    page.locator("#site-search-results li a").first.wait_for()
    assert "江苏省盐城市" in page.locator("#site-search-results").inner_text()
    box.fill("财政")
    page.locator("#site-search-results li a").first.wait_for()
    box.press("Enter")
    page.wait_for_url("**/organ/*.html")
    assert page.locator("h1").inner_text() == "盐城市盐都区财政局"


TOOLBAR = """(el) => { const box = s => { const n = s && el.querySelector(s); return n ? n.getBoundingClientRect() : null; };
  const m = box('.modebar'), l = box('.legend'), plot = box('.nsewdrag'), h = document.querySelector('header.top').getBoundingClientRect();
  const x = (a, b) => !!(a && b && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom);
  return {toolbar: !!m, legend: x(m, l), plot: x(m, plot), header: x(m, h)}; }"""


def test_the_chart_toolbar_covers_no_legend(
    tab: Browser, base_url: str, built: tuple[Path, Path], con: duckdb.DuckDBPyConnection
) -> None:
    _toolbar_clear(tab, base_url, built, con)


def test_the_chart_toolbar_covers_no_legend_at_phone_width(
    browser: Any, base_url: str, built: tuple[Path, Path], con: duckdb.DuckDBPyConnection
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        _toolbar_clear(Browser(context.new_page()), base_url, built, con)
    finally:
        context.close()


def _toolbar_clear(
    tab: Browser, base_url: str, built: tuple[Path, Path], con: duckdb.DuckDBPyConnection
) -> None:
    organ = organ_file(con, built[1], "盐都区人民政府").relative_to(built[1]).as_posix()
    for path in ("index.html", "compare.html", "region/320903.html", organ):
        page = tab.open(base_url + path)
        charts = page.locator(".js-plotly-plot")
        for i in range(charts.count()):
            chart = charts.nth(i)
            if not chart.is_visible():
                continue
            chart.scroll_into_view_if_needed()
            chart.hover()
            got = chart.evaluate(TOOLBAR)
            assert got["toolbar"] and not (got["legend"] or got["plot"] or got["header"]), (path, i, got)


def test_print_shows_every_year_and_no_controls(
    tab: Browser, base_url: str, built: tuple[Path, Path], con: duckdb.DuckDBPyConnection
) -> None:
    organ = organ_file(con, built[1], "盐都区人民政府").relative_to(built[1]).as_posix()
    page = tab.open(base_url + organ)
    page.emulate_media(media="print")
    assert all(p.is_visible() for p in page.locator(".year-panel").all())
    assert not page.locator("header.top nav").is_visible() and not page.locator("#site-search").is_visible()
    assert page.locator("#cite").is_visible()
    assert len(page.pdf()) > 10_000


def test_earlier_years_are_drawn_as_the_latest_is(
    tab: Browser, base_url: str, con: duckdb.DuckDBPyConnection, built: tuple[Path, Path]
) -> None:
    """An earlier year's tables, drawn by site.js from its compact cells, are the cells the latest
    year's HTML would be (row_html of tables.decode, parsed by the browser), class, note and link."""
    from pipelines.site.tables import Row, decode, row_html

    site = built[1]
    path = organ_file(con, site, "盐都区人民政府")
    html = path.read_text(encoding="utf-8")
    page = tab.open(base_url + path.relative_to(site).as_posix())
    tds = "y => Array.from(document.querySelectorAll('#y' + y + ' table.report-table td')).map(td => td.outerHTML)"
    parse = (
        "h => { const t = document.createElement('template'); t.innerHTML = '<table><tr>' + h + '</tr></table>';"
        " return Array.from(t.content.querySelectorAll('td')).map(td => td.outerHTML); }"
    )
    earlier = re.findall(r'<script type="application/json" id="c(\d{4})">(.*?)</script>', html, re.S)
    assert len(earlier) >= 5
    for year, cells in earlier:
        page.locator(f".year-tabs [data-year='{year}']").click()
        want = page.evaluate(parse, str(row_html(Row((), tuple(decode(json.loads(cells)))), int(year))))
        assert page.evaluate(tds, year) == want and len(want) > 100
    # the hostile organ published 2019 and 2021: the script adds the site's later years as missing
    latest = scalar(con, "SELECT max(year) FROM current_report")
    path = organ_file(con, site, "%alert(1)%")
    page = tab.open(base_url + path.relative_to(site).as_posix())
    tabs = page.locator(".year-tabs [role=tab]").evaluate_all("ts => ts.map(t => t.dataset.year)")
    assert tabs == [str(y) for y in range(2019, latest + 1)]
    page.locator(f".year-tabs [data-year='{latest}']").click()
    assert f"{latest} 年度没有这个机关的报告" in page.locator(f"#y{latest}").inner_text()
    # and says it stopped reporting (its last expected year is missing), as the coverage page does
    assert "报告情况\n已不再发布" in page.locator("dl.facts").first.inner_text()
    assert tab.problems == []
