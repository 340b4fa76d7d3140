"""The site's organ pages drawn by several processes are the bytes one process draws, and what a
killed build left beside the site is removed by the next build."""

from __future__ import annotations

import operator
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_site import _files, build_all

from pipelines.site import leftovers, pool
from pipelines.site.build import build_site
from pipelines.site.render import Writer, make_env


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_all(tmp_path_factory.mktemp("site"))[0]


def test_parallel_pages_are_the_serial_bytes(
    wh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.site.pages import organ

    monkeypatch.setattr(organ, "BATCH", 2)  # several warehouse reads, as for thousands of organs
    serial = build_site(wh, tmp_path / "serial", full=True, workers=1)
    assert (
        serial.organ_pages_rendered == serial.organs == len(list((tmp_path / "serial").glob("organ/*.html")))
    )
    monkeypatch.setattr(pool, "PARALLEL_FROM", 1)  # processes even for a handful of pages
    started: list[int] = []
    real_start = pool.Renderer._start

    def start(self: pool.Renderer) -> None:
        real_start(self)
        started.append(len(self.procs))

    monkeypatch.setattr(pool.Renderer, "_start", start)
    parallel = build_site(wh, tmp_path / "parallel", full=True, workers=3)
    assert started == [3]
    assert serial.organ_pages_rendered == parallel.organ_pages_rendered > 3
    assert parallel.pages == serial.pages
    assert _files(parallel.out_dir) == _files(serial.out_dir)


def test_a_page_that_fails_in_a_process_fails_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool, "PARALLEL_FROM", 1)
    # operator.truediv(writer, shared, args) raises TypeError in the process that draws the page
    r = pool.Renderer(Writer(tmp_path, make_env(), {}), operator.truediv, None, workers=2)
    r.add("a.html", ())
    assert len(r.procs) == 2
    with pytest.raises(pool.RenderError) as failed:
        r.finish()
    assert str(failed.value) == "a.html: TypeError: truediv expected 2 arguments, got 3"
    assert "render_worker.py" in failed.value.__notes__[0]  # the trace of the process that drew it
    assert r.procs == []


def test_a_killed_builds_folders_are_removed(wh: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(dead.stdout)
    stale = [
        tmp_path / f".site.building-{pid}-abcd1234",  # a build killed mid-way
        tmp_path / f".site.old-{pid}-abcd1234",  # killed between the two renames of the swap
        tmp_path / ".site.building-x8k2_q1z",  # an older release's, without a pid
    ]
    for p in stale:
        (p / "organ").mkdir(parents=True)
    live = tmp_path / f".site.building-{os.getppid()}-efgh5678"  # a build of a live process
    live.mkdir()
    other = tmp_path / ".other.building-1-x"  # another site's
    other.mkdir()
    build_site(wh, site, workers=1)
    assert not any(p.exists() for p in stale)
    assert live.exists() and other.exists()
    assert (site / "index.html").is_file()
    assert leftovers.remove_stale(site) == []
