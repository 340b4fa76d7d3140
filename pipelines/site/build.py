"""Build the whole site into a fresh folder next to the target and swap it into place, so that a
reader (or a web server) never sees a half-written site; what a killed build left beside it is
removed first (leftovers.py)."""

from __future__ import annotations

import gc
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb

from pipelines import warehouse
from pipelines.site import data as site_data
from pipelines.site import fingerprint, leftovers, pinyin, workbook
from pipelines.site.pages import (
    about,
    common,
    compare,
    coverage,
    organ,
    organs,
    overview,
    quality,
    regions,
    search,
)
from pipelines.site.render import Writer, make_env
from pipelines.warehouse import schema

# Pages above this are too slow to open on an office PC; the benchmark and the tests assert it.
MAX_PAGE_BYTES = 2 * 1024 * 1024
# DuckDB's cap in the build's own process once the site's data is loaded (the render processes have
# theirs: pages/organ.py RENDER_MEMORY).
AFTER_LOAD_MEMORY = "512MB"
# What BuildResult.assets lists: the script, style and chart library every page loads.
ASSETS = ("assets/plotly.min.js", "assets/site.js", "assets/site.css", "assets/compare.js")


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    pages: dict[str, int]  # page path -> bytes
    assets: dict[str, int]
    organs: int
    seconds: float
    organ_pages_rendered: int = 0  # the others were unchanged since the previous build, and copied

    @property
    def largest(self) -> tuple[str, int]:
        return max(self.pages.items(), key=lambda kv: (kv[1], kv[0])) if self.pages else ("", 0)


def build_site(
    warehouse_path: str | Path,
    out_dir: str | Path,
    *,
    source_base_url: str | None = None,
    full: bool = False,
    workers: int | None = None,
) -> BuildResult:
    """Read the warehouse (read-only) and write the site to out_dir, replacing what was there. Unless
    `full`: when nothing the site is drawn from changed since the site in out_dir was built
    (pipelines/site/fingerprint.py), that site is kept as it is; else organ pages whose data did not
    change are copied from it (pipelines.site.pages.organ). Pages are drawn by `workers` processes
    (default: one per core)."""
    con = warehouse.connect(warehouse_path, read_only=True)
    try:
        schema.check(con)
        return build_from(con, Path(out_dir), source_base_url=source_base_url, full=full, workers=workers)
    finally:
        con.close()


def build_from(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    *,
    source_base_url: str | None = None,
    full: bool = False,
    workers: int | None = None,
) -> BuildResult:
    t0 = time.perf_counter()
    source_base_url = organ.check_base_url(source_base_url)  # a bad setting fails before any work
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    leftovers.remove_stale(out_dir)
    inputs = fingerprint.of(con, organ.code_digest(), {"source_base_url": source_base_url})
    if not full and out_dir.is_dir() and fingerprint.built_from(out_dir) == inputs:
        return _kept(out_dir, t0)
    # the previous build's pinyin of every name it spelled, unless every page is to be drawn afresh
    d = site_data.load(con, pinyin.Spellings.read(out_dir if out_dir.is_dir() and not full else None))
    # what is left to read is a batch of cells at a time: DuckDB's cache of the tables just read goes
    con.execute("SET memory_limit = ?", [AFTER_LOAD_MEMORY])
    tmp = Path(tempfile.mkdtemp(prefix=leftovers.building_prefix(out_dir), dir=out_dir.parent))
    leftovers.claim(tmp)
    try:
        # the site's data lives until the build ends: the cyclic garbage collector need not go through
        # its tens of millions of objects each time the drawing's own objects make it run
        gc.freeze()
        w = Writer(tmp, make_env(), {"nav": common.NAV, "as_of": d.as_of})
        assets = _write_assets(w)
        # the list pages are drawn in this process while it hands organ pages to the render processes:
        # a thread of its own, so that a core is not idle while they are drawn
        with ThreadPoolExecutor(1, thread_name_prefix="site-lists") as lists:
            listed = lists.submit(_write_lists, w, d)
            rendered = organ.write_all(
                w,
                d,
                con,
                source_base_url=source_base_url,
                previous=out_dir if out_dir.is_dir() and not full else None,
                workers=workers,
            )
            listed.result()
        w.bytes(pinyin.FILE, d.spellings.content())  # every name spelled, the lists being drawn
        w.bytes(fingerprint.FILE, fingerprint.content(inputs))  # last: a site that has it is whole
        _swap(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        gc.unfreeze()
        leftovers.done(tmp)
    pages = dict(w.pages())
    return BuildResult(out_dir, pages, assets, len(d.organs), time.perf_counter() - t0, rendered)


def _write_lists(w: Writer, d: site_data.SiteData) -> None:
    """Every page but the organ pages, and the workbook."""
    overview.write(w, d)
    compare.write(w, d)
    organs.write(w, d)
    quality.write(w, d)
    coverage.write(w, d)
    regions.write(w, d)
    about.write(w, d)
    search.write(w, d)
    w.bytes(workbook.FILE, workbook.build(d))


def _kept(out_dir: Path, t0: float) -> BuildResult:
    """The site in out_dir, kept as it is: nothing it is drawn from changed."""
    sizes = {p.relative_to(out_dir).as_posix(): p.stat().st_size for p in out_dir.rglob("*") if p.is_file()}
    pages = {p: n for p, n in sorted(sizes.items()) if p.endswith(".html")}
    assets = {p: n for p, n in sizes.items() if p in ASSETS}
    organs = sum(1 for p in pages if p.startswith("organ/"))
    return BuildResult(out_dir, pages, assets, organs, time.perf_counter() - t0, 0)


def _write_assets(w: Writer) -> dict[str, int]:
    """plotly.min.js once for the whole site (from the installed plotly, so no CDN is ever needed),
    and the site's own script and style sheet."""
    from plotly.offline import get_plotlyjs

    w.bytes("assets/plotly.min.js", get_plotlyjs().encode("utf-8"))
    static = resources.files("pipelines.site") / "static"
    for name in ("site.js", "site.css", "compare.js"):
        w.bytes(f"assets/{name}", (static / name).read_bytes())
    return {p: n for p, n in w.sizes.items() if p in ASSETS}


def _swap(new: Path, target: Path) -> None:
    """Replace target by new with renames only: the old site stays whole until the new one is."""
    old = None
    if target.exists():
        old = target.with_name(leftovers.old_name(target, new))
        target.rename(old)
    new.rename(target)
    target.chmod(0o755)  # mkdtemp makes the folder private; a web server must read it
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
