"""The ingest job and its nightly schedule."""


from dagster import AssetSelection, DefaultScheduleStatus, ScheduleDefinition, define_asset_job

from pipelines.defs.assets import INGEST_ASSETS

ingest_job = define_asset_job(
    "ingest_reports", selection=AssetSelection.assets(*INGEST_ASSETS),
    description="Parse every file in the inbox and load the results into the warehouse.")

# Reports are published during office hours in China, so run after the day's uploads there.
nightly_ingest = ScheduleDefinition(
    name="nightly_ingest", job=ingest_job, cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai", default_status=DefaultScheduleStatus.RUNNING)
