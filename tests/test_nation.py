"""The synthetic nation (pipelines/synth/nation.py) at small size: the hierarchy it draws, the organs the
identity stage finds in it, and numbers that break no rule but where an error was injected."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from pipelines import warehouse
from pipelines.bench import national
from pipelines.identity import agency_id_of, make_resolver, taxonomy
from pipelines.parsing import parse
from pipelines.synth import nation
from tests.conftest import NATION_SIZES as SMALL
from tests.conftest import NATION_YEARS as YEARS
from tests.conftest import SmallNation
from tests.conftest import small_nation_of as small


def test_hierarchy_counts_and_names() -> None:
    n = small()
    kinds = Counter(o.kind for o in n.organs)
    assert kinds["province_gov"] == 1 and kinds["city_gov"] == 2 and kinds["county_gov"] == 4
    by_index = n.organs
    for o in n.organs:
        assert o.index == by_index.index(o)
        if o.kind == "province_gov":
            assert o.parent is None
            continue
        parent = by_index[o.parent]  # type: ignore[index]
        assert parent.government and parent.kind != "township"
        expected = {"city_gov": "province_gov", "county_gov": "city_gov", "township": "county_gov"}
        if o.kind in expected:
            assert parent.kind == expected[o.kind], o
        else:  # a department sits under the government of its own division
            assert parent.region_code == o.region_code and parent.level == o.level
    per_gov = Counter(by_index[o.parent].kind for o in n.organs if o.kind == "department")  # type: ignore[index]
    assert (
        per_gov["province_gov"] == 6 and 14 <= per_gov["city_gov"] <= 16 and 32 <= per_gov["county_gov"] <= 40
    )
    towns = [o for o in n.organs if o.kind == "township"]
    assert 12 <= len(towns) <= 20
    assert all(o.name.endswith(("镇人民政府", "乡人民政府", "街道办事处")) for o in towns)
    assert len({o.key for o in n.organs}) == len(n.organs)


def test_the_whole_nation_has_the_size_of_the_country() -> None:
    n = nation.build(1)
    kinds = Counter(o.kind for o in n.organs)
    assert kinds["province_gov"] == 31
    assert 320 <= kinds["city_gov"] <= 340 and 2700 <= kinds["county_gov"] <= 2900
    assert 35_000 <= kinds["township"] <= 42_000
    assert 140_000 <= len(n.organs) <= 170_000
    assert len(n.organs) == national.NATIONAL_ORGANS  # what the benchmark projects the site to
    assert 0.15 <= len(n.children) / kinds["county_gov"] <= 0.25


def test_a_part_of_the_nation_has_the_same_organs_as_the_whole() -> None:
    part = {o.key: o.name for o in small().organs}
    whole = {o.key: o.name for o in nation.build(1, provinces=("32",), **SMALL).organs}  # type: ignore[arg-type]
    assert part.items() <= whole.items()


def test_department_names_have_a_sector() -> None:
    tax = taxonomy.load()
    for listed in (nation.PROVINCE_DEPARTMENTS, nation.CITY_DEPARTMENTS, nation.COUNTY_DEPARTMENTS):
        assert len({body for body, _ in listed}) == len(listed)
        for body, _ in listed:
            assert tax.sector_of(body) not in (None, "other", "government"), body


def test_identity_finds_every_organ_and_its_parent() -> None:
    # two provinces with a municipality (its districts sit right under it) and 省直辖 county-level cities
    n = nation.build(1, provinces=("11", "42"), cities_per_province=2, counties_per_city=3, **SMALL)  # type: ignore[arg-type]
    resolver = make_resolver()
    for o in n.organs:
        ident = resolver.resolve(o.name)
        assert ident is not None and ident.key == o.key, (o.name, o.key, ident)
        parent = n.organs[o.parent].key if o.parent is not None else "CN/国务院"
        assert ident.parent_key == parent, o.name
        assert not ident.issues, (o.name, ident.issues)


def test_reports_written_straight_into_the_warehouse(
    small_nation: SmallNation,
) -> None:
    n, path, written = small_nation
    expected = sum(
        1
        for o in n.organs
        for y in YEARS
        if nation.published(n, o, y, YEARS[0]) and (o.index, y) not in set(written.held_out)
    )
    assert written.reports == expected + written.duplicates
    assert len(written.held_out) == 3
    con = warehouse.connect(path, read_only=True)
    try:
        reports, cells, sections = (
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
            for t in ("dim_report", "fact_cell", "fact_section")
        )
        assert reports == written.reports and cells == written.cells and sections == 6 * reports
        # every report is an organ identity resolved, with the key the nation gave it
        ids = {agency_id_of(o.key) for o in n.organs}
        got = {a for (a,) in con.execute("SELECT DISTINCT agency_id FROM dim_report").fetchall()}
        assert got <= ids and len(got) >= 0.9 * len(ids)
        # region reports are read as such, from their wording; every other report covers its office
        region = {agency_id_of(n.organs[g].key) for g in n.children}
        scopes = dict(con.execute("SELECT agency_id || '/' || year, scope FROM report_scope").fetchall())
        for key, scope in scopes.items():
            assert scope == ("region" if key.split("/")[0] in region else "office"), key
    finally:
        con.close()


def test_numbers_break_rules_only_where_an_error_was_injected(
    small_nation: SmallNation,
) -> None:
    n, path, written = small_nation
    assert written.errors, "the fixture injects errors into 5% of reports"
    wrong = {(agency_id_of(n.organs[e.organ].key), e.year) for e in written.errors}
    # a region report sums its parts' true numbers: a part's error breaks the sum (H-X1)
    sums_broken = {
        (agency_id_of(n.organs[g].key), e.year)
        for g, parts in n.children.items()
        for e in written.errors
        if e.organ in parts
    }
    con = warehouse.connect(path, read_only=True)
    try:
        failed = con.execute("""
            SELECT DISTINCT f.rule_id, r.agency_id, r.year
            FROM findings f JOIN dim_report r USING (report_id)
            WHERE f.status = 'fail'""").fetchall()
    finally:
        con.close()
    assert failed
    for rule_id, agency_id, year in failed:
        allowed = wrong | sums_broken if rule_id == "H-X1" else wrong
        assert (agency_id, year) in allowed, (rule_id, agency_id, year)
    found = {(a, y) for _, a, y in failed}
    assert wrong <= found  # every injected error is found


def test_a_held_out_report_renders_as_a_file_of_the_same_organ(
    small_nation: SmallNation,
) -> None:
    n, _path, written = small_nation
    index, year = written.held_out[0]
    organ = n.organs[index]
    name, data = nation.render(n, organ, year, YEARS)
    report = parse.parse_bytes(data, name)
    assert report.year == year
    ident = make_resolver().resolve(report.agency, title=report.title)
    assert ident is not None and ident.key == organ.key
    truth = nation.truths(n, organ, YEARS, {})[year]
    assert report.cells["t3.new_received.total"].value == truth.t3["new_received"][-1]


def _measured(step: str, ok: bool = True, **figures: object) -> national.Measured:
    return national.Measured(step, 10.0, 8.0, national.GB, national.GB, 1.0, ok, dict(figures))


def test_the_benchmark_table_shows_a_failed_step_and_projects_a_part_to_the_whole() -> None:
    site: dict[str, Any] = {
        "seconds": 100.0,
        "organs": 15_775,
        "pages": 15_800,
        "organ_pages_rendered": 15_775,
        "page_bytes": 10**9,
        "asset_bytes": 0,
        "largest_page": ["unchecked.html", 10**6],
        "pages_over_2mb": 0,
        "disk_bytes": 10**9,
    }
    results = {
        "inbox": _measured("inbox", False, error="RuntimeError: refused"),
        "warehouse": _measured(
            "warehouse",
            organs=15_775,
            reports=110_000,
            duplicates=0,
            cells=1,
            injected_errors=0,
            load_seconds=5.0,
            seconds=10.0,
            warehouse_bytes=national.GB,
        ),
        "site": _measured("site", **site),
    }
    results["inbox"].error = "exit 1: RuntimeError: refused"
    table = national.format_results(results, cores_here=2)
    assert "inbox" in table and "FAILED (exit 1: RuntimeError: refused)" in table
    assert national.scale(results) == pytest.approx((10.0, national.NATIONAL_ORGANS / 15_775))
    # the site of a tenth of the organs took 100 s and 1 GB: the whole nation's, ten times that
    k = national.NATIONAL_ORGANS / 15_775
    assert f"full site build {100 * k:.0f} s (target <= 900 s): MISSED" in table
    assert f"site total {k:.1f} GB (target <= 5 GB): MISSED" in table
    assert "warehouse on disk 10.00 GB" in table
    # the whole nation measured: nothing projected
    results["warehouse"].figures["reports"] = national.NATIONAL_REPORTS
    assert national.scale(results) is None and "projected" not in national.format_results(results, 2)
