"""What oversight staff quote: year totals that count each application once (mart_year_total), and
verdicts that never call an unchecked report clean (report_status, the organ pages). The synthetic
corpus' organs.json is the answer key here; the pipeline runs without it, as on a real inbox."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines import marts, rules, warehouse
from pipelines.site.build import build_site
from tests.conftest import SAMPLES, ingest_files

synth = pytest.importorskip("pipelines.synth")


def _night(inbox: Path, wh: Path, site: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A night without Dagster: ingest, identity, rules, marts (and the site)."""
    ingest_files(inbox, wh)
    rules.run(wh, gx=False)
    con = warehouse.connect(wh)
    marts.build(con)
    if site is not None:
        con.close()
        build_site(wh, site)
        con = warehouse.connect(wh, read_only=True)
    return con


def _inbox(corpus: Path, tmp: Path, *, drop: tuple[str, ...] = ()) -> Path:
    inbox = tmp / "inbox"
    shutil.copytree(corpus, inbox, ignore=shutil.ignore_patterns("organs.json", *(f + "*" for f in drop)))
    return inbox


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two county governments whose reports cover their region and one reporting on its own office
    only (its bureaus report apart), seven years, every medium."""
    out = tmp_path_factory.mktemp("totals") / "corpus"
    synth.generate(out, organs=70, years=range(2019, 2026), seed=1)
    return out


def test_year_totals_are_the_sum_over_the_organs_without_subordinates(corpus: Path, tmp_path: Path) -> None:
    organs = json.loads((corpus / "organs.json").read_text(encoding="utf-8"))
    leaves = sorted(f for o in organs if not o["children"] for f in o["files"])
    con = _night(_inbox(corpus, tmp_path), tmp_path / "w.duckdb")
    try:
        expected = con.execute(
            """
            SELECT m.year, count(*), sum(m.new_received), sum(m.handled), sum(m.denied), sum(m.review_total),
                   sum(m.litigation_total), sum(m.carried_forward)
            FROM mart_organ_year m JOIN current_report c USING (report_id)
            WHERE list_contains(?, c.file_name)
            GROUP BY m.year ORDER BY m.year""",
            [leaves],
        ).fetchall()
        got = con.execute("""
            SELECT year, reports_summed, new_received, handled, denied, review_total, litigation_total,
                   carried_forward
            FROM mart_year_total WHERE province IS NULL ORDER BY year""").fetchall()
        naive = con.execute("SELECT sum(new_received) FROM mart_organ_year WHERE year = 2025").fetchone()
        by_province = con.execute("""
            SELECT t.year, t.new_received, sum(p.new_received)
            FROM mart_year_total t JOIN mart_year_total p ON p.year = t.year AND p.province IS NOT NULL
            WHERE t.province IS NULL GROUP BY ALL""").fetchall()
        apart = con.execute(
            "SELECT sum(unknown_scope_reports) FROM mart_year_total WHERE province IS NULL"
        ).fetchone()
        # a total that includes a guessed cell says so: the guesses among the cells the sums read
        guessed = con.execute(
            "SELECT sum(guessed_cells) FROM mart_year_total WHERE province IS NULL"
        ).fetchone()
        direct = con.execute("""
            SELECT count(*) FROM fact_cell f JOIN dim_cell c USING (cell_id, format)
            JOIN mart_total_basis b USING (report_id)
            WHERE f.uncertain AND b.role IN ('counted', 'stands')
              AND ((c.table_no = '三' AND c.col_code = 'total') OR c.table_no = '四'
                   OR f.cell_id = 't2.admin_fee.amount')""").fetchone()
        marked = con.execute("""
            SELECT count(*) FILTER (WHERE len(guessed_measures) > 0),
                   count(*) FILTER (WHERE guessed_measure_cells > 0)
            FROM mart_organ_year""").fetchone()
    finally:
        con.close()
    assert guessed is not None and guessed == direct and guessed[0] > 0
    assert marked is not None and marked[0] == marked[1] > 0
    assert len(got) == 7 and got == expected
    # adding every report counts the region reports' applications twice
    assert naive is not None and naive[0] > got[-1][2] * 1.5
    assert all(total == parts for _, total, parts in by_province)
    assert apart == (0,)


@pytest.fixture(scope="module")
def gap(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The samples with one bureau's 2023 report taken out (盐都区人社局; its 2022 one is there)."""
    tmp = tmp_path_factory.mktemp("gap")
    inbox = _inbox(SAMPLES, tmp, drop=("320903-hrss_2023",))
    site = tmp / "site"
    _night(inbox, tmp / "w.duckdb", site).close()
    return tmp / "w.duckdb", site


def test_a_missing_subordinate_leaves_the_region_report_unchecked(gap: tuple[Path, Path]) -> None:
    wh, site = gap
    con = warehouse.connect(wh, read_only=True)
    try:
        status, reasons, agency = con.execute(
            "SELECT status, reasons, agency FROM report_status WHERE source_file LIKE '320903-gov_2023%'"
        ).fetchone() or (None, [], None)
        roles = dict(
            con.execute(
                "SELECT role, count(*) FROM mart_total_basis WHERE year = 2023 GROUP BY ALL"
            ).fetchall()
        )
        total, region = con.execute("""
            SELECT t.new_received, m.new_received FROM mart_year_total t
            JOIN mart_organ_year m ON m.year = t.year AND m.report_scope = 'region'
            WHERE t.year = 2023 AND t.province IS NULL""").fetchone() or (None, None)
        page = (
            site
            / con.execute(
                "SELECT 'organ/' || agency_id || '.html' FROM current_report WHERE file_name LIKE '320903-gov_2023%'"
            ).fetchone()[0]
        )  # type: ignore[index]
    finally:
        con.close()
    assert status == "unchecked"
    assert any("没有 2023 年的报告（盐城市盐都区人力资源和社会保障局）" in r for r in reasons), reasons
    # the region report stands for its parts that year, and they are left out: counted once
    assert roles == {"stands": 1, "covered": 4} and total == region
    html = page.read_text(encoding="utf-8")
    panel = re.search(r'<section class="year-panel" id="y2023".*?</section>', html, re.S)
    tab = re.search(r'<a href="#y2023"[^>]*>.*?</a>', html, re.S)
    assert panel is not None and tab is not None and agency
    verdict = panel.group(0).split('<div class="stat-table">')[0]  # the panel above the tables
    assert "通过" not in verdict and "通过" not in tab.group(0)
    assert "未能全部核对" in tab.group(0)
    assert "未能全部核对" in verdict and "盐城市盐都区人力资源和社会保障局" in verdict
