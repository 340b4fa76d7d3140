"""The register of organs that must report (data/register.csv): which organs are expected to publish an
annual report, from which year, so that an organ that never published, or stopped, shows as a gap
(mart_coverage) instead of being invisible.

Columns, one organ per row:

    organ        the organ's name, best with its place (盐城市大丰区财政局); any name the identity stage
                 resolves to the organ (aliases.csv applies)
    region_code  optional: the division code (GB/T 2260, six digits: 320904; 320900 for a prefecture)
                 that places a name without its place (中桥镇人民政府); a name that says its place is
                 never moved by it
    parent       optional: the government the organ reports to (盐城市大丰区人民政府); places a name
                 without its place when region_code is empty, and is checked against the organ's
                 parent as the identity stage finds it
    first_year   optional: the first year a report is expected (blank: every year the warehouse holds)
    last_year    optional: the last year (the organ was merged or abolished after it)
    note         free text: where the row comes from (the official list, its date)

A row that cannot be used (no name, a bad year or code, a name that resolves to no place) is kept in
`organ_register` with its problem and line number; it never stops a run.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines import packaged
from pipelines.identity.resolve import Identity, Resolver

REGISTER_FILE = packaged.path("data", "register.csv")
COLUMNS = ("organ", "region_code", "parent", "first_year", "last_year", "note")
TABLE_COLUMNS = (
    "line",
    "organ",
    "region_code",
    "parent",
    "first_year",
    "last_year",
    "note",
    "agency_id",
    "agency_name",
    "problem",
)
_CODE = re.compile(r"\d{6}")
_YEAR = re.compile(r"(19|20)\d\d")


@dataclass(frozen=True)
class Entry:
    line: int
    organ: str
    region_code: str | None
    parent: str | None
    first_year: int | None
    last_year: int | None
    note: str
    identity: Identity | None
    problem: str | None


def load(path: Path | None, resolver: Resolver) -> list[Entry]:
    """Every row of the register, each organ resolved; a missing file registers nothing, a malformed
    row comes back with its problem (and no identity), an unreadable file as one row saying so."""
    path = Path(path or REGISTER_FILE)
    if not path.is_file():
        return []
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        return [_bad(0, "", f"无法读取 {path.name}：{e}")]
    if not rows:
        return []
    header = [h.strip() for h in rows[0]]
    if tuple(header[: len(COLUMNS)]) != COLUMNS:
        return [_bad(1, "", f"{path.name} 的表头应为 {','.join(COLUMNS)}")]
    out = []
    for line, raw in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in raw) or raw[0].lstrip().startswith("#"):
            continue
        out.append(_entry(line, [*(c.strip() for c in raw), *[""] * len(COLUMNS)][: len(COLUMNS)], resolver))
    return out


def _bad(line: int, organ: str, problem: str) -> Entry:
    return Entry(line, organ, None, None, None, None, "", None, problem)


def _entry(line: int, cells: list[str], resolver: Resolver) -> Entry:
    organ, code, parent, first, last, note = cells
    problems = []
    if code and not _CODE.fullmatch(code):
        problems.append(f"region_code 应为六位行政区划代码，而不是“{code}”")
        code = ""
    years: list[int | None] = []
    for name, text in (("first_year", first), ("last_year", last)):
        if text and not _YEAR.fullmatch(text):
            problems.append(f"{name} 应为年份（如 2021），而不是“{text}”")
        years.append(int(text) if text and _YEAR.fullmatch(text) else None)
    first_year, last_year = years
    if first_year is not None and last_year is not None and first_year > last_year:
        problems.append("first_year 晚于 last_year")
    if not organ:
        problems.append("organ 为空")
    ident = None
    if organ and not problems:
        ident, problem = _resolve(organ, code or None, parent or None, resolver)
        if problem:
            problems.append(problem)
    return Entry(
        line,
        organ,
        code or None,
        parent or None,
        first_year,
        last_year,
        note,
        ident if not problems else None,
        "；".join(problems) or None,
    )


def _resolve(
    organ: str, code: str | None, parent: str | None, resolver: Resolver
) -> tuple[Identity | None, str | None]:
    """The organ of a register row: its name, placed by its code or its parent's place when the name
    does not say where it is."""
    hint = code
    parent_ident = resolver.resolve(parent) if parent else None
    if hint is None and parent_ident is not None and parent_ident.region:
        hint = parent_ident.region[-1].code.ljust(6, "0")
    ident = resolver.resolve(organ, file_name=f"{hint}/register.csv" if hint else None)
    if ident is None:
        return None, f"“{organ}”不是可以识别的机关名称"
    if ident.resolution == "ambiguous":
        return None, f"“{organ}”的地区有歧义，请填写 region_code"
    if not ident.region and ident.resolution != "national":
        return None, f"无法确定“{organ}”所在的地区：名称中没有地名，请填写 region_code 或 parent"
    if parent_ident is not None and ident.parent_agency_id not in (None, parent_ident.agency_id):
        return None, f"parent 写的是“{parent}”，但“{ident.name}”的上级政府是“{ident.parent_name}”"
    return ident, None


def identities(entries: list[Entry]) -> list[Identity]:
    """The organs the usable rows name, once each."""
    seen: dict[str, Identity] = {}
    for e in entries:
        if e.identity is not None:
            seen.setdefault(e.identity.agency_id, e.identity)
    return list(seen.values())


def frame(entries: list[Entry]) -> pl.DataFrame:
    rows = [
        (
            e.line,
            e.organ,
            e.region_code,
            e.parent,
            e.first_year,
            e.last_year,
            e.note,
            e.identity.agency_id if e.identity else None,
            e.identity.name if e.identity else None,
            e.problem,
        )
        for e in entries
    ]
    schema = {c: pl.Utf8 for c in TABLE_COLUMNS} | {
        "line": pl.Int32,
        "first_year": pl.Int32,
        "last_year": pl.Int32,
    }
    return pl.DataFrame({c: [r[i] for r in rows] for i, c in enumerate(TABLE_COLUMNS)}, schema=schema)
