"""Printed cell text -> (kind, value).

Blank, 0, a dash and a slash are different facts in the source: `kind` keeps blank / dash apart
from numbers, and the raw text is stored beside the value, so a rule can decide later.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pipelines.model import CellKind

_DASHES = {"-", "—", "–", "―", "－", "/", "／", "\\", "无", "—-", "--", "——", "/ /", "×", "x"}
# A unit printed inside the cell ("5件", "3笔", "251000元", "12.5万"): the value is the number as
# printed, the unit stays in the raw text (a fee in 元 under the 万元 header is rule T2-Q2's).
_UNIT = re.compile(r"(亿元|万元|千元|元|万|人次|件|个|项|笔|次|条|宗|家|篇|份|人)$")
_SIGNED_WORD = re.compile(r"^(增加|新增|增|减少|减)(.+)$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d+)?|\.\d+)$")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


def clean(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    return "".join(t.split())


# Cells repeat ("0" hundreds of times a report): caching makes value parsing nearly free.
@lru_cache(maxsize=65536)
def parse_value(text: str | None) -> tuple[CellKind, int | float | None]:
    """A printed cell -> (kind, value). Counts become int, decimals float; "+12"/"减少3" signed."""
    if text is None:
        return "blank", None
    t = clean(text)
    if not t:
        return "blank", None
    if t in _DASHES or set(t) <= {"-", "—", "/", "－", "―"}:
        return "dash", None
    sign = 1
    m = _SIGNED_WORD.match(t)
    if m:
        sign = -1 if m.group(1).startswith("减") else 1
        t = m.group(2)
    t = _UNIT.sub("", t)
    # thousands separators: "1,234" (but never a decimal comma)
    if _THOUSANDS.fullmatch(t):
        t = t.replace(",", "")
    if not _NUMBER.match(t):
        return "text", None
    if "." in t:
        return "number", sign * float(t)
    return "number", sign * int(t)
