"""Where the inbox, the warehouse and the list of sources are: the only settings the assets need."""

import os
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from pipelines import warehouse
from pipelines.warehouse import staging

DEFAULT_INBOX = "data/inbox"
DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
DEFAULT_SOURCES = "sources.yaml"
# Runs with this tag (the nightly job, `gongkai run`) build in the staging copy and publish it.
STAGED_TAG = "gongkai/staged"
STAGED = {STAGED_TAG: "true"}


class InboxResource(ConfigurableResource):
    """The folder that report files are dropped into (relative paths: from the working directory)."""

    path: str

    def folder(self) -> Path:
        return Path(self.path)


class SourcesResource(ConfigurableResource):
    """The optional sources.yaml listing report URLs and listing pages to fetch into the inbox."""

    path: str

    def file(self) -> Path:
        return Path(self.path)


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse. `path` is the published file, the one analysts and the site open.

    In a staged run (tag gongkai/staged: the nightly job and `gongkai run`) every step works on the
    run's staging copy instead (pipelines/staging.py), which the last step publishes. Other runs
    (a single asset materialized by hand, the tests of one stage) write `path` in place.
    """

    path: str
    _staged: bool = PrivateAttr(default=False)
    _run_ids: tuple[str, ...] = PrivateAttr(default=())

    def setup_for_execution(self, context: InitResourceContext) -> None:
        run = context.run
        if run is None:
            return
        self._staged = run.tags.get(STAGED_TAG) == STAGED[STAGED_TAG]
        # A re-execution (from failure) continues in the staging copy of the run it re-executes.
        self._run_ids = tuple(i for i in (run.run_id, run.parent_run_id, run.root_run_id) if i)

    @property
    def staged(self) -> bool:
        return self._staged

    @property
    def run_ids(self) -> tuple[str, ...]:
        return self._run_ids

    def working_path(self) -> Path:
        """The file this run writes: the staging copy in a staged run, else the published file."""
        if self._staged:
            return staging.working_path(self.path, self._run_ids)
        return Path(self.path)

    def connect(self) -> duckdb.DuckDBPyConnection:
        return warehouse.connect(self.working_path())


def resolve_paths(
    inbox: str | Path | None = None, warehouse_path: str | Path | None = None
) -> tuple[Path, Path]:
    """The given paths, else GONGKAI_INBOX / GONGKAI_WAREHOUSE, else the defaults.

    Read when called (at code-location load for `dagster dev`), so the environment of the process
    that loads the definitions decides.
    """
    return (
        Path(inbox or os.environ.get("GONGKAI_INBOX") or DEFAULT_INBOX),
        Path(warehouse_path or os.environ.get("GONGKAI_WAREHOUSE") or DEFAULT_WAREHOUSE),
    )


def resolve_sources(sources: str | Path | None = None) -> Path:
    """The given sources file, else GONGKAI_SOURCES, else sources.yaml in the working directory."""
    return Path(sources or os.environ.get("GONGKAI_SOURCES") or DEFAULT_SOURCES)


def make_resources(
    inbox: str | Path | None = None,
    warehouse_path: str | Path | None = None,
    sources: str | Path | None = None,
) -> dict[str, object]:
    inbox_path, wh_path = resolve_paths(inbox, warehouse_path)
    return {
        "inbox": InboxResource(path=str(inbox_path)),
        "warehouse": WarehouseResource(path=str(wh_path)),
        "sources": SourcesResource(path=str(resolve_sources(sources))),
    }
