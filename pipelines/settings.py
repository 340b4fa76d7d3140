"""Where things are and how a run publishes: the one settings object every entry point takes (the
Dagster definitions, every `gongkai` command, the benchmarks and the tests).

`Settings.load()` is the only place that reads the environment: an argument given explicitly wins,
then the variable, then the default. Relative paths are from the working directory.

| setting          | variable                   | default                     |
|------------------|----------------------------|-----------------------------|
| inbox            | GONGKAI_INBOX              | data/inbox                  |
| warehouse        | GONGKAI_WAREHOUSE          | data/warehouse.duckdb       |
| sources          | GONGKAI_SOURCES            | sources.yaml (optional)     |
| site             | GONGKAI_SITE               | data/site                   |
| source_base_url  | GONGKAI_SOURCE_BASE_URL    | none (file names unlinked)  |
| data             | GONGKAI_DATA               | the project's data/ folder  |
| workers          | GONGKAI_WORKERS            | one per core                |
| scheduler        | GONGKAI_SCHEDULER          | none (parse on this machine)|
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipelines import packaged

DEFAULTS = {
    "inbox": "data/inbox",
    "warehouse": "data/warehouse.duckdb",
    "sources": "sources.yaml",
    "site": "data/site",
}
ENV = {
    "inbox": "GONGKAI_INBOX",
    "warehouse": "GONGKAI_WAREHOUSE",
    "sources": "GONGKAI_SOURCES",
    "site": "GONGKAI_SITE",
    "source_base_url": "GONGKAI_SOURCE_BASE_URL",
    "data": "GONGKAI_DATA",
    "workers": "GONGKAI_WORKERS",
    "scheduler": "GONGKAI_SCHEDULER",
}


@dataclass(frozen=True)
class Settings:
    """Paths and options of a run.

    `staged`: a run builds a staging copy of the warehouse and publishes it atomically at its end
    (the nightly job, `gongkai run`); False writes the warehouse file in place (a single stage run by
    hand, tests of one stage). `sources_required`: the sources file was named explicitly, so its
    absence is an error rather than "nothing to fetch". `workers`: parser processes on this machine
    (None: one per core; 0: in the run's own process, without the per-file budget). `scheduler`: the
    address of a Dask scheduler (tcp://host:8786) to parse on its cluster instead (docs/scaling.md).
    """

    inbox: Path
    warehouse: Path
    sources: Path
    site: Path
    data: Path
    source_base_url: str | None = None
    staged: bool = True
    sources_required: bool = False
    workers: int | None = None
    scheduler: str | None = None

    @classmethod
    def load(cls, **given: Any) -> Settings:
        """Settings from explicit values (None = not given), else the environment, else the defaults."""
        unknown = set(given) - {*ENV, "staged"}
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")

        def pick(name: str) -> str | None:
            value = given.get(name)
            if value is not None and str(value) != "":
                return str(value)
            return os.environ.get(ENV[name]) or DEFAULTS.get(name)

        sources_required = given.get("sources") is not None or bool(os.environ.get(ENV["sources"]))
        workers = pick("workers")
        try:
            n = None if workers is None else int(workers)
        except ValueError:
            raise ValueError(f"workers must be a whole number, not {workers!r}") from None
        if n is not None and n < 0:
            raise ValueError(f"workers must be 0 or more, not {n}")
        return cls(
            inbox=Path(pick("inbox") or ""),
            warehouse=Path(pick("warehouse") or ""),
            sources=Path(pick("sources") or ""),
            site=Path(pick("site") or ""),
            data=Path(pick("data") or packaged.path("data")),
            source_base_url=pick("source_base_url"),
            staged=bool(given.get("staged", True)),
            sources_required=sources_required,
            workers=n,
            scheduler=pick("scheduler"),
        )

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def aliases_file(self) -> Path:
        return self.data / "aliases.csv"

    @property
    def sectors_file(self) -> Path:
        return self.data / "sectors.yaml"

    @property
    def report_scope_file(self) -> Path:
        return self.data / "report_scope.csv"

    @property
    def register_file(self) -> Path:
        return self.data / "register.csv"

    @property
    def decisions_file(self) -> Path:
        return self.data / "decisions.csv"
