"""The Dagster code location: the graph of tables it is generated into, its order, its one resource,
and that stages run in-process in place or staged."""

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

from pipelines import catalogue, marts, warehouse
from pipelines.identity import store
from pipelines.orchestration import nightly
from pipelines.orchestration.assets import ALL_ASSETS, ingest_tables, mart_tables
from pipelines.orchestration.definitions import defs
from pipelines.orchestration.resources import GongkaiResource, make_resources
from pipelines.parsing.parse import PARSER_VERSION
from pipelines.settings import DEFAULTS, Settings
from pipelines.warehouse import load, schema
from tests.conftest import settings_for
from tests.test_marts import COMMERCE, report, t3

QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
MARTS = sorted(marts.mart_files())


def keys(*names: str) -> set[AssetKey]:
    return {AssetKey(n) for n in names}


def parents(name: str) -> set[str]:
    return {k.to_user_string() for k in defs.resolve_asset_graph().get(AssetKey(name)).parent_keys}


def test_assets_are_the_warehouse_tables() -> None:
    """What operators see in the Dagster UI: every table and view of sql/schema/ (less the schema's own),
    every mart, and the fetch, publish and site steps. A change here is a change to operations: update
    docs/operations.md with it."""
    tables = {r.name for r in schema.relations() if r.stage}
    assert {k.to_user_string() for k in defs.resolve_all_asset_keys()} == {
        "fetched_sources",
        *tables,
        *MARTS,
        "published_warehouse",
        "static_site",
    }
    graph = defs.resolve_asset_graph()
    groups = {k.to_user_string(): graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert {groups[r.name] for r in schema.by_stage("identity")} == {"identity"}
    assert groups["findings"] == "rules" and groups["mart_organ_year"] == "marts"
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


def test_one_asset_check_per_rule() -> None:
    checks = {(k.asset_key.to_user_string(), k.name) for k in defs.resolve_asset_graph().asset_check_keys}
    assert checks == {("findings", r.id.replace("-", "_")) for r in catalogue.load()}


def test_the_nightly_order_comes_from_what_each_stage_reads() -> None:
    job = defs.resolve_job_def("nightly")
    assert set(job.asset_layer.executable_asset_keys) == set(defs.resolve_all_asset_keys())
    assert "fetched_sources" in parents("dim_report")
    # organs are resolved from what the loader stored, before the rules and marts read them
    assert {"dim_report", "fact_section"} <= parents("dim_agency")
    assert {"current_report", "dim_agency"} <= parents("findings")
    assert {"findings", "current_report", "dim_agency_profile"} <= parents("mart_organ_year")
    assert "mart_organ_year" in parents("mart_organ_yoy")  # a mart that reads another waits for it
    assert {"dim_report", "findings", "dim_agency", *MARTS} <= parents("published_warehouse")
    assert parents("static_site") == {"published_warehouse"}  # the site reads what analysts see
    assert parents("fetched_sources") == set()


def test_settings_come_from_arguments_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("GONGKAI_INBOX", "GONGKAI_WAREHOUSE", "GONGKAI_SOURCES", "GONGKAI_SITE", "GONGKAI_DATA"):
        monkeypatch.delenv(var, raising=False)
    s = Settings.load()
    assert (str(s.inbox), str(s.warehouse), str(s.sources), str(s.site)) == (
        DEFAULTS["inbox"],
        DEFAULTS["warehouse"],
        DEFAULTS["sources"],
        DEFAULTS["site"],
    )
    assert s.aliases_file.is_file() and s.staged and not s.sources_required
    monkeypatch.setenv("GONGKAI_INBOX", "/srv/inbox")
    monkeypatch.setenv("GONGKAI_WAREHOUSE", "/srv/wh.duckdb")
    res = make_resources()["gongkai"]
    assert isinstance(res, GongkaiResource) and (res.inbox, res.warehouse) == ("/srv/inbox", "/srv/wh.duckdb")
    assert str(Settings.load(inbox="/x").inbox) == "/x"  # an argument wins over the environment
    assert Settings.load(sources="/etc/s.yaml").sources_required  # named explicitly: must exist


def tick(
    folder: Path, cursor: str | None, instance: DagsterInstance | None = None
) -> tuple[RunRequest | SkipReason, str | None]:
    settings = Settings.load(inbox=folder, warehouse=folder / "wh.duckdb")
    ctx = build_sensor_context(
        cursor=cursor, resources={"gongkai": GongkaiResource.of(settings)}, instance=instance
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


def test_ingest_in_place_writes_the_warehouse_file_and_quarantines_garbage(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "garbage.bin").write_bytes(os.urandom(2048) + b"\x00")
    wh = tmp_path / "wh.duckdb"
    settings = settings_for(inbox, wh, tmp_path, staged=False)
    result = materialize([ingest_tables], resources=make_resources(settings), run_config=QUIET)
    assert result.success
    meta = result.asset_materializations_for_node("ingest")
    by_key = {m.asset_key.to_user_string(): m.metadata for m in meta}
    assert (by_key["dim_report"]["files_seen"].value, by_key["dim_report"]["quarantined"].value) == (1, 1)
    assert by_key["quarantine"]["rows"].value == 1
    assert not (tmp_path / "wh.duckdb.staging").exists()
    with duckdb.connect(str(wh), read_only=True) as con:
        rows = con.execute("SELECT file_name, reason FROM quarantine").fetchall()
        runs = con.execute("SELECT run_id, files_seen, files_new, quarantined FROM load_run").fetchall()
    assert [name for name, _ in rows] == ["garbage.bin"] and rows[0][1]
    assert runs == [(result.run_id, 1, 1, 1)]


def test_a_staged_run_must_publish(tmp_path: Path) -> None:
    """A staged run writes a staging copy only published_warehouse publishes: one that does not select it
    fails before writing anything, instead of leaving a copy behind."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = settings_for(inbox, tmp_path / "wh.duckdb", tmp_path)
    result = materialize(
        [ingest_tables], resources=make_resources(settings), run_config=QUIET, raise_on_error=False
    )
    assert not result.success
    assert not (tmp_path / "wh.duckdb.staging").exists() and not (tmp_path / "wh.duckdb").exists()


def test_marts_materialize_in_place(tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    con = warehouse.connect(wh)
    schema.migrate(con)
    load.load_reports(
        con,
        [
            (f"c{y}.txt", f"h{y}", report(COMMERCE, y, **t3(y - 2020, 0, 1, 0, 0, 0, 0, 0, 0, 0)))
            for y in (2021, 2022)
        ],
        parser_version=PARSER_VERSION,
    )
    store.build(con)
    con.close()
    settings = settings_for(tmp_path, wh, tmp_path, staged=False)
    result = materialize([mart_tables], resources=make_resources(settings), run_config=QUIET)
    assert result.success
    assert {e.asset_key for e in result.get_asset_materialization_events()} == keys(*MARTS)
    with duckdb.connect(str(wh), read_only=True) as ro:
        assert ro.execute("SELECT year, new_received FROM mart_organ_year ORDER BY year").fetchall() == [
            (2021, 1),
            (2022, 2),
        ]


def test_every_asset_is_in_the_code_location() -> None:
    assert {k for a in ALL_ASSETS for k in a.keys} == set(defs.resolve_all_asset_keys())
