"""The Dagster code location: what it defines, in which order, and that its assets run in-process."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    SkipReason,
    build_schedule_context,
    build_sensor_context,
    instance_for_test,
    materialize,
)

from pipelines import marts
from pipelines.orchestration import nightly
from pipelines.orchestration.assets import INGEST_ASSETS
from pipelines.orchestration.definitions import defs
from pipelines.orchestration.resources import (
    DEFAULT_INBOX,
    DEFAULT_SOURCES,
    DEFAULT_WAREHOUSE,
    STAGED,
    InboxResource,
    make_resources,
)

QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
MARTS = sorted(marts.mart_files())


def test_definitions_snapshot() -> None:
    """What operators see in the Dagster UI. A change here is a change to operations: update
    docs/operations.md with it."""
    assert sorted(k.to_user_string() for k in defs.resolve_all_asset_keys()) == sorted(
        [
            "fetched_sources",
            "staging_warehouse",
            "discovered_files",
            "warehouse_tables",
            "rule_findings",
            "agency_dimension",
            *MARTS,
            "published_warehouse",
            "static_site",
        ]
    )
    assert sorted(j.name for j in defs.resolve_all_job_defs() if not j.name.startswith("__")) == [
        "build_site",
        "nightly",
    ]
    schedules = {
        s.name: (s.job_name, s.cron_schedule, s.execution_timezone, s.default_status)
        for s in (defs.resolve_schedule_def(n.name) for n in defs.schedules or [])
    }
    assert schedules == {
        "nightly_schedule": ("nightly", "0 2 * * *", "Asia/Shanghai", DefaultScheduleStatus.RUNNING)
    }
    sensors = {s.name: (s.job_name, s.default_status) for s in defs.sensors or []}
    assert sensors == {"inbox_sensor": ("nightly", DefaultSensorStatus.RUNNING)}


def test_nightly_job_runs_every_asset_staged() -> None:
    job = defs.resolve_job_def("nightly")
    assert set(job.asset_layer.executable_asset_keys) == set(defs.resolve_all_asset_keys())
    assert job.tags.items() >= STAGED.items()


def test_order_staging_first_publish_before_the_site() -> None:
    graph = defs.resolve_asset_graph()

    def parents(name: str) -> set[str]:
        return {k.to_user_string() for k in graph.get(AssetKey(name)).parent_keys}

    assert {"staging_warehouse", "fetched_sources"} <= parents("discovered_files")
    assert {"warehouse_tables", "agency_dimension"} <= parents("rule_findings")  # organs resolved first
    assert parents("agency_dimension") == {"warehouse_tables"}
    # the publish waits for every asset that writes the warehouse
    assert {"warehouse_tables", "rule_findings", "agency_dimension", *MARTS} <= parents("published_warehouse")
    # the site reads the published warehouse
    assert "published_warehouse" in parents("static_site")
    assert not graph.get(AssetKey("staging_warehouse")).parent_keys


def tick(
    folder: Path, cursor: str | None, instance: DagsterInstance | None = None
) -> tuple[RunRequest | SkipReason, str | None]:
    ctx = build_sensor_context(
        cursor=cursor, resources={"inbox": InboxResource(path=str(folder))}, instance=instance
    )
    result = nightly.inbox_sensor(ctx)
    assert isinstance(result, RunRequest | SkipReason)
    return result, ctx.cursor


def test_sensor_requests_a_run_when_the_listing_changes(tmp_path: Path) -> None:
    result, cursor = tick(tmp_path, None)
    assert isinstance(result, SkipReason)  # empty inbox
    (tmp_path / "a.html").write_text("<table></table>")
    result, cursor = tick(tmp_path, cursor)
    assert isinstance(result, RunRequest) and result.run_key == cursor
    result, same = tick(tmp_path, cursor)
    assert isinstance(result, SkipReason) and same == cursor
    (tmp_path / "b.txt").write_text("x")
    result, _ = tick(tmp_path, cursor)
    assert isinstance(result, RunRequest)


def test_sensor_and_schedule_wait_for_a_running_night(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<table></table>")
    with instance_for_test() as instance:
        schedule = defs.resolve_schedule_def("nightly_schedule")
        assert schedule.evaluate_tick(build_schedule_context(instance=instance)).run_requests
        instance.add_run(
            DagsterRun(job_name=nightly.JOB, run_id="running-night", status=DagsterRunStatus.STARTED)
        )
        assert not schedule.evaluate_tick(build_schedule_context(instance=instance)).run_requests
        result, cursor = tick(tmp_path, None, instance)
        # skipped, and the cursor not moved: the change is seen again after that run
        assert isinstance(result, SkipReason) and "running-night" in (result.skip_message or "")
        assert cursor is None


def test_sensor_skips_a_missing_inbox(tmp_path: Path) -> None:
    result, _ = tick(tmp_path / "missing", None)
    assert isinstance(result, SkipReason)


def test_paths_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("GONGKAI_INBOX", "GONGKAI_WAREHOUSE", "GONGKAI_SOURCES"):
        monkeypatch.delenv(var, raising=False)
    res = make_resources()
    assert (res["inbox"].path, res["warehouse"].path, res["sources"].path) == (  # type: ignore[attr-defined]
        DEFAULT_INBOX,
        DEFAULT_WAREHOUSE,
        DEFAULT_SOURCES,
    )
    monkeypatch.setenv("GONGKAI_INBOX", "/srv/inbox")
    monkeypatch.setenv("GONGKAI_WAREHOUSE", "/srv/wh.duckdb")
    monkeypatch.setenv("GONGKAI_SOURCES", "/etc/gongkai/sources.yaml")
    res = make_resources()
    assert (res["inbox"].path, res["warehouse"].path, res["sources"].path) == (  # type: ignore[attr-defined]
        "/srv/inbox",
        "/srv/wh.duckdb",
        "/etc/gongkai/sources.yaml",
    )


def test_ingest_alone_writes_in_place_and_quarantines_garbage(tmp_path: Path) -> None:
    # Outside a staged run (no gongkai/staged tag) the assets write the warehouse file itself.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "garbage.bin").write_bytes(os.urandom(2048) + b"\x00")
    wh = tmp_path / "wh.duckdb"
    result = materialize(INGEST_ASSETS, resources=make_resources(inbox, wh), run_config=QUIET)
    assert result.success
    meta = result.asset_materializations_for_node("warehouse_tables")[0].metadata
    assert (meta["files_seen"].value, meta["parsed"].value, meta["quarantined"].value) == (1, 0, 1)
    assert not (tmp_path / "wh.duckdb.staging").exists()
    with duckdb.connect(str(wh), read_only=True) as con:
        rows = con.execute("SELECT file_name, reason FROM quarantine").fetchall()
        runs = con.execute("SELECT run_id, files_seen, files_new, quarantined FROM load_run").fetchall()
    assert [name for name, _ in rows] == ["garbage.bin"] and rows[0][1]
    assert runs == [(result.run_id, 1, 1, 1)]


def test_staging_and_publish_refuse_an_unstaged_run(tmp_path: Path) -> None:
    from pipelines.orchestration.operations import staging_warehouse

    result = materialize(
        [staging_warehouse],
        resources=make_resources(tmp_path, tmp_path / "wh.duckdb"),
        run_config=QUIET,
        raise_on_error=False,
    )
    assert not result.success
    assert not (tmp_path / "wh.duckdb.staging").exists()
