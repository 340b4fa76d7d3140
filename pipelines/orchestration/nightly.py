"""The nightly job: every asset in one staged run, in order —

    fetched_sources -> staging_warehouse -> discovered_files -> warehouse_tables -> agency_dimension
    -> rule_findings -> marts -> published_warehouse -> static_site

One job rather than a chain of sensor-triggered jobs, because the warehouse may only be published
once everything in it is consistent: reports, findings, organs and marts of the same night. The
site comes after the publish: it reads the published warehouse (what analysts see), and a site that
fails to build does not hold back the night's data.

The schedule, the inbox sensor and `gongkai run` all start this graph.

No `from __future__ import annotations` here: Dagster reads the annotations at definition time.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dagster import (
    AssetsDefinition,
    AssetSelection,
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    ExecuteInProcessResult,
    RunRequest,
    RunsFilter,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    materialize,
    sensor,
)
from dagster._core.errors import DagsterInvariantViolationError

from pipelines import ingest as pipeline
from pipelines.orchestration.assets import INGEST_ASSETS
from pipelines.orchestration.operations import PUBLISHED, build_publish_asset, staging_warehouse
from pipelines.orchestration.quality import QUALITY_ASSETS
from pipelines.orchestration.resources import STAGED, InboxResource, make_resources
from pipelines.orchestration.sources import fetched_sources

JOB = "nightly"
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
_ACTIVE = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]


def assemble(
    mart_assets: Sequence[AssetsDefinition], site_assets: Sequence[AssetsDefinition] = ()
) -> list[AssetsDefinition]:
    """Every asset of the nightly graph: the ones that write the warehouse between staging and
    publish, then the ones that read the published warehouse (the site), made to wait for it."""
    writers = [*INGEST_ASSETS, *QUALITY_ASSETS, *mart_assets]
    publish = build_publish_asset([k for a in writers for k in a.keys])
    readers = [a.map_asset_specs(lambda spec: spec.merge_attributes(deps=[PUBLISHED])) for a in site_assets]
    return [fetched_sources, staging_warehouse, *writers, publish, *readers]


def build_job(assets: Sequence[AssetsDefinition]) -> Any:  # dagster's job type is not public
    return define_asset_job(
        JOB,
        selection=AssetSelection.assets(*assets),
        tags=STAGED,
        description="Fetch the sources, load new and changed files into a staging copy of the warehouse, run "
        "the rules, organs and marts on it, publish it atomically, then build the site.",
    )


def _busy(instance: Any) -> str | None:
    """The id of a nightly run that is queued or running, if any."""
    runs = instance.get_runs(filters=RunsFilter(job_name=JOB, statuses=_ACTIVE), limit=1)
    return runs[0].run_id if runs else None


def _not_busy(context: ScheduleEvaluationContext) -> bool:
    # A second run would be refused by staging_warehouse anyway; skipping here keeps it off the
    # run list (the running one picks up the same files).
    return _busy(context.instance) is None


# Reports are published during office hours in China, so run after the day's uploads there.
nightly_schedule = ScheduleDefinition(
    name="nightly_schedule",
    job_name=JOB,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.RUNNING,
    should_execute=_not_busy,
    description="The nightly run at 02:00 China time (skipped while a nightly run is still going).",
)


@sensor(
    job_name=JOB,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Requests a nightly run when a file is added to, replaced in or removed from the inbox "
    "(not while one is running: the change is picked up when it has finished).",
)
def inbox_sensor(context: SensorEvaluationContext, inbox: InboxResource) -> RunRequest | SkipReason:
    folder = inbox.folder()
    if not folder.is_dir():
        return SkipReason(f"inbox {folder} does not exist")
    try:
        running = _busy(context.instance)
    except DagsterInvariantViolationError:  # a context built without an instance (tests)
        running = None
    if running:
        # The cursor stays put, so the next tick after that run sees the change again.
        return SkipReason(f"nightly run {running} is in progress")
    # The cursor is a hash of (name, size, mtime) of every file: cheap to keep, and equal exactly
    # when nothing in the listing changed.
    fingerprint = pipeline.inbox_fingerprint(folder)
    if fingerprint == context.cursor:
        return SkipReason("inbox unchanged")
    context.update_cursor(fingerprint)
    if not pipeline.discover(folder):
        return SkipReason("inbox is empty")
    return RunRequest(run_key=fingerprint)


def materialize_nightly(
    assets: Sequence[AssetsDefinition],
    inbox: str | Path | None,
    warehouse_path: str | Path | None,
    *,
    sources: str | Path | None = None,
    site_dir: str | Path | None = None,
    run_config: dict[str, Any] | None = None,
) -> ExecuteInProcessResult:
    """The nightly graph in-process, staged: `gongkai run`, the benchmark and the tests."""
    config: dict[str, Any] = dict(run_config if run_config is not None else QUIET)
    keys = {k.to_user_string() for a in assets for k in a.keys}
    if site_dir is not None and "static_site" in keys:
        config = {
            **config,
            "ops": {**config.get("ops", {}), "static_site": {"config": {"out_dir": str(site_dir)}}},
        }
    return materialize(
        list(assets),
        resources=make_resources(inbox, warehouse_path, sources),
        run_config=config,
        tags=STAGED,
        raise_on_error=False,
    )
