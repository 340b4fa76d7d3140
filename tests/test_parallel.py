"""Parsing in parser processes: the warehouse is the same for any number of them, every file is parsed
under a time and memory budget, and a process that dies or is killed costs at most its file."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import SAMPLES

from pipelines import ingest, warehouse
from pipelines.ingest import pool
from pipelines.ingest.budget import MB, Budget
from pipelines.ingest.job import Job, Parsed
from pipelines.warehouse.load import Rejected

STARTED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
TABLES = ("dim_report", "fact_cell", "fact_section", "fact_subtotal", "quarantine", "source_file")


def _inbox(tmp: Path) -> Path:
    """The samples, a copy of one (a duplicate), a non-report and an empty file, in two folders."""
    inbox = tmp / "inbox"
    shutil.copytree(SAMPLES, inbox / "a")
    shutil.copy(SAMPLES / "320903-finance_2024.html", inbox / "copy-of-finance.html")
    (inbox / "b").mkdir()
    (inbox / "b" / "notes.txt").write_text("not a report at all", encoding="utf-8")
    (inbox / "b" / "empty.pdf").write_bytes(b"")
    return inbox


def _tables(wh: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the ingest tables in stored order (the order of ids), less the clock."""
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return {
            t: con.execute(
                f"SELECT * EXCLUDE ({'detected_at' if t == 'quarantine' else 'rowid'}) FROM {t}"
            ).fetchall()
            if t == "quarantine"
            else con.execute(f"SELECT * FROM {t}").fetchall()
            for t in TABLES
        }
    finally:
        con.close()


def _ingest(inbox: Path, wh: Path, **kw: Any) -> ingest.Ingested:
    con = warehouse.connect(wh)
    try:
        return ingest.run(con, inbox, run_id="run", started_at=STARTED, **kw)
    finally:
        con.close()


def test_the_warehouse_is_the_same_for_any_number_of_workers(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path)
    results = {}
    for n in (0, 1, 2, 3):
        wh = tmp_path / f"wh{n}.duckdb"
        # small batches: the batch boundaries must not depend on the workers either
        done = _ingest(inbox, wh, workers=n, batch_size=7)
        assert done.parsed == 42 and len(done.quarantined) == 2 and len(done.duplicates) == 1
        results[n] = _tables(wh)
    assert results[0]["dim_report"] and results[0]["fact_cell"]
    assert results[1] == results[0]
    assert results[2] == results[0]
    assert results[3] == results[0]
    reasons = {name: reason for _, name, reason, *_ in results[2]["quarantine"]}
    assert set(reasons) == {"b/empty.pdf", "b/notes.txt"}


def test_outcomes_come_back_in_the_order_of_the_jobs(tmp_path: Path) -> None:
    files = sorted(p for p in SAMPLES.iterdir() if not p.name.endswith(".json"))
    jobs = [Job(i, p.name, os.fsencode(p), size=p.stat().st_size) for i, p in enumerate(files)]
    p = pool.Pool(2)
    try:
        out = list(p.map(jobs))
    finally:
        p.close()
    assert [o.file_name for o in out] == [f.name for f in files]
    parsed = [o for o in out if isinstance(o, Parsed)]
    assert parsed and all(len(o.frames) == 1 and o.frames.cells.height > 0 for o in parsed)
    # bytes go with the job when there is no shared disk: the same outcome
    by_bytes = pool.run_one(Job(0, files[0].name, data=files[0].read_bytes()))
    assert isinstance(by_bytes, Parsed) and isinstance(out[0], Parsed)
    assert by_bytes.frames.cells.equals(out[0].frames.cells)


def _big_text(path: Path) -> Path:
    """A text report padded to near the readers' 4 MB limit: a fraction of a second of CPU."""
    text = (SAMPLES / "320903-finance_2025.txt").read_text(encoding="utf-8")
    line = "本机关认真贯彻落实政府信息公开条例，主动公开政府信息。\n"
    path.write_text(text + line * (3_800_000 // len(line.encode())), encoding="utf-8")
    return path


def _big_html(path: Path, mb: int) -> Path:
    """An HTML page with mb megabytes of paragraphs: memory many times that while it is parsed."""
    html = (SAMPLES / "320903-finance_2024.html").read_bytes()
    body = html.index(b">", html.index(b"<body")) + 1
    filler = ("<p>" + "政府信息公开工作年度报告正文。" * 2000 + "</p>\n").encode("gbk")
    path.write_bytes(html[:body] + filler * (mb * MB // len(filler)) + html[body:])
    return path


def test_a_file_over_the_time_limit_is_quarantined_and_the_night_goes_on(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    slow = _big_text(inbox / "slow.txt")
    shutil.copy(SAMPLES / "320903-gov_2025.md", inbox / "fine.md")
    budget = Budget(cpu_seconds=0.02)
    done = _ingest(inbox, tmp_path / "wh.duckdb", workers=1, budget=budget)
    assert done.parsed == 1
    (rejected,) = done.quarantined
    assert rejected.file_name == "slow.txt"
    assert rejected.reason == "parse exceeded the time limit (0.02 s of CPU per file)"
    assert rejected.content_hash == hashlib.sha256(slow.read_bytes()).hexdigest()
    assert rejected.medium_guess == "text"
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        assert con.execute("SELECT reason FROM quarantine").fetchall() == [(rejected.reason,)]
        assert con.execute("SELECT file_name FROM dim_report").fetchall() == [("fine.md",)]


def test_a_file_over_the_memory_limit_is_quarantined(tmp_path: Path) -> None:
    big = _big_html(tmp_path / "big.html", 24)
    small = SAMPLES / "320903-finance_2024.html"
    budget = Budget(memory_floor=24 * MB, memory_per_byte=0, memory_cap=24 * MB)
    p = pool.Pool(1, budget)
    try:
        jobs = [Job(i, f.name, os.fsencode(f), size=f.stat().st_size) for i, f in enumerate([big, small])]
        first, second = list(p.map(jobs))
    finally:
        p.close()
    assert isinstance(first, Rejected)
    assert (
        first.reason
        == "parse exceeded the memory limit (24 MB for this file: 24 MB + 0 × its size, at most 24 MB)"
    )
    assert first.medium_guess == "html"
    assert isinstance(second, Parsed)  # the next file, in a fresh process


def test_the_memory_limit_is_in_proportion_to_the_file_and_capped() -> None:
    b = Budget()
    assert b.memory_limit(0) == b.memory_floor
    assert b.memory_limit(10 * MB) == b.memory_floor + b.memory_per_byte * 10 * MB
    assert b.memory_limit(10_000 * MB) == b.memory_cap
    assert b.wall_seconds > b.cpu_seconds


def _kill_when_busy(p: pool.Pool, times: int) -> threading.Thread:
    """Kill the process working on a file, `times` times (each time the file is handed out)."""

    def killer() -> None:
        killed: set[int] = set()
        deadline = time.monotonic() + 60
        while len(killed) < times and time.monotonic() < deadline:
            for proc in list(p._procs):
                if proc.job is not None and proc.pid not in killed:
                    os.kill(proc.pid, signal.SIGKILL)
                    killed.add(proc.pid)
            time.sleep(0.005)

    t = threading.Thread(target=killer, daemon=True)
    t.start()
    return t


@pytest.mark.parametrize("kills", [1, 2])
def test_a_parser_process_that_dies_costs_at_most_its_file(tmp_path: Path, kills: int) -> None:
    big = _big_html(tmp_path / "big.html", 12)
    p = pool.Pool(1)
    try:
        killer = _kill_when_busy(p, kills)
        out = list(p.map([Job(0, "big.html", os.fsencode(big), size=big.stat().st_size)]))
        killer.join()
        after = list(p.map([Job(0, "fine.md", os.fsencode(SAMPLES / "320903-gov_2025.md"))]))
    finally:
        p.close()
    if kills == 1:  # tried once more in a fresh process
        assert isinstance(out[0], Parsed)
    else:  # the file that kills the parser
        assert isinstance(out[0], Rejected)
        assert out[0].reason == "parser process died (killed by SIGKILL) while parsing this file"
    assert isinstance(after[0], Parsed)
