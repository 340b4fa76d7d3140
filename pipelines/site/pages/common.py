"""What several pages share: the navigation, organ links and per-organ-year lookups."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from pipelines.site import labels
from pipelines.site.data import Finding, Organ, SiteData

NAV = (
    ("index.html", "概览"),
    ("compare.html", "机关比较"),
    ("organs.html", "机关名录"),
    ("quality.html", "数据质量"),
    ("coverage.html", "报告覆盖"),
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


def organ_years_by_organ(data: SiteData) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
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
