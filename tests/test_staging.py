"""Staging and atomic publish (pipelines/staging.py): readers never see a half-built warehouse, an
analyst's read-only connection neither blocks the run nor breaks, a killed run's leftovers are
cleaned up, and a live run's staging copy is never taken over."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipelines.warehouse import staging
from tests.conftest import SAMPLES, run_nightly

ANALYST = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "query":
            print(sorted(x for (x,) in con.execute(sys.argv[2]).fetchall()), flush=True)
""")


class Analyst:
    """Another process holding a read-only DuckDB connection, as an analyst's notebook does."""

    def __init__(self, path: Path, sql: str = "SELECT x FROM t") -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", ANALYST, str(path), sql],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._line() == "ready"

    def query(self) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write("query\n")
        self.proc.stdin.flush()
        return self._line()

    def _line(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def published(tmp_path: Path) -> Path:
    path = tmp_path / "wh" / "warehouse.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
        con.execute("INSERT INTO t VALUES (1)")
    return path


@pytest.fixture
def analyst(published: Path) -> Iterator[Analyst]:
    a = Analyst(published)
    yield a
    a.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_row(path: Path, x: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO t VALUES (?)", [x])


def test_a_reader_is_neither_blocking_nor_broken(published: Path, analyst: Analyst) -> None:
    before = digest(published)
    work = staging.prepare(published, "run-1")
    assert work == staging.staging_path(published) and work.parent == published.parent  # one filesystem
    add_row(work, 2)
    # during the run: the published file is untouched, the analyst sees the old warehouse
    assert digest(published) == before
    assert analyst.query() == "[1]"
    staging.publish(published, ["run-1"])  # not blocked by the analyst's open connection
    # the old connection still answers, from the previous warehouse (its inode lives on)
    assert analyst.query() == "[1]"
    fresh = Analyst(published)
    try:
        assert fresh.query() == "[1, 2]"
    finally:
        fresh.close()
    assert not work.exists() and not staging.owner_path(published).exists()
    assert not staging.wal(published).exists()


def test_publish_makes_a_complete_file(published: Path) -> None:
    work = staging.prepare(published, "run-1")
    add_row(work, 2)

    def finish(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("INSERT INTO t VALUES (3)")

    size = staging.publish(published, ["run-1"], finish=finish)
    assert size == published.stat().st_size
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("SELECT x FROM t ORDER BY x").fetchall() == [(1,), (2,), (3,)]


def test_first_run_without_a_published_warehouse(tmp_path: Path) -> None:
    published = tmp_path / "new" / "warehouse.duckdb"
    work = staging.prepare(published, "run-1")
    assert work.exists() and not published.exists()
    staging.publish(published, ["run-1"])
    with duckdb.connect(str(published), read_only=True) as con:  # an empty database; the ingest migrates it
        assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone() == (0,)


def test_a_killed_runs_staging_is_replaced_not_replayed(published: Path) -> None:
    before = digest(published)
    work = staging.prepare(published, "killed-run")
    add_row(work, 99)
    # what a SIGKILL leaves: the half-built copy, a WAL of it, a temporary copy, an owner that is gone
    with duckdb.connect(str(work)) as con:
        con.execute("PRAGMA disable_checkpoint_on_shutdown")
        con.execute("INSERT INTO t VALUES (100)")
    staging.wal(work).write_bytes(b"stale wal junk")
    work.with_name(work.name + ".tmp").write_bytes(b"half a copy")
    staging.owner_path(published).write_text(
        '{"run_id": "killed-run", "pid": 999999999, "host": "x", "started_at": ""}', encoding="utf-8"
    )
    assert digest(published) == before  # nothing of the killed run reached the published file
    work = staging.prepare(published, "next-run")
    assert not staging.wal(work).exists() and not work.with_name(work.name + ".tmp").exists()
    with duckdb.connect(str(work), read_only=True) as con:
        assert con.execute("SELECT x FROM t").fetchall() == [(1,)]
    assert staging.read_owner(published).run_id == "next-run"  # type: ignore[union-attr]


def test_a_live_runs_staging_is_refused(published: Path) -> None:
    staging.prepare(published, "run-a")  # this process is alive: run-a is live
    add_row(staging.staging_path(published), 2)
    with pytest.raises(staging.StagingError, match="run-a"):
        staging.prepare(published, "run-b")
    with pytest.raises(staging.StagingError, match="does not own"):
        staging.working_path(published, ["run-b"])
    with pytest.raises(staging.StagingError):
        staging.publish(published, ["run-b"])
    # run-a's work is intact, and a re-execution of run-a (its child run) may continue it
    assert staging.working_path(published, ["child-of-a", "run-a"]) == staging.staging_path(published)
    staging.publish(published, ["child-of-a", "run-a"])
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM t").fetchone() == (2,)


def test_an_unreadable_owner_file_counts_as_stale(published: Path) -> None:
    staging.owner_path(published).write_text("{not json", encoding="utf-8")
    assert staging.prepare(published, "run-1").exists()


def test_a_wal_beside_the_published_file_is_carried_over(published: Path) -> None:
    # An interrupted in-place write (a stage run by hand) leaves its last commit in the WAL.
    code = textwrap.dedent(f"""
        import duckdb, os, signal
        con = duckdb.connect({str(published)!r})
        con.execute("INSERT INTO t VALUES (5)")
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    subprocess.run([sys.executable, "-c", code], check=False)
    assert staging.wal(published).exists()
    work = staging.prepare(published, "run-1")
    staging.publish(published, ["run-1"])
    assert not staging.wal(published).exists() and not staging.wal(work).exists()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("SELECT x FROM t ORDER BY x").fetchall() == [(1,), (5,)]


def test_pid_liveness() -> None:
    me = staging.Owner.me("r")
    # this very process: alive while its run "r" is (a run in-process, as the tests start them)
    assert not staging.pid_alive(me)
    staging._RUNNING.add("r")
    try:
        assert staging.pid_alive(me)
    finally:
        staging.release("r")
    assert not staging.pid_alive(me)
    init = staging.Owner("r", 1, me.host, "")  # another process that is alive
    assert staging.pid_alive(init)
    assert not staging.pid_alive(staging.Owner("r", 1, "another-host", ""))
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    assert not staging.pid_alive(staging.Owner("r", int(dead.stdout), me.host, ""))
    assert os.getpid() == me.pid


def test_a_nightly_run_with_an_analyst_attached(tmp_path: Path) -> None:
    """The whole nightly graph (in-process, as `gongkai run` runs it) publishes while an analyst in
    another process holds the published file open."""
    inbox, wh = tmp_path / "inbox", tmp_path / "warehouse.duckdb"
    inbox.mkdir()
    for name in ("320903-finance_2022.txt", "320903-finance_2023.txt", "320903-finance_2024.html"):
        (inbox / name).write_bytes((SAMPLES / name).read_bytes())
    run_nightly(inbox, wh, tmp_path)
    analyst = Analyst(wh, "SELECT year FROM mart_organ_year")
    try:
        assert analyst.query() == "[2022, 2023, 2024]"
        (inbox / "320903-finance_2021.txt").write_bytes((SAMPLES / "320903-finance_2021.txt").read_bytes())
        run_nightly(inbox, wh, tmp_path)  # succeeds: not blocked
        assert analyst.query() == "[2022, 2023, 2024]"  # not broken: last night's warehouse
        fresh = Analyst(wh, "SELECT year FROM mart_organ_year")
        try:
            assert fresh.query() == "[2021, 2022, 2023, 2024]"
        finally:
            fresh.close()
    finally:
        analyst.close()
