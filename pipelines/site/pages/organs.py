"""organs.html: every organ with a report, searchable and sortable, each linking to its page; beyond
common.ORGANS_PER_PAGE organs, an index of regions and one page per region (organs/<region>.html)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pipelines.site import labels
from pipelines.site.charts import Column
from pipelines.site.data import SiteData
from pipelines.site.pages.common import (
    coverage_by_organ,
    findings_by_report,
    organ_link,
    partition,
    region_of,
)
from pipelines.site.render import Writer

COLUMNS = [
    Column("机关", "link"),
    Column("层级", "text"),
    Column("类型", "text"),
    Column("领域", "text"),
    Column("地区", "text"),
    Column("已发布（年）", "int"),
    Column("缺报（年）", "int"),
    Column("最近年度", "text"),
    Column("问题（条）", "int"),
]
PART_COLUMNS = [
    Column("地区", "link"),
    Column("机关（个）", "int"),
    Column("有缺报的机关（个）", "int"),
    Column("问题（条）", "int"),
]


def write(w: Writer, d: SiteData) -> None:
    cov = coverage_by_organ(d)
    per_report = findings_by_report(d)
    findings: Counter[str] = Counter()
    for rid, fs in per_report.items():
        findings[d.reports[rid].agency_id] += len(fs)

    def row(agency_id: str, root: str) -> list[Any]:
        o = d.organs[agency_id]
        years = cov.get(agency_id, {})
        published = sorted(y for y, s in years.items() if s == "published")
        return [
            organ_link(o, root),
            labels.level(o.level),
            labels.kind(o.kind),
            labels.sector(o.sector),
            region_of(o),
            len(published),
            sum(1 for s in years.values() if s == "missing"),  # not a year still open
            str(published[-1]) if published else "—",
            findings[agency_id],
        ]

    parts = partition(d.organs.values())
    if parts is None:
        w.page(
            "organs.html",
            "organs.html",
            title="机关名录",
            section="organs.html",
            columns=COLUMNS,
            rows=[row(a, "") for a in d.organs],
            total=len(d.organs),
            charts_js=False,
        )
        return
    index = []
    for p in parts:
        rows = [row(o.agency_id, "../") for o in p.organs]
        w.page(
            p.page("organs"),
            "organs.html",
            title=f"机关名录 · {p.label}",
            section="organs.html",
            columns=COLUMNS,
            rows=rows,
            total=len(rows),
            part_label=p.label,
            charts_js=False,
        )
        index.append(
            [[p.label, p.page("organs")], len(rows), sum(1 for r in rows if r[6]), sum(r[8] for r in rows)]
        )
    w.page(
        "organs.html",
        "organs.html",
        title="机关名录",
        section="organs.html",
        columns=PART_COLUMNS,
        rows=[],
        parts=index,
        total=len(d.organs),
        charts_js=False,
    )
