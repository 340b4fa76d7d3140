"""`gongkai bench marts`: the organ dimension and every mart over a synthetic national-scale warehouse,
and the two analyst queries the marts are for (one organ's history; a year's ranking of bureaus).

The warehouse is written straight with SQL (no parsing: this measures the marts, not the parser).
Organs are real places from the division tree — a government and ten bureaus per county, their
names printed with or without the prefecture — so the identity step resolves real names. Each
organ reports 2019–2025 (F2019 for 2019–2020), about 4% of organ-years are missing, about 2% are
loaded twice (an HTML page and a text dump), and every report has the full ~200 cells.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines import layout, marts, warehouse
from pipelines.identity import divisions, store
from pipelines.warehouse import schema

YEARS = tuple(range(2019, 2026))
BUREAUS = (
    "商务局",
    "财政局",
    "公安局",
    "市场监督管理局",
    "人力资源和社会保障局",
    "教育局",
    "民政局",
    "司法局",
    "生态环境局",
    "交通运输局",
)
RANKING_YEAR = 2024
# One organ's history, and every county-level bureau of one year by grant rate: the two questions the
# issue names. Parameters are bound, so the timings include nothing but DuckDB.
HISTORY_SQL = "SELECT * FROM mart_organ_year WHERE agency_id = ? ORDER BY year"
RANKING_SQL = """
    SELECT agency_id, agency_name, sector, province, new_received, grant_rate_resolvable,
           grant_rate_resolvable_rank_in_level, grant_rate_resolvable_rank_in_sector, peers_level
    FROM mart_peer_rank
    WHERE year = ? AND level = 'county' AND organ_kind = 'department'
    ORDER BY grant_rate_resolvable_rank_in_level NULLS LAST, agency_id"""


@dataclass
class MartsBench:
    reports: int
    organs: int
    cells: int
    synth_seconds: float
    build_seconds: dict[str, float]
    history_ms: float  # worst of several runs, first included
    ranking_ms: float
    ranking_rows: int

    @property
    def marts_seconds(self) -> float:
        return sum(s for name, s in self.build_seconds.items() if name.startswith("mart_"))


def organ_names(n_organs: int) -> list[str]:
    """Names of n organs: counties in code order, each with its government and ten bureaus."""
    div = divisions.load()
    out: list[str] = []
    for code in sorted(div.by_code):
        if len(code) != 6:
            continue
        county = div.by_code[code]
        above = div.parent(county)
        # every other county prints its prefecture too, as real reports do; a county whose name is not
        # unique, or that sits directly under its province (北京市朝阳区), always does
        qualify = above is not None and (
            int(code) % 2 or above.level == "province" or len(div.named(county.name)) > 1
        )
        place = (above.name if qualify and above is not None else "") + county.name
        out += [place + "人民政府", *(place + b for b in BUREAUS)]
        if len(out) >= n_organs:
            break
    return out[:n_organs]


def synthesise(con: duckdb.DuckDBPyConnection, n_reports: int) -> dict[str, float]:
    schema.migrate(con)
    t0 = time.perf_counter()
    names = organ_names(-(-n_reports // len(YEARS)) * 105 // 100 + 1)  # 5% spare for the missing years
    con.register("_gk_names", pl.DataFrame({"org": range(len(names)), "name": names}))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _gk_reports AS
        WITH grid AS (
            SELECT n.org, n.name, y.year
            FROM _gk_names n, (SELECT unnest(range({YEARS[0]}, {YEARS[-1] + 1})) AS year) y
            WHERE hash(n.org, y.year) % 25 <> 0                         -- ~4% of organ-years not published
        ), numbered AS (
            SELECT *, row_number() OVER (ORDER BY org, year) AS i FROM grid
        ), versions AS (
            SELECT numbered.*, v.version
            FROM numbered, (VALUES (0), (1)) v(version)
            WHERE v.version = 0 OR hash(i) % 50 = 0                     -- ~2% also loaded as a text dump
        )
        SELECT i, org, name, year, version, sha256(concat(i, '/', version)) AS report_id,
               CASE WHEN year <= 2020 THEN 'F2019' ELSE 'F2021' END AS format,
               CASE version WHEN 0 THEN 'html' ELSE 'text' END AS medium,
               1 + hash(org) % 40 AS scale
        FROM versions
        QUALIFY row_number() OVER (ORDER BY i, version) <= {n_reports}""")
    con.unregister("_gk_names")
    con.execute("""
        INSERT INTO dim_report
        SELECT report_id, concat('r', i, '.', medium), medium, format, year, NULL, name,
               name || year || '年度政府信息公开工作年度报告', [], 'bench', TIMESTAMPTZ '2026-01-01 00:00:00+00'
        FROM _gk_reports""")
    cells = pl.DataFrame(
        [(c.cell_id, c.format) for c in layout.CELLS], schema=["cell_id", "format"], orient="row"
    )
    con.register("_gk_cells", cells)
    # counts around the organ's scale, varying by year and cell; a few blanks
    con.execute("""
        INSERT INTO fact_cell
        SELECT r.report_id, c.cell_id, r.format,
               CASE WHEN hash(r.report_id, c.cell_id) % 17 = 0 THEN NULL
                    ELSE CAST(hash(r.report_id, c.cell_id) % (r.scale + 3) AS DOUBLE) END,
               NULL, CASE WHEN hash(r.report_id, c.cell_id) % 17 = 0 THEN 'blank' ELSE 'number' END,
               false, NULL, 0, 1, 2, NULL, NULL
        FROM _gk_reports r JOIN _gk_cells c USING (format)""")
    con.unregister("_gk_cells")
    con.execute("""
        INSERT INTO fact_section
        SELECT report_id, s.key, NULL,
               CASE s.key WHEN 's1' THEN year || '年，' || name || '认真贯彻落实《中华人民共和国政府信息公开条例》。'
                          ELSE year || '年，' || CASE WHEN org % 3 = 0 THEN '收取信息处理费' || (org % 500) || '元。'
                                                     ELSE '未收取信息处理费。' END END
        FROM _gk_reports, (VALUES ('s1'), ('s6')) s(key)""")
    con.execute("""
        INSERT INTO findings (report_id, rule_id, instance, status, severity, cell_ids, related_cell_ids,
                              blank_decided, message_zh)
        SELECT report_id, 'T3-S1', 'total', 'fail', 'error', [], [], false, 'bench'
        FROM _gk_reports WHERE hash(report_id) % 20 = 0""")
    con.execute("DROP TABLE _gk_reports")
    return {"seconds": time.perf_counter() - t0}


def _worst_ms(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object], runs: int = 5
) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        rows = len(con.execute(sql, params).fetchall())
        times.append((time.perf_counter() - t0) * 1000)
    return max(times), rows


def run(n_reports: int, workdir: Path) -> MartsBench:
    path = Path(workdir) / "marts-bench.duckdb"
    path.unlink(missing_ok=True)
    con = warehouse.connect(path)
    con.execute("SET enable_progress_bar = false")  # the bench prints its own lines
    try:
        synth = synthesise(con, n_reports)
        t0 = time.perf_counter()
        store.build(con)
        build = {"agency_dimension": time.perf_counter() - t0, **marts.build(con)}
        (reports, organs) = con.execute(
            "SELECT count(*), count(DISTINCT agency_id) FROM dim_report"
        ).fetchone() or (0, 0)
        (cells,) = con.execute("SELECT count(*) FROM fact_cell").fetchone() or (0,)
        organ = con.execute(
            "SELECT agency_id FROM mart_organ_year GROUP BY agency_id "
            "ORDER BY count(*) DESC, agency_id LIMIT 1"
        ).fetchone()
        history_ms, _ = _worst_ms(con, HISTORY_SQL, [organ[0] if organ else ""])
        ranking_ms, ranking_rows = _worst_ms(con, RANKING_SQL, [RANKING_YEAR])
    finally:
        con.close()
    return MartsBench(reports, organs, cells, synth["seconds"], build, history_ms, ranking_ms, ranking_rows)


def format_bench(b: MartsBench) -> str:
    lines = [
        f"synthetic warehouse: {b.reports} reports, {b.organs} organs, {b.cells} cells "
        f"(written in {b.synth_seconds:.1f} s)",
        f"organ dimension (agency_dimension): {b.build_seconds.get('agency_dimension', 0):.2f} s",
    ]
    lines += [f"  {name}: {secs:.2f} s" for name, secs in b.build_seconds.items() if name.startswith("mart_")]
    lines += [
        f"all marts: {b.marts_seconds:.2f} s (target < 30 s)",
        f"one organ's history (mart_organ_year by agency_id): {b.history_ms:.1f} ms worst of 5 (target < 100 ms)",
        f"ranking of {b.ranking_rows} county bureaus in {RANKING_YEAR} (mart_peer_rank): "
        f"{b.ranking_ms:.1f} ms worst of 5 (target < 100 ms)",
    ]
    return "\n".join(lines)
