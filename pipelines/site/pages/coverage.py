"""coverage.html: organs × years, published or missing, with the reports that fail rules marked; beyond
common.ORGANS_PER_PAGE organs, the grid is split by region (coverage/<region>.html)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pipelines.site import labels
from pipelines.site.charts import Column
from pipelines.site.data import SiteData
from pipelines.site.files import csv_name
from pipelines.site.pages import overview, regions
from pipelines.site.pages.common import coverage_by_organ, partition, region_of
from pipelines.site.render import Writer

# What the grid's marks mean, for the CSV download: the cells carry only the mark, since a grid of
# 1,000 organs × 7 years with a link in every cell would weigh a megabyte (site.js links the cells).
LEGEND = {"✓": "已发布", "!": "已发布，数字对不上", "缺": "缺报", "·": ""}
PART_COLUMNS = [
    Column("地区", "link"),
    Column("机关（个）", "int"),
    Column("有缺报的机关（个）", "int"),
    Column("缺报（机关·年）", "int"),
]


STATES = {"never": "从未发布", "stopped": "已不再发布"}


def write(w: Writer, d: SiteData) -> None:
    years = d.years
    cov = coverage_by_organ(d)
    state = {r["agency_id"]: r.get("organ_status") or "" for r in d.coverage}
    report_of = {(r["agency_id"], r["year"]): r["report_id"] for r in d.coverage if r["report_id"]}
    findings: Counter[str] = Counter(f.report_id for f in d.findings)

    def row(agency_id: str) -> dict[str, Any]:
        o = d.organs[agency_id]
        statuses = cov.get(agency_id, {})
        cells = []
        for y in years:
            status = statuses.get(y)
            n = findings.get(report_of.get((agency_id, y), ""), 0)
            if status == "published":
                cells.append(("bad" if n else "ok", f"{n} 条问题", y))
            elif status == "missing":
                cells.append(("miss", f"{y} 年：缺报", y))
            elif status == "not_due":
                cells.append(("na", f"{y} 年：报告期限（次年 1 月 31 日）未到，不计缺报", y))
            else:
                cells.append(("na", f"{y} 年：应报年度之前，不计缺报", y))
        missing = sum(1 for s in statuses.values() if s == "missing")
        code = regions.of_organ(o)
        return {
            "name": o.name,
            "href": o.page,
            "level": labels.level(o.level),
            "region": region_of(o),
            "region_href": regions.region_page(code) if code else "",
            "state": STATES.get(state.get(agency_id, ""), ""),
            "cells": cells,
            "missing": missing,
        }

    chart = overview.reports_chart(d, years)
    parts = partition(d.organs.values())
    if parts is None:
        rows = [row(a) for a in d.organs]
        w.page(
            "coverage.html",
            "coverage.html",
            title="报告覆盖",
            section="coverage.html",
            years=years,
            rows=rows,
            reports_chart=chart,
            organs_missing=sum(1 for r in rows if r["missing"]),
            organs_never=sum(1 for r in rows if r["state"] == STATES["never"]),
            organs_stopped=sum(1 for r in rows if r["state"] == STATES["stopped"]),
            legend=LEGEND,
            csv=csv_name("报告覆盖", years, "全部机关"),
            by_region=_by_region(d),
            region_columns=REGION_COLUMNS,
            region_csv=csv_name("报告覆盖按地区", years[-1:]),
        )
        return
    index = []
    for p in parts:
        rows = [row(o.agency_id) for o in p.organs]
        missing = sum(1 for r in rows if r["missing"])
        w.page(
            p.page("coverage"),
            "coverage.html",
            title=f"报告覆盖 · {p.label}",
            section="coverage.html",
            years=years,
            rows=rows,
            organs_missing=missing,
            organs_never=sum(1 for r in rows if r["state"] == STATES["never"]),
            organs_stopped=sum(1 for r in rows if r["state"] == STATES["stopped"]),
            legend=LEGEND,
            csv=csv_name("报告覆盖", years, p.label),
            part_label=p.label,
            charts_js=False,
        )
        index.append([[p.label, p.page("coverage")], len(rows), missing, sum(r["missing"] for r in rows)])
    w.page(
        "coverage.html",
        "coverage.html",
        title="报告覆盖",
        section="coverage.html",
        years=years,
        rows=[],
        reports_chart=chart,
        organs_missing=sum(r[2] for r in index),
        legend=LEGEND,
        parts=index,
        part_columns=PART_COLUMNS,
        part_csv=csv_name("报告覆盖按地区", years),
        organs_total=len(d.organs),
    )


REGION_COLUMNS = [
    Column("地区", "link"),
    Column("层级", "text"),
    Column("应报机关（个）", "int"),
    Column("已发布（个）", "int"),
    Column("缺报（个）", "int"),
    Column("其中从未发布（个）", "int"),
    Column("其中已不再发布（个）", "int"),
]


def _by_region(d: SiteData) -> list[list[Any]]:
    """Each region's latest year: who must report, who did, who never did (mart_region_total)."""
    tree = regions.tree(d)
    rows = []
    for reg in sorted((r for r in tree.values() if r.code), key=lambda r: r.code or ""):
        now = reg.years[max(reg.years)] if reg.years else {}
        rows.append(
            [
                [
                    reg.name
                    if reg.level == "province"
                    else "".join(c.name for c in regions.chain(tree, reg)[1:]),
                    reg.page,
                ],
                regions.LEVEL_NAMES.get(reg.level, ""),
                now.get("organs_expected", 0),
                now.get("organs_published", 0),
                now.get("organs_missing", 0),
                now.get("organs_never_published", 0),
                now.get("organs_stopped", 0),
            ]
        )
    return rows
