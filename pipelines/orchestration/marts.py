"""The identity and mart assets: agency_dimension (re-resolve every report's organ and write
dim_agency / dim_agency_profile / identity_issue), right after the load and before the rules, and the
sql/marts/*.sql tables, after the rules.

The marts are one multi-asset (one asset key per table, subsettable) rather than one op each: they
all write the same DuckDB file, which only one process may hold open for writing, and Dagster's
default multiprocess executor would otherwise run independent marts side by side.

No `from __future__ import annotations` here: Dagster reads the annotations at definition time.
"""

import re
from collections.abc import Iterator, Sequence

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from pipelines import marts
from pipelines.identity import store
from pipelines.orchestration.resources import WarehouseResource
from pipelines.warehouse import ensure_schema

GROUP = "marts"
RULES = AssetKey("rule_findings")
LOADED = AssetKey("warehouse_tables")


def upstream_of(assets: Sequence[AssetsDefinition]) -> AssetKey:
    """The rules asset when the definitions have it, else the warehouse load."""
    keys = {k for a in assets for k in a.keys}
    return RULES if RULES in keys else LOADED


def _header(path_text: str) -> str:
    """The SQL file's opening comment, as the asset's description."""
    lines = []
    for line in path_text.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].strip())
    return " ".join(lines)


def build_assets(upstream: AssetKey) -> list[AssetsDefinition]:
    # Right after the load and before the rules (rule_findings depends on it), so that an edit to
    # data/aliases.csv reaches the cross-year and regional rules the same night as the marts.
    @asset(
        group_name=GROUP,
        kinds={"duckdb"},
        deps=[LOADED],
        description="Every report's organ re-resolved (pipelines/identity, data/aliases.csv, "
        "data/sectors.yaml): dim_report.agency_id, dim_agency, dim_agency_profile "
        "(level, kind, sector, region, parent government) and identity_issue.",
    )
    def agency_dimension(warehouse: WarehouseResource) -> MaterializeResult:
        con = warehouse.connect()
        try:
            ensure_schema(con)  # a warehouse made before the identity tables existed
            stats = store.rebuild(con)
        finally:
            con.close()
        return MaterializeResult(
            metadata={
                "reports": stats.reports,
                "agencies": stats.agencies,
                "reassigned": stats.reassigned,
                "issues": MetadataValue.json(stats.issues),
            }
        )

    files = marts.mart_files()
    deps = marts.dependencies(files)
    specs = [
        AssetSpec(
            name,
            group_name=GROUP,
            kinds={"duckdb"},
            skippable=True,
            description=_header(path.read_text(encoding="utf-8")),
            deps=[AssetKey("agency_dimension"), upstream, *(AssetKey(d) for d in sorted(deps[name]))],
        )
        for name, path in files.items()
    ]

    @multi_asset(specs=specs, can_subset=True, name="marts")
    def build_marts(
        context: AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[MaterializeResult]:
        selected = [k.path[-1] for k in context.selected_asset_keys]
        con = warehouse.connect()
        try:
            seconds = marts.build(con, selected)
            rows = {name: _rows(con, name) for name in seconds}
        finally:
            con.close()
        for name, secs in seconds.items():
            yield MaterializeResult(
                asset_key=AssetKey(name), metadata={"rows": rows[name], "seconds": round(secs, 3)}
            )

    return [agency_dimension, build_marts]


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    if not re.fullmatch(r"\w+", table):
        raise ValueError(table)
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0
