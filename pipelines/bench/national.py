"""`gongkai bench national [DIR]`: the whole country on this machine — 150,000 organs, 1.1 million
reports — step by step, each step in a process of its own so that its peak memory and CPU time are its
own.

Steps, in order (`--steps` picks some; each step's figures are kept in DIR/results.json, so steps can be
run one at a time and the table printed from what was measured, `--report`):

    inbox        a 50,000-file inbox of pipelines.synth reports (every medium), for the parse
    parse:N      the ingest stage (scan, parse in N parser processes, load) over the inbox, N from --workers
    warehouse    the synthetic nation (pipelines/synth/nation.py) through the loader into DIR/national.duckdb,
                 100 reports of 2025 held out for the night
    identity     identity.store.build over it, every report (organs, hierarchy, report scopes)
    rules        rules.run with Great Expectations
    marts        marts.build
    site         site.build.build_site in full (DIR/site)
    site-again   the site again, nothing changed
    night        the nightly job (materialize_nightly) on the warehouse with the 100 held-out reports
                 rendered as files in its inbox: fetch, staging copy, ingest, identity, rules, marts,
                 publish, site (it publishes over DIR/national.duckdb: run the steps before it first)
    night-changed  the night again with its files each one byte longer: 100 new versions of reports the
                 warehouse holds (the night's own reports are loaded once; this step can run again and again)
    new-year     the night again with one more file: the first report of 2026

Each step prints wall time, CPU time (user + system, its process and the processes it waited for), the
peak resident memory of its process tree (sampled from /proc every 0.2 s) and the load average while it
ran: the machine is shared, so wall time alone says little. Targets are printed beside the figures and
never asserted. A step that would leave less than 10 GB of disk free is skipped (the disk is shared).
A part of the nation (`--provinces`) is projected to the whole, linearly: the warehouse steps by
reports, the site steps by organs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipelines.bench.parallel import tree_rss

STEPS = (
    "inbox",
    "parse",
    "warehouse",
    "identity",
    "rules",
    "marts",
    "site",
    "site-again",
    "night",
    "night-changed",
    "new-year",
)
MARK = "GONGKAI-BENCH-STEP "
GB = 1024**3
MB = 1024**2
NATIONAL_REPORTS = 1_100_000
# Targets of issue 16
NIGHT_TARGET = 300.0
SITE_FULL_TARGET = 15 * 60.0
SITE_AGAIN_TARGET = 60.0
SITE_BYTES_TARGET = 5 * 10**9
PAGE_BYTES_TARGET = 2 * 1024 * 1024
MEMORY_TARGET = 8 * GB
NATIONAL_ORGANS = 157_748  # the synthetic nation's organs (nation.build), the site's size at national scale
NIGHTS = ("night", "night-changed", "new-year")
WAREHOUSE_STEPS = ("warehouse", "identity", "rules", "marts", *NIGHTS)  # grow with the reports
SITE_STEPS = ("site", "site-again")  # grow with the organs
DISK_MARGIN = 10 * GB
SITE_BYTES_PER_ORGAN = 150 * 1024  # a guess before the site was built once: ~120 kB an organ page


@dataclass
class Params:
    seed: int = 1
    inbox_files: int = 50_000
    parse_files: int | None = None  # parse only the first N files of the inbox
    workers: tuple[int, ...] = (1, 2)
    new: int = 100
    provinces: tuple[str, ...] | None = None  # a part of the nation (tests, trials)
    cities: int | None = None
    counties: int | None = None
    site_workers: int | None = None


@dataclass
class Measured:
    step: str
    wall: float
    cpu: float
    peak_rss: int  # the process tree, sampled
    max_rss: int  # the largest single process (wait4)
    load: float  # mean 1-minute load average while it ran
    ok: bool
    figures: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


# ---------------------------------------------------------------------------------------------------
# Running the steps


def paths(workdir: Path) -> dict[str, Path]:
    return {
        "inbox": workdir / "inbox",
        "warehouse": workdir / "national.duckdb",
        "nation": workdir / "nation.json",
        "site": workdir / "site",
        "night": workdir / "night-inbox",
        "results": workdir / "results.json",
        "params": workdir / "params.json",
    }


def load_results(workdir: Path) -> dict[str, Measured]:
    p = paths(workdir)["results"]
    if not p.is_file():
        return {}
    return {k: Measured(**v) for k, v in json.loads(p.read_text(encoding="utf-8")).items()}


def _save(workdir: Path, results: dict[str, Measured]) -> None:
    p = paths(workdir)["results"]
    p.write_text(json.dumps({k: asdict(v) for k, v in results.items()}, ensure_ascii=False, indent=1) + "\n")


def run(workdir: Path, steps: Sequence[str], params: Params, *, echo: bool = True) -> dict[str, Measured]:
    """Run the steps (each in a subprocess), keep their figures in DIR/results.json and return all the
    figures measured in DIR so far."""
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    paths(workdir)["params"].write_text(json.dumps(asdict(params), indent=1) + "\n")
    results = load_results(workdir)
    for step in expand(steps, params):
        if echo:
            print(f"[bench national] {step} ...", file=sys.stderr, flush=True)
        need, free = disk_needed(step, workdir, results), shutil.disk_usage(workdir).free
        inbox = results.get("inbox")
        if step.startswith("parse:") and (inbox is None or not inbox.ok):
            m = Measured(step, 0.0, 0.0, 0, 0, os.getloadavg()[0], False, {}, None)
            m.error = "skipped: no inbox (run the inbox step first)"
        elif free < need + DISK_MARGIN:
            # the disk is shared: a step that would fill it is not run
            m = Measured(step, 0.0, 0.0, 0, 0, os.getloadavg()[0], False, {}, None)
            m.error = f"skipped: needs about {need / GB:.0f} GB of disk and {DISK_MARGIN / GB:.0f} GB to spare, {free / GB:.0f} GB free"
        else:
            m = run_step(step, workdir)
        results[step] = m
        _save(workdir, results)
        if echo:
            state = "ok" if m.ok else f"FAILED: {m.error}"
            print(
                f"[bench national] {step}: {m.wall:.1f} s wall, {m.cpu:.1f} s CPU, peak {m.peak_rss / GB:.2f} GB, "
                f"load {m.load:.1f} — {state}",
                file=sys.stderr,
                flush=True,
            )
    return results


def disk_needed(step: str, workdir: Path, results: dict[str, Measured]) -> int:
    """What the step writes besides what is there (a guess from the steps before it): the site builds
    a new folder beside the old one, a night copies the warehouse to stage it."""
    p = paths(workdir)
    site = results.get("site")
    site_bytes = site.figures.get("disk_bytes", 0) if site is not None and site.ok else 0
    organs = results["warehouse"].figures.get("organs", 0) if "warehouse" in results else 0
    warehouse_bytes = _warehouse_files(p["warehouse"]) if p["warehouse"].exists() else 0
    if step == "site":
        return site_bytes or organs * SITE_BYTES_PER_ORGAN
    if step == "site-again":
        return site_bytes or organs * SITE_BYTES_PER_ORGAN
    if step in NIGHTS:
        return warehouse_bytes + (site_bytes or organs * SITE_BYTES_PER_ORGAN)
    if step == "warehouse":
        return NATIONAL_REPORTS * 16 * 1024
    return 0


def expand(steps: Sequence[str], params: Params) -> list[str]:
    out = []
    for step in steps:
        if step == "all":
            out += expand(STEPS, params)
        elif step == "parse":
            out += [f"parse:{n}" for n in params.workers]
        elif step in STEPS or (step.startswith("parse:") and step[6:].isdigit()):
            out.append(step)
        else:
            raise ValueError(f"no such step {step!r} (one of {', '.join(STEPS)}, parse:N, all)")
    return out


def run_step(step: str, workdir: Path) -> Measured:
    """The step in a child process: its wall time, CPU time, peak memory and load average."""
    cmd = [sys.executable, "-m", "pipelines.bench.national", "--step", step, str(workdir)]
    peak, loads = 0, [os.getloadavg()[0]]
    stop = threading.Event()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)

    def sample() -> None:
        nonlocal peak
        ticks = 0
        while not stop.is_set():
            peak = max(peak, tree_rss(proc.pid))
            ticks += 1
            if ticks % 25 == 0:
                loads.append(os.getloadavg()[0])
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    stop.set()
    sampler.join()
    loads.append(os.getloadavg()[0])
    figures: dict[str, Any] = {}
    error = None
    for line in out.splitlines():
        if line.startswith(MARK):
            figures = json.loads(line[len(MARK) :])
    if proc.returncode != 0:
        error = f"exit {proc.returncode}" + (f": {figures.get('error')}" if figures.get("error") else "")
    return Measured(
        step,
        wall,
        usage.ru_utime + usage.ru_stime,
        peak,
        usage.ru_maxrss * 1024,
        sum(loads) / len(loads),
        proc.returncode == 0,
        figures,
        error,
    )


# ---------------------------------------------------------------------------------------------------
# The steps themselves (in the child process)


def _params(workdir: Path) -> Params:
    raw = json.loads(paths(workdir)["params"].read_text(encoding="utf-8"))
    raw["workers"] = tuple(raw["workers"])
    if raw.get("provinces") is not None:
        raw["provinces"] = tuple(raw["provinces"])
    return Params(**raw)


def _nation(p: Params) -> Any:
    from pipelines.synth import nation

    return nation.build(
        p.seed, provinces=p.provinces, cities_per_province=p.cities, counties_per_city=p.counties
    )


def disk_bytes(path: Path) -> int:
    """Bytes the path takes on disk (blocks, as du counts them)."""
    if path.is_file():
        return path.stat().st_blocks * 512
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):  # gone since the listing
                total += os.lstat(os.path.join(root, f)).st_blocks * 512
    return total


def descendants(root: int) -> list[int]:
    """The process ids below `root` (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(") ", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    out, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _children_cpu() -> float:
    """CPU seconds of this process's children: those it reaped, and those still running (the parser
    processes are kept for the next run)."""
    import resource

    from pipelines.ingest.pool import usage

    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    live = sum((usage(pid) or (0.0, 0))[0] for pid in descendants(os.getpid()))
    return reaped.ru_utime + reaped.ru_stime + live


def _warehouse_files(path: Path) -> int:
    return sum(disk_bytes(p) for p in (path, path.with_name(path.name + ".wal")) if p.exists())


def step_inbox(workdir: Path, p: Params) -> dict[str, Any]:
    from pipelines.synth.corpus import generate

    inbox = paths(workdir)["inbox"]
    refused: list[str] = []
    for seed in range(p.seed, p.seed + 3):
        shutil.rmtree(inbox, ignore_errors=True)
        try:
            stats = generate(inbox, math.ceil(p.inbox_files / 7), range(2019, 2026), seed)
            break
        except RuntimeError as e:
            # the generator's own check refused its corpus (a rule broken that no injected error
            # explains): another seed gives another corpus of the same size; the refusal is reported
            refused.append(f"seed {seed}: {str(e).splitlines()[-1].strip()}")
    else:
        raise RuntimeError("the generator refused three seeds: " + "; ".join(refused))
    reports = sorted(f for f in inbox.iterdir() if not f.name.endswith(".json"))
    return {
        "seed": seed,
        "refused_seeds": refused,
        "files": len(reports),
        "report_bytes": sum(f.stat().st_size for f in reports),
        "disk_bytes": disk_bytes(inbox),
        "by_medium": {m: v["reports"] for m, v in stats["by_medium"].items()},
        "seconds": stats["seconds"],
    }


def step_parse(workdir: Path, p: Params, workers: int) -> dict[str, Any]:
    import resource
    from datetime import UTC, datetime

    from pipelines import ingest, warehouse

    inbox = paths(workdir)["inbox"]
    files = sorted(f for f in inbox.iterdir() if not f.name.endswith(".json"))
    if p.parse_files is not None and p.parse_files < len(files):
        # a sample: the first N files, linked into a folder of their own
        sample = workdir / f"inbox-{p.parse_files}"
        if not sample.is_dir() or sum(1 for _ in sample.iterdir()) != p.parse_files:
            shutil.rmtree(sample, ignore_errors=True)
            sample.mkdir()
            for f in files[: p.parse_files]:
                os.link(f, sample / f.name)
        inbox, files = sample, files[: p.parse_files]
    wh = workdir / f"parse-{workers}.duckdb"
    for x in (wh, wh.with_name(wh.name + ".wal")):
        x.unlink(missing_ok=True)
    by_ext: dict[str, int] = {}
    for f in files:
        by_ext[f.suffix] = by_ext.get(f.suffix, 0) + 1
    con = warehouse.connect(wh)
    self0, kids0 = resource.getrusage(resource.RUSAGE_SELF), _children_cpu()
    t0 = time.perf_counter()
    try:
        done = ingest.run(
            con, inbox, run_id=f"bench-{workers}", started_at=datetime.now(UTC), workers=workers
        )
    finally:
        con.close()
    seconds = time.perf_counter() - t0
    self1, kids1 = resource.getrusage(resource.RUSAGE_SELF), _children_cpu()
    size = _warehouse_files(wh)
    wh.unlink(missing_ok=True)
    return {
        "workers": workers,
        "files": len(files),
        "bytes": sum(f.stat().st_size for f in files),
        "by_ext": by_ext,
        "parsed": done.parsed,
        "quarantined": len(done.quarantined),
        "seconds": seconds,
        # the run's own CPU (scan, hashing, frames, DuckDB's inserts) and its parser processes'
        "run_cpu": (self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime),
        "parser_cpu": kids1 - kids0,
        "warehouse_bytes": size,
    }


def step_warehouse(workdir: Path, p: Params) -> dict[str, Any]:
    from pipelines.bench import national_warehouse
    from pipelines.synth import nation as nation_mod

    nation = _nation(p)
    held = nation_mod.held_out(nation, p.new)
    wh = paths(workdir)["warehouse"]
    w = national_warehouse.write(wh, nation, held_out=held, echo=True)
    kinds: dict[str, int] = {}
    for o in nation.organs:
        kinds[o.kind] = kinds.get(o.kind, 0) + 1
    paths(workdir)["nation"].write_text(
        json.dumps(
            {
                "held_out": held,
                "errors": [asdict(e) for e in w.errors],
                "region_governments": len(nation.children),
            },
            ensure_ascii=False,
        )
        + "\n"
    )
    return {
        "organs": w.organs,
        "organs_by_kind": kinds,
        "region_governments": len(nation.children),
        "reports": w.reports,
        "duplicates": w.duplicates,
        "cells": w.cells,
        "injected_errors": len(w.errors),
        "held_out": len(held),
        "seconds": w.seconds,
        "load_seconds": w.load_seconds,
        "batches": w.batches,
        "first_batches_seconds": w.first_batches_seconds,
        "last_batches_seconds": w.last_batches_seconds,
        "warehouse_bytes": _warehouse_files(wh),
    }


def step_identity(workdir: Path, p: Params) -> dict[str, Any]:
    from pipelines import warehouse
    from pipelines.identity import store

    wh = paths(workdir)["warehouse"]
    con = warehouse.connect(wh)
    try:
        con.execute("SET enable_progress_bar = false")
        t0 = time.perf_counter()
        stats = store.build(con, full=True)  # the whole stage, as a first run or a data-file edit runs it
        seconds = time.perf_counter() - t0
    finally:
        con.close()
    return {
        "seconds": seconds,
        "reports": stats.reports,
        "agencies": stats.agencies,
        "issues": stats.issues,
        "scopes": stats.scopes,
        "warehouse_bytes": _warehouse_files(wh),
    }


def step_rules(workdir: Path, p: Params) -> dict[str, Any]:
    from pipelines import rules, warehouse

    wh = paths(workdir)["warehouse"]
    t0 = time.perf_counter()
    result = rules.run(wh)
    seconds = time.perf_counter() - t0
    con = warehouse.connect(wh, read_only=True)
    try:
        findings = dict(
            con.execute(
                "SELECT rule_id || ' ' || status, count(*) FROM findings GROUP BY ALL ORDER BY 1"
            ).fetchall()
        )
    finally:
        con.close()
    gx = sum(r.gx_seconds or 0.0 for r in result.rules)
    return {
        "seconds": seconds,
        "engine_seconds": result.seconds,
        "prepare_seconds": result.prepare_seconds,
        "rule_seconds": {r.rule.id: r.seconds for r in result.rules},
        "gx_seconds": gx,
        "gx_error": result.gx_error,
        "other_seconds": seconds - result.seconds - gx,  # guessed cells explained, audit log, connections
        "findings": findings,
        # what the run judged: every report on a full run, else what changed and its neighbours
        "full": result.plan.full,
        "judged": result.plan.judged,
        "compared": result.plan.compared,
        "slices": result.plan.slices,
        "warehouse_bytes": _warehouse_files(wh),
    }


def step_marts(workdir: Path, p: Params) -> dict[str, Any]:
    from pipelines import marts, warehouse

    wh = paths(workdir)["warehouse"]
    con = warehouse.connect(wh)
    try:
        con.execute("SET enable_progress_bar = false")
        t0 = time.perf_counter()
        done = marts.build_report(con)
        total = time.perf_counter() - t0
    finally:
        con.close()
    return {
        "seconds": total,
        "mart_seconds": done.seconds,
        "mode": done.mode,
        "mart_rows": done.rows,
        "warehouse_bytes": _warehouse_files(wh),
    }


def _site_figures(result: Any, site: Path) -> dict[str, Any]:
    pages = result.pages
    organ_pages = [n for path, n in pages.items() if path.startswith("organ/")]
    largest = result.largest
    return {
        "seconds": result.seconds,
        "organs": result.organs,
        "pages": len(pages),
        "organ_pages": len(organ_pages),
        "organ_pages_rendered": result.organ_pages_rendered,
        "page_bytes": sum(pages.values()),
        "asset_bytes": sum(result.assets.values()),
        "largest_page": list(largest),
        "pages_over_2mb": sum(1 for n in pages.values() if n > PAGE_BYTES_TARGET),
        "organ_page_mean_bytes": sum(organ_pages) / len(organ_pages) if organ_pages else 0,
        "disk_bytes": disk_bytes(site),
    }


def step_site(workdir: Path, p: Params, *, full: bool) -> dict[str, Any]:
    from pipelines.site.build import build_site

    site = paths(workdir)["site"]
    result = build_site(paths(workdir)["warehouse"], site, full=full, workers=p.site_workers)
    return _site_figures(result, site)


def _digests(site: Path) -> dict[str, str]:
    from pipelines.site.pages.organ import DIGESTS

    try:
        return dict(json.loads((site / DIGESTS).read_text(encoding="utf-8"))["pages"])
    except (OSError, ValueError, KeyError):
        return {}


def _night(workdir: Path, p: Params, files: list[tuple[str, bytes]]) -> dict[str, Any]:
    """The nightly job over the national warehouse with `files` added to the night's inbox. The job
    stages a copy of the warehouse and publishes it over the original, as every night does, so the
    night's reports stay in it; its site is the one the site steps built."""
    import gc

    import duckdb

    import pipelines.orchestration.assets  # noqa: F401  (Dagster's definitions, imported before the clock)
    from pipelines.orchestration.nightly import materialize_nightly
    from pipelines.settings import Settings

    inbox, wh, site = paths(workdir)["night"], paths(workdir)["warehouse"], paths(workdir)["site"]
    inbox.mkdir(parents=True, exist_ok=True)
    for name, data in files:
        (inbox / name).write_bytes(data)
    before = _digests(site)
    settings = Settings.load(inbox=inbox, warehouse=wh, site=site).with_(
        sources=workdir / "no-sources.yaml", workers=p.site_workers
    )
    gc.collect()
    t0 = time.perf_counter()
    result = materialize_nightly(settings)
    seconds = time.perf_counter() - t0
    steps = {
        e.step_key or "?": e.event_specific_data.duration_ms / 1000  # type: ignore[union-attr]
        for e in result.get_step_success_events()
    }
    failed = [e.step_key for e in result.get_step_failure_events()]
    after = _digests(site)
    with duckdb.connect(str(wh), read_only=True) as con:
        row = con.execute(
            "SELECT parsed, quarantined FROM load_run WHERE run_id = ?", [result.run_id]
        ).fetchone()
        (reports,) = con.execute("SELECT count(*) FROM dim_report").fetchone() or (0,)
    return {
        "seconds": seconds,
        "success": result.success,
        "failed_steps": failed,
        "steps": steps,
        "new_files": len(files),
        "parsed": row[0] if row else None,
        "quarantined": row[1] if row else None,
        "reports_after": reports,
        "organ_pages_changed": sum(1 for k, v in after.items() if before.get(k) != v),
        "organ_pages": len(after),
        "warehouse_bytes": _warehouse_files(wh),
        "site_disk_bytes": disk_bytes(site),
    }


def step_night(workdir: Path, p: Params) -> dict[str, Any]:
    from pipelines.synth import nation as nation_mod

    shutil.rmtree(paths(workdir)["night"], ignore_errors=True)
    nation = _nation(p)
    held = json.loads(paths(workdir)["nation"].read_text(encoding="utf-8"))["held_out"]
    files = [nation_mod.render(nation, nation.organs[i], year) for i, year in held]
    return _night(workdir, p, files)


def step_night_changed(workdir: Path, p: Params) -> dict[str, Any]:
    """The night's files again, each with a newline more at its end (every reader ignores it): each is
    a new version of a report the warehouse holds, so the night loads, judges and draws 100 reports
    again however often it runs."""
    inbox = paths(workdir)["night"]
    files = (
        sorted((f.name, f.read_bytes() + b"\n") for f in inbox.iterdir() if f.is_file())
        if inbox.is_dir()
        else []
    )
    if not files:
        raise RuntimeError(f"{inbox} holds no files: run the night step first")
    return _night(workdir, p, files)


def step_new_year(workdir: Path, p: Params) -> dict[str, Any]:
    from pipelines.synth import nation as nation_mod

    nation = _nation(p)
    held = json.loads(paths(workdir)["nation"].read_text(encoding="utf-8"))["held_out"]
    organ = nation.organs[held[0][0]] if held else next(o for o in nation.organs if o.kind == "department")
    return _night(workdir, p, [nation_mod.render(nation, organ, nation_mod.YEARS[-1] + 1)])


def do_step(step: str, workdir: Path) -> dict[str, Any]:
    p = _params(workdir)
    if step.startswith("parse:"):
        return step_parse(workdir, p, int(step[6:]))
    if step == "site":
        return step_site(workdir, p, full=True)
    if step == "site-again":
        return step_site(workdir, p, full=False)
    return {
        "inbox": step_inbox,
        "warehouse": step_warehouse,
        "identity": step_identity,
        "rules": step_rules,
        "marts": step_marts,
        "night": step_night,
        "night-changed": step_night_changed,
        "new-year": step_new_year,
    }[step](workdir, p)


# ---------------------------------------------------------------------------------------------------
# The table


def _gb(n: float) -> str:
    return f"{n / GB:.2f} GB"


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def format_results(results: dict[str, Measured], cores_here: int | None = None) -> str:
    cores_here = cores_here or os.cpu_count() or 1
    lines = [
        f"national benchmark ({cores_here} cores here; load = mean 1-minute load average during the step)"
    ]
    head = f"{'step':12} {'wall s':>9} {'CPU s':>9} {'peak mem':>10} {'load':>5}  figures"
    lines.append(head)

    def row(step: str, text: str) -> None:
        m = results.get(step)
        if m is None:
            return
        mem = f"{m.peak_rss / GB:.2f} GB"
        extra = text if m.ok else f"FAILED ({m.error})"
        lines.append(f"{step:12} {m.wall:>9.1f} {m.cpu:>9.1f} {mem:>10} {m.load:>5.1f}  {extra}")

    f = {k: v.figures for k, v in results.items() if v.ok}
    for k, m in results.items():
        if not m.ok:
            row(k, "")
    if "inbox" in f:
        i = f["inbox"]
        row("inbox", f"{i['files']:,} files, {i['report_bytes'] / MB:,.0f} MB ({i['by_medium']})")
    parse_steps = sorted((k for k in results if k.startswith("parse:")), key=lambda k: int(k[6:]))
    for k in parse_steps:
        if k not in f:
            continue
        x = f[k]
        per_core = x["files"] / x["parser_cpu"] if x["parser_cpu"] else 0.0
        row(
            k,
            f"{x['files']:,} files in {x['seconds']:.0f} s = {x['files'] / x['seconds']:.0f} files/s; "
            f"parser CPU {x['parser_cpu']:.0f} s ({per_core:.0f} files per CPU-second), "
            f"run CPU {x['run_cpu']:.0f} s; {x['quarantined']} quarantined",
        )
    if "warehouse" in f:
        w = f["warehouse"]
        row(
            "warehouse",
            f"{w['organs']:,} organs, {w['reports']:,} reports ({w['duplicates']:,} text-dump copies), "
            f"{w['cells']:,} cells, {w['injected_errors']:,} injected errors; loader {w['load_seconds']:.0f} s "
            f"of {w['seconds']:.0f} s; {_gb(w['warehouse_bytes'])} on disk",
        )
    if "identity" in f:
        x = f["identity"]
        row("identity", f"{x['agencies']:,} organs from {x['reports']:,} reports; scopes {x['scopes']}")
    if "rules" in f:
        x = f["rules"]
        slow = sorted(x["rule_seconds"].items(), key=lambda kv: -kv[1])[:3]
        prep = sorted(x["prepare_seconds"].items(), key=lambda kv: -kv[1])[:3]
        row(
            "rules",
            f"engine {x['engine_seconds']:.0f} s (work tables {sum(x['prepare_seconds'].values()):.0f} s, slowest "
            + ", ".join(f"{k} {v:.0f}" for k, v in prep)
            + "; rules "
            + ", ".join(f"{k} {v:.0f}" for k, v in slow)
            + f"), GX {x['gx_seconds']:.0f} s"
            + (f" (GX error: {x['gx_error']})" if x.get("gx_error") else ""),
        )
    if "marts" in f:
        x = f["marts"]
        slow = sorted(x["mart_seconds"].items(), key=lambda kv: -kv[1])[:3]
        row("marts", ", ".join(f"{k} {v:.0f} s" for k, v in slow) + f"; {_gb(x['warehouse_bytes'])} on disk")
    for step in ("site", "site-again"):
        if step in f and results[step].ok:
            x = f[step]
            row(
                step,
                f"{x['organs']:,} organs, {x['pages']:,} pages, {x['organ_pages_rendered']:,} organ pages drawn; "
                f"{x['page_bytes'] / 1e9:.2f} GB of pages ({_gb(x['disk_bytes'])} on disk), largest "
                f"{x['largest_page'][0]} {x['largest_page'][1] / MB:.2f} MB",
            )
    for step in NIGHTS:
        if step in f and results[step].ok:
            x = f[step]
            slow = sorted(x["steps"].items(), key=lambda kv: -kv[1])
            row(
                step,
                f"{x['new_files']} new files, {x['parsed']} parsed; {x['seconds']:.0f} s in the job: "
                + ", ".join(f"{k} {v:.0f}" for k, v in slow)
                + f"; organ pages changed {x['organ_pages_changed']:,} of {x['organ_pages']:,}",
            )
    lines += ["", "targets:"] + targets(results, cores_here)
    lines += projected(results)
    return "\n".join(lines)


def scale(results: dict[str, Measured]) -> tuple[float, float] | None:
    """How many times the measured part of the nation the whole is, by reports and by organs (None
    when the whole nation was measured or no warehouse was written)."""
    w = results.get("warehouse")
    if w is None or not w.ok or not w.figures.get("reports"):
        return None
    by_reports = NATIONAL_REPORTS / w.figures["reports"]
    by_organs = NATIONAL_ORGANS / w.figures["organs"]
    return (by_reports, by_organs) if by_reports > 1.05 else None


def projected(results: dict[str, Measured]) -> list[str]:
    """The figures of a part of the nation projected linearly to the whole: the warehouse steps by
    reports, the site steps by organs. Linear is a guess: a step whose cost grows faster than its input
    (a join, a sort that spills) does worse."""
    k = scale(results)
    if k is None:
        return []
    kr, ko = k
    f = {s: m.figures for s, m in results.items() if m.ok}
    out = [
        "",
        f"projected to the whole nation ({NATIONAL_REPORTS:,} reports x{kr:.1f}, {NATIONAL_ORGANS:,} organs "
        f"x{ko:.1f}; linear, a guess):",
    ]
    for step, factor in [(s, kr) for s in WAREHOUSE_STEPS] + [(s, ko) for s in SITE_STEPS]:
        m = results.get(step)
        if m is None or not m.ok:
            continue
        seconds = m.figures.get("seconds", m.wall)
        out.append(
            f"  {step:12} {seconds * factor:>8.0f} s in the step ({seconds:.0f} s measured), "
            f"CPU {m.cpu * factor:>8.0f} s ({m.cpu:.0f} s measured)"
        )
    if "warehouse" in f:
        size = max(f[s]["warehouse_bytes"] for s in WAREHOUSE_STEPS if s in f and "warehouse_bytes" in f[s])
        out.append(f"  warehouse on disk {_gb(size * kr)}")
    for night in ("night", "night-changed"):
        if night in f:
            s = f[night]["seconds"] * kr
            out.append(
                f"  {night} with 100 new reports {s:.0f} s (target < {NIGHT_TARGET:.0f} s): {_met(s < NIGHT_TARGET)}"
            )
    if "site" in f:
        x = f["site"]
        total = (x["page_bytes"] + x["asset_bytes"]) * ko
        out.append(f"  site total {total / 1e9:.1f} GB (target <= 5 GB): {_met(total <= SITE_BYTES_TARGET)}")
        s = x["seconds"] * ko
        out.append(
            f"  full site build {s:.0f} s (target <= {SITE_FULL_TARGET:.0f} s): {_met(s <= SITE_FULL_TARGET)}"
        )
    if "site-again" in f:
        s = f["site-again"]["seconds"] * ko
        out.append(
            f"  site build with nothing changed {s:.0f} s (target <= {SITE_AGAIN_TARGET:.0f} s): "
            f"{_met(s <= SITE_AGAIN_TARGET)}"
        )
    return out


def projection(results: dict[str, Measured], cores: int) -> float | None:
    """Seconds for a 1.1-million-file backfill on `cores` cores, from the CPU the parse steps used per
    file: the parser processes take the cores but one, which the run (hashing, frames, the single
    DuckDB writer) needs; whichever side is slower sets the pace."""
    runs = [
        results[k].figures
        for k in results
        if k.startswith("parse:") and results[k].ok and results[k].figures.get("parser_cpu")
    ]
    if not runs:
        return None
    x = max(runs, key=lambda r: r["files"])
    parse_cpu = x["parser_cpu"] / x["files"]
    run_cpu = x["run_cpu"] / x["files"]
    if cores <= 2:  # here the run and the parsers share the cores
        return NATIONAL_REPORTS * (parse_cpu + run_cpu) / cores
    return NATIONAL_REPORTS * max(parse_cpu / (cores - 1), run_cpu)


def targets(results: dict[str, Measured], cores_here: int) -> list[str]:
    out = []
    f = {k: v.figures for k, v in results.items() if v.ok}
    for cores in sorted({cores_here, 16}):
        s = projection(results, cores)
        if s is not None:
            out.append(
                f"  backfill of {NATIONAL_REPORTS:,} files on {cores} cores: {s / 3600:.1f} h (projected from CPU per file)"
            )
    for night in ("night", "night-changed"):
        if night in f:
            x = f[night]
            out.append(
                f"  {night} with {x['new_files']} new files on {x['reports_after'] - x['new_files']:,} reports: "
                f"{x['seconds']:.0f} s (target < {NIGHT_TARGET:.0f} s): {_met(x['seconds'] < NIGHT_TARGET)}"
            )
    if "site" in f:
        x = f["site"]
        out.append(
            f"  site total {x['page_bytes'] + x['asset_bytes']:,} bytes (target <= 5 GB): "
            f"{_met(x['page_bytes'] + x['asset_bytes'] <= SITE_BYTES_TARGET)}"
        )
        out.append(
            f"  largest page {x['largest_page'][1]:,} bytes, {x['pages_over_2mb']} over 2 MB: "
            f"{_met(x['pages_over_2mb'] == 0)}"
        )
        out.append(
            f"  full site build {x['seconds']:.0f} s (target <= {SITE_FULL_TARGET:.0f} s): "
            f"{_met(x['seconds'] <= SITE_FULL_TARGET)}"
        )
    if "site-again" in f:
        x = f["site-again"]
        out.append(
            f"  site build with nothing changed {x['seconds']:.0f} s (target <= {SITE_AGAIN_TARGET:.0f} s): "
            f"{_met(x['seconds'] <= SITE_AGAIN_TARGET)}"
        )
    if "new-year" in f:
        x = f["new-year"]
        every = x["organ_pages_changed"] >= x["organ_pages"] - 1
        out.append(
            f"  a new statistics year: {x['organ_pages_changed']:,} of {x['organ_pages']:,} organ pages "
            f"drawn again (target: not every page): {_met(not every)}"
        )
    worst = max(results.values(), key=lambda m: m.peak_rss, default=None)
    if worst is not None:
        over = [k for k, m in results.items() if m.peak_rss > MEMORY_TARGET]
        out.append(
            f"  peak memory {worst.peak_rss / GB:.2f} GB ({worst.step}; target <= 8 GB every step): "
            f"{_met(not over)}" + (f" — over in {', '.join(over)}" if over else "")
        )
    return out


# ---------------------------------------------------------------------------------------------------


def cli(args: argparse.Namespace) -> int:
    """`gongkai bench national [DIR] [--steps …] [--report]` (pipelines/cli/main.py's arguments)."""
    workdir = args.dir or Path("bench-national")
    if args.report:
        results = load_results(workdir)
        if not results:
            print(f"gongkai: {workdir}: no figures measured there yet", file=sys.stderr)
            return 2
        print(format_results(results))
        return 0
    try:
        workers = tuple(int(s) for s in args.workers.split(",") if s.strip())
        params = Params(
            inbox_files=args.inbox_files,
            parse_files=args.parse_files,
            workers=workers,
            new=args.night_reports,
            provinces=tuple(c.strip() for c in args.provinces.split(",")) if args.provinces else None,
        )
        steps = expand([s.strip() for s in args.steps.split(",") if s.strip()], params)
    except ValueError as e:
        print(f"gongkai: bench national: {e}", file=sys.stderr)
        return 2
    results = run(workdir, steps, params)
    print(format_results(results))
    return 0 if all(results[s].ok for s in steps) else 1


def main(argv: Sequence[str] | None = None) -> int:
    """The child process of one step: `python -m pipelines.bench.national --step STEP DIR`."""
    ap = argparse.ArgumentParser(prog="python -m pipelines.bench.national")
    ap.add_argument("--step", required=True)
    ap.add_argument("dir", type=Path)
    args = ap.parse_args(argv)
    try:
        figures = do_step(args.step, args.dir)
    except Exception as e:
        print(MARK + json.dumps({"error": f"{type(e).__name__}: {e}"}, ensure_ascii=False), flush=True)
        raise
    print(MARK + json.dumps(figures, ensure_ascii=False, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
