"""The identity stage resolves only what changed since its last run (pipelines/identity/store.py) and
leaves exactly the tables that resolving every report leaves: night after night on the small synthetic
nation, with new reports from the loader, a re-publication, a removed report, a part of a region read
again, a report that names another organ, a government left without reports (and back), a report that
names no organ, and a change of the data files."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines import warehouse
from pipelines.identity import agency_id_of, make_resolver, store
from pipelines.synth import nation
from tests.conftest import NATION_YEARS, SmallNation, current_report_id, ingest_files, write_reports

TABLES = {
    "dim_report": "SELECT report_id, agency_id FROM dim_report",
    "dim_agency": "SELECT * FROM dim_agency",
    "dim_agency_profile": "SELECT * FROM dim_agency_profile",
    "identity_issue": "SELECT * FROM identity_issue",
    "report_scope": "SELECT * FROM report_scope",
    "report_version_current": "SELECT * FROM report_version_current",
    "organ_register": "SELECT * FROM organ_register",
}
_FACTS = ("dim_report", "fact_cell", "fact_section", "fact_subtotal")


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    return {t: con.execute(f"{sql} ORDER BY ALL").fetchall() for t, sql in TABLES.items()}


def resolved_in_full(path: Path, tmp: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The tables a run that resolves every report leaves, on a copy of the warehouse as it is now."""
    copy = tmp / f"full-{uuid.uuid4().hex[:8]}.duckdb"
    shutil.copy(path, copy)
    con = warehouse.connect(copy)
    try:
        assert store.build(con, full=True).full
        return snapshot(con)
    finally:
        con.close()
        copy.unlink()


def _copy_report(con: duckdb.DuckDBPyConnection, report_id: str) -> str:
    """Another version of a report, as a re-publication loads."""
    new = "r" + uuid.uuid4().hex
    for t in _FACTS:
        extra = ", now() AS loaded_at, file_name || '-2' AS file_name" if t == "dim_report" else ""
        con.execute(
            f"INSERT INTO {t} SELECT * REPLACE (? AS report_id{extra}) FROM {t} WHERE report_id = ?",
            [new, report_id],
        )
    return new


def _print_name(con: duckdb.DuckDBPyConnection, report_id: str, name: str) -> None:
    """The report read again as printing another organ's name (and no title)."""
    con.execute("UPDATE dim_report SET agency_name = ?, title = NULL WHERE report_id = ?", [name, report_id])


def _remove(con: duckdb.DuckDBPyConnection, report_ids: list[str]) -> None:
    for t in _FACTS:
        con.execute(f"DELETE FROM {t} WHERE report_id IN (SELECT unnest(?::VARCHAR[]))", [report_ids])


def test_nights_resolve_what_changed_and_leave_what_a_full_run_leaves(
    small_nation: SmallNation, tmp_path: Path
) -> None:
    n, source, _ = small_nation
    wh = tmp_path / "wh.duckdb"
    shutil.copy(source, wh)
    con = warehouse.connect(wh)
    try:
        again = store.build(con)
        assert not again.full and again.resolved == 0
        before = snapshot(con)
        assert before == resolved_in_full(wh, tmp_path)
    finally:
        con.close()

    organs = {o.index: agency_id_of(o.key) for o in n.organs}
    held = {i for i, _ in nation.held_out(n, 3, 2025)}

    def every_year(i: int) -> bool:
        return i not in held and all(
            nation.published(n, n.organs[i], y, NATION_YEARS[0]) for y in NATION_YEARS
        )

    region = next(
        g
        for g in n.children
        if n.organs[g].kind == "county_gov"
        and sum(1 for p in n.children[g] if n.organs[p].kind == "department" and every_year(p)) >= 4
    )
    parts = [p for p in n.children[region] if n.organs[p].kind == "department" and every_year(p)]
    other = next(
        o.index
        for o in n.organs
        if o.kind == "department" and o.index not in n.children[region] and every_year(o.index)
    )

    def republish(con: duckdb.DuckDBPyConnection) -> None:
        new = _copy_report(con, current_report_id(con, organs[other], 2024))
        con.execute(
            "UPDATE fact_cell SET value = coalesce(value, 0) + 3, kind = 'number' "
            "WHERE report_id = ? AND cell_id = 't3.new_received.total'",
            [new],
        )

    def remove(con: duckdb.DuckDBPyConnection) -> None:
        _remove(con, [current_report_id(con, organs[parts[0]], 2024)])

    def part_read_again(con: duckdb.DuckDBPyConnection) -> None:
        report = current_report_id(con, organs[parts[1]], 2025)
        con.execute(
            "UPDATE fact_cell SET value = coalesce(value, 0) + 5, kind = 'number' "
            "WHERE report_id = ? AND cell_id LIKE 't3.%'",
            [report],
        )
        con.execute(
            "UPDATE dim_report SET parser_version = parser_version || '+1' WHERE report_id = ?", [report]
        )

    def names_another_organ(con: duckdb.DuckDBPyConnection) -> None:
        _print_name(con, current_report_id(con, organs[parts[2]], 2023), n.organs[other].name)

    def government_without_reports(con: duckdb.DuckDBPyConnection) -> None:
        rows = con.execute(
            "SELECT report_id FROM dim_report WHERE agency_id = ?", [organs[region]]
        ).fetchall()
        assert rows
        _remove(con, [r for (r,) in rows])

    def government_back(con: duckdb.DuckDBPyConnection) -> None:
        _print_name(con, current_report_id(con, organs[parts[3]], 2025), n.organs[region].name)

    def county_gone(con: duckdb.DuckDBPyConnection) -> None:
        under: dict[int, list[int]] = {}
        for o in n.organs:
            if o.parent is not None:
                under.setdefault(o.parent, []).append(o.index)
        county = next(o.index for o in n.organs if o.kind == "county_gov" and o.index != region)
        below, todo = [], [county]
        while todo:
            below.append(todo.pop())
            todo.extend(under.get(below[-1], ()))
        assert len(below) > 3
        rows = con.execute(
            "SELECT report_id FROM dim_report WHERE agency_id IN (SELECT unnest(?::VARCHAR[]))",
            [[organs[i] for i in below]],
        ).fetchall()
        _remove(con, [r for (r,) in rows])

    def no_name(con: duckdb.DuckDBPyConnection) -> None:
        con.execute(
            "UPDATE dim_report SET agency_name = NULL, title = NULL, file_name = 'report.html' WHERE report_id = ?",
            [current_report_id(con, organs[other], 2023)],
        )

    inbox = tmp_path / "inbox"
    write_reports(n, nation.held_out(n, 3, 2025), inbox, NATION_YEARS)

    def edit(change: Callable[[duckdb.DuckDBPyConnection], None]) -> Callable[[], None]:
        def night() -> None:
            con = warehouse.connect(wh)
            try:
                change(con)
            finally:
                con.close()

        return night

    nights: list[tuple[str, Callable[[], None]]] = [
        ("new reports", lambda: ingest_files(inbox, wh)),
        ("re-published", edit(republish)),
        ("removed", edit(remove)),
        ("part of a region read again", edit(part_read_again)),
        ("names another organ", edit(names_another_organ)),
        ("government without reports", edit(government_without_reports)),
        ("government back", edit(government_back)),
        ("a county and all below it removed", edit(county_gone)),
        ("no organ name", edit(no_name)),
    ]
    for name, night in nights:
        night()
        con = warehouse.connect(wh)
        try:
            stats = store.build(con)  # after ingest_files' own run: nothing left to resolve
            now = snapshot(con)
        finally:
            con.close()
        assert not stats.full, name
        whole = resolved_in_full(wh, tmp_path)
        for t in TABLES:  # the first table that differs, row by row
            assert [r for r in now[t] if r not in whole[t]] == [r for r in whole[t] if r not in now[t]], (
                name,
                t,
            )
        assert now == whole, name
        assert now != before, name  # the night changed what the stage writes
        before = now
        if name == "government without reports":  # it stays, for the organs below it
            assert [r[16] for r in now["dim_agency_profile"] if r[0] == organs[region]] == [False]

    con = warehouse.connect(wh, read_only=True)
    try:
        filler = con.execute(
            "SELECT has_reports FROM dim_agency_profile WHERE agency_id = ?", [organs[region]]
        )
        assert filler.fetchall() == [(True,)]
        issues = con.execute("SELECT count(*) FROM identity_issue WHERE rule_id = 'ID-1'").fetchone()
        assert issues is not None and issues[0] >= 1
    finally:
        con.close()


def test_a_run_resolves_only_the_changed_reports_until_the_data_files_change(
    small_nation: SmallNation, tmp_path: Path
) -> None:
    wh = tmp_path / "wh.duckdb"
    shutil.copy(small_nation.path, wh)
    con = warehouse.connect(wh)
    try:
        total = store.build(con).reports
        report = con.execute("SELECT min(report_id) FROM dim_report").fetchone()
        assert report is not None
        con.execute("UPDATE dim_report SET title = title || ' ' WHERE report_id = ?", [report[0]])
        stats = store.build(con)
        assert not stats.full and stats.resolved == 1 and stats.reports == total
        aliases = tmp_path / "aliases.csv"
        aliases.write_text(
            "kind,name,canonical,region_code,note\nbody,科委,科学技术委员会,,\n", encoding="utf-8"
        )
        stats = store.build(con, make_resolver(aliases_file=aliases))
        assert stats.full and stats.resolved == total
        assert store.build(con, make_resolver(aliases_file=aliases)).resolved == 0
    finally:
        con.close()


@pytest.mark.parametrize("edit", ["scope", "register"])
def test_a_changed_scope_or_register_file_resolves_every_report(
    small_nation: SmallNation, tmp_path: Path, edit: str
) -> None:
    wh = tmp_path / "wh.duckdb"
    shutil.copy(small_nation.path, wh)
    scope_file, register_file = tmp_path / "scope.csv", tmp_path / "register.csv"
    scope_file.write_text("organ,scope,from_year,to_year,note\n", encoding="utf-8")
    register_file.write_text("organ,region_code,parent,first_year,last_year,note\n", encoding="utf-8")
    con = warehouse.connect(wh)
    try:
        store.build(con, None, scope_file, register_file)
        assert store.build(con, None, scope_file, register_file).resolved == 0
        f = scope_file if edit == "scope" else register_file
        f.write_text(f.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # bytes differ, rows do not
        assert store.build(con, None, scope_file, register_file).full
    finally:
        con.close()
