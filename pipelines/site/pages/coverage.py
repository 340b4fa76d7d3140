"""coverage.html: organs × years, published or missing, with the reports that fail rules marked."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pipelines.site import labels
from pipelines.site.data import SiteData
from pipelines.site.pages import overview
from pipelines.site.pages.common import coverage_by_organ, region_of
from pipelines.site.render import Writer

# What the grid's marks mean, for the CSV download: the cells carry only the mark, since a grid of
# 1,000 organs × 7 years with a link in every cell would weigh a megabyte (site.js links the cells).
LEGEND = {"✓": "已发布", "!": "已发布，数字对不上", "缺": "缺报", "·": ""}


def write(w: Writer, d: SiteData) -> None:
    years = d.years
    cov = coverage_by_organ(d)
    report_of = {(r["agency_id"], r["year"]): r["report_id"] for r in d.coverage if r["report_id"]}
    findings: Counter[str] = Counter(f.report_id for f in d.findings)
    rows: list[dict[str, Any]] = []
    for agency_id, o in d.organs.items():
        statuses = cov.get(agency_id, {})
        cells = []
        for y in years:
            status = statuses.get(y)
            n = findings.get(report_of.get((agency_id, y), ""), 0)
            if status == "published":
                cells.append(("bad" if n else "ok", f"{n} 条问题", y))
            elif status == "missing":
                cells.append(("miss", f"{y} 年：缺报", y))
            else:
                cells.append(("na", f"{y} 年：首次发布之前，不计缺报", y))
        missing = sum(1 for s in statuses.values() if s == "missing")
        rows.append({"name": o.name, "href": o.page, "level": labels.level(o.level), "region": region_of(o),
                     "cells": cells, "missing": missing})
    w.page("coverage.html", "coverage.html", title="报告覆盖", section="coverage.html", years=years, rows=rows,
           reports_chart=overview.reports_chart(d, years), organs_missing=sum(1 for r in rows if r["missing"]),
           legend=LEGEND)
