"""`gongkai bench nightly` on a small corpus: the night parses only the new reports, and the table
shows every step of the nightly graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.bench import nightly as nightly_bench

pytestmark = pytest.mark.slow


def test_bench_nightly_small(tmp_path: Path) -> None:
    [night] = nightly_bench.run([70], tmp_path, new=5)
    assert night.parsed == 5 and night.reports == 70
    assert list(night.steps) == [
        "fetched_sources",
        "ingest",
        "identity",
        "rules",
        "marts",
        "published_warehouse",
        "static_site",
    ]
    text = nightly_bench.format_bench([night])
    assert "night, end to end" in text and "published_warehouse" in text
