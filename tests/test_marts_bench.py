"""The mart benchmark: a small run checks the synthetic warehouse and the timed queries; the national-
scale run (100,000 reports, marked slow) checks the targets: all marts < 30 s, analyst queries < 100 ms."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.bench import marts as marts_bench
from pipelines.cli.main import main


def test_small_run_builds_every_mart_and_times_both_queries(tmp_path: Path) -> None:
    b = marts_bench.run(1500, tmp_path)
    assert b.reports == 1500 and b.cells > 1500 * 150
    assert {n for n in b.build_seconds if n.startswith("mart_")} == {
        "mart_organ_year",
        "mart_organ_yoy",
        "mart_organ_trend",
        "mart_peer_rank",
        "mart_region_rollup",
        "mart_coverage",
        "mart_total_basis",
        "mart_year_total",
        "mart_region_total",
    }
    con = duckdb.connect(str(tmp_path / "marts-bench.duckdb"), read_only=True)
    try:
        # every synthetic name resolves to a county organ, and a government per county gets a rollup
        assert con.execute("SELECT count(*) FROM identity_issue").fetchone() == (0,)
        levels = dict(
            con.execute(
                "SELECT organ_kind, count(*) FROM dim_agency_profile WHERE has_reports GROUP BY ALL"
            ).fetchall()
        )
        assert 9 * levels["government"] <= levels["department"] <= 10 * levels["government"]
        (bureaus,) = con.execute(
            "SELECT count(*) FROM mart_organ_year WHERE year = 2024 AND level = 'county' "
            "AND organ_kind = 'department'"
        ).fetchone() or (0,)
        assert b.ranking_rows == bureaus > 100
        # organ-years loaded twice count once
        assert con.execute("SELECT count(*) FROM mart_organ_year WHERE versions = 2").fetchone()[0] > 0  # type: ignore[index]
        assert con.execute("SELECT count(*) FROM mart_coverage WHERE status = 'missing'").fetchone()[0] > 0  # type: ignore[index]
    finally:
        con.close()


def test_cli_prints_the_timings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "marts", str(tmp_path), "--reports", "300"]) == 0
    out = capsys.readouterr().out
    assert "all marts:" in out and "one organ's history" in out and "county bureaus" in out


@pytest.mark.slow
def test_national_scale(tmp_path: Path) -> None:
    b = marts_bench.run(100_000, tmp_path)
    print("\n" + marts_bench.format_bench(b))
    # Speed targets (marts < 30 s, queries < 100 ms) are read off the printed benchmark, not
    # asserted: a timed assertion on a shared machine fails for reasons that are not the code's.
    assert b.reports == 100_000
    assert b.ranking_rows >= 10_000
    assert set(b.build_seconds) >= {"mart_organ_year", "mart_peer_rank", "mart_coverage"}
