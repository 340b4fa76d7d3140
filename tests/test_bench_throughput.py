"""`gongkai bench accuracy` times parsing by CPU time (the machine is shared: wall-clock rates
swing with the load)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from pipelines.bench import accuracy

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def test_parse_throughput_counts_cpu_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    # a CPU clock that advances 0.25 s a reading; wall-clock time is never read
    ticks = itertools.count()
    monkeypatch.setattr(accuracy.time, "process_time", lambda: 0.25 * next(ticks))
    monkeypatch.setattr(accuracy.time, "perf_counter", lambda: pytest.fail("wall-clock time read"))
    files = sorted(SAMPLES.glob("*.html"))[:2]
    rate, size = accuracy.parse_throughput(files, seconds=1.0)
    # readings: the start (0), one before each pass (0.25, 0.5, 0.75; 1.0 stops), the end (1.25):
    # three passes over two files in 1.25 CPU seconds
    assert rate == pytest.approx(6 / 1.25)
    assert size == sum(len(p.read_bytes()) for p in files) // 2
