"""The organ taxonomy of data/sectors.yaml: government words, township markers, generic place words,
national prefixes and the sector keywords."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipelines import packaged

SECTORS_FILE = packaged.path("data", "sectors.yaml")
LEVELS = ("national", "province", "city", "county", "township")
GOVERNMENT = "government"
OTHER = "other"


class TaxonomyError(ValueError):
    """data/sectors.yaml is malformed; the message says where."""


@dataclass(frozen=True)
class Taxonomy:
    government_bodies: frozenset[str]
    township_markers: tuple[str, ...]
    township_government_suffixes: tuple[str, ...]
    generic_places: tuple[tuple[str, str], ...]  # (word, level), longest word first
    country_name: str
    national_prefixes: tuple[str, ...]
    national_suffixes: tuple[str, ...]
    national_government: str
    vertical_prefixes: tuple[str, ...]
    # (keyword, sector, order in the file), longest keyword first, then file order
    keywords: tuple[tuple[str, str, int], ...]

    def sector_of(self, body: str) -> str | None:
        """The sector whose longest keyword the body contains; None when no keyword matches."""
        for keyword, sector, _ in self.keywords:
            if keyword in body:
                return sector
        return None


def _strings(raw: dict[str, Any], key: str) -> tuple[str, ...]:
    value = raw.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise TaxonomyError(f"{SECTORS_FILE.name}: {key} must be a list of non-empty strings")
    return tuple(value)


def load(path: Path = SECTORS_FILE) -> Taxonomy:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise TaxonomyError(f"{path}: expected a mapping at the top level")
    generic = raw.get("generic_places")
    if not isinstance(generic, dict) or not all(v in LEVELS for v in generic.values()):
        raise TaxonomyError(f"{path}: generic_places must map words to one of {', '.join(LEVELS)}")
    sectors = raw.get("sectors")
    if not isinstance(sectors, dict) or not sectors:
        raise TaxonomyError(f"{path}: sectors must map sector codes to keyword lists")
    keywords: list[tuple[str, str, int]] = []
    for order, (sector, words) in enumerate(sectors.items()):
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise TaxonomyError(f"{path}: sector {sector!r} needs a list of non-empty keywords")
        keywords += [(w, str(sector), order) for w in words]
    seen: dict[str, str] = {}
    for word, sector, _ in keywords:
        if seen.setdefault(word, sector) != sector:
            raise TaxonomyError(f"{path}: keyword {word!r} is listed under {seen[word]!r} and {sector!r}")
    single: dict[str, str] = {}
    for key in ("national_government", "country_name"):
        value = raw.get(key)
        if not isinstance(value, str) or not value:
            raise TaxonomyError(f"{path}: {key} must be a name")
        single[key] = value
    return Taxonomy(
        government_bodies=frozenset(_strings(raw, "government_bodies")),
        township_markers=_strings(raw, "township_markers"),
        township_government_suffixes=tuple(
            sorted(_strings(raw, "township_government_suffixes"), key=len, reverse=True)
        ),
        generic_places=tuple(
            sorted(((str(k), str(v)) for k, v in generic.items()), key=lambda kv: -len(kv[0]))
        ),
        country_name=single["country_name"],
        national_prefixes=_strings(raw, "national_prefixes"),
        national_suffixes=_strings(raw, "national_suffixes"),
        national_government=single["national_government"],
        vertical_prefixes=tuple(sorted(_strings(raw, "vertical_prefixes"), key=len, reverse=True)),
        keywords=tuple(sorted(keywords, key=lambda k: (-len(k[0]), k[2]))),
    )
