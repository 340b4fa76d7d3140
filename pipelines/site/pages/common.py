"""What several pages share: the navigation, organ links and per-organ-year lookups."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from pipelines.site import labels
from pipelines.site.data import Finding, Organ, Row, SiteData
from pipelines.site.names import slug

# The pages that list every organ (机关名录, 报告覆盖, 机关比较) are split by region beyond this many
# organs: at ~0.5 kB an organ (compare.html) 14,588 organs made 7.5 MB pages; 2,000 stay near 1 MB.
ORGANS_PER_PAGE = 2000
UNPLACED = "未确定地区"
_OWN_LEVEL = ("（省本级）", "（市本级）", "（县本级）")

NAV = (
    ("index.html", "概览"),
    ("regions.html", "地区"),
    ("compare.html", "机关比较"),
    ("organs.html", "机关名录"),
    ("quality.html", "数据质量"),
    ("coverage.html", "报告覆盖"),
    ("about.html", "关于数据"),
)


def organ_link(organ: Organ | None, root: str, name: str | None = None, anchor: str = "") -> list[str]:
    if organ is None:
        return [name or labels.UNKNOWN, ""]
    return [organ.name, f"{root}{organ.page}{anchor}"]


def findings_by_report(data: SiteData) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = defaultdict(list)
    for f in data.findings:
        out[f.report_id].append(f)
    return out


def organ_years_by_organ(data: SiteData) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = defaultdict(list)
    for r in data.organ_years:
        out[r["agency_id"]].append(r)
    return out


def coverage_by_organ(data: SiteData) -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = defaultdict(dict)
    for r in data.coverage:
        out[r["agency_id"]][r["year"]] = r["status"]
    return out


def region_of(organ: Organ) -> str:
    return labels.region(organ.province, organ.city, organ.county)


def rule_label(d: SiteData, rule_id: str) -> str:
    """The rule id and the start of its title, asides dropped: long enough to recognise, short enough
    for an axis label."""
    title = re.sub(r"（[^）]*）", "", d.rules[rule_id].title if rule_id in d.rules else "")
    return f"{rule_id} {title[:20]}" + ("…" if len(title) > 20 else "")


@dataclass(frozen=True)
class Part:
    """The organs of one region, listed on a page of their own when the site is split."""

    key: str  # file stem, from the region path
    label: str  # 江苏省 盐城市
    organs: tuple[Organ, ...]

    def page(self, folder: str) -> str:
        return f"{folder}/{self.key}.html"


def partition(organs: Iterable[Organ]) -> list[Part] | None:
    """None when every organ fits on one page; else the organs by province, a province with more than
    ORGANS_PER_PAGE of them by city, a city by county. An organ without the next level (a province's
    own departments) forms a part of its own, as do organs without any region."""
    group = list(organs)
    return None if len(group) <= ORGANS_PER_PAGE else _split((), group)


def _split(path: tuple[str, ...], group: list[Organ]) -> list[Part]:
    depth = len(path)
    if len(group) <= ORGANS_PER_PAGE or depth == 3:
        return [_part(path, group)]
    by: dict[str, list[Organ]] = defaultdict(list)
    for o in group:
        by[(o.province, o.city, o.county)[depth] or ""].append(o)
    out: list[Part] = []
    for name in sorted(by, key=lambda n: (n == "", n)):
        if name:
            out += _split((*path, name), by[name])
        else:  # no next level: cannot be split further
            out.append(_part((*path, _OWN_LEVEL[depth - 1] if depth else UNPLACED), by[name]))
    return out


def _part(path: tuple[str, ...], group: list[Organ]) -> Part:
    label = " ".join(path).replace(" （", "（") or "全部"
    return Part("r-" + slug("/".join(path) or "all"), label, tuple(group))
