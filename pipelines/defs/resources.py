"""Where the inbox and the warehouse are: the only settings the assets need."""


import os
from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from pipelines import warehouse

DEFAULT_INBOX = "data/inbox"
DEFAULT_WAREHOUSE = "data/warehouse.duckdb"


class InboxResource(ConfigurableResource):
    """The folder that report files are dropped into (relative paths: from the working directory)."""

    path: str

    def folder(self) -> Path:
        return Path(self.path)


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse file."""

    path: str

    def connect(self) -> duckdb.DuckDBPyConnection:
        return warehouse.connect(self.path)


def resolve_paths(inbox: str | Path | None = None,
                  warehouse_path: str | Path | None = None) -> tuple[Path, Path]:
    """The given paths, else GONGKAI_INBOX / GONGKAI_WAREHOUSE, else the defaults.

    Read when called (at code-location load for `dagster dev`), so the environment of the process
    that loads the definitions decides.
    """
    return (Path(inbox or os.environ.get("GONGKAI_INBOX") or DEFAULT_INBOX),
            Path(warehouse_path or os.environ.get("GONGKAI_WAREHOUSE") or DEFAULT_WAREHOUSE))


def make_resources(inbox: str | Path | None = None, warehouse_path: str | Path | None = None) -> dict[str, object]:
    inbox_path, wh_path = resolve_paths(inbox, warehouse_path)
    return {"inbox": InboxResource(path=str(inbox_path)), "warehouse": WarehouseResource(path=str(wh_path))}
