"""Incremental marts: after every night, the rows a build recomputes from what changed equal, every
mart, row and column, those of a build that recomputes everything. The nights change the warehouse's
tables directly, as the ingest, identity and rules stages would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from pipelines import marts, warehouse
from pipelines.identity import current
from tests.conftest import SmallNation


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    return {name: con.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall() for name in marts.mart_files()}


def first(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> tuple[object, ...]:
    row = con.execute(sql, params).fetchone()
    assert row is not None, sql
    return tuple(row)


def copy_report(con: duckdb.DuckDBPyConnection, report_id: object, new_id: str, **changes: object) -> None:
    """A new report: `report_id`'s rows under `new_id`, with dim_report's columns in `changes`."""
    replace = ", ".join([f"'{new_id}' AS report_id", *(f"{v} AS {k}" for k, v in changes.items())])
    con.execute(
        f"INSERT INTO dim_report SELECT * REPLACE ({replace}) FROM dim_report WHERE report_id = ?",
        [report_id],
    )
    for table in ("fact_cell", "fact_section", "fact_subtotal"):
        con.execute(
            f"INSERT INTO {table} SELECT * REPLACE ('{new_id}' AS report_id) FROM {table} WHERE report_id = ?",
            [report_id],
        )
    agency, year = first(con, f"SELECT agency_id, year FROM dim_report WHERE report_id = '{new_id}'")
    con.execute(
        "INSERT INTO report_scope SELECT * REPLACE (? AS report_id, ? AS agency_id, ? AS year) "
        "FROM report_scope WHERE report_id = ?",
        [new_id, agency, year, report_id],
    )


def new_report(con: duckdb.DuckDBPyConnection) -> None:
    """Two reports of organ-years that had none (a department and a township)."""
    for kind, level in (("department", "county"), ("government", "township")):
        missing, template = first(
            con,
            f"""
            SELECT p.agency_id, any_value(c.report_id)
            FROM dim_agency_profile AS p, current_report AS c
            WHERE p.organ_kind = '{kind}' AND p.level = '{level}' AND c.year = 2025
              AND c.agency_id IN (SELECT agency_id FROM dim_agency_profile WHERE organ_kind = '{kind}' AND level = '{level}')
              AND NOT EXISTS (SELECT 1 FROM current_report AS x WHERE x.agency_id = p.agency_id AND x.year = 2025)
              AND EXISTS (SELECT 1 FROM current_report AS x WHERE x.agency_id = p.agency_id)
            GROUP BY p.agency_id ORDER BY p.agency_id LIMIT 1
            """,
        )
        copy_report(con, template, f"new-{missing}", agency_id=f"'{missing}'")


def republished(con: duckdb.DuckDBPyConnection) -> None:
    """A county government's 2024 report, published again later with other numbers."""
    (report_id,) = first(
        con,
        "SELECT c.report_id FROM current_report AS c JOIN dim_agency_profile AS p USING (agency_id) "
        "WHERE p.level = 'county' AND p.organ_kind = 'government' AND c.year = 2024 ORDER BY 1 LIMIT 1",
    )
    (n,) = first(con, "SELECT count(*) FROM dim_report WHERE report_id LIKE 'again-%'")
    again = f"again-{n}"
    copy_report(con, report_id, again, loaded_at="loaded_at + INTERVAL 30 DAY")
    con.execute("UPDATE fact_cell SET value = coalesce(value, 0) + 17 WHERE report_id = ?", [again])


def removed(con: duckdb.DuckDBPyConnection) -> None:
    """A city department's report taken out of the warehouse."""
    (report_id,) = first(
        con,
        "SELECT c.report_id FROM current_report AS c JOIN dim_agency_profile AS p USING (agency_id) "
        "WHERE p.level = 'city' AND p.organ_kind = 'department' AND c.year = 2024 ORDER BY 1 LIMIT 1",
    )
    for table in ("dim_report", "fact_cell", "fact_section", "fact_subtotal", "report_scope", "findings"):
        con.execute(f"DELETE FROM {table} WHERE report_id = ?", [report_id])


def part_goes(con: duckdb.DuckDBPyConnection) -> None:
    """A report of one part of a region report left out (its parts all present) taken out: the region
    report now stands for its parts, and the other parts' reports are covered by it."""
    (report_id,) = first(
        con,
        """
        SELECT min(c.report_id)
        FROM mart_total_basis AS t
        JOIN dim_agency_profile AS p ON t.agency_id = p.parent_agency_id
        JOIN current_report AS c ON p.agency_id = c.agency_id AND t.year = c.year
        WHERE t.role = 'left_out'  -- a part that published before: still due after its report goes
          AND EXISTS (SELECT 1 FROM current_report AS e WHERE e.agency_id = p.agency_id AND e.year < t.year)
        """,
    )
    assert report_id is not None
    for table in ("dim_report", "fact_cell", "fact_section", "fact_subtotal", "report_scope", "findings"):
        con.execute(f"DELETE FROM {table} WHERE report_id = ?", [report_id])


def region_report_removed(con: duckdb.DuckDBPyConnection) -> None:
    """Every region report of a government whose region report stood for its parts (one missing)
    taken out: its parts now count for themselves."""
    (organ,) = first(
        con,
        """
        SELECT min(p.agency_id)
        FROM dim_agency_profile AS p
        WHERE p.organ_kind = 'government'
          AND p.agency_id IN (SELECT agency_id FROM mart_total_basis WHERE role = 'stands')
        """,
    )
    assert organ is not None
    gone = "SELECT report_id FROM report_scope WHERE agency_id = ? AND scope = 'region'"
    for table in ("dim_report", "fact_cell", "fact_section", "fact_subtotal", "findings", "report_scope"):
        con.execute(f"DELETE FROM {table} WHERE report_id IN ({gone})", [organ])


def moved(con: duckdb.DuckDBPyConnection) -> None:
    """A county department moves to another county (its parent and its places change)."""
    organ, parent = first(
        con,
        "SELECT agency_id, parent_agency_id FROM dim_agency_profile "
        "WHERE level = 'county' AND organ_kind = 'department' ORDER BY agency_id LIMIT 1",
    )
    gov, region, county_code, county = first(
        con,
        "SELECT agency_id, region_code, county_code, county FROM dim_agency_profile "
        f"WHERE level = 'county' AND organ_kind = 'government' AND agency_id <> '{parent}' ORDER BY agency_id DESC LIMIT 1",
    )
    con.execute(
        "UPDATE dim_agency_profile SET parent_agency_id = ?, region_code = ?, county_code = ?, county = ? "
        "WHERE agency_id = ?",
        [gov, region, county_code, county, organ],
    )


def finding_appears(con: duckdb.DuckDBPyConnection) -> None:
    (report_id,) = first(
        con,
        "SELECT report_id FROM current_report WHERE report_id NOT IN (SELECT report_id FROM findings) ORDER BY 1",
    )
    con.execute(
        "INSERT INTO findings VALUES (?, 'T3-X', 'i', 'fail', 'error', [], NULL, [], 1, 2, 1, FALSE, 'x')",
        [report_id],
    )


def finding_goes(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM findings WHERE rule_id = 'T3-X'")
    (report_id,) = first(con, "SELECT report_id FROM findings WHERE status = 'fail' ORDER BY 1 LIMIT 1")
    con.execute("DELETE FROM findings WHERE report_id = ?", [report_id])


def scope_changes(con: duckdb.DuckDBPyConnection) -> None:
    """A city government's 2025 report read as covering its region; a county's as unknown."""
    for level, scope in (("city", "region"), ("county", "unknown")):
        con.execute(
            f"""
            UPDATE report_scope SET scope = '{scope}'
            WHERE report_id = (
                SELECT min(c.report_id) FROM current_report AS c JOIN dim_agency_profile AS p USING (agency_id)
                WHERE p.level = '{level}' AND p.organ_kind = 'government' AND c.year = 2025
            )
            """
        )


def renamed_and_registered(con: duckdb.DuckDBPyConnection) -> None:
    """An organ renamed, and a registered organ that never published."""
    con.execute(
        "UPDATE dim_agency SET name = name || '（新）' WHERE agency_id = (SELECT min(agency_id) FROM dim_agency)"
    )
    gov, province_code, city_code, county_code = first(
        con,
        "SELECT agency_id, province_code, city_code, county_code FROM dim_agency_profile "
        "WHERE level = 'county' AND organ_kind = 'government' ORDER BY agency_id LIMIT 1",
    )
    con.execute("INSERT INTO dim_agency VALUES ('never-1', '某县从未公开局')")
    con.execute(
        "INSERT INTO dim_agency_profile SELECT * REPLACE ('never-1' AS agency_id, 'never-1' AS identity_key, "
        "'department' AS organ_kind, ? AS parent_agency_id, FALSE AS has_reports) "
        "FROM dim_agency_profile WHERE agency_id = ?",
        [gov, gov],
    )
    con.execute(
        "INSERT INTO organ_register (line, organ, first_year, agency_id, agency_name) "
        "VALUES (1, '某县从未公开局', 2024, 'never-1', '某县从未公开局')"
    )
    assert province_code and city_code and county_code


def new_year(con: duckdb.DuckDBPyConnection) -> None:
    (report_id,) = first(con, "SELECT min(report_id) FROM current_report WHERE year = 2025")
    copy_report(con, report_id, "next-year", year="2026")


def several(con: duckdb.DuckDBPyConnection) -> None:
    removed(con)
    moved(con)
    republished(con)


NIGHTS: list[tuple[Callable[[duckdb.DuckDBPyConnection], None], str]] = [
    (part_goes, "incremental"),
    (region_report_removed, "incremental"),
    (new_report, "incremental"),
    (republished, "incremental"),
    (removed, "incremental"),
    (moved, "incremental"),
    (finding_appears, "incremental"),
    (finding_goes, "incremental"),
    (scope_changes, "incremental"),
    (renamed_and_registered, "incremental"),
    (new_year, "full"),
    (several, "incremental"),
]


def test_incremental_marts_equal_a_full_build_after_every_night(
    small_nation: SmallNation, tmp_path: Path
) -> None:
    path = tmp_path / "w.duckdb"
    path.write_bytes(small_nation.path.read_bytes())
    con = warehouse.connect(path)
    try:
        con.execute("SET threads = 1")  # sums of doubles in one order, so that equal means equal
        assert marts.build_report(con).mode == "full"
        assert marts.build_report(con).mode == "unchanged"
        total = {name: len(rows) for name, rows in snapshot(con).items()}
        for night, mode in NIGHTS:
            night(con)
            current.refresh(con)  # as the identity stage does after every load
            done = marts.build_report(con)
            assert done.mode == mode, night
            after = snapshot(con)
            if mode == "incremental":
                # only some rows were recomputed: the organ-level marts much fewer than they hold
                assert 0 < done.organs < 40
                assert done.rows["mart_organ_year"] < total["mart_organ_year"] / 3
                assert done.rows["mart_coverage"] < total["mart_coverage"] / 3
            marts.build(con, list(marts.mart_files()))  # every row again; the basis stays
            full = snapshot(con)
            for name in full:
                assert after[name] == full[name], (night, name)
            assert marts.build_report(con).mode == "unchanged"
    finally:
        con.close()
