"""compare.html: every organ-year's rates in one embedded JSON, filtered, ranked and binned in the
browser (static/compare.js), so the page works from a file:// folder with no server behind it.

Beyond common.ORGANS_PER_PAGE organs the data is split by region: compare/<region>.html compares the
organs of one region, and compare.html the national and provincial organs, with links to the regions."""

from __future__ import annotations

from typing import Any

from pipelines.site import labels
from pipelines.site.charts import Column
from pipelines.site.data import Organ, Row, SiteData
from pipelines.site.pages.common import organ_years_by_organ, partition
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
COUNT_COLUMNS = (
    "new_received",
    "handled",
    "granted",
    "resolvable",
    "denied",
    "review_total",
    "review_corrected",
    "litigation_total",
    "litigation_corrected",
)
COUNT_LABELS = {
    "new_received": "本年新收",
    "handled": "办理结果总计",
    "granted": "予以公开",
    "denied": "不予公开",
    "resolvable": "可作实体答复（总计 − 不予处理 − 其他处理）",
    "review_total": "行政复议总计",
    "review_corrected": "行政复议结果纠正",
    "litigation_total": "行政诉讼总计",
    "litigation_corrected": "行政诉讼结果纠正",
}


# The organs compare.html keeps when the comparison is split by region.
TOP_LEVELS = ("national", "province")
PART_COLUMNS = [Column("地区", "link"), Column("机关（个）", "int")]


def payload(
    d: SiteData,
    organs_in: list[Organ] | None = None,
    root: str = "",
    by_organ: dict[str, list[Row]] | None = None,
) -> dict[str, Any]:
    described = {k: (name, how) for k, name, how in (*labels.RATES, *labels.COUNTS)}
    index: dict[str, int] = {}
    organs: list[list[Any]] = []
    for o in list(d.organs.values()) if organs_in is None else organs_in:
        if not o.has_reports:  # a registered organ that never published has nothing to compare
            continue
        index[o.agency_id] = len(organs)
        organs.append(
            [
                o.name,
                o.level or "",
                o.sector or "",
                o.province or "",
                o.city or "",
                root + o.page,
                o.county or "",
            ]
        )
    rates = [m["key"] for m in METRICS if m["num"] is not None]
    rows = []
    # organ_years is ordered by organ and year: the rows of the organs shown, in that order
    by_organ = organ_years_by_organ(d) if by_organ is None else by_organ
    for r in (r for agency_id in sorted(index) for r in by_organ.get(agency_id, ())):
        rows.append(
            [
                index[r["agency_id"]],
                r["year"],
                *(clean(r[c]) for c in COUNT_COLUMNS),
                *(pct(r[k]) for k in rates),
                # region reports sum many organs: ranked apart from single organs
                r.get("report_scope") or "unknown",
                labels.guessed_in(r.get("guessed_measures"), (*COUNT_COLUMNS, *rates)),
            ]
        )
    return {
        "columns": ["organ", "year", *COUNT_COLUMNS, *rates, "scope", "guessed"],
        "scopes": [[k, v] for k, v in labels.SCOPES.items()],
        "guessed_note": labels.GUESSED,
        "organs": organs,
        "rows": rows,
        "metrics": [
            {
                **m,
                "label": described[m["key"]][0],
                "how": described[m["key"]][1],
                "rate": m["num"] is not None,
            }
            for m in METRICS
        ],
        "count_labels": COUNT_LABELS,
        "levels": [[k, v] for k, v in labels.LEVELS.items()],
        "sectors": sorted(
            ([s, labels.sector(s)] for s in {row[2] for row in organs if row[2]}),
            key=lambda kv: (kv[0] in ("government", "other"), kv[1], kv[0]),
        ),
        "unknown": labels.UNKNOWN,
    }


def write(w: Writer, d: SiteData) -> None:
    parts = partition(d.organs.values())
    if parts is None:
        w.page(
            "compare.html",
            "compare.html",
            title="机关比较",
            section="compare.html",
            data=payload(d),
            years=d.years,
        )
        return
    by_organ = organ_years_by_organ(d)
    for p in parts:
        w.page(
            p.page("compare"),
            "compare.html",
            title=f"机关比较 · {p.label}",
            section="compare.html",
            data=payload(d, list(p.organs), "../", by_organ),
            years=d.years,
            part_label=p.label,
        )
    top = [o for o in d.organs.values() if o.level in TOP_LEVELS]
    w.page(
        "compare.html",
        "compare.html",
        title="机关比较",
        section="compare.html",
        data=payload(d, top, by_organ=by_organ),
        years=d.years,
        parts=[[[p.label, p.page("compare")], len(p.organs)] for p in parts],
        part_columns=PART_COLUMNS,
        organs_total=len(d.organs),
        top_total=len(top),
    )
