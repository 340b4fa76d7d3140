"""The ingest assets: inbox files -> what needs parsing -> warehouse tables. Thin wrappers over scan.py
and pipeline.py. Parsing and loading are one asset because reports are loaded batch by batch: an
asset handing every parsed report of a backlog to the next held them all in memory at once.

No `from __future__ import annotations` in defs/: Dagster reads the annotations at definition time
to find the context and the resources.
"""

from datetime import UTC, datetime

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, Output, asset

from pipelines import ingest as pipeline
from pipelines.ingest import scan
from pipelines.ingest.scan import Plan
from pipelines.orchestration.resources import InboxResource, WarehouseResource
from pipelines.pause import pause_point
from pipelines.warehouse import Rejected

GROUP = "ingest"
# Upstream of the scan when the nightly graph has them (a run of the ingest assets alone does not).
STAGING = AssetKey("staging_warehouse")
FETCHED = AssetKey("fetched_sources")
# Names listed in the metadata; the full list is the quarantine table.
LISTED = 50


@asset(
    group_name=GROUP,
    deps=[STAGING, FETCHED],
    description="The inbox scanned against the warehouse: every file new, changed or unchanged (by size, "
    "modification time and content hash), and the bytes this parser version has not parsed yet.",
)
def discovered_files(inbox: InboxResource, warehouse: WarehouseResource) -> Output[Plan]:
    con = warehouse.connect()
    try:
        plan = scan.plan(con, inbox.folder())
    finally:
        con.close()
    return Output(
        plan,
        metadata={
            "files": len(plan.entries),
            "new": plan.count(scan.NEW),
            "changed": plan.count(scan.CHANGED),
            "unchanged": plan.count(scan.UNCHANGED),
            "unreadable": len(plan.unreadable),
            "to_parse": len(plan.to_parse),
            "duplicates": len(plan.duplicates),
            "hashed": plan.hashed,
            "inbox": MetadataValue.path(str(inbox.folder())),
        },
    )


def _listing(quarantined: list[Rejected]) -> str:
    rows = [f"- `{r.file_name}`: {r.reason}" for r in quarantined[:LISTED]]
    more = len(quarantined) - LISTED
    return "\n".join(rows + ([f"- … and {more} more (quarantine table)"] if more > 0 else [])) or "none"


@asset(
    group_name=GROUP,
    kinds={"duckdb"},
    description="The files to parse, parsed and loaded batch by batch into the star schema of the DuckDB "
    "warehouse (dim_*, fact_*, quarantine, source_file, load_run). A file that cannot be read is "
    "quarantined with its reason; one with bytes seen under another name is a duplicate.",
)
def warehouse_tables(
    context: AssetExecutionContext, warehouse: WarehouseResource, discovered_files: Plan
) -> MaterializeResult:
    run_id = context.run.run_id
    stats = context.instance.get_run_stats(run_id)
    started = datetime.fromtimestamp(stats.start_time, UTC) if stats.start_time else datetime.now(UTC)
    con = warehouse.connect()
    try:
        done, counts = pipeline.ingest(con, discovered_files, run_id=run_id, started_at=started)
        summary = pipeline.warehouse.summary(con)
    finally:
        con.close()
    pause_point("loaded")
    return MaterializeResult(
        metadata={
            **{k: v for k, v in counts.items() if k != "run_id"},
            "quarantined_files": MetadataValue.md(_listing(done.quarantined)),
            "reports_total": summary["reports"],
            "agencies_total": summary["agencies"],
            "cells_total": summary["cells"],
            "quarantined_total": len(summary["quarantined"]),
            "years": MetadataValue.json(summary["years"]),
            "warehouse": MetadataValue.path(str(warehouse.working_path())),
        }
    )


INGEST_ASSETS = [discovered_files, warehouse_tables]
