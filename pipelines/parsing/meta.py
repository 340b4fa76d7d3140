"""Who reported, for which year, and the six sections' text — from the title and body text."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from pipelines import layout

_REPORT_WORDS = r"(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?(?:工作)?(?:报告|年报)"
# "平潭综合实验区2023年度政府信息公开工作年度报告", "沐阳县人民政府2025年政府信息公开…"
_AGENCY_THEN_YEAR = re.compile(
    r"(?P<agency>[^\s，。,:：;；]{2,40}?)(?:关于)?(?P<year>(?:19|20)\d{2})年度?" + _REPORT_WORDS
)
# "2024年上海市科委政府信息公开工作年度报告"
_YEAR_THEN_AGENCY = re.compile(
    r"(?P<year>(?:19|20)\d{2})年度?(?P<agency>[^\s，。,:：;；\d]{2,40}?)" + _REPORT_WORDS
)
# the seed's "现将区商务局2025年政府信息公开工作落实情况报告如下"
_LOOSE = re.compile(
    r"(?P<agency>[^\s，。,:：;；\d]{2,40}?)(?P<year>(?:19|20)\d{2})年度?(?:政府信息公开|政务公开)"
)
_LEADING_NOISE = re.compile(r"^(?:现将|本报告|根据|关于|正文|标题|#)+")
_PERIOD = re.compile(
    r"(?:统计期限|统计周期|统计时限|统计期间)[^。]{0,12}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日"
)


def _clean(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    return re.sub(r"\s+", "", s).replace("#", "")


def _agency(raw: str) -> str | None:
    a = _LEADING_NOISE.sub("", raw).strip("_-—·:：")
    a = re.sub(r"^[\d年度]+", "", a)
    return a or None


def _candidates(title: str | None, text: str) -> list[str]:
    lines = [ln for ln in text.splitlines() if ln.strip()][:25]
    out = [_clean(title)] if title else []
    for i, ln in enumerate(lines):
        out.append(_clean(ln))
        if i + 1 < len(lines):  # titles broken over two lines by a PDF conversion
            out.append(_clean(ln + lines[i + 1]))
    return [c for c in out if c]


def agency_and_year(title: str | None, text: str) -> tuple[str | None, int | None]:
    agency = year = None
    for cand in _candidates(title, text):
        for pattern in (_AGENCY_THEN_YEAR, _YEAR_THEN_AGENCY, _LOOSE):
            m = pattern.search(cand)
            if m:
                agency = _agency(m.group("agency"))
                year = int(m.group("year"))
                if agency:
                    return agency, year
    m = _PERIOD.search(text)
    if m:
        year = int(m.group(1))
    if year is None:
        years = Counter(int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", text[:3000]))
        if years:
            year = years.most_common(1)[0][0]
    return agency, year


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
