"""data/aliases.csv: the analyst-editable corrections to organ names.

Three kinds of row (columns kind, name, canonical, region_code, note):
- place: `name` is another name of a division: a misspelling (沐阳县 → 沭阳县) or a zone that governs
  a county (平潭综合实验区 → 350128). `region_code` names the division; `canonical`, when given, is
  the spelling shown instead of `name`.
- body: `name` is another name of an organ type anywhere (科委 → 科学技术委员会).
- organ: `name` is a former or other name of one organ (a rename or a merger): reports printing it
  are read as `canonical`, so both share one agency_id.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from pipelines import packaged

ALIASES_FILE = packaged.path("data", "aliases.csv")
KINDS = ("place", "body", "organ")
COLUMNS = ("kind", "name", "canonical", "region_code", "note")


class AliasError(ValueError):
    """data/aliases.csv is malformed; the message names the line."""


@dataclass(frozen=True, slots=True)
class Alias:
    kind: str
    name: str
    canonical: str
    region_code: str
    note: str
    line: int


def load(path: Path = ALIASES_FILE) -> list[Alias]:
    from pipelines.identity.names import normalise  # names depends on nothing here; avoids a cycle

    path = Path(path)
    out: list[Alias] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise AliasError(f"{path}: header must be {','.join(COLUMNS)}")
        for row in reader:
            line = reader.line_num
            kind = (row["kind"] or "").strip()
            name = normalise(row["name"] or "")
            canonical = normalise(row["canonical"] or "")
            code = (row["region_code"] or "").strip()
            if kind not in KINDS:
                raise AliasError(f"{path}:{line}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
            if not name:
                raise AliasError(f"{path}:{line}: name is empty")
            if kind == "place" and not (code or canonical):
                raise AliasError(f"{path}:{line}: a place alias needs a region_code or a canonical name")
            if kind != "place" and (not canonical or code):
                raise AliasError(f"{path}:{line}: a {kind} alias needs a canonical name and no region_code")
            out.append(Alias(kind, name, canonical, code, (row["note"] or "").strip(), line))
    seen: dict[tuple[str, str], int] = {}
    for a in out:
        first = seen.setdefault((a.kind, a.name), a.line)
        if first != a.line:
            raise AliasError(f"{path}:{a.line}: {a.kind} alias {a.name!r} already given on line {first}")
    return out
