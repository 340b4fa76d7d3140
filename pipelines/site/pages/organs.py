"""organs.html: every organ with a report, searchable and sortable, each linking to its page."""

from __future__ import annotations

from collections import Counter

from pipelines.site import labels
from pipelines.site.charts import Column
from pipelines.site.data import SiteData
from pipelines.site.pages.common import coverage_by_organ, findings_by_report, organ_link, region_of
from pipelines.site.render import Writer

COLUMNS = [Column("机关", "link"), Column("层级", "text"), Column("类型", "text"), Column("领域", "text"),
           Column("地区", "text"), Column("已发布（年）", "int"), Column("缺报（年）", "int"),
           Column("最近年度", "text"), Column("问题（条）", "int")]


def write(w: Writer, d: SiteData) -> None:
    cov = coverage_by_organ(d)
    per_report = findings_by_report(d)
    findings: Counter[str] = Counter()
    for rid, fs in per_report.items():
        findings[d.reports[rid].agency_id] += len(fs)
    rows = []
    for agency_id, o in d.organs.items():
        years = cov.get(agency_id, {})
        published = sorted(y for y, s in years.items() if s == "published")
        rows.append([organ_link(o, ""), labels.level(o.level), labels.kind(o.kind), labels.sector(o.sector),
                     region_of(o), len(published), len(years) - len(published),
                     str(published[-1]) if published else "—", findings[agency_id]])
    w.page("organs.html", "organs.html", title="机关名录", section="organs.html", columns=COLUMNS, rows=rows,
           charts_js=False)
