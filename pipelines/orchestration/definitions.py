"""The Dagster code location (pyproject [tool.dagster] module_name).

One job, `nightly` (pipelines/defs/nightly.py), runs every asset in a staged run, started by the
02:00 schedule, the inbox sensor or `gongkai run`. The per-stage jobs and sensors that chained
load -> rules -> marts -> site are gone: each stage wrote the published warehouse in place, and a
sensor-started stage could read a warehouse the previous stage had not finished. `build_site` stays,
as a manual job: the site only reads the published warehouse.
"""

from __future__ import annotations

from dagster import Definitions

from pipelines.orchestration import nightly
from pipelines.orchestration.assets import INGEST_ASSETS
from pipelines.orchestration.marts import build_assets, upstream_of
from pipelines.orchestration.quality import QUALITY_ASSETS
from pipelines.orchestration.resources import make_resources
from pipelines.orchestration.site import SITE_ASSETS, site_job

# Identity and marts run after the rules when the rules are defined, else after the load.
_UPSTREAM = upstream_of([*INGEST_ASSETS, *QUALITY_ASSETS])
MART_ASSETS = build_assets(_UPSTREAM)
NIGHTLY_ASSETS = nightly.assemble(MART_ASSETS, SITE_ASSETS)
nightly_job = nightly.build_job(NIGHTLY_ASSETS)

defs = Definitions(
    assets=NIGHTLY_ASSETS,
    jobs=[nightly_job, site_job],
    schedules=[nightly.nightly_schedule],
    sensors=[nightly.inbox_sensor],
    resources=make_resources(),
)
