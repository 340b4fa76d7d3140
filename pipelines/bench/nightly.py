"""`gongkai bench nightly`: what a night costs as the corpus grows.

For each size, a synthetic corpus (pipelines.synth: organs x 2019-2025, 60% HTML and 40% text, seed
1) is loaded by a first nightly run; then `new` reports of the latest year arrive and a second run
is timed end to end (the nightly graph in-process, as `gongkai run` runs it: fetch, staging copy,
scan, parse, load, rules with Great Expectations, organs, marts, publish, site), with the time of
each step from Dagster's step events.

The parse is incremental, so the night's cost is what grows with the corpus: the scan (a stat per
file), the staging copy, the rules, organs, marts and the site, which all read the whole warehouse.
"""

from __future__ import annotations

import gc
import math
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.warehouse import staging

YEARS = range(2019, 2026)
MEDIA = "html=0.6,text=0.4"
SEED = 1


@dataclass
class Night:
    size: int  # reports in the corpus before the night
    initial_seconds: float
    night_seconds: float
    parsed: int  # files the night parsed (should be `new`)
    reports: int  # reports in the published warehouse after the night
    warehouse_mb: float
    peak_mb_initial: float  # the process's high-water mark after the initial load
    peak_mb_night: float
    steps: dict[str, float] = field(default_factory=dict)  # step -> seconds, in run order


def run(sizes: Sequence[int], workdir: Path, *, new: int = 10, echo: bool = False) -> list[Night]:
    import pipelines.orchestration.assets  # noqa: F401  (Dagster: imported once, outside the timings)

    out = []
    for size in sizes:
        corpus = _corpus(workdir, size)
        held_out = _latest_reports(corpus, new)
        inbox = workdir / f"inbox-{size}"
        wh, site = workdir / f"warehouse-{size}.duckdb", workdir / f"site-{size}"
        _clear(inbox, wh, site)  # a bench run again in the same folder starts from an empty warehouse
        _link_tree(corpus, inbox, skip={p.name for p in held_out})
        t0 = time.perf_counter()
        _night(inbox, wh, site)
        initial = time.perf_counter() - t0
        peak_initial = _peak_mb()
        if echo:
            print(f"{size}: initial load {initial:.1f} s", file=sys.stderr)
        for p in held_out:
            os.link(p, inbox / p.name)
        # A real night starts in a fresh process: don't time the collection of the first run's garbage.
        gc.collect()
        t0 = time.perf_counter()
        run_id, steps = _night(inbox, wh, site)
        night = time.perf_counter() - t0
        with duckdb.connect(str(wh), read_only=True) as con:
            parsed_row = con.execute("SELECT parsed FROM load_run WHERE run_id = ?", [run_id]).fetchone()
            reports_row = con.execute("SELECT count(*) FROM dim_report").fetchone()
        out.append(
            Night(
                size,
                initial,
                night,
                parsed_row[0] if parsed_row else -1,
                reports_row[0] if reports_row else -1,
                wh.stat().st_size / 1e6,
                peak_initial,
                _peak_mb(),
                steps,
            )
        )
        if echo:
            print(f"{size}: night with {new} new reports {night:.1f} s", file=sys.stderr)
    return out


def _peak_mb() -> float:
    # A high-water mark never goes down: with sizes in increasing order, each size's figure is its own
    # peak unless a smaller corpus peaked higher (then memory does not grow with the corpus).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _night(inbox: Path, wh: Path, site: Path) -> tuple[str, dict[str, float]]:
    from pipelines.orchestration.nightly import materialize_nightly
    from pipelines.settings import Settings

    settings = Settings.load(inbox=inbox, warehouse=wh, site=site).with_(sources=inbox / "no-sources.yaml")
    result = materialize_nightly(settings)
    if not result.success:
        raise RuntimeError(f"nightly run failed: {[e.step_key for e in result.get_step_failure_events()]}")
    steps = {
        e.step_key or "?": e.event_specific_data.duration_ms / 1000  # type: ignore[union-attr]
        for e in result.get_step_success_events()
    }
    return result.run_id, steps


def _corpus(workdir: Path, size: int) -> Path:
    corpus = workdir / f"corpus-{size}"
    if not (corpus / "manifest.json").exists():
        from pipelines.synth.corpus import generate, parse_media

        generate(corpus, math.ceil(size / len(YEARS)), YEARS, SEED, parse_media(MEDIA), 0.1, None)
    return corpus


def _latest_reports(corpus: Path, n: int) -> list[Path]:
    """The last n reports of the latest year: tonight's new publications."""
    suffix = f"_{max(YEARS)}"
    reports = sorted(
        p
        for p in corpus.iterdir()
        if p.is_file() and not p.name.endswith(".json") and p.stem.endswith(suffix)
    )
    return reports[-n:]


def _clear(inbox: Path, wh: Path, site: Path) -> None:
    shutil.rmtree(inbox, ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)
    for p in (wh, staging.wal(wh), staging.staging_path(wh), staging.owner_path(wh)):
        p.unlink(missing_ok=True)


def _link_tree(src: Path, dest: Path, *, skip: set[str]) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for p in src.iterdir():
        if p.is_file() and p.name not in skip and not (dest / p.name).exists():
            os.link(p, dest / p.name)


def import_seconds() -> float:
    """Python start-up and the imports of `gongkai run` (Dagster, the definitions), which the in-process
    timings leave out."""
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import pipelines.orchestration.definitions"], check=True, capture_output=True
    )
    return time.perf_counter() - t0


def format_bench(nights: Sequence[Night]) -> str:
    if not nights:
        return "no corpus sizes"
    head = f"{'':28}" + "".join(f"{n.size:>10,}" for n in nights)
    lines = ["nightly run: a night of new reports on top of a loaded corpus (seconds)", head]

    def row(label: str, values: Sequence[object]) -> None:
        lines.append(f"{label:28}" + "".join(f"{v:>10}" for v in values))

    row("initial load (whole corpus)", [f"{n.initial_seconds:.1f}" for n in nights])
    row("night, end to end", [f"{n.night_seconds:.1f}" for n in nights])
    row("  files parsed", [n.parsed for n in nights])
    steps = list(dict.fromkeys(s for n in nights for s in n.steps))
    for step in steps:
        row(f"  {step}", [f"{n.steps.get(step, 0.0):.2f}" for n in nights])
    row("reports after the night", [f"{n.reports:,}" for n in nights])
    row("warehouse MB", [f"{n.warehouse_mb:.0f}" for n in nights])
    row("peak memory MB, initial", [f"{n.peak_mb_initial:.0f}" for n in nights])
    row("peak memory MB, night", [f"{n.peak_mb_night:.0f}" for n in nights])
    lines.append(
        f"plus {import_seconds():.1f} s for `gongkai run` to start (Python, Dagster and definitions imports)"
    )
    return "\n".join(lines)
