"""The site asset: the static dashboards for oversight staff (pipelines/site), built from the
published warehouse as the last step of the nightly job (pipelines/defs/nightly.py), and on demand
by the build_site job, so that each morning's pages show last night's reports.

The output folder and the source-file link base are run config (SiteConfig), defaulting to
$GONGKAI_SITE / $GONGKAI_SOURCE_BASE_URL, else data/site and no links.

No `from __future__ import annotations` here: Dagster reads the annotations at definition time.
"""

import os
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    define_asset_job,
)

from pipelines import marts
from pipelines.orchestration.resources import WarehouseResource
from pipelines.site.build import MAX_PAGE_BYTES, build_site
from pipelines.site.pages.organ import check_base_url

GROUP = "site"
DEFAULT_SITE = "data/site"


class SiteConfig(Config):
    out_dir: str = ""  # empty: $GONGKAI_SITE, else data/site
    source_base_url: str = ""  # empty: $GONGKAI_SOURCE_BASE_URL, else file names without links

    def folder(self) -> Path:
        return Path(self.out_dir or os.environ.get("GONGKAI_SITE") or DEFAULT_SITE)

    def base_url(self) -> str | None:
        return self.source_base_url or os.environ.get("GONGKAI_SOURCE_BASE_URL") or None


@asset(
    group_name=GROUP,
    kinds={"html"},
    deps=[AssetKey(name) for name in marts.mart_files()],
    description="The static Chinese dashboards (overview, comparison, one page per organ, data quality, "
    "coverage) written to data/site/: Plotly charts with their data tables and CSV downloads, "
    "shipped with plotly.min.js once, so the folder works offline.",
)
def static_site(
    context: AssetExecutionContext, config: SiteConfig, warehouse: WarehouseResource
) -> MaterializeResult:
    try:
        base_url = check_base_url(config.base_url())
    except ValueError as e:  # a setting to fix: fail before reading anything
        raise Failure(str(e), allow_retries=False) from e
    # the published file (warehouse.path), never a run's staging copy: the site shows what analysts see
    result = build_site(warehouse.path, config.folder(), source_base_url=base_url)
    path, size = result.largest
    if size > MAX_PAGE_BYTES:
        context.log.warning(
            f"{path} is {size / 1e6:.1f} MB, over the {MAX_PAGE_BYTES / 1e6:.0f} MB a page should be"
        )
    return MaterializeResult(
        metadata={
            "site": MetadataValue.path(str(result.out_dir)),
            "index": MetadataValue.path(str(result.out_dir / "index.html")),
            "pages": len(result.pages),
            "organs": result.organs,
            "organ_pages_rendered": result.organ_pages_rendered,  # the others had not changed since last night
            "megabytes": round((sum(result.pages.values()) + sum(result.assets.values())) / 1e6, 1),
            "largest_page": f"{path} ({size / 1e3:.0f} kB)",
            "seconds": round(result.seconds, 1),
        }
    )


SITE_ASSETS = [static_site]
site_job = define_asset_job(
    "build_site",
    selection=AssetSelection.assets(*SITE_ASSETS),
    description="Write the static dashboards from the published warehouse.",
)
