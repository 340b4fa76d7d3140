"""The fetched_sources asset: the report URLs and listing pages of sources.yaml fetched into the
inbox (pipelines/sources). Optional: without a sources.yaml there is nothing to fetch and the asset
says so. A URL that fails, or a sources.yaml that cannot be read, is logged and reported in the
metadata but never fails the run: the inbox still loads.

No `from __future__ import annotations` here: Dagster reads the annotations at definition time.
"""

from collections import Counter
from pathlib import Path

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from pipelines.defs.resources import DEFAULT_SOURCES, InboxResource, SourcesResource
from pipelines.sources import SourcesError, fetch_sources, load_sources
from pipelines.sources.fetch import FAILED

GROUP = "ingest"


@asset(
    group_name=GROUP,
    description="Report files fetched into the inbox from the URLs and listing pages (政府信息"
    "公开年报 columns) of sources.yaml, politely: per-host rate limit, timeouts, "
    "retries with backoff, conditional requests, a size limit.",
)
def fetched_sources(
    context: AssetExecutionContext, inbox: InboxResource, sources: SourcesResource
) -> MaterializeResult:
    path = sources.file()
    if not path.is_file() and path != Path(DEFAULT_SOURCES):
        # named explicitly ($GONGKAI_SOURCES, --sources) and not there: a mistake, not an empty list
        error = f"{path}: sources file not found"
        context.log.error(error)
        return MaterializeResult(metadata={"sources": MetadataValue.path(str(path)), "error": error})
    if not path.is_file():
        return MaterializeResult(metadata={"sources": MetadataValue.text(f"no {path}: nothing to fetch")})
    try:
        settings, entries = load_sources(path)
    except SourcesError as e:
        # The operator's to fix, from the log and the metadata; the inbox still loads tonight.
        context.log.error(str(e))
        return MaterializeResult(metadata={"sources": MetadataValue.path(str(path)), "error": str(e)})
    results = fetch_sources(settings, entries, inbox.folder())
    by_status = Counter(r.status for r in results)
    failed = [r for r in results if r.status == FAILED]
    for r in failed:
        context.log.warning(f"could not fetch {r.url}: {r.reason}")
    return MaterializeResult(
        metadata={
            "sources": MetadataValue.path(str(path)),
            "urls": len(results),
            **{status: n for status, n in sorted(by_status.items())},
            "failures": MetadataValue.md("\n".join(f"- {r.url}: {r.reason}" for r in failed) or "none"),
        }
    )
