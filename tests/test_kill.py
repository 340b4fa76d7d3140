"""A nightly run killed with SIGKILL at any point leaves the published warehouse as it was, byte for
byte, and the next run completes with the same contents as a run that was never interrupted —
while an analyst keeps a read-only connection open on the published file throughout.

`gongkai run` runs as a subprocess with GONGKAI_TEST_PAUSE_AT=<stage> (pipelines/pause.py): it stops
at that stage, writes a marker file, and is killed there.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines import staging
from pipelines.pause import ENV_FILE, ENV_STAGE
from tests.conftest import SAMPLES

# In run order; "published" is after the rename, so the new warehouse is already there.
STAGES = ["staging", "parsed", "loaded", "rules", "marts", "publish", "published"]
AUDIT = {"load_run", "rule_runs", "source_file"}
pytestmark = pytest.mark.slow


def gongkai_run(
    inbox: Path, wh: Path, site: Path, *, pause_at: str | None = None, marker: Path | None = None
) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in (ENV_STAGE, ENV_FILE)}
    sources = inbox.parent / "no-sources.yaml"  # nothing to fetch
    sources.write_text("sources: []\n", encoding="utf-8")
    if pause_at:
        env.update({ENV_STAGE: pause_at, ENV_FILE: str(marker)})
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "run",
            "--inbox",
            str(inbox),
            "--warehouse",
            str(wh),
            "--site",
            str(site),
            "--sources",
            str(sources),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def complete(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    return out


def kill_at(stage: str, inbox: Path, wh: Path, site: Path, tmp: Path) -> None:
    marker = tmp / f"paused-{stage}"
    proc = gongkai_run(inbox, wh, site, pause_at=stage, marker=marker)
    deadline = time.monotonic() + 240
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(f"run ended before {stage}: {proc.communicate()[1][-3000:]}")
        assert time.monotonic() < deadline, f"never reached {stage}"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def contents(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of every schema but the run logs, without timestamp columns (a later run loads
    the same reports at a later time)."""
    with duckdb.connect(str(path), read_only=True) as con:
        cols = con.execute("""SELECT schema_name, table_name, list(column_name ORDER BY column_index)
                              FROM duckdb_columns() WHERE NOT internal AND data_type NOT LIKE 'TIMESTAMP%'
                              GROUP BY ALL ORDER BY ALL""").fetchall()
        return {
            f"{s}.{t}": con.execute(
                f'SELECT {", ".join(chr(34) + c + chr(34) for c in names)} FROM "{s}"."{t}" ORDER BY ALL'
            ).fetchall()
            for s, t, names in cols
            if t not in AUDIT
        }


def test_killed_runs_leave_the_published_warehouse_intact(tmp_path: Path) -> None:
    samples = sorted(p for p in SAMPLES.iterdir() if not p.name.endswith(".json") and p.name != "README.md")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for p in samples[::2]:  # last night's files
        shutil.copy2(p, inbox / p.name)
    wh, site = tmp_path / "wh" / "warehouse.duckdb", tmp_path / "site"
    complete(gongkai_run(inbox, wh, site))
    before = digest(wh)
    analyst = duckdb.connect(str(wh), read_only=True)
    (reports_before,) = analyst.execute("SELECT count(*) FROM dim_report").fetchone() or (0,)

    for p in samples[1::2]:  # tonight's
        shutil.copy2(p, inbox / p.name)
    reference = tmp_path / "ref" / "warehouse.duckdb"
    reference.parent.mkdir()
    shutil.copy2(wh, reference)
    complete(gongkai_run(inbox, reference, tmp_path / "ref-site"))  # the same night, never interrupted

    for stage in STAGES:
        kill_at(stage, inbox, wh, site, tmp_path)
        if stage != "published":
            assert digest(wh) == before, f"killed at {stage}: the published warehouse changed"
        # the analyst is neither blocked nor broken, and still reads last night's warehouse
        assert analyst.execute("SELECT count(*) FROM dim_report").fetchone() == (reports_before,)
    assert staging.owner_path(wh).exists()  # what the last kill left behind

    out = complete(gongkai_run(inbox, wh, site))
    assert "this run:" in out
    assert analyst.execute("SELECT count(*) FROM dim_report").fetchone() == (reports_before,)
    # In one process DuckDB hands a new connection to an open database's instance (the old file), so
    # the analyst reconnects only once every connection is closed.
    analyst.close()
    assert contents(wh) == contents(reference)
    assert not staging.staging_path(wh).exists() and not staging.owner_path(wh).exists()
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM dim_report").fetchone() == (len(samples),)
        # nothing duplicated: one fact row per report and cell
        assert con.execute(
            "SELECT count(*) FROM (SELECT report_id, cell_id FROM fact_cell GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone() == (0,)
