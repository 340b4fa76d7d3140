from __future__ import annotations

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


def run_nightly(inbox: Path, wh: Path, tmp: Path, site: Path | None = None) -> Any:
    """The nightly job in-process, as `gongkai run` starts it, without sources; asserts it succeeded
    and returns Dagster's result."""
    from pipelines.definitions import NIGHTLY_ASSETS
    from pipelines.defs.nightly import materialize_nightly

    sources = tmp / "no-sources.yaml"  # nothing to fetch (a missing file would be an error)
    sources.write_text("sources: []\n", encoding="utf-8")
    result = materialize_nightly(NIGHTLY_ASSETS, inbox, wh, sources=sources, site_dir=site or tmp / "site")
    assert result.success, [e.step_failure_data.error for e in result.get_step_failure_events()]
    return result
