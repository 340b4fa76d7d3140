"""The identity and mart assets in the Dagster code location."""

from __future__ import annotations

from pathlib import Path

import duckdb
from dagster import AssetKey, materialize

from pipelines import marts, warehouse
from pipelines.orchestration.definitions import MART_ASSETS, defs
from pipelines.orchestration.marts import build_assets, upstream_of
from pipelines.orchestration.resources import make_resources
from tests.test_marts import COMMERCE, report, t3

QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
MARTS = {AssetKey(name) for name in marts.mart_files()}


def test_marts_follow_identity_and_the_rules() -> None:
    graph = defs.resolve_asset_graph()
    assert MARTS | {AssetKey("agency_dimension")} <= set(defs.resolve_all_asset_keys())
    identity_parents = graph.get(AssetKey("agency_dimension")).parent_keys
    assert AssetKey("warehouse_tables") in identity_parents
    for key in MARTS:
        parents = graph.get(key).parent_keys
        assert {AssetKey("agency_dimension"), upstream_of(list(defs.assets or []))} <= parents  # type: ignore[arg-type]
    # marts that read other marts wait for them (mart_organ_yoy reads mart_organ_year)
    assert AssetKey("mart_organ_year") in graph.get(AssetKey("mart_organ_yoy")).parent_keys


def test_without_the_rules_the_marts_follow_the_load() -> None:
    assets = build_assets(upstream_of([]))
    deps = {k for a in assets for dep in a.asset_deps.values() for k in dep}
    assert AssetKey("warehouse_tables") in deps and AssetKey("rule_findings") not in deps


def test_marts_run_in_the_nightly_job_before_the_publish() -> None:
    job = defs.resolve_job_def("nightly")
    assert set(job.asset_layer.executable_asset_keys) >= MARTS | {AssetKey("agency_dimension")}
    assert defs.resolve_asset_graph().get(AssetKey("published_warehouse")).parent_keys >= MARTS


def test_materialize_in_process(tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    con = warehouse.connect(wh)
    warehouse.ensure_schema(con)
    warehouse.load_reports(
        con,
        [
            (f"c{y}.txt", f"h{y}", report(COMMERCE, y, **t3(y - 2020, 0, 1, 0, 0, 0, 0, 0, 0, 0)))
            for y in (2021, 2022)
        ],
    )
    con.close()
    result = materialize(MART_ASSETS, resources=make_resources(tmp_path, wh), run_config=QUIET)
    assert result.success
    done = {e.asset_key for e in result.get_asset_materialization_events()}
    assert done == MARTS | {AssetKey("agency_dimension")}
    with duckdb.connect(str(wh), read_only=True) as ro:
        assert ro.execute("SELECT year, new_received FROM mart_organ_year ORDER BY year").fetchall() == [
            (2021, 1),
            (2022, 2),
        ]
