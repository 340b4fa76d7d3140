"""Benchmark: every rule over 100,000 synthetic reports (~20 million fact_cell rows), with its time
printed against the 60 s budget (a test asserts what the rules find, never how long they take).
Not collected by default (no test_ prefix); run with

    .venv/bin/pytest tests/bench_rules.py -s        (or: gongkai rules bench --reports 100000 --gx)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.bench import rules as bench

REPORTS = 100_000
BUDGET_SECONDS = 60.0


@pytest.mark.slow
def test_all_rules_over_100k_reports(tmp_path: Path) -> None:
    res = bench.speed(REPORTS, tmp_path, gx=True)
    print("\n" + bench.format_speed(res))
    print(f"rules: {res.run.seconds:.1f} s (budget {BUDGET_SECONDS:.0f} s)")
    assert res.cells >= 19_000_000
    # GX validates the same SQL: its counts are the findings'
    for r in res.run.rules:
        assert r.gx_unexpected == r.fail, r.rule.id
    # the injected errors (3% of the organs' reports) are all found
    by_id = res.run.by_id()
    assert by_id["T3-F1"].fail > 0 and by_id["T3-S1"].fail > 0 and by_id["T4-F1"].fail > 0
