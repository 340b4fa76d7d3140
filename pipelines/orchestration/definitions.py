"""The Dagster code location (pyproject [tool.dagster] module_name): the assets of every stage, the
nightly job with its schedule and inbox sensor, and the manual build_site job, over one resource made
from the settings (pipelines/settings.py: paths from the environment of the process that loads this)."""

from __future__ import annotations

from dagster import Definitions

from pipelines.orchestration import nightly
from pipelines.orchestration.assets import ALL_ASSETS
from pipelines.orchestration.resources import make_resources

defs = Definitions(
    assets=ALL_ASSETS,
    jobs=[nightly.nightly_job, nightly.site_job],
    schedules=[nightly.nightly_schedule],
    sensors=[nightly.inbox_sensor],
    resources=make_resources(),
)
