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
| memory_limit     | GONGKAI_MEMORY_LIMIT       | 4GB (`none`: DuckDB's 80 %) |
| temp_directory   | GONGKAI_TEMP_DIRECTORY     | beside the warehouse file   |
"""

from __future__ import annotations

import os
import re
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
    "memory_limit": "GONGKAI_MEMORY_LIMIT",
    "temp_directory": "GONGKAI_TEMP_DIRECTORY",
}
# DuckDB's memory_limit for every connection the pipeline opens. DuckDB's own default is 80 % of the
# machine's memory, per process; 4 GB keeps every step of the national benchmark under 8 GB of
# resident memory (DuckDB's buffers plus Python's frames) on a 24 GB machine shared with other work.
DEFAULT_MEMORY_LIMIT = "4GB"
NO_MEMORY_LIMIT = "none"
_MEMORY = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def memory_limit(value: str | None) -> str | None:
    """A memory_limit setting as DuckDB takes it ("4GB", "512MiB"), or None for DuckDB's own default
    (`none`); ValueError for anything else. None given: the environment, else the default."""
    if value is None or str(value).strip() == "":
        value = os.environ.get(ENV["memory_limit"]) or DEFAULT_MEMORY_LIMIT
    text = str(value).strip()
    if text.lower() == NO_MEMORY_LIMIT:
        return None
    if not _MEMORY.fullmatch(text):
        raise ValueError(f"memory_limit must be a size such as 4GB or 512MiB, or none, not {value!r}")
    return text.replace(" ", "")


def temp_directory(value: str | Path | None) -> Path | None:
    """The folder DuckDB spills to (None: beside each database file). None given: the environment."""
    if value is None or str(value) == "":
        value = os.environ.get(ENV["temp_directory"]) or None
    return None if value is None else Path(value)


@dataclass(frozen=True)
class Settings:
    """Paths and options of a run.

    `staged`: a run builds a staging copy of the warehouse and publishes it atomically at its end
    (the nightly job, `gongkai run`); False writes the warehouse file in place (a single stage run by
    hand, tests of one stage). `sources_required`: the sources file was named explicitly, so its
    absence is an error rather than "nothing to fetch". `workers`: parser processes on this machine
    (None: one per core; 0: in the run's own process, without the per-file budget). `scheduler`: the
    address of a Dask scheduler (tcp://host:8786) to parse on its cluster instead (docs/scaling.md).
    `memory_limit`: DuckDB's memory_limit on every connection (None: DuckDB's default, 80 % of the
    machine); `temp_directory`: where a connection spills what does not fit, in a folder named after
    the database file (None: beside the database file, DuckDB's own `FILE.tmp`). DuckDB removes the
    folder when the last connection to the file closes.
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
    memory_limit: str | None = DEFAULT_MEMORY_LIMIT
    temp_directory: Path | None = None

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
            memory_limit=memory_limit(given.get("memory_limit")),
            temp_directory=temp_directory(given.get("temp_directory")),
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
