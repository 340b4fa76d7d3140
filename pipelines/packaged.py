"""The files the code reads that are not Python: the SQL of `sql/`, the rule catalogue of
`expectations/` and the default data files of `data/` (aliases.csv, sectors.yaml, report_scope.csv).

They live in the repository's top-level folders, where analysts read and edit them. A wheel carries
them inside the package, under `pipelines/_files/` (pyproject.toml's force-include); in a source
checkout (an editable install) the package has no such folder and they are read where they are.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

SHIPPED = "_files"


@cache
def root() -> Path:
    """The folder holding sql/, expectations/ and data/: inside the installed package, or the checkout."""
    package = Path(str(resources.files("pipelines")))
    shipped = package / SHIPPED
    return shipped if shipped.is_dir() else package.parent


def path(*parts: str) -> Path:
    """A packaged file or folder, e.g. path("sql", "marts")."""
    return root().joinpath(*parts)
