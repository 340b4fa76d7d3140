"""The ingest assets: inbox files -> parsed reports -> warehouse tables. Thin wrappers over pipeline.py.

No `from __future__ import annotations` in defs/: Dagster reads the annotations at definition time
to find the context and the resources.
"""


from datetime import UTC, datetime
from pathlib import Path

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, Output, asset

from pipelines import pipeline
from pipelines.defs.resources import InboxResource, WarehouseResource
from pipelines.pipeline import ParseOutcome

GROUP = "ingest"


@asset(group_name=GROUP, description="Report files found in the inbox (paths, sorted).")
def discovered_files(inbox: InboxResource) -> Output[list[str]]:
    paths = pipeline.discover(inbox.folder())
    return Output([str(p) for p in paths],
                  metadata={"files": len(paths), "inbox": MetadataValue.path(str(inbox.folder()))})


@asset(group_name=GROUP, description="Every discovered file parsed, quarantined with a reason, or skipped "
                                     "as a duplicate of another file's bytes.")
def parsed_reports(inbox: InboxResource, discovered_files: list[str]) -> Output[ParseOutcome]:
    outcome = pipeline.parse_all([Path(p) for p in discovered_files], root=inbox.folder())
    return Output(outcome, metadata={
        "parsed": len(outcome.parsed),
        "quarantined": len(outcome.quarantined),
        "skipped_duplicates": len(outcome.duplicates),
    })


@asset(group_name=GROUP, kinds={"duckdb"},
       description="The star schema in the DuckDB warehouse (dim_*, fact_*, quarantine, load_run).")
def warehouse_tables(context: AssetExecutionContext, warehouse: WarehouseResource,
                     parsed_reports: ParseOutcome) -> MaterializeResult:
    run_id = context.run.run_id
    stats = context.instance.get_run_stats(run_id)
    started = datetime.fromtimestamp(stats.start_time, UTC) if stats.start_time else datetime.now(UTC)
    con = warehouse.connect()
    try:
        counts = pipeline.store(con, parsed_reports, run_id=run_id, started_at=started)
        summary = pipeline.warehouse.summary(con)
    finally:
        con.close()
    return MaterializeResult(metadata={
        **{k: v for k, v in counts.items() if k != "run_id"},
        "reports_total": summary["reports"],
        "agencies_total": summary["agencies"],
        "cells_total": summary["cells"],
        "quarantined_total": len(summary["quarantined"]),
        "years": MetadataValue.json(summary["years"]),
        "warehouse": MetadataValue.path(warehouse.path),
    })


INGEST_ASSETS = [discovered_files, parsed_reports, warehouse_tables]
