"""The nightly job: every asset of pipelines/orchestration/assets.py in one staged run, in the order
their dependencies give —

    fetched_sources -> ingest -> identity -> rules -> marts -> published_warehouse -> static_site

One job rather than a chain of sensor-triggered jobs, because the warehouse may only be published
once everything in it is consistent: reports, organs, findings and marts of the same night. The site
comes after the publish: it reads the published warehouse (what analysts see), and a site that fails
to build does not hold back the night's data.

The schedule, the inbox sensor and `gongkai run` all start this graph.

No `from __future__ import annotations` here: Dagster reads the annotations at definition time.
"""

from collections.abc import Sequence
from typing import Any

from dagster import (
    AssetsDefinition,
    AssetSelection,
    DagsterInvariantViolationError,
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

from pipelines.ingest import scan
from pipelines.orchestration.assets import ALL_ASSETS, SITE
from pipelines.orchestration.resources import GongkaiResource, make_resources
from pipelines.settings import Settings
from pipelines.warehouse import staging

JOB = "nightly"
SITE_JOB = "build_site"
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
_ACTIVE = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]

nightly_job = define_asset_job(
    JOB,
    selection=AssetSelection.all(),
    description="Fetch the sources, load new and changed files into a staging copy of the warehouse, resolve the "
    "organs, run the rules and the marts on it, publish it atomically, then build the site.",
)
site_job = define_asset_job(
    SITE_JOB,
    selection=AssetSelection.assets(SITE),
    description="Write the static dashboards from the published warehouse.",
)


def _busy(instance: Any) -> str | None:
    """The id of a nightly run that is queued or running, if any."""
    runs = instance.get_runs(filters=RunsFilter(job_name=JOB, statuses=_ACTIVE), limit=1)
    return runs[0].run_id if runs else None


def _not_busy(context: ScheduleEvaluationContext) -> bool:
    # A second run would be refused by the staging copy's owner anyway; skipping here keeps it off
    # the run list (the running one picks up the same files).
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
def inbox_sensor(context: SensorEvaluationContext, gongkai: GongkaiResource) -> RunRequest | SkipReason:
    folder = gongkai.settings().inbox
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
    fingerprint = scan.inbox_fingerprint(folder)
    if fingerprint == context.cursor:
        return SkipReason("inbox unchanged")
    context.update_cursor(fingerprint)
    if not scan.discover(folder):
        return SkipReason("inbox is empty")
    return RunRequest(run_key=fingerprint)


def materialize_nightly(
    settings: Settings,
    *,
    assets: Sequence[AssetsDefinition] | None = None,
    run_config: dict[str, Any] | None = None,
) -> ExecuteInProcessResult:
    """The nightly graph in-process: `gongkai run`, the benchmarks and the tests."""
    result = materialize(
        list(assets if assets is not None else ALL_ASSETS),
        resources=make_resources(settings),
        run_config=dict(run_config if run_config is not None else QUIET),
        raise_on_error=False,
    )
    # Ended, published or not: a staging copy it left is a dead run's for the next run to delete.
    staging.release(result.run_id)
    return result
