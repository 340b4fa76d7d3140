"""The Dagster code location (pyproject [tool.dagster] module_name)."""

from __future__ import annotations

from dagster import Definitions

from pipelines.defs.assets import INGEST_ASSETS
from pipelines.defs.jobs import ingest_job, nightly_ingest
from pipelines.defs.marts import build_assets, build_job, build_sensor, upstream_of
from pipelines.defs.quality import QUALITY_ASSETS, rules_after_load, rules_job
from pipelines.defs.resources import make_resources
from pipelines.defs.sensors import inbox_sensor

# Identity and marts run after the rules when the rules are defined, else after the load.
_UPSTREAM = upstream_of([*INGEST_ASSETS, *QUALITY_ASSETS])
MART_ASSETS = build_assets(_UPSTREAM)
marts_job = build_job(MART_ASSETS)

defs = Definitions(
    assets=[*INGEST_ASSETS, *QUALITY_ASSETS, *MART_ASSETS],
    jobs=[ingest_job, rules_job, marts_job],
    schedules=[nightly_ingest],
    sensors=[inbox_sensor, rules_after_load, build_sensor(_UPSTREAM, marts_job)],
    resources=make_resources(),
)
