"""`gongkai site bench`: the site for ~1,000 organs × 7 years must build in under a minute (issue 7).

The warehouse is made the way production makes it — a synthetic corpus (pipelines.synth) through
the nightly job's assets up to the publish (parse, load, rules, organs, marts) — so the pages hold
realistic names, findings and section text. Only the site build is timed against the budget; the rest is printed
for context. Pass an existing warehouse to time the site alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from pipelines.site.build import MAX_PAGE_BYTES, BuildResult, build_site

BUDGET_SECONDS = 60.0
MEDIA = {"html": 0.6, "text": 0.4}


@dataclass
class SiteBench:
    synth_seconds: float | None
    warehouse_seconds: float | None
    result: BuildResult

    @property
    def oversized(self) -> list[tuple[str, int]]:
        return [(p, n) for p, n in sorted(self.result.pages.items()) if n > MAX_PAGE_BYTES]


def make_warehouse(workdir: Path, organs: int, years: range, seed: int) -> tuple[Path, float, float]:
    """A synthetic corpus in workdir/corpus, published into workdir/bench.duckdb by the nightly
    assets (all but the site, which is timed on its own)."""
    from pipelines.orchestration.assets import ALL_ASSETS, SITE
    from pipelines.orchestration.nightly import materialize_nightly
    from pipelines.settings import Settings
    from pipelines.synth.corpus import generate

    corpus, wh = workdir / "corpus", workdir / "bench.duckdb"
    t0 = time.perf_counter()
    generate(corpus, organs, years, seed, MEDIA, 0.1, None)
    t1 = time.perf_counter()
    for p in (wh, wh.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    assets = [a for a in ALL_ASSETS if SITE not in a.keys]
    # no sources file: a benchmark must not fetch anything from the network
    settings = Settings.load(inbox=corpus, warehouse=wh).with_(sources=workdir / "no-sources.yaml")
    result = materialize_nightly(settings, assets=assets)
    if not result.success:
        raise RuntimeError(f"the nightly assets failed on the synthetic corpus in {corpus}")
    return wh, t1 - t0, time.perf_counter() - t1


def run(
    workdir: Path,
    *,
    organs: int = 1000,
    years: range = range(2019, 2026),
    seed: int = 1,
    warehouse: Path | None = None,
) -> SiteBench:
    synth_s = wh_s = None
    if warehouse is None:
        warehouse, synth_s, wh_s = make_warehouse(workdir, organs, years, seed)
    result = build_site(warehouse, workdir / "site", full=True)  # a bench run again in the folder renders all
    return SiteBench(synth_s, wh_s, result)


def format_bench(b: SiteBench) -> str:
    r = b.result
    organ_pages = [n for p, n in r.pages.items() if p.startswith("organ/")]
    path, size = r.largest
    lines = []
    if b.synth_seconds is not None and b.warehouse_seconds is not None:
        lines.append(
            f"corpus synthesised in {b.synth_seconds:.1f} s; loaded, checked, summarised and published "
            f"(the nightly assets before the site) in {b.warehouse_seconds:.1f} s"
        )
    lines += [
        f"site: {r.organs} organs, {len(r.pages)} pages, "
        f"{sum(r.pages.values()) / 1e6:.1f} MB of pages + {sum(r.assets.values()) / 1e6:.1f} MB shared assets "
        f"(plotly.min.js {r.assets.get('assets/plotly.min.js', 0) / 1e6:.1f} MB)",
        f"  largest page {path}: {size / 1e3:.0f} kB; organ pages average "
        f"{(sum(organ_pages) / len(organ_pages) / 1e3) if organ_pages else 0:.0f} kB",
        f"  built in {r.seconds:.1f} s (budget {BUDGET_SECONDS:.0f} s): "
        + ("OK" if r.seconds < BUDGET_SECONDS else "TOO SLOW"),
    ]
    if b.oversized:
        lines.append("  pages over 2 MB: " + ", ".join(f"{p} ({n / 1e6:.1f} MB)" for p, n in b.oversized))
    return "\n".join(lines)
