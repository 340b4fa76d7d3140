"""The rules stage judges only what a night changed (pipelines/rules/slices.py), a slice at a time, and
gives exactly the findings a full run over the same warehouse gives: night after night on a small
synthetic nation, with new reports, a re-publication, a removed report, a changed region report and a
changed part of a region, reports of the year before and after, and a report_scope change."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines import rules, warehouse
from pipelines.bench import national_warehouse
from pipelines.identity import agency_id_of, store
from pipelines.synth import nation
from tests.conftest import current_report_id, ingest_files, write_reports

YEARS = (2023, 2024, 2025)
SMALL = {"departments": {"province": (4, 4), "city": (4, 5), "county": (4, 5)}, "townships": (2, 3)}
_FACTS = ("dim_report", "fact_cell", "fact_section", "fact_subtotal")


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
            for t in ("findings", "report_status", "report_findings", "report_not_assessable")
        }
    finally:
        con.close()


def full_run(path: Path, tmp: Path, **kw: Any) -> dict[str, list[tuple[Any, ...]]]:
    """The findings a full run gives on a copy of the warehouse as it is now."""
    copy = tmp / f"full-{uuid.uuid4().hex[:8]}.duckdb"
    shutil.copy(path, copy)
    result = rules.run(copy, gx=False, full=True, **kw)
    assert result.plan.full
    try:
        return snapshot(copy)
    finally:
        copy.unlink()


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> tuple[nation.Nation, Path, list[tuple[int, int]]]:
    n = nation.build(
        1,
        provinces=("32",),
        cities_per_province=2,
        counties_per_city=2,
        error_share=0.1,
        **SMALL,  # type: ignore[arg-type]
    )
    path = tmp_path_factory.mktemp("nation") / "nation.duckdb"
    held = nation.held_out(n, 3, 2025)
    national_warehouse.write(path, n, YEARS, held_out=held)
    con = warehouse.connect(path)
    try:
        store.build(con)
    finally:
        con.close()
    return n, path, held


def _edit(path: Path, change: Callable[[duckdb.DuckDBPyConnection], None], identity: bool = True) -> None:
    con = warehouse.connect(path)
    try:
        change(con)
        if identity:
            store.build(con)
    finally:
        con.close()


def _copy_report(
    con: duckdb.DuckDBPyConnection, report_id: str, new_id: str, year: int | None = None
) -> None:
    """Another version of a report (as a re-publication or another year's file would load)."""
    for t in _FACTS:
        extra = ""
        if t == "dim_report":
            extra = ", now() AS loaded_at, file_name || '-' || left(?, 6) AS file_name"
            if year is not None:
                extra += f", {year} AS year"
        params = [new_id, new_id, report_id] if t == "dim_report" else [new_id, report_id]
        con.execute(
            f"INSERT INTO {t} SELECT * REPLACE (? AS report_id{extra}) FROM {t} WHERE report_id = ?", params
        )


def _change_cell(con: duckdb.DuckDBPyConnection, report_id: str, cell_id: str, delta: float) -> None:
    """The same file read again by another parser version, with another number."""
    con.execute(
        "UPDATE fact_cell SET value = coalesce(value, 0) + ?, kind = 'number' WHERE report_id = ? AND cell_id = ?",
        [delta, report_id, cell_id],
    )
    con.execute(
        "UPDATE dim_report SET parser_version = parser_version || '+1' WHERE report_id = ?", [report_id]
    )


def test_nights_judge_what_changed_and_find_what_a_full_run_finds(
    country: tuple[nation.Nation, Path, list[tuple[int, int]]], tmp_path: Path
) -> None:
    n, path, held = country
    wh = tmp_path / "wh.duckdb"
    shutil.copy(path, wh)
    first = rules.run(wh, gx=False)
    assert first.plan.full and first.plan.judged == first.plan.delta.total > 50
    assert snapshot(wh) == full_run(wh, tmp_path)

    again = rules.run(wh, gx=False)
    before = snapshot(wh)
    assert not again.plan.full and again.plan.judged == 0 and again.plan.slices == 0
    assert before == snapshot(wh) and before["findings"]

    organs = {o.index: agency_id_of(o.key) for o in n.organs}
    region = next(g for g in n.children if n.organs[g].kind == "county_gov")
    held_organs = {i for i, _ in held}

    def every_year(i: int) -> bool:
        return i not in held_organs and all(nation.published(n, n.organs[i], y, YEARS[0]) for y in YEARS)

    part = next(p for p in n.children[region] if n.organs[p].kind == "department" and every_year(p))
    other = next(
        o.index
        for o in n.organs
        if o.kind == "department" and o.index not in n.children[region] and every_year(o.index)
    )

    def republish(con: duckdb.DuckDBPyConnection) -> None:
        old = current_report_id(con, organs[other], 2024)
        new = "r" + uuid.uuid4().hex
        _copy_report(con, old, new)
        con.execute(
            "UPDATE fact_cell SET value = coalesce(value, 0) + 3, kind = 'number' "
            "WHERE report_id = ? AND cell_id = 't3.new_received.total'",
            [new],
        )

    def remove(con: duckdb.DuckDBPyConnection) -> None:
        gone = current_report_id(con, organs[part], 2024)
        for t in _FACTS:
            con.execute(f"DELETE FROM {t} WHERE report_id = ?", [gone])

    def region_report(con: duckdb.DuckDBPyConnection) -> None:
        _change_cell(con, current_report_id(con, organs[region], 2023), "t3.new_received.natural_person", 2)

    def part_of_region(con: duckdb.DuckDBPyConnection) -> None:
        # identity's report_scope of the region stays as it was: only H-X1 ties the region to it
        _change_cell(con, current_report_id(con, organs[part], 2025), "t3.carried_over.total", -1)

    def years_around(con: duckdb.DuckDBPyConnection) -> None:
        _copy_report(con, current_report_id(con, organs[other], 2023), "r" + uuid.uuid4().hex, year=2022)
        _copy_report(con, current_report_id(con, organs[part], 2025), "r" + uuid.uuid4().hex, year=2026)

    def scope(con: duckdb.DuckDBPyConnection) -> None:
        con.execute(
            "UPDATE report_scope SET scope = 'unknown' WHERE report_id = ?",
            [current_report_id(con, organs[region], 2025)],
        )

    inbox = tmp_path / "inbox"
    write_reports(n, held, inbox, YEARS)

    nights: list[tuple[str, Callable[[], None]]] = [
        ("new reports", lambda: ingest_files(inbox, wh)),
        ("re-published", lambda: _edit(wh, republish)),
        ("removed", lambda: _edit(wh, remove)),
        ("region report", lambda: _edit(wh, region_report)),
        ("part of a region", lambda: _edit(wh, part_of_region, identity=False)),
        ("year before and after", lambda: _edit(wh, years_around)),
        ("report scope", lambda: _edit(wh, scope, identity=False)),
    ]
    for name, night in nights:
        night()
        result = rules.run(wh, gx=False, slice_reports=10)
        assert not result.plan.full, name
        assert 0 < result.plan.judged < result.plan.delta.total, name
        assert snapshot(wh) == full_run(wh, tmp_path), name
        assert snapshot(wh) != before, name  # the night changed something the rules say
        before = snapshot(wh)


def test_a_full_run_in_slices_finds_what_one_slice_finds(
    country: tuple[nation.Nation, Path, list[tuple[int, int]]], tmp_path: Path
) -> None:
    _, path, _ = country
    whole = full_run(path, tmp_path)
    wh = tmp_path / "sliced.duckdb"
    shutil.copy(path, wh)
    sliced = rules.run(wh, gx=False, slice_reports=10)
    assert sliced.plan.full and sliced.plan.slices > 3
    assert snapshot(wh) == whole and whole["findings"]


@pytest.mark.slow  # Great Expectations once per slice: half a minute
def test_great_expectations_validates_every_slice(
    country: tuple[nation.Nation, Path, list[tuple[int, int]]], tmp_path: Path
) -> None:
    _, path, _ = country
    wh = tmp_path / "gx.duckdb"
    shutil.copy(path, wh)
    result = rules.run(wh, slice_reports=60)
    assert result.plan.full and result.plan.slices >= 2 and result.gx_error is None
    assert sum(r.fail for r in result.rules) > 0
    for r in result.rules:  # the judged reports of all slices are every report
        assert r.gx_unexpected == r.fail, r.rule.id
    assert not list(tmp_path.glob(".gx.duckdb.rules-slice*"))  # the scratch files are gone
