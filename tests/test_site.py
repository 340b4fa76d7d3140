"""The static site (issue 7) built from the committed samples plus two hostile reports — an organ
whose title and name carry a <script> element, published 2019 and 2021 but not 2020 — and an unreadable
file: every kind of page, no external URL, escaping, sizes, deterministic output, the numbers
against the warehouse, and the swap that never leaves a half-built site. The browser test
(test_site_browser.py) opens the same site in Chromium."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.identity import aliases
from pipelines.site import charts, fingerprint
from pipelines.site.build import MAX_PAGE_BYTES, build_site
from pipelines.site.pages import organ as organ_page
from tests.conftest import SAMPLES, run_nightly, settings_for

EVIL = "<script>alert(1)</script>"
EVIL_ORGAN = EVIL + "盐城市盐都区招商局"
# (source sample, hostile copy): 2020 is left out, so the organ has a missing year
HOSTILE = (("320903-commerce_2019.txt", "zz-evil_2019.txt"), ("320903-commerce_2021.txt", "zz-evil_2021.txt"))
SPEC = re.compile(r'<script type="application/json" id="([^"]+)">(.*?)</script>', re.S)


def make_inbox(dest: Path) -> Path:
    """The samples, the hostile organ's two reports and one file no reader can read."""
    shutil.copytree(SAMPLES, dest)
    for src, name in HOSTILE:
        text = (SAMPLES / src).read_text(encoding="utf-8")
        (dest / name).write_text(text.replace("盐城市盐都区商务局", EVIL_ORGAN), encoding="utf-8")
    (dest / "zz-broken.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    return dest


def build_all(tmp: Path) -> tuple[Path, Path]:
    """The warehouse and the site made by the nightly job's assets, as `gongkai run` makes them.
    The parser reads only an organ's name out of the hostile title (markup is no name), so an
    aliases.csv row gives the organ the hostile name, as an analyst's edit could."""
    inbox, wh, site = make_inbox(tmp / "inbox"), tmp / "wh.duckdb", tmp / "site"
    data = hostile_data(tmp / "data")
    run_nightly(inbox, wh, tmp, site, data=data)
    return wh, site


def hostile_data(data: Path) -> Path:
    """The project's data files, with an aliases.csv row that names an organ EVIL_ORGAN."""
    data.mkdir(parents=True, exist_ok=True)
    shutil.copy(aliases.ALIASES_FILE.parent / "sectors.yaml", data / "sectors.yaml")
    (data / "aliases.csv").write_text(
        aliases.ALIASES_FILE.read_text(encoding="utf-8")
        + f"organ,{EVIL_ORGAN[len(EVIL) :]},{EVIL_ORGAN},,\n",
        encoding="utf-8",
    )
    return data


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return build_all(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def con(built: tuple[Path, Path]) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(built[0]), read_only=True)
    yield c
    c.close()


def pages(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))
    }


def organ_file(con: duckdb.DuckDBPyConnection, site: Path, like: str) -> Path:
    row = con.execute(
        "SELECT agency_id FROM dim_agency WHERE name LIKE ? AND agency_id IN "
        "(SELECT agency_id FROM current_report)",
        [like],
    ).fetchone()
    assert row is not None, like
    return site / "organ" / f"{row[0]}.html"


def test_every_kind_of_page_is_written(built: tuple[Path, Path], con: duckdb.DuckDBPyConnection) -> None:
    _, site = built
    got = set(pages(site))
    assert {"index.html", "compare.html", "organs.html", "quality.html", "coverage.html"} <= got
    organs = {a for (a,) in con.execute("SELECT DISTINCT agency_id FROM current_report").fetchall()}
    assert {p for p in got if p.startswith("organ/")} == {f"organ/{a}.html" for a in organs}
    rules = {r for (r,) in con.execute("SELECT rule_id FROM dim_rule").fetchall()}
    assert {p for p in got if p.startswith("rule/")} == {f"rule/{r}.html" for r in rules}
    assert (site / "assets" / "plotly.min.js").stat().st_size > 1_000_000


def test_offline_plotly_once_and_small_pages(built: tuple[Path, Path]) -> None:
    _, site = built
    for path, text in pages(site).items():
        depth = "../" * path.count("/")
        scripts = re.findall(r"<script[^>]*\ssrc=\"([^\"]+)\"", text)
        assert f"{depth}assets/plotly.min.js" in scripts or "plotly" not in "".join(scripts), path
        # no CDN, no web font, no tracker: every src and href stays inside the folder
        for attr, url in re.findall(r"\b(src|href)=\"([^\"]*)\"", text):
            assert not re.match(r"(?i)(https?:)?//", url), (path, attr, url)
        assert "plotly.js v" not in text, path  # the library is not inlined into pages
        assert len(text.encode("utf-8")) < MAX_PAGE_BYTES, path
    for asset in ("site.js", "compare.js", "site.css"):
        assert not re.search(r"https?://", (site / "assets" / asset).read_text(encoding="utf-8")), asset


def test_report_text_is_escaped_everywhere(built: tuple[Path, Path], con: duckdb.DuckDBPyConnection) -> None:
    _, site = built
    texts = pages(site)
    for path, text in texts.items():
        assert "alert(1)</script>" not in text and EVIL not in text, path
    page = organ_file(con, site, "%alert(1)%").read_text(encoding="utf-8")
    # the organ's name and the report's title keep the whole tag, as text
    assert "alert(1)&lt;/script&gt;" in page
    # and inline JSON cannot close its <script> element
    for _, body in SPEC.findall(texts["compare.html"]):
        assert "</" not in body
        data = json.loads(body)
    assert any("alert(1)" in o[0] for o in data["organs"])


def test_source_links_only_when_configured(
    built: tuple[Path, Path], con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    wh, site = built
    page = organ_file(con, site, "盐都区人民政府").read_text(encoding="utf-8")
    assert "320903-gov_2025.md" in page and 'rel="noreferrer"' not in page
    linked = build_site(wh, tmp_path / "linked", source_base_url="https://example.org/reports")
    text = (linked.out_dir / organ_file(con, site, "盐都区人民政府").relative_to(site)).read_text(
        encoding="utf-8"
    )
    assert 'href="https://example.org/reports/320903-gov_2025.md" rel="noreferrer"' in text
    with pytest.raises(ValueError):
        organ_page.check_base_url("javascript:alert(1)//")


def test_same_warehouse_same_bytes(built: tuple[Path, Path], tmp_path: Path) -> None:
    wh, site = built
    again = build_site(wh, tmp_path / "again").out_dir
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [p for p in first if first[p] != second[p]] == []


UNCHECKED = "SELECT count(*) FROM report_status WHERE is_current AND status = 'unchecked'"


def test_overview_numbers_are_the_warehouse(built: tuple[Path, Path], con: duckdb.DuckDBPyConnection) -> None:
    _, site = built
    html = (site / "index.html").read_text(encoding="utf-8")
    kpis = {
        label: value
        for value, label in re.findall(
            r'<div class="kpi-value">([^<]+)</div><div class="kpi-label">([^<]+)</div>', html
        )
    }
    (reports,), (organs,), (missing,) = (
        con.execute(q).fetchone() or (None,)
        for q in (
            "SELECT count(*) FROM current_report",
            "SELECT count(DISTINCT agency_id) FROM current_report",
            "SELECT count(*) FROM mart_coverage WHERE status = 'missing'",
        )
    )
    assert (
        kpis["年度报告"] == f"{reports:,}"
        and kpis["报告机关"] == f"{organs:,}"
        and kpis["缺报"] == f"{missing:,}"
    )
    assert missing >= 1  # the hostile organ's 2020
    # the outcomes chart draws the year totals, each application once: the district's region report
    # and its bureaus' reports are not both added
    fig = json.loads(dict(SPEC.findall(html))["outcomes-by-year-spec"])
    line = next(t for t in fig["data"] if t["type"] == "scatter")
    expected = [
        int(v)
        for (v,) in con.execute(
            "SELECT new_received FROM mart_year_total WHERE province IS NULL ORDER BY year"
        ).fetchall()
    ]
    naive = [
        int(v)
        for (v,) in con.execute(
            "SELECT sum(new_received) FROM mart_organ_year GROUP BY year ORDER BY year"
        ).fetchall()
    ]
    assert line["y"] == expected and sum(naive) > sum(expected)
    assert kpis["未能全部核对的报告"] == f"{con.execute(UNCHECKED).fetchone()[0]:,}"  # type: ignore[index]


def panel_cells(panel: str, year: int) -> str:
    """The <td>s of one year's tables: the panel's HTML (the latest year), or what static/site.js
    draws from the compact cells of an earlier year (tables.decode; the browser test checks that the
    script draws the same)."""
    from pipelines.site.tables import Row, decode, row_html

    got = re.search(r'<script type="application/json" id="c\d{4}">(.*?)</script>', panel, re.S)
    if got is None:
        return panel
    return panel + str(row_html(Row((), tuple(decode(json.loads(got.group(1))))), year))


def test_failing_cells_are_marked_with_their_finding(
    built: tuple[Path, Path], con: duckdb.DuckDBPyConnection
) -> None:
    _, site = built
    row = con.execute("""
        SELECT f.agency, f.year, f.message, f.cell_ids FROM report_findings f
        SEMI JOIN current_report USING (report_id)
        WHERE f.rule_id = 'T4-F1' ORDER BY f.source_file LIMIT 1""").fetchone()
    assert row is not None
    agency, year, message, _ = row
    page = organ_file(con, site, agency).read_text(encoding="utf-8")
    panel = page.split(f'id="y{year}" role="tabpanel"', 1)[1].split('role="tabpanel"', 1)[0]
    assert message.replace("<", "&lt;") in panel
    cells = panel_cells(panel, year)
    assert re.search(r'<td class="bad bad-error" title="\[\d+\] ' + re.escape(message[:20]), cells)
    assert f'<sup><a href="#f{year}-' in cells


def test_missing_year_and_unreadable_file_are_shown(
    built: tuple[Path, Path], con: duckdb.DuckDBPyConnection
) -> None:
    _, site = built
    page = organ_file(con, site, "%alert(1)%").read_text(encoding="utf-8")
    assert "2020 年度没有这个机关的报告" in page
    assert 'class="cov miss"' in (site / "coverage.html").read_text(encoding="utf-8")
    assert "zz-broken.pdf" in (site / "quality.html").read_text(encoding="utf-8")


def test_a_failed_build_leaves_the_old_site(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wh, _ = built
    out = tmp_path / "site"
    build_site(wh, out)
    (out / "stale.html").write_text("old", encoding="utf-8")
    before = sorted(p.name for p in out.iterdir())

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(organ_page, "write_all", boom)
    with pytest.raises(RuntimeError):  # full: the same warehouse would keep the site as it is
        build_site(wh, out, full=True)
    assert sorted(p.name for p in out.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no half-built folder left behind
    monkeypatch.undo()
    build_site(wh, out, full=True)
    assert not (out / "stale.html").exists()


def test_figures_are_valid_plotly(built: tuple[Path, Path]) -> None:
    import plotly.graph_objects as go

    _, site = built
    seen = 0
    for path in (
        "index.html",
        "quality.html",
        "coverage.html",
        next(p for p in pages(site) if p.startswith("organ/")),
    ):
        for _, body in SPEC.findall((site / path).read_text(encoding="utf-8")):
            spec = charts.expand(json.loads(body))  # an organ page's figures are compact
            if "data" in spec and "layout" in spec:
                go.Figure(spec)  # raises on any property Plotly does not know
                seen += 1
    assert seen >= 10


def test_site_without_rules_says_so(tmp_path: Path) -> None:
    from dagster import materialize

    from pipelines.orchestration.assets import identity_tables, ingest_tables, mart_tables
    from pipelines.orchestration.resources import make_resources

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("320903-finance_2019.txt", "320903-finance_2020.txt"):
        shutil.copy(SAMPLES / name, inbox / name)
    wh = tmp_path / "wh.duckdb"
    assert materialize(  # every stage but the rules, in place
        [ingest_tables, identity_tables, mart_tables],
        resources=make_resources(settings_for(inbox, wh, tmp_path, staged=False)),
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
    ).success
    result = build_site(wh, tmp_path / "site")
    assert result.organs == 1
    assert "一致性检查尚未运行" in (tmp_path / "site" / "quality.html").read_text(encoding="utf-8")


def test_definitions_and_cli_register_the_site() -> None:
    from dagster import AssetKey

    from pipelines import marts
    from pipelines.cli.main import build_parser
    from pipelines.orchestration.definitions import defs

    # the last step of the nightly job, after the publish (so after every mart), and a job of its own
    assert AssetKey("static_site") in defs.resolve_job_def("nightly").asset_layer.executable_asset_keys
    assert AssetKey("static_site") in defs.resolve_job_def("build_site").asset_layer.executable_asset_keys
    graph = defs.resolve_asset_graph()
    assert graph.get(AssetKey("static_site")).parent_keys == {AssetKey("published_warehouse")}
    assert {AssetKey(m) for m in marts.mart_files()} <= graph.get(AssetKey("published_warehouse")).parent_keys
    args = build_parser().parse_args(["site", "build", "--out", "x"])
    assert args.site_command == "build" and str(args.out) == "x"


def test_cli_build_and_bad_base_url(
    built: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipelines.cli.main import main

    wh, _ = built
    assert main(["site", "build", "--warehouse", str(wh), "--out", str(tmp_path / "s")]) == 0
    assert "site written to" in capsys.readouterr().out
    assert (tmp_path / "s" / "index.html").exists()
    assert (
        main(
            [
                "site",
                "build",
                "--warehouse",
                str(wh),
                "--out",
                str(tmp_path / "t"),
                "--source-base-url",
                "javascript:alert(1)",
            ]
        )
        == 2
    )
    assert "source_base_url" in capsys.readouterr().err and not (tmp_path / "t").exists()


def test_a_rule_with_many_findings_is_split_into_parts(
    built: tuple[Path, Path], con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.site.pages import quality

    monkeypatch.setattr(quality, "RULE_ROWS_PER_PAGE", 2)
    site = tmp_path / "site"
    build_site(built[0], site)
    counts = dict(
        con.execute("""SELECT rule_id, count(*) FROM findings WHERE status = 'fail'
                                 AND report_id IN (SELECT report_id FROM current_report) GROUP BY ALL""").fetchall()
    )
    big = max(counts, key=lambda r: counts[r])
    assert counts[big] > 2, counts
    parts = [
        site / "rule" / (f"{big}.html" if k == 1 else f"{big}-{k}.html")
        for k in range(1, -(-counts[big] // 2) + 1)
    ]
    rows = 0
    for k, page in enumerate(parts, start=1):
        text = page.read_text(encoding="utf-8")
        body = text[text.index("<tbody") : text.index("</tbody>")]
        assert 1 <= body.count("<tr") <= 2, page
        rows += body.count("<tr")
        assert f"未通过：{counts[big]} 条" in text  # every part states the rule's total
        for other in parts:  # and links every other part
            assert (other.name in text) or other == page
        assert f"<b>第 {k} 部分" in text
    assert rows == counts[big]
    assert not (site / "rule" / f"{big}-{len(parts) + 1}.html").exists()


FAILING_ORGANS = """SELECT DISTINCT c.agency_id FROM findings f JOIN current_report c USING (report_id)
                    WHERE f.status = 'fail'"""


def _table_links(text: str, table: str) -> list[str]:
    body = text.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td class="name"[^>]*><a href="([^"]+)"', body)


def test_a_short_organ_table_is_all_on_the_quality_page(
    built: tuple[Path, Path], con: duckdb.DuckDBPyConnection
) -> None:
    from pipelines.site.pages import quality

    _, site = built
    organs = {f"organ/{a}.html" for (a,) in con.execute(FAILING_ORGANS).fetchall()}
    assert 2 < len(organs) <= quality.ORGAN_ROWS
    text = (site / "quality.html").read_text(encoding="utf-8")
    assert sorted(_table_links(text, "organ-findings-table")) == sorted(organs)
    assert "organ-findings.html" not in text and not (site / "organ-findings.html").exists()
    assert '"问题按机关统计_2019-2025年_全部机关.csv"' in text


def test_a_long_organ_table_goes_on_list_pages(
    built: tuple[Path, Path], con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.site.pages import quality

    monkeypatch.setattr(quality, "ORGAN_ROWS", 1)
    monkeypatch.setattr(quality, "LIST_ROWS_PER_PAGE", 1)
    site = tmp_path / "site"
    build_site(built[0], site)
    organs = {f"organ/{a}.html" for (a,) in con.execute(FAILING_ORGANS).fetchall()}
    assert len(organs) > 2  # so there are at least three parts
    got = pages(site)
    quality_page = got["quality.html"]
    # quality.html keeps the organ with the most errors, says how many there are, and links the list
    shown = _table_links(quality_page, "organ-findings-table")
    full = (built[1] / "quality.html").read_text(encoding="utf-8")
    assert shown == _table_links(full, "organ-findings-table")[:1]
    assert f'<a href="organ-findings.html">全部 {len(organs)} 个机关</a>' in quality_page
    assert '"问题按机关统计_2019-2025年_问题最多的1个机关.csv"' in quality_page
    parts = [f"organ-findings{'' if k == 1 else f'-{k}'}.html" for k in range(1, len(organs) + 1)]
    assert sorted(p for p in got if p.startswith("organ-findings")) == sorted(parts)
    listed: list[str] = []
    for k, part in enumerate(parts, start=1):
        text = got[part]
        rows = _table_links(text, "list-table")
        assert len(rows) == 1, part
        listed += rows
        assert f"共 {len(organs)} 个机关" in text and f"<b>第 {k} 部分" in text
        assert all(other in text for other in parts if other != part)  # every part links every other
    assert listed == _table_links(full, "organ-findings-table")  # the same order as the whole table
    assert sorted(listed) == sorted(organs)  # every organ with findings exactly once
    for path in ["quality.html", *parts]:  # and every link of these pages leads to a page of the site
        for href in re.findall(r'href="([^"#:]+)[#"]', got[path]):  # not data: URLs
            assert (site / href).is_file(), (path, href)
        assert len(got[path].encode("utf-8")) < MAX_PAGE_BYTES
    assert len(quality_page.encode("utf-8")) < len(full.encode("utf-8"))


def _organ(name: str, province: str | None, city: str | None, county: str | None = None) -> Any:
    from pipelines.site.data import Organ

    return Organ(name, name, None, None, None, province, city, county, None, None, f"organ/{name}.html")


def test_partition_splits_by_region_only_as_far_as_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines.site.pages import common

    monkeypatch.setattr(common, "ORGANS_PER_PAGE", 3)
    organs = [
        _organ("a", "江苏省", "盐城市", "盐都区"),
        _organ("b", "江苏省", "盐城市", "亭湖区"),
        _organ("c", "江苏省", "盐城市", "亭湖区"),
        _organ("d", "江苏省", "盐城市"),
        _organ("e", "江苏省", None),
        _organ("f", "福建省", "三明市"),
        _organ("g", None, None),
    ]
    assert common.partition(organs[:3]) is None  # fits on one page: no split at all
    parts = common.partition(organs)
    assert parts is not None
    assert [(p.label, [o.name for o in p.organs]) for p in parts] == [
        ("江苏省 盐城市 亭湖区", ["b", "c"]),
        ("江苏省 盐城市 盐都区", ["a"]),
        ("江苏省 盐城市（市本级）", ["d"]),
        ("江苏省（省本级）", ["e"]),
        ("福建省", ["f"]),
        ("未确定地区", ["g"]),
    ]
    assert len({p.key for p in parts}) == len(parts)


def test_pages_listing_every_organ_are_split_by_region(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the samples (one county) and two organs elsewhere, split two organs a page: three regions
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES, inbox)
    for organ, name in (("福建省三明市商务局", "sanming_2024.txt"), ("泰州市财政局", "taizhou_2024.txt")):
        text = (SAMPLES / "320903-commerce_2024.txt").read_text(encoding="utf-8")
        (inbox / name).write_text(text.replace("盐城市盐都区商务局", organ), encoding="utf-8")
    run_nightly(inbox, tmp_path / "wh.duckdb", tmp_path, tmp_path / "first-site")
    from pipelines.site.pages import common

    monkeypatch.setattr(common, "ORGANS_PER_PAGE", 2)
    site = tmp_path / "site"
    result = build_site(tmp_path / "wh.duckdb", site)
    got = pages(site)
    organ_pages = {p for p in got if p.startswith("organ/")}
    assert len(organ_pages) == result.organs > 2
    for folder in ("organs", "coverage", "compare"):
        parts = sorted(p for p in got if p.startswith(folder + "/"))
        assert len(parts) == 3, (folder, parts)
        index = got[f"{folder}.html"]
        linked = set(re.findall(rf'href="({folder}/[^"#]+)"', index))
        assert linked == set(parts), folder  # the index links every region page, and only those
        seen: list[str] = []
        for part in parts:
            text = got[part]
            assert f'href="../{folder}.html"' in text  # back to the index
            if folder == "compare":
                spec = dict(SPEC.findall(text))["compare-data"]
                seen += [o[5].removeprefix("../") for o in json.loads(spec)["organs"]]
            else:
                seen += re.findall(r'href="\.\./(organ/[^"#]+)"', text)
        assert sorted(seen) == sorted(organ_pages), folder  # every organ on exactly one region page
        assert len(index.encode("utf-8")) < MAX_PAGE_BYTES


def test_table_rows_are_escaped_as_jinja_escapes() -> None:
    # row_html replaced a Jinja loop for speed; it must write what that loop wrote, escaping included
    from pipelines.site.render import make_env
    from pipelines.site.tables import Cell, Row, row_html

    loop = make_env().from_string(
        '{%- for text, rs in row.heads %}{% if rs %}<th scope="row"{% if rs > 1 %} rowspan="{{ rs }}"{% endif %}>'
        "{{ text }}</th>{% endif %}{% endfor %}"
        '{%- for c in row.cells %}<td{% if c.cls %} class="{{ c.cls }}"{% endif %}{% if c.title %} title="{{ c.title }}"'
        '{% endif %}>{{ c.text }}{%- if c.notes %}<sup>{% for n in c.notes %}<a href="#f{{ year }}-{{ n }}">{{ n }}</a>'
        "{% if not loop.last %},{% endif %}{% endfor %}</sup>{% endif %}</td>{% endfor %}"
    )
    row = Row(
        heads=(("<b>一、</b>本年新收", 2), ("skipped", 0), ('自然人 & "法人"', 1)),
        cells=(
            Cell("12", "", "", ()),
            Cell(EVIL, "bad bad-error", "[1] 12 ≠ 11 'x' <y>\n[2] z", (1, 2)),
            Cell("", "blank", "空白（规则按 0 计）", ()),
            Cell("3", "uncertain", "", (7,)),
        ),
    )
    assert str(row_html(row, 2024)) == loop.render(row=row, year=2024)
    assert "<script>" not in str(row_html(row, 2024))


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_unchanged_organ_pages_are_copied_and_the_site_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.site.pages import organ

    inbox, wh, site = tmp_path / "inbox", tmp_path / "wh.duckdb", tmp_path / "site"
    shutil.copytree(SAMPLES, inbox, ignore=shutil.ignore_patterns("320903-finance_2025.*"))

    def night() -> Any:
        return (
            run_nightly(inbox, wh, tmp_path, site).asset_materializations_for_node("static_site")[0].metadata
        )

    organs = night()["organs"].value
    # nothing changed: every organ page is copied, and the site is what a full build writes
    assert night()["organ_pages_rendered"].value == 0
    assert _files(site) == _files(build_site(wh, tmp_path / "full", full=True).out_dir)
    # the finance bureau's 2025 report arrives: its page is rendered again, and at most its government's
    # (whose region sum H-X1 can now check); the others are copied
    shutil.copy(SAMPLES / "320903-finance_2025.txt", inbox)
    assert night()["organ_pages_rendered"].value in (1, 2) and organs > 2
    assert _files(site) == _files(build_site(wh, tmp_path / "full2", full=True).out_dir)
    finance = next(p for p in site.glob("organ/*.html") if "盐城市盐都区财政局" in p.read_text("utf-8"))
    assert 'id="y2025"' in finance.read_text("utf-8")
    # a change to the code or templates that draw the pages renders them all
    monkeypatch.setattr(organ, "code_digest", lambda: "another version")
    assert night()["organ_pages_rendered"].value == organs
    # a lost or damaged digest file costs a full render, never a stale page (once the site is built
    # again: a site whose inputs did not change at all is kept as it is)
    (site / fingerprint.FILE).unlink()
    (site / organ.DIGESTS).write_text("{not json", encoding="utf-8")
    assert build_site(wh, site).organ_pages_rendered == organs


def test_unchanged_organ_pages_are_linked_and_the_old_site_is_never_written(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build with nothing changed shares the previous build's organ pages (no second copy on disk);
    a build that fails leaves the old site byte for byte, and a page written over a shared one is a
    new file, never a write into the old site's."""
    from pipelines.site import build as build_mod
    from pipelines.site.render import Writer, make_env

    wh, _ = built
    out = tmp_path / "site"
    build_site(wh, out)
    (out / fingerprint.FILE).unlink()  # else the site is kept as it is: nothing changed
    before = _files(out)
    shared: list[int] = []

    def inspect_then_fail(tmp: Path, out_dir: Path) -> None:
        shared.extend(p.stat().st_nlink for p in tmp.glob("organ/*.html"))
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_mod, "_swap", inspect_then_fail)
    with pytest.raises(RuntimeError):
        build_site(wh, out)
    assert shared and all(n == 2 for n in shared)  # every organ page linked, none copied
    assert _files(out) == before
    monkeypatch.undo()

    page = next(out.glob("organ/*.html"))
    w = Writer(tmp_path / "next", make_env(), {})
    w.link("organ/x.html", page)
    w.bytes("organ/x.html", b"changed")
    assert page.read_bytes() == before[page.relative_to(out).as_posix()]
    assert (tmp_path / "next" / "organ" / "x.html").read_bytes() == b"changed"

    # where the two folders cannot share a file (another filesystem), the page is copied
    def no_links(src: object, dst: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr("os.link", no_links)
    w.link("organ/y.html", page)
    copied = tmp_path / "next" / "organ" / "y.html"
    assert copied.read_bytes() == page.read_bytes() and copied.stat().st_nlink == 1


def test_names_are_spelled_once_and_kept_for_the_next_build(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build keeps the pinyin of every name it spelled in the site folder, and the next build takes
    it from there: nothing converted again, the same bytes. A name the previous build did not spell
    (an organ renamed) is converted, and the old name is not kept; a missing, damaged or another
    version's file is ignored, and so is any file by a full build."""
    from pipelines.site import pinyin

    wh, _ = built
    out = tmp_path / "site"
    converted: list[str] = []
    convert = pinyin._convert
    monkeypatch.setattr(pinyin, "_convert", lambda text: converted.append(text) or convert(text))
    build_site(wh, out)
    first = _files(out)
    kept = json.loads(first[pinyin.FILE])
    assert kept["version"] == pinyin.version()
    assert sorted(converted) == sorted(kept["names"])
    name = "盐城市盐都区财政局"
    assert kept["names"][name].split("|") == convert(name)
    assert "江苏省盐城市盐都区" in kept["names"]  # a region's full name, in the search index

    def again(cache: bytes | None, *, full: bool = False) -> dict[str, bytes]:
        if cache is None:
            (out / pinyin.FILE).unlink(missing_ok=True)
        else:
            (out / pinyin.FILE).write_bytes(cache)
        (out / fingerprint.FILE).unlink()  # else the site is kept as it is: nothing changed
        converted.clear()
        build_site(wh, out, full=full)
        return _files(out)

    assert again(first[pinyin.FILE]) == first and converted == []
    # the previous build knew the organ by another name
    renamed = dict(kept["names"])
    renamed["盐城市盐都区旧财政局"] = renamed.pop(name)
    assert again(json.dumps({**kept, "names": renamed}).encode()) == first and converted == [name]
    for damaged in (
        None,
        b"{not json",
        b"[]",
        json.dumps({**kept, "version": "pypinyin==0.1;other code"}).encode(),
        json.dumps({**kept, "names": {n: 1 for n in kept["names"]}}).encode(),
    ):
        assert again(damaged) == first and sorted(converted) == sorted(kept["names"]), damaged
    wrong = json.dumps({**kept, "names": {**kept["names"], name: "a"}}).encode()
    assert again(wrong, full=True) == first and sorted(converted) == sorted(kept["names"])
    # what the file says is what the build takes: a spelling kept wrongly would list the organ first
    assert again(wrong) != first and converted == []


# ---------------------------------------------------------------------------------------------
# what oversight staff quote: verdicts, guesses, order (issue 12)


def test_guessed_cells_are_marked_and_explained(
    built: tuple[Path, Path], con: duckdb.DuckDBPyConnection
) -> None:
    _, site = built
    row = con.execute("""
        SELECT a.name, c.year, c.file_name, count(*) FROM guessed_cell g
        JOIN current_report c USING (report_id) JOIN dim_agency a USING (agency_id)
        GROUP BY ALL ORDER BY c.file_name LIMIT 1""").fetchone()
    assert row is not None  # the samples' crawler dumps glue digits
    name, year, file_name, n = row
    page = organ_file(con, site, name).read_text(encoding="utf-8")
    panel = page.split(f'id="y{year}" role="tabpanel"', 1)[1].split('role="tabpanel"', 1)[0]
    marked = re.findall(r'<td class="[^"]*uncertain[^"]*" title="([^"]*)">≈', panel_cells(panel, year))
    assert len(marked) == n
    assert all(
        t.startswith("推测的数值：原文把这一行的数字连在一起印成") and "glued" not in t for t in marked
    )
    assert f'id="g{year}"' in panel and "其他可能的读数" in panel + "".join(marked)
    listed = (site / "guessed.html").read_text(encoding="utf-8")
    assert file_name in listed and file_name in (site / "quality.html").read_text(encoding="utf-8")


def test_every_unchecked_report_is_listed_and_never_called_passed(
    built: tuple[Path, Path], con: duckdb.DuckDBPyConnection
) -> None:
    _, site = built
    unchecked = con.execute("""
        SELECT s.source_file, s.agency, s.year FROM report_status s
        WHERE s.is_current AND s.status = 'unchecked' ORDER BY 1""").fetchall()
    assert unchecked
    listed = (site / "unchecked.html").read_text(encoding="utf-8")
    assert all(f in listed for f, _, _ in unchecked)
    for _, agency, year in unchecked:
        page = organ_file(con, site, agency).read_text(encoding="utf-8")
        tab = re.search(rf'<a href="#y{year}"[^>]*>.*?</a>', page, re.S)
        assert tab is not None and "通过" not in tab.group(0) and "未能全部核对" in tab.group(0)
    passed = con.execute(
        "SELECT count(*) FROM report_status WHERE is_current AND status = 'passed'"
    ).fetchone()
    shown = sum(p.count("<small>通过</small>") for p in pages(site).values())
    assert passed is not None and shown == passed[0]


def test_errors_come_before_warnings_in_every_top_list(built: tuple[Path, Path]) -> None:
    _, site = built
    html = (site / "quality.html").read_text(encoding="utf-8")
    table = html.split('id="organ-findings-table"', 1)[1].split("</table>", 1)[0]
    counts = [
        tuple(-int(v) for v in re.findall(r'data-v="(\d+)"', row)[1:4]) for row in table.split("<tr>")[2:]
    ]
    assert counts and counts == sorted(counts)  # by errors, then warnings, then notes
    rules = html.split('id="by-rule-table"', 1)[1].split("</table>", 1)[0]
    severities = re.findall(r"<td>(错误|警告|提示)</td>", rules)
    assert len(set(severities)) > 1 and severities == sorted(severities, key=["错误", "警告", "提示"].index)


def test_a_blank_the_rule_counted_as_zero_is_shown_as_blank(
    built: tuple[Path, Path], con: duckdb.DuckDBPyConnection
) -> None:
    """H-X1 on 盐都区 2023: its 行政复议 总计 is blank; the 说明 says 空白, and so does 报告所印."""
    _, site = built
    html = (site / "rule" / "H-X1.html").read_text(encoding="utf-8")
    row = next(r for r in html.split("<tr>") if "表四 行政复议·总计 空白" in r)
    assert '<td class="num blank" data-v="" title="报告此格空白，规则按 0 计">空白</td>' in row


# --- issue 14: drill-down, workbook, method, search, file names ------------------------------------


def test_region_totals_count_once_at_every_level(
    built: tuple[Path, Path], con: duckdb.DuckDBPyConnection
) -> None:
    _, site = built
    nation = con.execute("""
        SELECT r.year, r.new_received, t.new_received, r.reports_summed, t.reports_summed
        FROM mart_region_total r JOIN mart_year_total t ON t.province IS NULL AND t.year = r.year
        WHERE r.region_level = 'nation' ORDER BY r.year""").fetchall()
    assert nation and all(a == b and c == d for _, a, b, c, d in nation)
    provinces = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE r.new_received IS DISTINCT FROM t.new_received)
        FROM mart_region_total r JOIN mart_year_total t ON t.province = r.region_name AND t.year = r.year
        WHERE r.region_level = 'province'""").fetchone()
    assert provinces is not None and provinces[0] > 0 and provinces[1] == 0
    # a page for the nation and for every province, city and county, each linking its way up
    codes = {
        c
        for (c,) in con.execute(
            "SELECT DISTINCT region_code FROM mart_region_total WHERE region_code IS NOT NULL"
        ).fetchall()
    }
    assert {p.stem for p in (site / "region").glob("*.html")} == codes and (site / "regions.html").is_file()
    county = (site / "region" / "320903.html").read_text(encoding="utf-8")
    assert 'href="../regions.html">全国</a> › <a href="../region/32.html">江苏省</a>' in county
    assert "盐城市盐都区财政局" in county and "盐都区人民政府" in county  # its departments and its government
    # the county's total for 2024, counted once, is what the page's table says
    (total,) = con.execute(
        "SELECT new_received FROM mart_region_total WHERE region_code = '320903' AND year = 2024"
    ).fetchone() or (None,)
    table = county[county.index('id="by-year-table"') :]
    row = re.search(r"<tr><td>2024</td>(.*?)</tr>", table, re.S)
    assert row is not None and f'data-v="{int(total)}"' in row.group(1)


def test_a_government_page_lists_its_subordinates_year_by_year(
    built: tuple[Path, Path], con: duckdb.DuckDBPyConnection
) -> None:
    _, site = built
    page = organ_file(con, site, "盐都区人民政府").read_text(encoding="utf-8")
    grid = page[page.index('id="subordinates"') : page.index("历年趋势")]
    children = [
        n
        for (n,) in con.execute("""
            SELECT a.name FROM dim_agency_profile p JOIN dim_agency a USING (agency_id)
            WHERE p.parent_agency_id = (SELECT agency_id FROM dim_agency WHERE name = '盐都区人民政府')
              AND p.has_reports""").fetchall()
    ]
    assert len(children) >= 4 and all(html_escape(n) in grid for n in children)
    # one mark per child and year; the failed year of the HR bureau is marked as failing
    assert grid.count('<td class="cov ') == len(children) * 7
    assert re.search(r"人力资源和社会保障局.*?2023 年：\d+ 条问题", grid, re.S)


def html_escape(text: str) -> str:
    import html

    return html.escape(text)


def test_the_workbook_holds_every_finding(built: tuple[Path, Path], con: duckdb.DuckDBPyConnection) -> None:
    from openpyxl import load_workbook

    _, site = built
    wb = load_workbook(site / "findings.xlsx")
    assert wb.sheetnames[:4] == ["问题清单", "已解决的问题", "未能全部核对的报告", "推测的数值"]
    ws = wb["问题清单"]
    header = [c.value for c in ws[1]]
    col = {name: i for i, name in enumerate(header)}
    assert header[:14] == [
        "案件编号",
        "状态",
        "机关",
        "地区",
        "年度",
        "规则",
        "规则内容",
        "严重程度",
        "涉及的格",
        "按规则应为",
        "报告所印",
        "差额",
        "说明",
        "页面链接",
    ]
    # the columns staff fill in, empty
    assert {"处理意见", "处理人", "日期", "处理说明", "数字指纹"} <= set(header)
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert all(
        r[col["处理意见"]] is None and r[col["处理人"]] is None and r[col["日期"]] is None for r in rows
    )
    expected = con.execute("""
        SELECT a.name, f.year, f.rule_id, f.message, k.case_id, k.printed
        FROM report_findings f JOIN current_report c USING (report_id)
        JOIN dim_agency a ON a.agency_id = c.agency_id
        JOIN finding_case k ON k.agency_id = c.agency_id AND k.year = f.year AND k.rule_id = f.rule_id
                           AND k.instance = f.instance
        ORDER BY ALL""").fetchall()
    got = [
        (
            r[col["机关"]],
            r[col["年度"]],
            r[col["规则"]],
            r[col["说明"]],
            r[col["案件编号"]],
            r[col["数字指纹"]],
        )
        for r in rows
    ]
    assert (
        sorted(got) == sorted(expected)
        and len(rows)
        == con.execute(
            "SELECT count(*) FROM report_findings SEMI JOIN current_report USING (report_id)"
        ).fetchone()[0]
    )  # type: ignore[index]
    assert (
        ws.freeze_panes == "A2"
        and ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{len(rows) + 1}"
    )
    # every row links its organ's page at that year, relative to the site folder
    for r, row in enumerate(ws.iter_rows(min_row=2), start=2):
        link = ws.cell(r, col["页面链接"] + 1).hyperlink
        assert (
            link is not None
            and (site / link.target.split("#")[0]).is_file()
            and link.target.endswith(f"#y{row[col['年度']].value}")
        )
    unchecked = wb["未能全部核对的报告"].max_row - 1
    assert unchecked == con.execute(UNCHECKED).fetchone()[0]  # type: ignore[index]
    assert (
        wb["推测的数值"].max_row - 1
        == con.execute(
            "SELECT count(*) FROM guessed_cell SEMI JOIN current_report USING (report_id)"
        ).fetchone()[0]
    )  # type: ignore[index]


def test_rule_pages_give_their_basis(built: tuple[Path, Path]) -> None:
    from pipelines import catalogue

    _, site = built
    for rule in catalogue.load():
        assert rule.basis_zh and rule.passes_zh and rule.fails_zh and rule.undecided_zh, rule.id
        page = (site / "rule" / f"{rule.id}.html").read_text(encoding="utf-8")
        assert "依据与方法" in page and ("条例" in page or "国办" in page), rule.id
    s1 = (site / "rule" / "T3-S1.html").read_text(encoding="utf-8")
    assert "第一项加第二项之和，等于第三项加第四项之和" in s1 and "国办公开办函〔2021〕30号" in s1
    about = (site / "about.html").read_text(encoding="utf-8")
    for words in ("数据来源", "全区域报告", "推测的数值", "严重程度", "无法判断", "发现错误怎么办"):
        assert words in about


def test_search_index_and_order(built: tuple[Path, Path], con: duckdb.DuckDBPyConnection) -> None:
    _, site = built
    text = (site / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert text.startswith("window.GONGKAI_SEARCH = ")
    ix = json.loads(text[len("window.GONGKAI_SEARCH = ") :].rstrip().rstrip(";"))
    organs = {o[0]: o for o in ix["organs"]}
    gov = organs["盐都区人民政府"]
    assert ix["regions"][gov[2]][0] == "江苏省盐城市盐都区" and gov[3] == "jssycsydqrmzf"
    # lists in region-code order, then pinyin: 财 (cai) before 人 (ren) before 商 (shang)
    names = [o[0] for o in ix["organs"] if o[0].startswith("盐城市盐都区")]
    assert (
        names.index("盐城市盐都区财政局")
        < names.index("盐城市盐都区人力资源和社会保障局")
        < names.index("盐城市盐都区商务局")
    )
    organs_page = (site / "organs.html").read_text(encoding="utf-8")
    assert organs_page.index("盐城市盐都区财政局") < organs_page.index("盐城市盐都区商务局")


def test_csv_names_say_what_they_hold(built: tuple[Path, Path]) -> None:
    _, site = built
    names = set()
    for p in site.rglob("*.html"):
        names |= set(re.findall(r'data-file="([^"]+)"', p.read_text(encoding="utf-8")))
    fixed = {
        n for n in names if n not in ("机关排名.csv", "机关分布.csv")
    }  # compare.js names these per filter
    assert fixed and all(re.search(r"_(\d{4}(-\d{4})?|无)年", n) for n in fixed), sorted(fixed)[:10]
    assert "各年度申请及办理结果_2019-2025年_全部机关_每件只计一次.csv" in names


def test_every_colour_of_a_status_grid_is_in_its_legend(built: tuple[Path, Path]) -> None:
    """A red ! (a report failing an error-level rule) must not be read as the red 缺 of a missing one."""
    _, site = built
    pages = [p for p in site.rglob("*.html") if 'data-year-links="1"' in p.read_text(encoding="utf-8")]
    assert pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        legend = html[html.index('<p class="legend">') :]
        for cls in set(re.findall(r'<td class="(cov [^"]+)"', html)):
            cls = re.sub(r" sev-(warning|info)\b", "", cls)  # no style of their own: they look like "cov bad"
            assert f'<span class="{cls}">' in legend, (page.name, cls)
