"""Organ names as text: normalisation, and the name a report's file name gives when the report itself
did not name its organ."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import PurePosixPath

# A year, report words and anything after them: "平潭综合实验区2023年度政府信息公开工作年度报告" and
# "盐都区商务局关于2024年政务公开工作报告" keep only the organ.
_YEAR_AND_REPORT = re.compile(
    r"(?:关于)?(?:(?:19|20)\d{2}年度?)?(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?(?:工作)?"
    r"(?:报告|年报|情况).*$"
)
_LEADING_YEAR = re.compile(r"^(?:(?:19|20)\d{2}年度?)+")
_TRAILING_YEAR = re.compile(r"(?:关于)?(?:(?:19|20)\d{2}年度?)+$")
# A trailing bracketed note: "某某县人民政府办公室（县政务公开办）".
_TRAILING_NOTE = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]$")
_EDGE_PUNCT = "_-—–·:：;；,，.。、《》<>“”\"'‘’「」#*|/\\"


@lru_cache(maxsize=65536)
def normalise(name: str) -> str:
    """NFKC, whitespace removed, year and report words dropped, edge punctuation stripped (cached: a
    warehouse repeats each organ's name in every year's report)."""
    s = "".join(unicodedata.normalize("NFKC", name).split())
    s = _YEAR_AND_REPORT.sub("", s)
    s = _TRAILING_NOTE.sub("", s)
    s = _LEADING_YEAR.sub("", s.strip(_EDGE_PUNCT))
    s = _TRAILING_YEAR.sub("", s)
    return s.strip(_EDGE_PUNCT)


def flat(text: str) -> str:
    """Text as names are compared in it: NFKC, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def from_file_name(file_name: str) -> str | None:
    """The organ a file name states ("86688_平潭综合实验区财政金融局2023年度政府信息公开工作年度报告.txt"),
    found the way the parser finds it in a title; None for names like "kiro_hongzequ_2023.pdf"."""
    from pipelines.parsing import meta  # the parser's title patterns, so file names read like titles

    stem = PurePosixPath(file_name).name.rsplit(".", 1)[0]
    stem = re.sub(r"^[0-9A-Za-z_\-]+_", "", stem)  # crawler ids and ascii tags before the title
    agency, _ = meta.agency_and_year(stem, "")
    if agency is None or not re.search(r"[\u4e00-\u9fff]", agency):
        return None
    return normalise(agency) or None


# A division code an operator put in a report's path: a folder named by it ("320981/…") or a file
# name starting with it ("320981-…", "320981_…"). Six digits, as the statistics office writes codes.
_CODE_SEGMENT = re.compile(r"^(\d{6})(?:[-_ ].*)?$")


def path_codes(file_name: str) -> list[str]:
    """Division codes named by the path's folders and file name, deepest first, in the dataset's
    hierarchical form (320981; 320900 -> 3209; 320000 -> 32)."""
    path = PurePosixPath(file_name)
    out = []
    for part in (path.stem, *reversed(path.parent.parts)):
        m = _CODE_SEGMENT.match(part)
        if m:
            code = m.group(1)
            out.append(code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code)
    return out
