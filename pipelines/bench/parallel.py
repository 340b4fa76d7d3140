"""`gongkai bench parallel INBOX`: what parser processes and page renderers buy on this machine.

For each worker count: the ingest stage (scan, parse, load) into a fresh warehouse, in files per
second, and the peak memory of the whole process tree (the run and its parser processes, sampled
from /proc). Then the site of that inbox built in full by one process and by the most workers,
timed, and checked byte for byte. Printed, never asserted: the machine may be shared.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

MB = 1024 * 1024


class PeakMemory:
    """Samples the resident memory of this process and all its descendants until stopped."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(os.getpid()))
            self._stop.wait(self.interval)


def tree_rss(root: int) -> int:
    """Resident bytes of a process and its descendants (0 where there is no /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * page
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


@dataclass(frozen=True)
class IngestRun:
    workers: int
    files: int
    seconds: float
    peak_bytes: int

    @property
    def rate(self) -> float:
        return self.files / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class SiteRun:
    workers: int
    organs: int
    pages_rendered: int
    seconds: float


def ingest_once(inbox: Path, workdir: Path, workers: int) -> IngestRun:
    from pipelines import ingest, warehouse

    wh = workdir / f"ingest-{workers}.duckdb"
    for p in (wh, wh.with_name(wh.name + ".wal")):
        p.unlink(missing_ok=True)
    con = warehouse.connect(wh)
    try:
        with PeakMemory() as mem:
            t0 = time.perf_counter()
            done = ingest.run(
                con, inbox, run_id=f"bench-{workers}", started_at=datetime.now(UTC), workers=workers
            )
            seconds = time.perf_counter() - t0
    finally:
        con.close()
    return IngestRun(workers, done.parsed + len(done.quarantined), seconds, mem.peak)


def site_runs(inbox: Path, workdir: Path, workers: list[int]) -> tuple[list[SiteRun], bool]:
    """The warehouse of the whole night (less the site), then the site built in full with each
    worker count; and whether every build wrote the same bytes."""
    from pipelines.orchestration.assets import ALL_ASSETS, SITE
    from pipelines.orchestration.nightly import materialize_nightly
    from pipelines.settings import Settings
    from pipelines.site.build import build_site

    wh = workdir / "night.duckdb"
    for p in (wh, wh.with_name(wh.name + ".wal")):
        p.unlink(missing_ok=True)
    settings = Settings.load(inbox=inbox, warehouse=wh).with_(sources=workdir / "no-sources.yaml")
    result = materialize_nightly(settings, assets=[a for a in ALL_ASSETS if SITE not in a.keys])
    if not result.success:
        raise RuntimeError(f"the nightly assets failed on {inbox}")
    runs, outputs = [], []
    for n in workers:
        out = workdir / f"site-{n}"
        t0 = time.perf_counter()
        built = build_site(wh, out, full=True, workers=n)
        runs.append(SiteRun(n, built.organs, built.organ_pages_rendered, time.perf_counter() - t0))
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    return runs, all(o == outputs[0] for o in outputs)


def format_bench(ingests: list[IngestRun], sites: list[SiteRun], identical: bool) -> str:
    lines = [f"ingest (scan, parse in worker processes, load), {os.cpu_count()} cores here:"]
    base = ingests[0].rate if ingests else 0.0
    for r in ingests:
        speedup = f"  x{r.rate / base:.2f}" if base else ""
        lines.append(
            f"  workers={r.workers}: {r.files} files in {r.seconds:.1f} s = {r.rate:.1f} files/s{speedup}, "
            f"peak memory {r.peak_bytes / MB:,.0f} MB (run and parser processes)"
        )
    if sites:
        lines.append(f"site build, every organ page rendered ({sites[0].organs} organs):")
        for s in sites:
            lines.append(f"  workers={s.workers}: {s.seconds:.1f} s ({s.pages_rendered} organ pages)")
        lines.append(f"  the same bytes whatever the workers: {'yes' if identical else 'NO'}")
    return "\n".join(lines)
