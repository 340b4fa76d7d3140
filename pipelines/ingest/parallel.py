"""Where a run's files are parsed: parser processes on this machine (pool.py) or a Dask cluster
(cluster.py). Either way each file is parsed under the budget and the outcomes come back in the
order of the files, so the warehouse does not depend on where or by how many processes."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from pipelines.ingest import job
from pipelines.ingest.budget import DEFAULT, Budget
from pipelines.ingest.job import Job, Parsed, Rejected
from pipelines.ingest.scan import FileEntry

__all__ = ["DEFAULT_WORKERS", "jobs", "outcomes"]

# Parser processes when a run does not say: None is one per core. 0 parses in the run's own process,
# without the per-file budget (a debugger; tests that replace the parser in this process).
DEFAULT_WORKERS: int | None = None


def jobs(entries: Sequence[FileEntry]) -> Iterator[Job]:
    """Jobs that name the files by path (a parser process on this machine reads them)."""
    for i, e in enumerate(entries):
        pages = tuple(os.fsencode(p) for p in e.pages)
        yield Job(i, e.name, path=os.fsencode(e.path), size=e.size, digest=e.content_hash, pages=pages)


def outcomes(
    entries: Sequence[FileEntry],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    budget: Budget | None = None,
) -> Iterator[Parsed | Rejected]:
    """Each file's outcome, in the order of entries: `workers` parser processes on this machine
    (default: DEFAULT_WORKERS), or the Dask cluster whose scheduler is at `scheduler`."""
    if not entries:
        return
    budget = budget or DEFAULT
    workers = DEFAULT_WORKERS if workers is None else workers
    if scheduler:
        from pipelines.ingest import cluster

        yield from cluster.outcomes(entries, scheduler, budget)
        return
    if workers == 0:
        for j in jobs(entries):
            yield job.to_frames(job.parse_job(j))
        return
    from pipelines.ingest import pool

    with pool.shared(workers, budget) as p:
        yield from p.map(jobs(entries), budget)
