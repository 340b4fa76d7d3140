"""Parse files in parallel processes, each file under a budget, results in the order given.

`Pool(n).map(jobs)` hands the jobs to n parser processes (pipelines/ingest/worker.py) and yields
each file's outcome — `Parsed` (the report as loader frames) or `Rejected` — in the order of the
jobs, whatever order the processes finish in: so a run's warehouse is the same for any n.

A watcher thread reads the processes' answers and checks every busy one against the budget
(budget.Budget: CPU seconds and memory above the process's level before the file, from /proc, and
a wall-clock backstop). A process over budget is killed and its file quarantined with the limit
named; a process that dies on its own is replaced and its file tried once more before it is
quarantined as the file that kills the parser. A process that has grown large is replaced between
files, so memory stays flat over a long backfill.

Processes are started with `python -m` (pipelines/subprocs.py) and kept between runs of one Python process (`shared`), so a test suite or a long-lived Dagster code
server pays their start once.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import queue
import select
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from pipelines import subprocs
from pipelines.ingest.budget import DEFAULT, Budget
from pipelines.ingest.job import Job, Parsed, guess_medium, head, unread
from pipelines.ingest.scan import file_hash
from pipelines.warehouse.frames import ReportFrames
from pipelines.warehouse.load import Rejected

__all__ = ["Pool", "default_workers", "shared", "run_one"]

# How often busy processes are checked against the budget.
POLL_SECONDS = 0.05
# Files handed out ahead of the oldest one not yet taken by the run, per process: enough to keep
# every process busy while one slow file holds up the order.
AHEAD_PER_PROCESS = 16
# A process that holds this much more than when it started is replaced between two files.
RECYCLE_GROWTH = 768 * 1024 * 1024
# A process that has not said it is ready after this long is taken as failed to start.
START_SECONDS = 120.0
# A file whose parser process dies on its own is tried this many times in all.
ATTEMPTS = 2

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_END = object()


def default_workers() -> int:
    """All the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def usage(pid: int) -> tuple[float, int] | None:
    """(CPU seconds, resident bytes) of a process, from /proc; None where there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        with open(f"/proc/{pid}/statm", "rb") as f:
            statm = f.read()
        rest = stat[stat.rindex(b")") + 2 :].split()
        return (int(rest[11]) + int(rest[12])) / _TICK, int(statm.split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


class _Proc(subprocs.Worker):
    """One parser process and the file it is working on."""

    def __init__(self) -> None:
        super().__init__("pipelines.ingest.worker")
        self.ready = False
        self.born = time.monotonic()
        self.base_rss: int | None = None  # resident bytes when it became ready
        self.job: Job | None = None
        self.cpu0 = 0.0
        self.rss0 = 0
        self.t0 = 0.0

    def start(self, job: Job) -> None:
        now = usage(self.pid)
        self.cpu0, self.rss0 = now if now is not None else (0.0, 0)
        self.t0 = time.monotonic()
        self.job = job
        self.send(job)


class Pool:
    """Up to `size` parser processes, started when first needed and kept until close()."""

    def __init__(self, size: int | None = None, budget: Budget = DEFAULT) -> None:
        self.size = max(1, size or default_workers())
        self.budget = budget
        self._procs: list[_Proc] = []
        self._lock = threading.Lock()  # one map at a time

    def resize(self, size: int) -> None:
        with self._lock:
            self.size = max(1, size)
            while len(self._procs) > self.size:
                self._procs.pop().close()

    def close(self) -> None:
        with self._lock:
            while self._procs:
                self._procs.pop().close()

    def map(self, jobs: Iterable[Job], budget: Budget | None = None) -> Iterator[Parsed | Rejected]:
        """Each job's outcome, in the order of the jobs."""
        with self._lock:
            # the watcher orders outcomes by the jobs' places in this map
            numbered = (replace(job, index=i) for i, job in enumerate(jobs))
            yield from _Run(self, numbered, budget or self.budget).results()


class _Run:
    """One map: the watcher thread hands out jobs and collects outcomes; results() yields them."""

    def __init__(self, pool: Pool, jobs: Iterator[Job], budget: Budget) -> None:
        self.pool = pool
        self.jobs = jobs
        self.budget = budget
        self.out: queue.Queue[Any] = queue.Queue()
        self.taken = 0  # results the caller has taken
        self.stop = threading.Event()
        self.window = AHEAD_PER_PROCESS * pool.size

    def results(self) -> Iterator[Parsed | Rejected]:
        thread = threading.Thread(target=self._watch, name="gongkai-parse-watcher", daemon=True)
        thread.start()
        try:
            while True:
                item = self.out.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                self.taken += 1
                yield _outcome(item)
        finally:
            self.stop.set()
            thread.join()

    # --- the watcher thread ---------------------------------------------------------------------

    def _watch(self) -> None:
        try:
            self._loop()
            self.out.put(_END)
        except BaseException as e:  # handed to the caller's thread, raised there
            self.out.put(e)

    def _loop(self) -> None:
        procs = self.pool._procs
        size = self.pool.size
        backlog: deque[Job] = deque()  # taken from the iterator, not handed out yet
        retry: deque[Job] = deque()  # their process died on its own: once more
        attempts: dict[int, int] = {}
        done: dict[int, Any] = {}  # index -> answer, until the ones before it are delivered
        pulled = delivered = failed_starts = 0
        exhausted = False
        while not self.stop.is_set():
            while not exhausted and len(backlog) < size and pulled < self.taken + self.window:
                job = next(self.jobs, None)
                if job is None:
                    exhausted = True
                else:
                    pulled += 1
                    backlog.append(job)
            for p in procs:
                if p.ready and p.job is None and (retry or backlog):
                    p.start(retry.popleft() if retry else backlog.popleft())
            starting = sum(1 for p in procs if not p.ready)
            for _ in range(min(len(retry) + len(backlog) - starting, size - len(procs))):
                procs.append(_Proc())
            active = [p for p in procs if not p.ready or p.job is not None]
            if not active:
                if exhausted and not retry and not backlog:
                    break
                time.sleep(POLL_SECONDS)  # the caller has not taken enough results yet
                continue
            readable, _, _ = select.select(active, [], [], POLL_SECONDS)
            for p in readable:
                message = p.recv()
                if message is None:  # the process ended
                    procs.remove(p)
                    job, why = p.job, p.death()
                    if job is None:
                        failed_starts += 1
                        if failed_starts >= 3:
                            raise RuntimeError(f"parser processes fail to start ({why})")
                        continue
                    attempts[job.index] = attempts.get(job.index, 0) + 1
                    if attempts[job.index] < ATTEMPTS:
                        retry.append(job)
                    else:
                        done[job.index] = self._rejected(
                            job, f"parser process died ({why}) while parsing this file"
                        )
                    continue
                if not p.ready:
                    p.ready = True
                    failed_starts = 0
                    now = usage(p.pid)
                    p.base_rss = now[1] if now is not None else None
                    continue
                assert p.job is not None
                done[p.job.index] = message
                p.job = None
                self._maybe_recycle(p, procs)
            self._check_budget(procs, done)
            self._check_starts(procs)
            while delivered in done:
                self.out.put(done.pop(delivered))
                delivered += 1
        # stopped early by the caller (or finished): a process still busy works for nobody
        for p in list(procs):
            if p.job is not None or not p.ready:
                procs.remove(p)
                p.kill()

    def _maybe_recycle(self, p: _Proc, procs: list[_Proc]) -> None:
        now = usage(p.pid)
        if now is None:
            return
        if p.base_rss is not None and now[1] - p.base_rss > RECYCLE_GROWTH:
            procs.remove(p)
            p.close()

    def _check_budget(self, procs: list[_Proc], done: dict[int, Any]) -> None:
        b = self.budget
        for p in list(procs):
            job = p.job
            if job is None:
                continue
            reason = None
            now = usage(p.pid)
            if now is not None:
                cpu, rss = now
                if cpu - p.cpu0 > b.cpu_seconds:
                    reason = b.time_reason()
                elif rss - p.rss0 > b.memory_limit(job.size):
                    reason = b.memory_reason(job.size)
            if reason is None and time.monotonic() - p.t0 > b.wall_seconds:
                reason = b.wall_reason()
            if reason is not None:
                procs.remove(p)
                p.kill()
                done[job.index] = self._rejected(job, reason)

    def _check_starts(self, procs: list[_Proc]) -> None:
        for p in list(procs):
            if not p.ready and time.monotonic() - p.born > START_SECONDS:
                procs.remove(p)
                p.kill()
                raise RuntimeError(f"a parser process did not start within {START_SECONDS:g} s")

    def _rejected(self, job: Job, reason: str) -> tuple[Any, ...]:
        """The quarantine row of a file whose parse was stopped: its hash and a guess at its medium
        come from the bytes, not from the parser."""
        if job.series:
            return ("rejected", job.name, job.digest or "", reason, "image")
        if job.data is not None:
            digest = hashlib.sha256(job.data).hexdigest()
            start = job.data[:1024]
        else:
            assert job.path is not None
            try:
                digest = job.digest or file_hash(job.path)
            except OSError as e:
                return ("rejected", *unread(job.name, e.strerror or str(e)))
            start = head(job.path)
        return ("rejected", job.name, digest, reason, guess_medium(start, job.name))


def _outcome(message: tuple[Any, ...]) -> Parsed | Rejected:
    kind, *rest = message
    if kind == "parsed":
        name, digest, ipc = rest
        return Parsed(name, digest, ReportFrames.from_ipc(ipc))
    return Rejected(*rest)


# --- the shared pool of this Python process -------------------------------------------------------

_SHARED: Pool | None = None
_SHARED_LOCK = threading.Lock()


@contextmanager
def shared(size: int | None = None, budget: Budget = DEFAULT) -> Iterator[Pool]:
    """The process's pool, resized to `size` (default: all cores); a private one, closed after use,
    while another run of this process has it."""
    global _SHARED
    want = max(1, size or default_workers())
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = Pool(want, budget)
        pool = _SHARED
        busy = pool._lock.locked()
    if busy:
        private = Pool(want, budget)
        try:
            yield private
        finally:
            private.close()
        return
    pool.resize(want)
    pool.budget = budget
    yield pool


def run_one(job: Job, budget: Budget = DEFAULT) -> Parsed | Rejected:
    """One file through a parser process of this thread's own (a Dask worker's task thread)."""
    pool = getattr(_LOCAL, "pool", None)
    if pool is None:
        pool = _LOCAL.pool = Pool(1, budget)
        _ALL_LOCAL.append(pool)
    return next(iter(pool.map([job], budget)))


_LOCAL = threading.local()
_ALL_LOCAL: list[Pool] = []


@atexit.register
def _close_all() -> None:
    for pool in [_SHARED, *_ALL_LOCAL]:
        if pool is not None:
            pool.close()
