from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REAL = SHARED / "corpus" / "real"


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not REAL.is_dir():
        pytest.skip("../shared/corpus/real is not beside the checkout")
    return REAL


SAMPLES = REPO / "data" / "samples"


def settings_for(inbox: Path, wh: Path, tmp: Path, site: Path | None = None, **more: Any) -> Any:
    """Settings of a test run: these paths, no sources file (nothing is fetched)."""
    from pipelines.settings import Settings

    return Settings.load(inbox=inbox, warehouse=wh, site=site or tmp / "site").with_(
        sources=tmp / "no-sources.yaml", **more
    )


def run_nightly(inbox: Path, wh: Path, tmp: Path, site: Path | None = None, **more: Any) -> Any:
    """The nightly job in-process, as `gongkai run` starts it, without sources; asserts it succeeded
    and returns Dagster's result."""
    from pipelines.orchestration.nightly import materialize_nightly

    result = materialize_nightly(settings_for(inbox, wh, tmp, site, **more))
    assert result.success, [e.step_failure_data.error for e in result.get_step_failure_events()]
    return result


def ingest_files(inbox: Path, wh: Path, run_id: str | None = None) -> Any:
    """The first two stages of a night on a warehouse file, in place: ingest, then identity (which gives
    the reports their organs). Returns what the ingest did."""
    import uuid
    from datetime import UTC, datetime

    from pipelines import ingest, warehouse
    from pipelines.identity import store

    con = warehouse.connect(wh)
    try:
        done = ingest.run(con, inbox, run_id=run_id or str(uuid.uuid4()), started_at=datetime.now(UTC))
        store.build(con)
        return done
    finally:
        con.close()


def summary_of(wh: Path) -> dict[str, Any]:
    from pipelines import warehouse

    con = warehouse.connect(wh, read_only=True)
    try:
        return warehouse.summary(con)
    finally:
        con.close()


def process_alive(pid: int) -> bool:
    """Whether a process still runs; a zombie has ended (only its parent has not collected it yet)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return True
