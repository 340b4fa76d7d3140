"""Organs × years with each year's verdict, as the region pages and a government's page show its
subordinates: passed, failed (and how badly), unchecked, missing, or not expected that year."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pipelines.site import labels
from pipelines.site.data import Organ, SiteData

# (css class, mark) per state; the legend under every grid and the CSV say what a mark means
MARKS = {
    "passed": ("ok", "✓"),
    "failed": ("bad", "!"),
    "unchecked": ("part", "?"),
    "missing": ("miss", "缺"),
    "none": ("na", "·"),
}
LEGEND = {"✓": "通过", "!": "数字对不上", "?": "未能全部核对", "缺": "缺报", "·": "不需报告"}
ORGAN_STATUS = {"never": "从未发布", "stopped": "已不再发布", "reporting": ""}


@dataclass(frozen=True)
class Lookup:
    """What the grids read, indexed once per build."""

    coverage: dict[str, dict[int, str]]  # agency -> year -> published | missing
    report_of: dict[tuple[str, int], str]  # (agency, year) -> current report
    findings: Counter[str]  # report -> failed rule instances
    organ_status: dict[str, str]  # agency -> never | stopped | reporting

    @classmethod
    def of(cls, d: SiteData) -> Lookup:
        cov: dict[str, dict[int, str]] = {}
        state: dict[str, str] = {}
        for r in d.coverage:
            cov.setdefault(r["agency_id"], {})[r["year"]] = r["status"]
            if r.get("organ_status"):
                state[r["agency_id"]] = r["organ_status"]
        reports = {(rep.agency_id, rep.year): rid for rid, rep in d.reports.items()}
        return cls(cov, reports, Counter(f.report_id for f in d.findings), state)


def year_state(d: SiteData, look: Lookup, agency_id: str, year: int) -> tuple[str, str, str]:
    """(css class, mark, title) of one organ-year."""
    status = look.coverage.get(agency_id, {}).get(year)
    if status == "missing":
        return (*MARKS["missing"], f"{year} 年：缺报")
    if status == "not_due":
        return (*MARKS["none"], f"{year} 年：报告期限（次年 1 月 31 日）未到")
    if status != "published":
        return (*MARKS["none"], f"{year} 年：不需报告（首次发布或应报年度之前）")
    rid = look.report_of.get((agency_id, year), "")
    st = d.status.get(rid)
    n = look.findings.get(rid, 0)
    if st is None or st.status == "unchecked":
        return (*MARKS["unchecked"], f"{year} 年：未能全部核对" if d.rules_ran else f"{year} 年：尚未检查")
    if st.status == "failed":
        worst = labels.severity(st.worst)
        return (
            MARKS["failed"][0] + f" sev-{st.worst or 'warning'}",
            "!",
            f"{year} 年：{n} 条问题（最重：{worst}）",
        )
    return (*MARKS["passed"], f"{year} 年：通过")


def rows(
    d: SiteData, look: Lookup, organs: Iterable[Organ], years: list[int], root: str
) -> list[dict[str, Any]]:
    out = []
    for o in organs:
        cells = [year_state(d, look, o.agency_id, y) for y in years]
        out.append(
            {
                "name": o.name,
                "href": root + o.page,
                "kind": _kind(o),
                "cells": cells,
                "missing": sum(1 for c in cells if c[1] == "缺"),
                "failed": sum(1 for c in cells if c[1] == "!"),
                "state": ORGAN_STATUS.get(look.organ_status.get(o.agency_id, ""), ""),
            }
        )
    return out


def _kind(o: Organ) -> str:
    if o.kind == "government":
        return "乡镇街道" if o.level == "township" else "人民政府"
    return "部门" if o.kind == "department" else labels.UNKNOWN
