"""mart_region_total on a hand-made hierarchy: a city whose region report is counted for everything
below it (one of its parts is missing), and a county whose own region report covers its bureau.
Within the city only the city's report is added; within the county, the county's own numbers are:
a region report above a region never empties that region's total."""

from __future__ import annotations

import duckdb

from pipelines import packaged
from pipelines.marts import incremental

MEASURES = (
    "new_received",
    "handled",
    "granted",
    "partially_granted",
    "denied",
    "unavailable",
    "not_handled",
    "other",
    "review_total",
    "review_corrected",
    "litigation_total",
    "litigation_corrected",
)


def build(roles: dict[str, tuple[str, list[str], int]]) -> duckdb.DuckDBPyConnection:
    """Organs C (city government, 3209), K (county government, 320903), B (K's bureau), T (another
    county's bureau, 320904); roles: organ -> (own_role, covering, new_received) for 2024."""
    con = duckdb.connect()
    con.execute("""CREATE TABLE dim_agency_profile AS SELECT * FROM (VALUES
        ('C', 'city', 'government', '32', '江苏省', '3209', '盐城市', NULL, NULL, '3209'),
        ('K', 'county', 'government', '32', '江苏省', '3209', '盐城市', '320903', '盐都区', '320903'),
        ('B', 'county', 'department', '32', '江苏省', '3209', '盐城市', '320903', '盐都区', '320903'),
        ('T', 'county', 'department', '32', '江苏省', '3209', '盐城市', '320904', '大丰区', '320904'))
        AS t(agency_id, level, organ_kind, province_code, province, city_code, city, county_code, county, region_code)""")
    con.execute(
        "CREATE TABLE mart_total_basis (agency_id VARCHAR, year INTEGER, own_role VARCHAR, covering VARCHAR[])"
    )
    cols = ", ".join(f"{m} DOUBLE" for m in MEASURES)
    con.execute(
        f"CREATE TABLE mart_organ_year (agency_id VARCHAR, year INTEGER, {cols}, guessed_measure_cells INTEGER,"
        " findings_fail INTEGER, findings_error INTEGER)"
    )
    con.execute(
        "CREATE TABLE mart_coverage (agency_id VARCHAR, year INTEGER, status VARCHAR, organ_status VARCHAR)"
    )
    for organ, (role, covering, n) in roles.items():
        con.execute("INSERT INTO mart_total_basis VALUES (?, 2024, ?, ?)", [organ, role, covering])
        values = [n] + [0] * (len(MEASURES) - 1)
        con.execute(
            f"INSERT INTO mart_organ_year VALUES (?, 2024, {', '.join('?' * len(MEASURES))}, 0, 0, 0)",
            [organ, *values],
        )
        con.execute("INSERT INTO mart_coverage VALUES (?, 2024, 'published', 'reporting')", [organ])
    incremental.create(con, whole=True)
    con.execute(packaged.path("sql", "marts", "mart_region_total.sql").read_text(encoding="utf-8"))
    return con


def totals(con: duckdb.DuckDBPyConnection) -> dict[str | None, tuple[float, int, int]]:
    return {
        code: (n, summed, covered)
        for code, n, summed, covered in con.execute(
            "SELECT region_code, new_received, reports_summed, reports_covered FROM mart_region_total"
        ).fetchall()
    }


def test_a_region_report_above_does_not_empty_the_county() -> None:
    con = build(
        {
            "C": ("stands", [], 100),  # the city's 全市 report, counted for all
            "K": ("stands", ["C"], 60),  # the county's 全区 report, counted for its bureau
            "B": ("counted", ["K", "C"], 40),
            "T": ("counted", ["C"], 30),
        }
    )
    got = totals(con)
    assert got[None] == got["32"] == got["3209"] == (100, 1, 3)  # the city report alone
    assert got["320903"] == (60, 1, 1)  # the county's own region report, its bureau covered by it
    assert got["320904"] == (30, 1, 0)  # a bureau only the city covers counts within its county


def test_a_county_whose_parts_are_all_present_adds_them() -> None:
    con = build(
        {
            "C": ("counted", [], 10),  # the city reports on its own office
            "K": ("left_out", [], 60),  # all its parts are present: they are added instead
            "B": ("counted", [], 40),
            "T": ("counted", [], 30),
        }
    )
    got = totals(con)
    assert got["320903"] == (40, 1, 0) and got["3209"] == (80, 3, 0) and got[None] == (80, 3, 0)
    row = con.execute(
        "SELECT region_reports_left_out, organs_expected, government_id FROM mart_region_total WHERE region_code = '320903'"
    ).fetchone()
    assert row == (1, 2, "K")
