"""Names of the files the site offers for download: a CSV says in its name what it holds (the measure,
the years, the filters), so that a folder of downloads stays readable; the date of the data is in
every CSV as its last column (static/site.js adds it)."""

from __future__ import annotations

import re
from collections.abc import Iterable

_UNSAFE = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


def span(years: Iterable[int]) -> str:
    """2019-2025年, 2024年, or 无年度."""
    ys = sorted(set(years))
    if not ys:
        return "无年度"
    return f"{ys[0]}年" if ys[0] == ys[-1] else f"{ys[0]}-{ys[-1]}年"


def csv_name(measure: str, years: Iterable[int] | str, *filters: str) -> str:
    """measure_years[_filter…].csv, without characters a file system refuses."""
    when = years if isinstance(years, str) else span(years)
    parts = [measure, when, *(f for f in filters if f)]
    return "_".join(_UNSAFE.sub("", p)[:40] for p in parts if _UNSAFE.sub("", p)) + ".csv"
