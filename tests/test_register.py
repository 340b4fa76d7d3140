"""Who must report and where reports come from (issue 14): the register of organs that must report
(data/register.csv) makes organs that never published, or stopped, visible in mart_coverage, the
region totals and the site; a sources.yaml entry names the division (and organ) of the reports it
fetches, so a town's report named by a hash is placed; every fetched report keeps its URL."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from pipelines import identity, ingest, marts, warehouse
from pipelines.identity import register, store
from pipelines.site import data as site_data
from pipelines.site.build import build_site
from pipelines.site.pages import overview
from pipelines.sources import Settings, Source, SourcesError, fetch_sources, load_sources
from pipelines.sources.fetch import FETCHED_DIR
from tests.conftest import SAMPLES
from tests.test_fetch import Route, Server, serve

REGISTER = """organ,region_code,parent,first_year,last_year,note
盐城市盐都区财政局,,,2019,,reports every year
盐城市盐都区统计局,,,2021,,never published
龙冈镇人民政府,,盐城市盐都区人民政府,2020,,placed by its parent
档案馆,320903,,2019,2021,placed by its code; abolished after 2021
盐城市盐都区审计局,,盐城市亭湖区人民政府,2019,,parent disagrees
某某局,,,2019,,no place
盐城市盐都区司法局,,,20x1,,bad year
盐城市盐都区水务局,99,,2019,,bad code
"""


def _night(inbox: Path, wh: Path, data: Path) -> None:
    con = warehouse.connect(wh)
    try:
        ingest.run(con, inbox, run_id=str(uuid.uuid4()), started_at=datetime.now(UTC))
        store.build(con, identity.make_resolver(), register_file=data / "register.csv")
        marts.build(con)
    finally:
        con.close()


@pytest.fixture(scope="module")
def registered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The samples without the commerce bureau's 2024 and 2025 reports (it stopped), and a register."""
    tmp = tmp_path_factory.mktemp("register")
    inbox = tmp / "inbox"
    shutil.copytree(SAMPLES, inbox)
    for name in ("320903-commerce_2024.txt", "320903-commerce_2025.docx"):
        (inbox / name).unlink()
    data = tmp / "data"
    data.mkdir()
    (data / "register.csv").write_text(REGISTER, encoding="utf-8")
    wh = tmp / "wh.duckdb"
    _night(inbox, wh, data)
    return wh, tmp


def test_register_rows_resolve_or_say_why(registered: tuple[Path, Path]) -> None:
    with duckdb.connect(str(registered[0]), read_only=True) as con:
        rows = {
            organ: (agency, problem)
            for organ, agency, problem in con.execute(
                "SELECT organ, agency_name, problem FROM organ_register ORDER BY line"
            ).fetchall()
        }
        assert rows["盐城市盐都区财政局"] == ("盐城市盐都区财政局", None)
        assert rows["龙冈镇人民政府"][1] is None and rows["档案馆"][1] is None
        problems = {o: p for o, (_, p) in rows.items() if p}
        assert set(problems) == {"盐城市盐都区审计局", "某某局", "盐城市盐都区司法局", "盐城市盐都区水务局"}
        assert "上级政府" in problems["盐城市盐都区审计局"] and "20x1" in problems["盐城市盐都区司法局"]
        assert "region_code" in problems["某某局"] and "99" in problems["盐城市盐都区水务局"]
        # a registered organ without reports has its place, and its parent, like any other
        placed = dict(
            con.execute("""
                SELECT r.organ, p.county_code || '/' || coalesce(p.parent_name, '') || '/' || p.has_reports
                FROM organ_register r JOIN dim_agency_profile p USING (agency_id)""").fetchall()
        )
        assert placed["龙冈镇人民政府"] == "320903/盐都区人民政府/false"
        assert placed["档案馆"].startswith("320903/盐都区人民政府/false")
        assert placed["盐城市盐都区财政局"].endswith("/true")


def test_coverage_shows_who_never_and_who_no_longer_publishes(registered: tuple[Path, Path]) -> None:
    with duckdb.connect(str(registered[0]), read_only=True) as con:
        rows = con.execute("""
            SELECT c.agency_name, list(c.year ORDER BY c.year), list(c.status ORDER BY c.year),
                   any_value(c.organ_status), any_value(c.registered)
            FROM mart_coverage c GROUP BY c.agency_name""").fetchall()
        by = {name: (years, statuses, state, reg) for name, years, statuses, state, reg in rows}
        years, statuses, state, reg = by["盐城市盐都区统计局"]
        assert (
            years == [2021, 2022, 2023, 2024, 2025]
            and set(statuses) == {"missing"}
            and state == "never"
            and reg
        )
        assert by["龙冈镇人民政府"][0][0] == 2020 and by["龙冈镇人民政府"][2] == "never"
        assert by["档案馆"][0] == [2019, 2020, 2021]  # not expected after its last year
        years, statuses, state, _ = by["盐城市盐都区商务局"]
        assert statuses[-2:] == ["missing", "missing"] and state == "stopped"
        assert by["盐城市盐都区财政局"][2:] == ("reporting", True)
        # the region's coverage counts them, each year
        row = con.execute("""
            SELECT organs_expected, organs_missing, organs_never_published, organs_stopped
            FROM mart_region_total WHERE region_code = '320903' AND year = 2025""").fetchone()
        assert row == (6 + 2, 3, 2, 1)


def test_the_site_lists_organs_that_never_published(registered: tuple[Path, Path]) -> None:
    wh, tmp = registered
    site = build_site(wh, tmp / "site").out_dir
    coverage = (site / "coverage.html").read_text(encoding="utf-8")
    assert "盐城市盐都区统计局" in coverage and "从未发布" in coverage and "已不再发布" in coverage
    region = (site / "region" / "320903.html").read_text(encoding="utf-8")
    assert "龙冈镇人民政府" in region and "其中从未发布 2 个" in region
    with duckdb.connect(str(wh), read_only=True) as con:
        (agency,) = con.execute(
            "SELECT agency_id FROM organ_register WHERE organ = '龙冈镇人民政府'"
        ).fetchone() or ("",)
    page = (site / "organ" / f"{agency}.html").read_text(encoding="utf-8")
    assert "应报名册" in page and "从未发布" in page and "data/register.csv 第 4 行" in page
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "3 个名册所列机关从未发布，1 个机关已不再发布" in index


def test_a_malformed_register_never_stops_the_stage(tmp_path: Path) -> None:
    bad = tmp_path / "register.csv"
    bad.write_text("name,year\nx,2020\n", encoding="utf-8")
    [entry] = register.load(bad, identity.make_resolver())
    assert entry.identity is None and "表头" in (entry.problem or "")
    bad.write_bytes(b"organ,region_code\n\xff\xfe\x00bad")
    [entry] = register.load(bad, identity.make_resolver())
    assert entry.problem and entry.problem.startswith("无法读取")
    assert register.load(tmp_path / "missing.csv", identity.make_resolver()) == []


# --- sources: the division and organ of fetched reports ------------------------------------------


def _town_report() -> bytes:
    """A sample report of a town whose name says nothing of its county."""
    text = (SAMPLES / "320903-commerce_2023.txt").read_text(encoding="utf-8")
    return text.replace("盐城市盐都区商务局", "中桥镇人民政府").encode("utf-8")


def test_a_fetched_report_is_filed_under_its_division_and_placed(tmp_path: Path) -> None:
    fast = Settings(timeout=5, retries=0, min_interval=0.0, respect_robots=False)
    inbox, wh = tmp_path / "inbox", tmp_path / "wh.duckdb"
    with serve() as server:
        server.routes["/zwgk/zq2023.txt"] = Route(body=_town_report(), content_type="text/plain")
        server.routes["/zwgk/other.txt"] = Route(body=_town_report().replace(b"2023", b"2022"))
        placed = Source(server.base + "/zwgk/zq2023.txt", division="320981", organ="中桥镇人民政府")
        unplaced = Source(server.base + "/zwgk/other.txt")
        first, second = fetch_sources(fast, [placed, unplaced], inbox)
        assert first.file is not None and first.file.startswith(f"{FETCHED_DIR}/320981/")
        assert first.file.endswith("_中桥镇人民政府.txt")
        assert second.file is not None and second.file.count("/") == 1
        _night(inbox, wh, tmp_path)
        with duckdb.connect(str(wh), read_only=True) as con:
            got = dict(
                con.execute("""
                    SELECT r.year, p.county_code FROM dim_report r JOIN dim_agency_profile p USING (agency_id)
                    """).fetchall()
            )
            assert got == {2023: "320981", 2022: None}  # the unplaced one: a town of nowhere
            origins = con.execute(
                "SELECT path, url, division_code FROM source_origin ORDER BY path"
            ).fetchall()
            assert sorted((u, d) for _, u, d in origins) == sorted(
                [(placed.url, "320981"), (unplaced.url, None)]
            )
        # the entry gains a division: its file moves there (same bytes, no new download), and is placed
        again = fetch_sources(fast, [placed, Source(unplaced.url, division="320981")], inbox)
        assert again[1].status in ("unchanged", "not_modified") and again[1].file is not None
        assert again[1].file.startswith(f"{FETCHED_DIR}/320981/") and (inbox / again[1].file).is_file()
        assert not (inbox / (second.file or "")).exists()
    _night(inbox, wh, tmp_path)
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute(
            "SELECT count(*) FROM dim_report r JOIN dim_agency_profile p USING (agency_id) WHERE p.county_code = '320981'"
        ).fetchone() == (2,)
    # each report shows where it came from, and links to it
    site = build_site(wh, tmp_path / "site").out_dir
    pages = "".join(p.read_text(encoding="utf-8") for p in (site / "organ").glob("*.html"))
    assert f'<a class="source-link" href="{placed.url}"' in pages and "收件箱文件" in pages


def test_sources_yaml_division_and_organ_are_checked(tmp_path: Path) -> None:
    f = tmp_path / "sources.yaml"
    f.write_text(
        "sources:\n  - url: https://a.example.gov.cn/1.html\n    division: 320981\n    organ: 中桥镇人民政府\n",
        encoding="utf-8",
    )
    _, [src] = load_sources(f)
    assert (src.division, src.organ) == ("320981", "中桥镇人民政府")
    f.write_text("sources:\n  - url: https://a.example.gov.cn/1.html\n    division: 3209\n", encoding="utf-8")
    with pytest.raises(SourcesError, match="six-digit"):
        load_sources(f)


def test_an_organ_name_cannot_escape_the_inbox(tmp_path: Path, server: Server) -> None:
    server.routes["/r.html"] = Route(body=_town_report())
    fast = Settings(timeout=5, retries=0, min_interval=0.0, respect_robots=False)
    f = tmp_path / "sources.yaml"
    f.write_text(
        f"sources:\n  - url: {server.base}/r.html\n    division: '320981'\n    organ: ../../etc/passwd\n",
        encoding="utf-8",
    )
    _, sources = load_sources(f)
    [r] = fetch_sources(fast, sources, tmp_path / "inbox")
    assert r.file is not None and ".." not in r.file and (tmp_path / "inbox" / r.file).is_file()


@pytest.fixture
def server() -> object:
    with serve() as s:
        yield s


@pytest.mark.parametrize(
    ("newest_load", "closed", "commerce"),
    [
        # in January 2025 the reports of 2024 are still coming in: the bureau last published 2023
        ("2025-01-31 23:59:00+08", 2023, "reporting"),
        # from 1 February 2025 its 2024 report is overdue: it stopped
        ("2025-02-01 00:00:00+08", 2024, "stopped"),
    ],
)
def test_an_organ_stops_only_when_a_due_year_is_missing(
    registered: tuple[Path, Path], tmp_path: Path, newest_load: str, closed: int, commerce: str
) -> None:
    """A year's report is due by 31 January of the next year: an organ missing only years still open
    (as of the newest load) has not stopped, and the marts see the year come due on their next build."""
    wh = tmp_path / "wh.duckdb"
    shutil.copy(registered[0], wh)
    con = duckdb.connect(str(wh))
    try:
        con.execute("UPDATE dim_report SET loaded_at = least(loaded_at, ?::TIMESTAMPTZ)", [newest_load])
        con.execute(
            "UPDATE dim_report SET loaded_at = ?::TIMESTAMPTZ WHERE report_id = "
            "(SELECT min(report_id) FROM dim_report)",
            [newest_load],
        )
        marts.build(con)  # incremental: the year come due is a change of every organ
        state = dict(
            con.execute(
                "SELECT agency_name, any_value(organ_status) FROM mart_coverage GROUP BY agency_name"
            ).fetchall()
        )
        assert con.execute("SELECT DISTINCT closed_year FROM mart_coverage").fetchall() == [(closed,)]
        assert state["盐城市盐都区商务局"] == commerce
        assert state["盐城市盐都区财政局"] == "reporting"
        stopped = con.execute(
            "SELECT organs_stopped FROM mart_region_total WHERE region_code = '320903' AND year = 2025"
        ).fetchone()
        assert stopped == (1 if commerce == "stopped" else 0,)
        # a year still open is not missing yet: it counts in no region's missing organs
        (status,) = con.execute(
            "SELECT status FROM mart_coverage WHERE agency_name = '盐城市盐都区商务局' AND year = 2024"
        ).fetchone() or (None,)
        assert status == ("not_due" if closed < 2024 else "missing")
        assert con.execute(
            "SELECT count(*) FROM mart_coverage WHERE status = 'not_due' AND year <= ?", [closed]
        ).fetchone() == (0,)
        assert con.execute(
            "SELECT count(*) FROM mart_coverage WHERE status = 'missing' AND year > ?", [closed]
        ).fetchone() == (0,)
        # the overview's chart counts the open years apart from the missing ones
        d = site_data.load(con)
        chart = overview.reports_chart(d, d.years)
        columns = [c.label for c in chart.columns]
        assert "报告期限未到（个）" in columns
        for row in chart.rows:
            counted = dict(zip(columns, row, strict=True))
            statuses = [r["status"] for r in d.coverage if r["year"] == counted["年度"]]
            assert counted["缺报（份）"] == statuses.count("missing")
            assert counted["报告期限未到（个）"] == statuses.count("not_due")
            assert counted["应报机关（个）"] == len(statuses)
    finally:
        con.close()
