"""The Dagster code location (pyproject [tool.dagster] module_name)."""

from __future__ import annotations

from dagster import Definitions

from pipelines.defs.assets import INGEST_ASSETS
from pipelines.defs.jobs import ingest_job, nightly_ingest
from pipelines.defs.resources import make_resources
from pipelines.defs.sensors import inbox_sensor

defs = Definitions(
    assets=INGEST_ASSETS,
    jobs=[ingest_job],
    schedules=[nightly_ingest],
    sensors=[inbox_sensor],
    resources=make_resources(),
)
