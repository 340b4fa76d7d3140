"""Who reported, for which year, and the six sections' text — from the title and body text."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pipelines import layout
from pipelines.parsing import titles

_PERIOD = re.compile(
    r"(?:统计期限|统计周期|统计时限|统计期间)[^。]{0,12}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日"
)
# The lead of the warning a report gets when its title and its opening name different organs or
# years; identity.store turns it into an ID-5 row.
CONFLICT = "标题与正文开头不一致"
_CONFLICT = re.compile(
    CONFLICT
    + r"：标题为“(?P<ta>[^”]*)”（(?P<ty>\d{4}|年份不详)），正文开头为“(?P<oa>[^”]*)”（(?P<oy>\d{4}|年份不详)）"
)


@dataclass(frozen=True)
class Identified:
    agency: str | None
    year: int | None
    # what the opening sentence states, when it disagrees with the title
    conflict: str | None = None


def identify(title: str | None, text: str) -> Identified:
    """Organ and year from the title (the reader's, else the first lines of the text, furniture
    skipped), the year falling back to the statistics period and then the most named year; and
    whether the opening sentence names another organ or year than the title."""
    lines = [ln for ln in text.splitlines() if ln.strip()][: titles.WINDOW]
    agency = year = None
    found = titles.match(title) if title else None
    if found is not None:
        agency, year = found
    # where the title is in the text: the opening follows it
    after = next((i for i, ln in enumerate(lines) if title and titles.flat(title) in titles.flat(ln)), -1)
    if agency is None:
        in_text = titles.find_title(lines)
        found = titles.match(in_text.text) if in_text else None
        if found is not None:
            after = in_text.last if in_text else -1
            year = year or found[1]
            if found[0]:
                agency, year = found
    if year is None:
        m = _PERIOD.search(text)
        if m:
            year = int(m.group(1))
    if year is None:
        years = Counter(int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", text[:3000]))
        if years:
            year = years.most_common(1)[0][0]
    conflict = None
    said = titles.opening(lines, after, title)
    if said is not None and (agency or year):
        other_organ = bool(agency and said.agency and not titles.same_organ(agency, said.agency))
        other_year = bool(year and said.year and year != said.year)
        if other_organ or other_year:
            conflict = conflict_warning(agency, year, said.agency or agency, said.year or year)
    return Identified(agency, year, conflict)


def agency_and_year(title: str | None, text: str) -> tuple[str | None, int | None]:
    found = identify(title, text)
    return found.agency, found.year


def conflict_warning(agency: str | None, year: int | None, other: str | None, other_year: int | None) -> str:
    return (
        f"{CONFLICT}：标题为“{agency or ''}”（{year or '年份不详'}），"
        f"正文开头为“{other or ''}”（{other_year or '年份不详'}）"
    )


def parse_conflict(warning: str) -> tuple[str, int | None, str, int | None] | None:
    """(title organ, title year, opening organ, opening year) of a conflict warning, else None."""
    m = _CONFLICT.match(warning)
    if m is None:
        return None

    def year(s: str) -> int | None:
        return int(s) if s.isdigit() else None

    return m["ta"], year(m["ty"]), m["oa"], year(m["oy"])


_NUMERALS = "一二三四五六"


# A section heading: its numeral, then one of its keywords within the same line ("四、政府信息公开行政复议…").
_HEADINGS = [
    (key, re.compile(numeral + r"\s*[、.．]\s*[^\n。]{0,30}?(?:" + "|".join(map(re.escape, keywords)) + ")"))
    for numeral, (key, _heading, keywords) in zip(_NUMERALS, layout.SECTIONS, strict=True)
]


def split_sections(text: str) -> dict[str, str]:
    """Text of the six sections, keyed s1..s6, found by their numbered headings in order."""
    starts: list[tuple[int, str]] = []
    pos = 0
    for key, pattern in _HEADINGS:
        m = pattern.search(text, pos)
        if m:
            starts.append((m.start(), key))
            pos = m.end()
    if not starts:  # zip(strict) below would see one end and no start
        return {}
    ends = [s for s, _ in starts[1:]] + [len(text)]
    return {key: text[start:end].strip() for (start, key), end in zip(starts, ends, strict=True)}
