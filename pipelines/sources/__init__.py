"""Fetching report files named in sources.yaml into the inbox, politely: see fetch.fetch_sources."""

from pipelines.sources.config import Settings, Source, SourcesError, load_sources
from pipelines.sources.fetch import FetchResult, fetch_sources

__all__ = ["FetchResult", "Settings", "Source", "SourcesError", "fetch_sources", "load_sources"]
