"""Parsing on a Dask cluster: the bytes travel to the workers, the frames come back, the run's DuckDB
is the only writer, and the warehouse is the one a run on this machine makes — also when a worker
is killed part-way."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES
from test_parallel import _inbox, _ingest, _tables

from pipelines.ingest import cluster, scan
from pipelines.ingest.budget import DEFAULT


def test_a_local_dask_cluster_gives_the_same_warehouse(tmp_path: Path) -> None:
    from distributed import LocalCluster

    inbox = _inbox(tmp_path)
    _ingest(inbox, tmp_path / "local.duckdb", workers=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as lc:
        done = _ingest(inbox, tmp_path / "dask.duckdb", scheduler=lc.scheduler_address)
    assert done.parsed == 42 and len(done.quarantined) == 2
    assert _tables(tmp_path / "dask.duckdb") == _tables(tmp_path / "local.duckdb")


def test_workers_with_another_parser_are_refused() -> None:
    cluster.check_versions({"tcp://a:1": "0.4.1", "tcp://b:1": "0.4.1"}, "0.4.1")
    with pytest.raises(
        RuntimeError, match=r"Dask worker tcp://b:1 runs parser 0.3.0, this run 0.4.1 \(1 of 2"
    ):
        cluster.check_versions({"tcp://a:1": "0.4.1", "tcp://b:1": "0.3.0"}, "0.4.1")


def test_an_unreachable_scheduler_fails_the_run(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLES / "320903-gov_2025.md", inbox)
    entries = [scan.FileEntry(inbox / "320903-gov_2025.md", "320903-gov_2025.md", 1, 1, "x", scan.NEW)]
    with pytest.raises(OSError):
        list(cluster.outcomes(entries, "tcp://127.0.0.1:9", DEFAULT, connect_seconds=1))


class Cluster:
    """`dask scheduler` and `dask worker`s on 127.0.0.1, as an operator starts them."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.file = tmp / "scheduler.json"
        self.procs: list[subprocess.Popen[bytes]] = []
        self.workers: list[subprocess.Popen[bytes]] = []
        bindir = Path(sys.executable).parent
        self.dask = str(bindir / "dask")
        self._start([self.dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(self.file)], "scheduler")  # fmt: skip
        deadline = time.monotonic() + 60
        while not self.file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert self.file.exists(), (tmp / "scheduler.log").read_text()

    def _start(self, cmd: list[str], log: str) -> subprocess.Popen[bytes]:
        out = open(self.tmp / f"{log}.log", "wb")  # noqa: SIM115 (closed with the process)
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=self.tmp, start_new_session=True)
        self.procs.append(p)
        return p

    def add_worker(self) -> None:
        # --no-nanny: a killed worker stays dead (a nanny would restart it)
        n = len(self.workers)
        self.workers.append(
            self._start(
                [
                    self.dask,
                    "worker",
                    "--scheduler-file",
                    str(self.file),
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                    "--local-directory",
                    str(self.tmp / f"w{n}"),
                ],
                f"worker{n}",
            )  # fmt: skip
        )

    @property
    def address(self) -> str:
        import json

        return str(json.loads(self.file.read_text())["address"])

    def wait_for_workers(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(n, timeout=120)

    def stop(self) -> None:
        for p in reversed(self.procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()


@pytest.mark.slow  # starts four processes of Dask: about 5 s
def test_a_dask_cluster_of_processes_survives_a_killed_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = _inbox(tmp_path)
    extra = tmp_path / "inbox" / "c"
    extra.mkdir()
    for p in SAMPLES.iterdir():  # more files than fit in one window: the kill lands mid-run
        if not p.name.endswith(".json"):
            shutil.copy(p, extra / p.name.replace("320903", "320904"))
            (extra / p.name.replace("320903", "320905")).write_bytes(p.read_bytes() + b"\n")
    _ingest(inbox, tmp_path / "local.duckdb", workers=2)
    c = Cluster(tmp_path)
    try:
        c.add_worker()
        c.add_worker()
        c.wait_for_workers(2)
        seen: list[int] = []

        def kill_one(n: int) -> None:
            seen.append(n)
            if n == 5:
                os.killpg(c.workers[0].pid, signal.SIGKILL)

        from datetime import UTC, datetime

        from pipelines import ingest, warehouse

        original = cluster.outcomes

        def outcomes(*args: Any, **kw: Any) -> Any:
            return original(*args, **kw, on_result=kill_one)

        monkeypatch.setattr(cluster, "outcomes", outcomes)
        con = warehouse.connect(tmp_path / "dask.duckdb")
        try:
            done = ingest.run(
                con,
                inbox,
                run_id="run",
                started_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                scheduler=c.address,
            )
        finally:
            con.close()
        assert c.workers[0].wait(timeout=30) < 0  # it was killed, part-way: results kept coming after
        assert len(seen) == done.parsed + len(done.quarantined) and seen[-1] > 5
        assert (
            done.parsed == 84
        )  # 42 reports, their copies with a new name (duplicates) and with a byte added
        assert _tables(tmp_path / "dask.duckdb") == _tables(tmp_path / "local.duckdb")
        assert re.search(r"(removed|lost|closed|Remove worker)", (tmp_path / "scheduler.log").read_text())
    finally:
        c.stop()
