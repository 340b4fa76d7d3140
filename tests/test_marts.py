"""The marts against numbers worked out by hand on a small warehouse: an organ renamed between years
(merged by an alias row), a government that printed its place two ways, missing years, a report
loaded from two files, an organ without a place and a report without an organ."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines import identity, layout, marts, packaged, warehouse
from pipelines.identity import store
from pipelines.model import ParsedCell, ParsedReport, Provenance
from pipelines.parsing.parse import PARSER_VERSION
from pipelines.warehouse import load, schema

FIN_OLD, FIN_NEW = "淮安市洪泽区财政局", "淮安市洪泽区财政金融局"  # renamed for 2023; aliases.csv merges them
GOV_SHORT, GOV_FULL = "洪泽区人民政府", "淮安市洪泽区人民政府"
COMMERCE = "洪泽区商务局"


def report(
    agency: str | None,
    year: int,
    *,
    s6: str = "",
    medium: str = "text",
    uncertain: bool = False,
    **totals: float,
) -> ParsedReport:
    """An F2021 report: every cell 0 except the given ones (cell id with '.' written as '__')."""
    cells = {}
    for cid in layout.CELL_IDS["F2021"]:
        value = totals.get(cid.replace(".", "__"), 0)
        cells[cid] = ParsedCell(
            cid,
            value,
            str(value),
            "number",
            Provenance(),
            uncertain=uncertain and cid == "t3.granted.natural_person",
        )
    title = f"{agency}{year}年度政府信息公开工作年度报告" if agency else None
    return ParsedReport(agency, year, "F2021", medium, cells, {"s1": "一、总体情况", "s6": s6}, title=title)  # type: ignore[arg-type]


def t3(
    new: float,
    carried: float,
    granted: float,
    partial: float,
    secret: float,
    process: float,
    unavailable: float,
    duplicate: float,
    other: float,
    forward: float,
) -> dict[str, float]:
    """表三 total column; the printed 总计 is the sum of the outcome rows."""
    total = granted + partial + secret + process + unavailable + duplicate + other
    return {
        "t3__new_received__total": new,
        "t3__carried_over__total": carried,
        "t3__granted__total": granted,
        "t3__partially_granted__total": partial,
        "t3__denied_state_secret__total": secret,
        "t3__denied_process_info__total": process,
        "t3__unavailable_not_held__total": unavailable,
        "t3__not_handled_duplicate__total": duplicate,
        "t3__other_misc__total": other,
        "t3__total__total": total,
        "t3__carried_forward__total": forward,
    }


FIN_2023 = {
    **t3(10, 2, 4, 1, 1, 1, 1, 1, 1, 2),
    "t4__review__total": 3,
    "t4__review__corrected": 1,
    "t4__litigation_direct__total": 2,
    "t4__litigation_direct__corrected": 1,
    "t4__litigation_after_review__total": 1,
    "t2__admin_fee__amount": 1.5,
}


def _items() -> list[tuple[str, str, ParsedReport]]:
    r = [
        ("fin2021.txt", "h-fin2021", report(FIN_OLD, 2021, **t3(6, 0, 3, 0, 0, 0, 3, 0, 0, 0))),
        ("fin2022.txt", "h-fin2022", report(FIN_OLD, 2022, **t3(8, 0, 2, 0, 2, 0, 4, 0, 0, 0))),
        ("fin2023.txt", "h-fin2023", report(FIN_NEW, 2023, s6="本年度收取信息处理费1,200元。", **FIN_2023)),
        # 2024 not published
        (
            "fin2025.txt",
            "h-fin2025",
            report(FIN_NEW, 2025, s6="本年度未收取信息处理费。", **t3(4, 0, 4, 0, 0, 0, 0, 0, 0, 0)),
        ),
        ("gov2021.txt", "h-gov2021", report(GOV_SHORT, 2021, **t3(20, 0, 10, 0, 0, 0, 10, 0, 0, 0))),
        ("gov2023.txt", "h-gov2023", report(GOV_FULL, 2023, **t3(30, 0, 15, 5, 0, 0, 10, 0, 0, 0))),
        ("unplaced.txt", "h-unplaced", report("区商务局", 2023, **t3(1, 0, 1, 0, 0, 0, 0, 0, 0, 0))),
        ("anonymous.txt", "h-anon", report(None, 2023)),
    ]
    # 洪泽区商务局 2021–2025: 1, 2, 3, 4, 5 applications, all granted
    r += [
        (f"com{y}.txt", f"h-com{y}", report(COMMERCE, y, **t3(y - 2020, 0, y - 2020, 0, 0, 0, 0, 0, 0, 0)))
        for y in range(2021, 2026)
    ]
    # the 2023 report once more as an HTML page (the preferred medium), with a different 予以公开
    r.append(
        (
            "com2023.html",
            "h-com2023-html",
            report(COMMERCE, 2023, medium="html", **t3(3, 0, 2, 1, 0, 0, 0, 0, 0, 0)),
        )
    )
    return r


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    folder = tmp_path_factory.mktemp("marts")
    aliases_file = folder / "aliases.csv"
    aliases_file.write_text(
        f"kind,name,canonical,region_code,note\norgan,{FIN_OLD},{FIN_NEW},,renamed in 2023\n",
        encoding="utf-8",
    )
    c = warehouse.connect(folder / "wh.duckdb")
    schema.migrate(c)
    load.load_reports(c, _items(), parser_version=PARSER_VERSION)
    c.execute(
        "INSERT INTO findings (report_id, rule_id, instance, status, severity, cell_ids, related_cell_ids,"
        " blank_decided, message_zh) VALUES (?, 'T3-S1', 'a', 'fail', 'error', [], [], false, 'x'),"
        " (?, 'T3-X1', 'b', 'fail', 'warning', [], [], false, 'y'),"
        " (?, 'T2-X1', 'c', 'not_assessable', 'warning', [], [], false, 'z')",
        ["h-fin2023"] * 3,
    )
    store.build(c, identity.make_resolver(aliases_file=aliases_file))
    marts.build(c)
    yield c
    c.close()


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> dict[str, Any]:
    cur = con.execute(sql, params or [])
    row = cur.fetchone()
    assert row is not None, sql
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def aid(name: str) -> str:
    ident = identity.resolve(name)
    assert ident is not None
    return ident.agency_id


FIN = aid(FIN_NEW)


def test_renamed_organ_is_one_agency(con: duckdb.DuckDBPyConnection) -> None:
    years = con.execute(
        "SELECT year, agency_name FROM mart_organ_year WHERE agency_id = ? ORDER BY year", [FIN]
    ).fetchall()
    assert years == [(2021, FIN_NEW), (2022, FIN_NEW), (2023, FIN_NEW), (2025, FIN_NEW)]
    prof = one(con, "SELECT * FROM dim_agency_profile WHERE agency_id = ?", [FIN])
    assert prof["names"] == sorted([FIN_OLD, FIN_NEW]) and prof["has_reports"]
    assert (prof["level"], prof["organ_kind"], prof["sector"], prof["county"]) == (
        "county",
        "department",
        "finance",
        "洪泽区",
    )
    assert prof["parent_agency_id"] == aid(GOV_SHORT)
    # the loader had given the old name its own organ; the rebuild leaves no trace of it
    assert con.execute("SELECT count(*) FROM dim_agency WHERE name = ?", [FIN_OLD]).fetchone() == (0,)


def test_organ_year_values(con: duckdb.DuckDBPyConnection) -> None:
    m = one(con, "SELECT * FROM mart_organ_year WHERE agency_id = ? AND year = 2023", [FIN])
    assert (
        m["new_received"],
        m["carried_over"],
        m["handled"],
        m["handled_printed"],
        m["carried_forward"],
    ) == (10, 2, 10, 10, 2)
    assert (
        m["granted"],
        m["partially_granted"],
        m["denied"],
        m["unavailable"],
        m["not_handled"],
        m["other"],
    ) == (4, 1, 2, 1, 1, 1)
    assert m["granted_share"] == pytest.approx(0.4) and m["denied_share"] == pytest.approx(0.2)
    assert m["resolvable"] == 8
    assert m["grant_rate_handled"] == pytest.approx(0.4) and m["grant_rate_resolvable"] == pytest.approx(0.5)
    assert (m["review_total"], m["review_corrected"]) == (3, 1)
    assert m["review_corrected_share"] == pytest.approx(1 / 3)
    assert (m["litigation_total"], m["litigation_corrected"]) == (3, 1)
    assert m["litigation_corrected_share"] == pytest.approx(1 / 3)
    assert (m["admin_fee_wan"], m["info_fee_yuan"]) == (1.5, 1200)
    assert (m["findings_fail"], m["findings_error"], m["findings_not_assessable"]) == (2, 1, 1)
    later = one(
        con,
        "SELECT info_fee_yuan, findings_fail FROM mart_organ_year WHERE agency_id = ? AND year = 2025",
        [FIN],
    )
    assert later == {"info_fee_yuan": 0, "findings_fail": 0}  # "未收取" is 0, not unknown


def test_current_report_prefers_html_of_two_files(con: duckdb.DuckDBPyConnection) -> None:
    m = one(
        con,
        "SELECT report_id, versions, new_received, granted FROM mart_organ_year "
        "WHERE agency_id = ? AND year = 2023",
        [aid(COMMERCE)],
    )
    assert m == {"report_id": "h-com2023-html", "versions": 2, "new_received": 3, "granted": 2}


def test_government_written_two_ways(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "SELECT year, report_id FROM mart_organ_year WHERE agency_id = ? ORDER BY year", [aid(GOV_SHORT)]
    ).fetchall()
    assert rows == [(2021, "h-gov2021"), (2023, "h-gov2023")]


def test_year_on_year_across_the_rename(con: duckdb.DuckDBPyConnection) -> None:
    y = one(con, "SELECT * FROM mart_organ_yoy WHERE agency_id = ? AND year = 2023", [FIN])
    assert y["prev_year_published"] and (y["new_received_prev"], y["new_received_change"]) == (8, 2)
    assert y["new_received_change_pct"] == pytest.approx(0.25)
    assert y["denied_share_prev"] == pytest.approx(0.25) and y["denied_share_change"] == pytest.approx(-0.05)
    assert y["grant_rate_resolvable_change"] == pytest.approx(0.5 - 0.25)
    gap = one(con, "SELECT * FROM mart_organ_yoy WHERE agency_id = ? AND year = 2025", [FIN])
    assert not gap["prev_year_published"] and gap["new_received_change"] is None  # 2024 is missing


def test_trend(con: duckdb.DuckDBPyConnection) -> None:
    t = one(con, "SELECT * FROM mart_organ_trend WHERE agency_id = ?", [aid(COMMERCE)])
    assert (t["first_year"], t["latest_year"], t["years_published"], t["years_missing"]) == (2021, 2025, 5, 0)
    assert t["new_received_slope"] == pytest.approx(1.0) and t["new_received_sum"] == 1 + 2 + 3 + 4 + 5
    f = one(con, "SELECT * FROM mart_organ_trend WHERE agency_id = ?", [FIN])
    # 6, 8, 10 and 4 applications in 2021, 2022, 2023 and 2025: least-squares slope by hand
    xs, ys = [2021, 2022, 2023, 2025], [6, 8, 10, 4]
    mx, my = sum(xs) / 4, sum(ys) / 4
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
    assert f["new_received_slope"] == pytest.approx(slope)
    assert (f["years_missing"], f["new_received_change"], f["findings_fail_sum"]) == (1, -2, 2)


def test_coverage_marks_missing_years(con: duckdb.DuckDBPyConnection) -> None:
    fin = con.execute(
        "SELECT year, status, last_published_year, years_since_published FROM mart_coverage "
        "WHERE agency_id = ? ORDER BY year",
        [FIN],
    ).fetchall()
    assert fin == [
        (2021, "published", None, None),
        (2022, "published", None, None),
        (2023, "published", None, None),
        (2024, "missing", 2023, 1),
        (2025, "published", None, None),
    ]
    gov = con.execute(
        "SELECT year, status, years_since_published FROM mart_coverage WHERE agency_id = ? ORDER BY year",
        [aid(GOV_SHORT)],
    ).fetchall()
    assert gov == [
        (2021, "published", None),
        (2022, "missing", 1),
        (2023, "published", None),
        (2024, "missing", 1),
        (2025, "missing", 2),
    ]
    # an organ that first reported in 2023 is not missing in 2021
    assert con.execute(
        "SELECT min(year) FROM mart_coverage WHERE agency_id = ?", [aid("区商务局")]
    ).fetchone() == (2023,)


def test_peer_rank(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("""
        SELECT agency_id, peers_level, new_received_rank_in_level, new_received_rank_in_sector,
               denied_share_rank_in_level, grant_rate_resolvable_rank_in_level, new_received_rank_in_region
        FROM mart_peer_rank WHERE year = 2023 AND level = 'county' AND organ_kind = 'department'
        ORDER BY new_received_rank_in_level""").fetchall()
    # 2023 county departments: finance 10 applications, commerce 3 (html version), 区商务局 1 (no province)
    # denied shares 0.2, 0, 0 (a tie ranks 2 and 2); grant rates over resolvable 0.5, 2/3, 1; 区商务局 has
    # no province, so no region rank; finance is alone in its sector, the two commerce bureaus share one
    assert rows == [
        (FIN, 3, 1, 1, 1, 3, 1),
        (aid(COMMERCE), 3, 2, 1, 2, 2, 2),
        (aid("区商务局"), 3, 3, 2, 2, 1, None),
    ]


def test_region_rollup(con: duckdb.DuckDBPyConnection) -> None:
    r = one(con, "SELECT * FROM mart_region_rollup WHERE agency_id = ? AND year = 2023", [aid(GOV_SHORT)])
    assert (r["gov_published"], r["children_expected"], r["children_published"], r["children_missing"]) == (
        True,
        2,
        2,
        0,
    )
    assert (r["gov_new_received"], r["children_new_received"], r["new_received_gap"]) == (30, 10 + 3, 17)
    assert (r["children_granted"], r["children_denied"]) == (4 + 2, 2)
    missing = one(
        con, "SELECT * FROM mart_region_rollup WHERE agency_id = ? AND year = 2024", [aid(GOV_SHORT)]
    )
    assert (missing["gov_published"], missing["children_published"], missing["children_missing"]) == (
        False,
        1,
        1,
    )
    assert not missing["children_complete"] and missing["new_received_gap"] is None


def test_unresolvable_reports_are_kept_with_a_finding(con: duckdb.DuckDBPyConnection) -> None:
    issues = dict(con.execute("SELECT report_id, rule_id FROM identity_issue ORDER BY 1").fetchall())
    assert issues == {"h-anon": "ID-1", "h-unplaced": "ID-2"}
    assert con.execute("SELECT agency_id FROM dim_report WHERE report_id = 'h-anon'").fetchone() == (None,)
    unplaced = one(
        con, "SELECT identity_issues, new_received FROM mart_organ_year WHERE report_id = 'h-unplaced'"
    )
    assert unplaced == {"identity_issues": 1, "new_received": 1}


def test_rebuild_is_idempotent(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    tables = ("dim_agency", "dim_agency_profile", "identity_issue", "mart_organ_year", "mart_coverage")
    before = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    aliases_file = tmp_path / "aliases.csv"
    aliases_file.write_text(
        f"kind,name,canonical,region_code,note\norgan,{FIN_OLD},{FIN_NEW},,renamed in 2023\n",
        encoding="utf-8",
    )
    store.build(con, identity.make_resolver(aliases_file=aliases_file))
    marts.build(con)
    assert {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables} == before


def test_marts_build_before_the_rules_ran(tmp_path: Path) -> None:
    """A warehouse whose rules never ran (an in-place load and marts) has no findings: counts are 0."""
    c = warehouse.connect(tmp_path / "bare.duckdb")
    try:
        schema.migrate(c)
        load.load_reports(
            c,
            [("a.txt", "h-a", report(COMMERCE, 2024, **t3(2, 0, 2, 0, 0, 0, 0, 0, 0, 0)))],
            parser_version=PARSER_VERSION,
        )
        store.build(c)
        marts.build(c)
        assert c.execute("SELECT findings_fail, granted FROM mart_organ_year").fetchall() == [(0, 2)]
    finally:
        c.close()


def test_build_order_follows_references() -> None:
    order = marts.build_order()
    assert order.index("mart_organ_year") < order.index("mart_organ_yoy")
    assert order.index("mart_coverage") < order.index("mart_region_rollup")
    assert set(order) == {p.stem for p in packaged.path("sql", "marts").glob("*.sql")}
