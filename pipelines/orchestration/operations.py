"""The first and the last step of a nightly run: staging_warehouse copies the published warehouse to
a staging file that every step between writes; published_warehouse renames the finished copy onto
the published path (pipelines/staging.py says why that is atomic and why readers are safe).

No `from __future__ import annotations` here: Dagster reads the annotations at definition time.
"""

import time
from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    DagsterInstance,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from pipelines import warehouse
from pipelines.orchestration.resources import STAGED_TAG, WarehouseResource
from pipelines.pause import pause_point
from pipelines.warehouse import staging

GROUP = "operations"
PUBLISHED = AssetKey("published_warehouse")


def _live(instance: DagsterInstance, owner: staging.Owner) -> bool:
    """Whether the run that owns a staging copy may still be writing it."""
    run = instance.get_run_by_id(owner.run_id)
    if run is not None:
        return not run.is_finished
    # not a run of this Dagster instance: a `gongkai run` elsewhere, known only by its process
    return staging.pid_alive(owner)


@asset(
    group_name=GROUP,
    kinds={"duckdb"},
    description="A copy of the published warehouse (<warehouse>.staging) that the rest of the run writes; "
    "a staging copy left by a killed run is deleted first, one owned by a running run is refused.",
)
def staging_warehouse(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    if not warehouse.staged:
        raise Failure(
            f"staging_warehouse runs only in a staged run (tag {STAGED_TAG}): the nightly job or `gongkai run`"
        )
    t0 = time.perf_counter()
    try:
        path = staging.prepare(
            warehouse.path, context.run.run_id, is_live=lambda o: _live(context.instance, o)
        )
    except staging.StagingError as e:
        raise Failure(str(e)) from None
    return MaterializeResult(
        metadata={
            "staging": MetadataValue.path(str(path)),
            "megabytes": round(path.stat().st_size / 1e6, 1),
            "seconds": round(time.perf_counter() - t0, 2),
        }
    )


def build_publish_asset(upstream: Sequence[AssetKey]) -> AssetsDefinition:
    """published_warehouse, after every asset that writes the warehouse."""

    @asset(
        group_name=GROUP,
        kinds={"duckdb"},
        deps=sorted(set(upstream), key=str),
        description="The finished staging copy checkpointed, fsynced and renamed onto the published warehouse "
        "path in one atomic step; the run's load_run row gets its findings count first.",
    )
    def published_warehouse(
        context: AssetExecutionContext, warehouse: WarehouseResource
    ) -> MaterializeResult:
        if not warehouse.staged:
            raise Failure(f"published_warehouse runs only in a staged run (tag {STAGED_TAG})")
        pause_point("marts")
        t0 = time.perf_counter()
        findings: list[int | None] = []

        def finish(con: duckdb.DuckDBPyConnection) -> None:
            findings.append(warehouse_finish(con, warehouse.run_ids))

        try:
            size = staging.publish(warehouse.path, warehouse.run_ids, finish=finish)
        except staging.StagingError as e:
            raise Failure(str(e)) from None
        context.log.info(f"published {warehouse.path} ({size / 1e6:.1f} MB)")
        return MaterializeResult(
            metadata={
                "warehouse": MetadataValue.path(warehouse.path),
                "megabytes": round(size / 1e6, 1),
                "findings": findings[0] if findings and findings[0] is not None else MetadataValue.null(),
                "seconds": round(time.perf_counter() - t0, 2),
            }
        )

    return published_warehouse


def warehouse_finish(con: duckdb.DuckDBPyConnection, run_ids: Sequence[str]) -> int | None:
    """Close this run's load_run row (under whichever of its ids the load used)."""
    now = datetime.now(UTC)
    counts = [warehouse.finish_run(con, run_id, finished_at=now) for run_id in run_ids]
    return next((c for c in counts if c is not None), None)
