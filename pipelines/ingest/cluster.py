"""Parsing on a Dask distributed cluster: for backfills too large for one machine (OCR of scanned
reports costs seconds a page).

The run reads each file and sends its bytes with the task, so the workers need no shared disk, only
the project installed. On the worker the file is parsed by a parser process of the task's own under
the same budget as on one machine (pool.run_one), and the report comes back as loader frames (Arrow
IPC); the run, the single DuckDB writer, loads the outcomes in the order of the files. A worker that
dies takes its tasks with it and the scheduler gives them to another worker (Dask retries a task
whose worker died up to `distributed.scheduler.allowed-failures` times); a file that keeps killing
workers is quarantined.

docs/scaling.md says how to run a cluster and when it is worth it.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from pipelines.ingest import job as jobs
from pipelines.ingest.budget import Budget
from pipelines.ingest.job import Job, Parsed, Rejected
from pipelines.ingest.scan import FileEntry, file_hash
from pipelines.parsing import parse
from pipelines.warehouse.frames import ReportFrames

__all__ = ["outcomes", "parse_remote"]

# Tasks in flight per worker thread of the cluster: enough to keep every worker busy while the
# run reads the next files and loads what came back, few enough that memory holds only those files.
AHEAD_PER_THREAD = 4
CONNECT_SECONDS = 30


def parse_remote(job: Job, budget: Budget) -> tuple[Any, ...]:
    """The task a Dask worker runs: one file's outcome, its report as Arrow IPC."""
    from pipelines.ingest import pool

    out = pool.run_one(job, budget)
    if isinstance(out, Parsed):
        return ("parsed", out.file_name, out.content_hash, out.frames.to_ipc())
    return ("rejected", *out)


def parser_version() -> str:
    """The parser this process runs (on a worker: the one the cluster's tasks run)."""
    return parse.PARSER_VERSION


def check_versions(workers: dict[str, str], mine: str) -> None:
    """Refuse a cluster whose workers run another parser than the run: the warehouse would hold
    reports that parser_version says were parsed by code that did not parse them."""
    other = {w: v for w, v in sorted(workers.items()) if v != mine}
    if other:
        w, v = next(iter(other.items()))
        raise RuntimeError(
            f"Dask worker {w} runs parser {v}, this run {mine} ({len(other)} of {len(workers)} workers "
            "differ): install the same gongkai on every worker"
        )


def outcomes(
    entries: Sequence[FileEntry],
    scheduler: str,
    budget: Budget,
    *,
    on_result: Callable[[int], None] | None = None,
    connect_seconds: float = CONNECT_SECONDS,
) -> Iterator[Parsed | Rejected]:
    """Each file's outcome in the order of entries, parsed on the cluster at `scheduler`.
    `on_result(n)` is called after the n-th outcome (tests use it to kill a worker mid-run)."""
    from distributed import Client

    run = uuid.uuid4().hex[:12]
    with Client(scheduler, timeout=connect_seconds, set_as_default=False) as client:
        check_versions(client.run(parser_version), parser_version())
        threads = sum(client.nthreads().values()) or 1
        window: deque[Any] = deque()
        n = 0
        for i, entry in enumerate(entries):
            local = _read(i, entry)
            if isinstance(local, Job):
                window.append(
                    client.submit(parse_remote, local, budget, key=f"gongkai-parse-{run}-{i}", pure=False)
                )
            else:
                window.append(local)
            while len(window) >= AHEAD_PER_THREAD * threads:
                yield _result(window.popleft(), entries, budget)
                n += 1
                if on_result is not None:
                    on_result(n)
        while window:
            yield _result(window.popleft(), entries, budget)
            n += 1
            if on_result is not None:
                on_result(n)


def _read(i: int, entry: FileEntry) -> Job | Rejected:
    """The job that carries the file's bytes, or its quarantine row when it is too large or cannot
    be read (decided here: a 200 MB file is neither read into memory nor sent)."""
    if entry.pages:  # an image series: every page travels
        try:
            pages = tuple((p.read_bytes(), p.name) for p in entry.pages)
        except OSError as e:
            return Rejected(
                entry.name, entry.content_hash or "", f"cannot read a page of the series: {e.strerror or e}"
            )
        return Job(
            i, entry.name, size=sum(len(d) for d, _ in pages), digest=entry.content_hash, page_data=pages
        )
    try:
        too_large = parse.size_problem(os.stat(entry.path).st_size)
        if too_large:
            medium = jobs.guess_medium(jobs.head(entry.path), entry.name)
            return Rejected(entry.name, entry.content_hash or file_hash(entry.path), too_large, medium)
        data = entry.path.read_bytes()
    except OSError as e:
        return jobs.unread(entry.name, e.strerror or str(e))
    return Job(i, entry.name, data=data, size=len(data))


def _result(item: Any, entries: Sequence[FileEntry], budget: Budget) -> Parsed | Rejected:
    if isinstance(item, Rejected):
        return item
    try:
        kind, *rest = item.result()
    except Exception as e:  # e.g. KilledWorker: the file took down every worker it was given to
        i = int(str(item.key).rsplit("-", 1)[1])
        entry = entries[i]
        try:
            digest = entry.content_hash or hashlib.sha256(entry.path.read_bytes()).hexdigest()
        except OSError as err:
            return jobs.unread(entry.name, err.strerror or str(err))
        reason = f"parse failed on the cluster: {type(e).__name__}: {jobs.one_line(str(e))}"
        return Rejected(entry.name, digest, reason, jobs.guess_medium(jobs.head(entry.path), entry.name))
    finally:
        if not isinstance(item, Rejected):
            item.release()
    if kind == "parsed":
        name, digest, ipc = rest
        return Parsed(name, digest, ReportFrames.from_ipc(ipc))
    return Rejected(*rest)
