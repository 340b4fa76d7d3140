"""The one resource of the Dagster definitions: pipelines.settings.Settings, and the warehouse file a run
writes.

With `staged` (the default, and what the nightly job and `gongkai run` use) the first asset of a run
that needs the warehouse claims a staging copy of it (pipelines/warehouse/staging.py) and every asset
writes that copy; published_warehouse renames it onto the published path at the end. With
`staged: false` the assets write the warehouse file in place (a single stage run by hand, tests).

No `from __future__ import annotations` here: Dagster reads the annotations at definition time.
"""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
from dagster import AssetKey, ConfigurableResource, DagsterInstance, Failure, InitResourceContext
from pydantic import PrivateAttr

from pipelines import settings as settings_mod
from pipelines.settings import Settings
from pipelines.warehouse import connect, db, staging

PUBLISHED = AssetKey("published_warehouse")


class GongkaiResource(ConfigurableResource):
    """Paths and options of the run (pipelines/settings.py says what each one means)."""

    inbox: str
    warehouse: str
    sources: str
    site: str
    data: str
    source_base_url: str = ""
    staged: bool = True
    sources_required: bool = False
    workers: int = -1  # -1: one per core (Settings.workers None)
    scheduler: str = ""
    memory_limit: str = settings_mod.DEFAULT_MEMORY_LIMIT  # "none": DuckDB's default
    temp_directory: str = ""  # "": beside the warehouse file
    _run_ids: tuple[str, ...] = PrivateAttr(default=())
    _instance: Any = PrivateAttr(default=None)

    @classmethod
    def of(cls, settings: Settings) -> "GongkaiResource":
        return cls(
            inbox=str(settings.inbox),
            warehouse=str(settings.warehouse),
            sources=str(settings.sources),
            site=str(settings.site),
            data=str(settings.data),
            source_base_url=settings.source_base_url or "",
            staged=settings.staged,
            sources_required=settings.sources_required,
            workers=-1 if settings.workers is None else settings.workers,
            scheduler=settings.scheduler or "",
            memory_limit=settings.memory_limit or settings_mod.NO_MEMORY_LIMIT,
            temp_directory=str(settings.temp_directory or ""),
        )

    def settings(self) -> Settings:
        return Settings(
            inbox=Path(self.inbox),
            warehouse=Path(self.warehouse),
            sources=Path(self.sources),
            site=Path(self.site),
            data=Path(self.data),
            source_base_url=self.source_base_url or None,
            staged=self.staged,
            sources_required=self.sources_required,
            workers=None if self.workers < 0 else self.workers,
            scheduler=self.scheduler or None,
            memory_limit=settings_mod.memory_limit(self.memory_limit),
            temp_directory=Path(self.temp_directory) if self.temp_directory else None,
        )

    def setup_for_execution(self, context: InitResourceContext) -> None:
        # every connection of the step's process, the stages' own included, gets the run's cap
        db.configure(db.Limits.of(self.settings()))
        run = context.run
        if run is None:
            return
        # A re-execution (from failure) continues in the staging copy of the run it re-executes.
        self._run_ids = tuple(i for i in (run.run_id, run.parent_run_id, run.root_run_id) if i)
        self._instance = context.instance

    @property
    def run_ids(self) -> tuple[str, ...]:
        return self._run_ids

    def working_path(self) -> Path:
        """The file this run writes: its staging copy (claimed and filled from the published file by
        the first asset that asks) in a staged run, else the published file."""
        published = Path(self.warehouse)
        if not self.staged:
            return published
        if not self._run_ids:
            raise Failure(
                "a staged run needs a Dagster run (set staged: false to write the warehouse in place)"
            )
        holder = staging.read_owner(published)
        if holder is not None and holder.run_id in self._run_ids:
            try:
                return staging.working_path(published, self._run_ids)
            except staging.StagingError as e:
                raise Failure(str(e)) from None
        try:
            return staging.prepare(published, self._run_ids[0], is_live=self._live)
        except staging.StagingError as e:
            raise Failure(str(e)) from None

    def connect(self) -> duckdb.DuckDBPyConnection:
        db.configure(db.Limits.of(self.settings()))
        return connect(self.working_path())

    def check_publishes(self, assets_in_run: Iterable[AssetKey]) -> None:
        """A staged run writes a staging copy that only published_warehouse publishes: refuse to write
        one in a run that does not include it, rather than leave a copy nobody publishes."""
        if self.staged and PUBLISHED not in set(assets_in_run):
            raise Failure(
                "a staged run writes a staging copy that only published_warehouse publishes: select it too, "
                "or set staged: false to write the warehouse in place",
                allow_retries=False,
            )

    def _live(self, owner: staging.Owner) -> bool:
        """Whether the run that owns a staging copy may still be writing it."""
        instance: DagsterInstance | None = self._instance
        run = instance.get_run_by_id(owner.run_id) if instance is not None else None
        if run is not None:
            return not run.is_finished
        # not a run of this Dagster instance: a `gongkai run` elsewhere, known only by its process
        return staging.pid_alive(owner)


def make_resources(settings: Settings | None = None) -> dict[str, object]:
    return {"gongkai": GongkaiResource.of(settings or Settings.load())}
