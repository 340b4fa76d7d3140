"""compare.html: every organ-year's rates in one embedded JSON, filtered, ranked and binned in the
browser (static/compare.js), so the page works from a file:// folder with no server behind it."""

from __future__ import annotations

from typing import Any

from pipelines.site import labels
from pipelines.site.data import SiteData
from pipelines.site.render import Writer, clean, pct

# Per metric: the mart column, its label, how it is computed, and the numerator and denominator
# columns the table shows beside it (None for a count).
METRICS: tuple[dict[str, Any], ...] = (
    {"key": "grant_rate_resolvable", "num": "granted", "den": "resolvable"},
    {"key": "granted_share", "num": "granted", "den": "handled"},
    {"key": "denied_share", "num": "denied", "den": "handled"},
    {"key": "review_corrected_share", "num": "review_corrected", "den": "review_total"},
    {"key": "litigation_corrected_share", "num": "litigation_corrected", "den": "litigation_total"},
    {"key": "new_received", "num": None, "den": None},
)
COUNT_COLUMNS = ("new_received", "handled", "granted", "resolvable", "denied", "review_total", "review_corrected",
                 "litigation_total", "litigation_corrected")
COUNT_LABELS = {
    "new_received": "本年新收", "handled": "办理结果总计", "granted": "予以公开", "denied": "不予公开",
    "resolvable": "可作实体答复（总计 − 不予处理 − 其他处理）", "review_total": "行政复议总计",
    "review_corrected": "行政复议结果纠正", "litigation_total": "行政诉讼总计", "litigation_corrected": "行政诉讼结果纠正",
}


def payload(d: SiteData) -> dict[str, Any]:
    described = {k: (name, how) for k, name, how in (*labels.RATES, *labels.COUNTS)}
    index: dict[str, int] = {}
    organs: list[list[Any]] = []
    for agency_id, o in d.organs.items():
        index[agency_id] = len(organs)
        organs.append([o.name, o.level or "", o.sector or "", o.province or "", o.city or "", o.page])
    rates = [m["key"] for m in METRICS if m["num"] is not None]
    rows = []
    for r in d.organ_years:
        if r["agency_id"] not in index:
            continue
        rows.append([index[r["agency_id"]], r["year"], *(clean(r[c]) for c in COUNT_COLUMNS),
                     *(pct(r[k]) for k in rates)])
    return {
        "columns": ["organ", "year", *COUNT_COLUMNS, *rates],
        "organs": organs,
        "rows": rows,
        "metrics": [{**m, "label": described[m["key"]][0], "how": described[m["key"]][1],
                     "rate": m["num"] is not None} for m in METRICS],
        "count_labels": COUNT_LABELS,
        "levels": [[k, v] for k, v in labels.LEVELS.items()],
        "sectors": sorted(([s, labels.sector(s)] for s in {o.sector for o in d.organs.values() if o.sector}),
                          key=lambda kv: (kv[0] in ("government", "other"), kv[1], kv[0])),
        "unknown": labels.UNKNOWN,
    }


def write(w: Writer, d: SiteData) -> None:
    w.page("compare.html", "compare.html", title="机关比较", section="compare.html", data=payload(d),
           years=d.years)
