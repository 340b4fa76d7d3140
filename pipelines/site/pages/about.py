"""about.html (关于数据): where the data come from, which organs must report, how region reports are
read, guessed cells, what the severities and verdicts mean, every rule with its basis, and how to
report an error."""

from __future__ import annotations

from pipelines import catalogue
from pipelines.site import labels
from pipelines.site.data import SiteData
from pipelines.site.pages.quality import rule_page
from pipelines.site.render import Writer
from pipelines.site.workbook import FILE as WORKBOOK


def write(w: Writer, d: SiteData) -> None:
    rules = [
        (r.id, rule_page(r.id), labels.severity(r.severity), r.zh, r.basis_zh)
        for r in sorted(catalogue.load(), key=lambda r: (labels.SEVERITY_ORDER.index(r.severity), r.id))
    ]
    registered = sum(1 for r in d.register if r.get("agency_id"))
    w.page(
        "about.html",
        "about.html",
        title="关于数据",
        section="about.html",
        rules=rules,
        files_total=d.files_total,
        reports=len(d.reports),
        registered=registered,
        register_problems=[r for r in d.register if r.get("problem")],
        workbook=WORKBOOK,
        charts_js=False,
    )
