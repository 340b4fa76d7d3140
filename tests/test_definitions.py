"""The Dagster code location: what it defines, and that its assets run in-process."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DefaultScheduleStatus, RunRequest, SkipReason, build_sensor_context, materialize

from pipelines.definitions import defs
from pipelines.defs.assets import INGEST_ASSETS
from pipelines.defs.resources import DEFAULT_INBOX, DEFAULT_WAREHOUSE, InboxResource, make_resources
from pipelines.defs.sensors import inbox_sensor

QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


INGEST = {AssetKey("discovered_files"), AssetKey("parsed_reports"), AssetKey("warehouse_tables")}


def test_asset_keys() -> None:
    keys = set(defs.resolve_all_asset_keys())
    assert INGEST | {AssetKey("rule_findings")} <= keys


def test_job_covers_the_ingest_assets() -> None:
    job = defs.resolve_job_def("ingest_reports")
    assert set(job.asset_layer.executable_asset_keys) >= INGEST


def test_nightly_schedule_in_china_time() -> None:
    schedule = defs.resolve_schedule_def("nightly_ingest")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert schedule.job_name == "ingest_reports"
    assert schedule.default_status == DefaultScheduleStatus.RUNNING


def test_sensor_requests_a_run_when_the_listing_changes(tmp_path: Path) -> None:
    assert defs.resolve_sensor_def("inbox_sensor").job_name == "ingest_reports"
    resources = {"inbox": InboxResource(path=str(tmp_path))}

    def tick(cursor: str | None) -> tuple[RunRequest | SkipReason, str | None]:
        ctx = build_sensor_context(cursor=cursor, resources=resources)
        result = inbox_sensor(ctx)
        assert isinstance(result, RunRequest | SkipReason)
        return result, ctx.cursor

    result, cursor = tick(None)
    assert isinstance(result, SkipReason)  # empty inbox
    (tmp_path / "a.html").write_text("<table></table>")
    result, cursor = tick(cursor)
    assert isinstance(result, RunRequest) and result.run_key == cursor
    result, same = tick(cursor)
    assert isinstance(result, SkipReason) and same == cursor
    (tmp_path / "b.txt").write_text("x")
    result, _ = tick(cursor)
    assert isinstance(result, RunRequest)


def test_sensor_skips_a_missing_inbox(tmp_path: Path) -> None:
    ctx = build_sensor_context(resources={"inbox": InboxResource(path=str(tmp_path / "missing"))})
    assert isinstance(inbox_sensor(ctx), SkipReason)


def test_paths_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GONGKAI_INBOX", raising=False)
    monkeypatch.delenv("GONGKAI_WAREHOUSE", raising=False)
    res = make_resources()
    assert (res["inbox"].path, res["warehouse"].path) == (DEFAULT_INBOX, DEFAULT_WAREHOUSE)  # type: ignore[attr-defined]
    monkeypatch.setenv("GONGKAI_INBOX", "/srv/inbox")
    monkeypatch.setenv("GONGKAI_WAREHOUSE", "/srv/wh.duckdb")
    res = make_resources()
    assert (res["inbox"].path, res["warehouse"].path) == ("/srv/inbox", "/srv/wh.duckdb")  # type: ignore[attr-defined]


def test_materialize_quarantines_garbage_and_succeeds(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "garbage.bin").write_bytes(os.urandom(2048) + b"\x00")
    wh = tmp_path / "wh.duckdb"
    result = materialize(INGEST_ASSETS, resources=make_resources(inbox, wh), run_config=QUIET)
    assert result.success
    meta = result.asset_materializations_for_node("warehouse_tables")[0].metadata
    assert (meta["files_seen"].value, meta["parsed"].value, meta["quarantined"].value) == (1, 0, 1)
    with duckdb.connect(str(wh), read_only=True) as con:
        rows = con.execute("SELECT file_name, reason FROM quarantine").fetchall()
        runs = con.execute("SELECT run_id, files_seen, quarantined FROM load_run").fetchall()
    assert [name for name, _ in rows] == ["garbage.bin"] and rows[0][1]
    assert runs == [(result.run_id, 1, 1)]
