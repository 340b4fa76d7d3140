from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pytest

if TYPE_CHECKING:
    from pipelines.bench.national_warehouse import Written
    from pipelines.synth.nation import Nation

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


def current_report_id(con: Any, agency: str, year: int) -> str:
    """The report standing for an organ-year (current_report); asserts there is one."""
    row = con.execute(
        "SELECT report_id FROM current_report WHERE agency_id = ? AND year = ?", [agency, year]
    ).fetchone()
    assert row is not None, (agency, year)
    return str(row[0])


def write_reports(nation: Nation, organ_years: list[tuple[int, int]], inbox: Path, years: Any) -> None:
    """The reports of these (organ index, year) of a synthetic nation written as files into `inbox`
    (made here), as the nation written with `years` draws them."""
    from pipelines.synth import nation as nation_mod

    inbox.mkdir(parents=True, exist_ok=True)
    for index, year in organ_years:
        name, data = nation_mod.render(nation, nation.organs[index], year, years)
        (inbox / name).write_bytes(data)


# A small synthetic nation (pipelines/synth/nation.py): one province of two cities of two counties,
# with these many departments under each government and townships under each county.
NATION_YEARS = (2023, 2024, 2025)
NATION_SIZES: dict[str, Any] = {
    "departments": {"province": (6, 6), "city": (7, 8), "county": (8, 10)},
    "townships": (3, 5),
}


def small_nation_of(**kw: Any) -> Nation:
    """The small nation; `kw` overrides nation.build's arguments."""
    from pipelines.synth import nation

    args = {"provinces": ("32",), "cities_per_province": 2, "counties_per_city": 2, **NATION_SIZES, **kw}
    return nation.build(1, **args)


class SmallNation(NamedTuple):
    nation: Nation
    path: Path  # the warehouse: read it, or copy it before writing
    written: Written


@pytest.fixture(scope="session")
def small_nation(tmp_path_factory: pytest.TempPathFactory) -> SmallNation:
    """The small nation, with errors injected into 5 % of its reports and three reports of 2025 held
    out, written straight into a warehouse, its organs identified and its rules run (without GX)."""
    from pipelines import rules, warehouse
    from pipelines.bench import national_warehouse
    from pipelines.identity import store
    from pipelines.synth import nation

    n = small_nation_of(error_share=0.05)
    path = tmp_path_factory.mktemp("nation") / "nation.duckdb"
    written = national_warehouse.write(path, n, NATION_YEARS, held_out=nation.held_out(n, 3, 2025))
    con = warehouse.connect(path)
    try:
        store.build(con)
    finally:
        con.close()
    rules.run(path, gx=False)
    return SmallNation(n, path, written)


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
