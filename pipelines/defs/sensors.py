"""Run the ingest job when the inbox listing changes."""


from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from pipelines import pipeline
from pipelines.defs.jobs import ingest_job
from pipelines.defs.resources import InboxResource


@sensor(job=ingest_job, minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING,
        description="Requests an ingest run when a file is added to, replaced in or removed from the inbox.")
def inbox_sensor(context: SensorEvaluationContext, inbox: InboxResource) -> RunRequest | SkipReason:
    folder = inbox.folder()
    if not folder.is_dir():
        return SkipReason(f"inbox {folder} does not exist")
    # The cursor is a hash of (name, size, mtime) of every file: cheap to keep, and equal exactly
    # when nothing in the listing changed.
    fingerprint = pipeline.inbox_fingerprint(folder)
    if fingerprint == context.cursor:
        return SkipReason("inbox unchanged")
    context.update_cursor(fingerprint)
    if not pipeline.discover(folder):
        return SkipReason("inbox is empty")
    return RunRequest(run_key=fingerprint)
