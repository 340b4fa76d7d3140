"""index.html: who reported, what arrived last, what changed, and how many reports fail which rule."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from pipelines.site import charts, labels
from pipelines.site.charts import Chart, Column
from pipelines.site.data import SiteData
from pipelines.site.files import csv_name
from pipelines.site.pages.common import findings_by_report, organ_link, rule_label
from pipelines.site.render import Writer, clean

# Enough rows to act on in the morning; the full lists are on the other pages.
RECENT_ROWS = 15
CHANGE_ROWS = 10
RECENT_COLUMNS = [
    Column("机关", "link"),
    Column("年度", "text"),
    Column("文件", "file"),
    Column("问题（条）", "int"),
    Column("检查结果", "text"),
]
CHANGE_COLUMNS = [
    Column("机关", "link"),
    Column("报告范围", "text"),
    Column("上年新收（件）", "int"),
    Column("本年新收（件）", "int"),
    Column("增减（件）", "int"),
    Column("增减幅度", "pct"),
    Column("推测数值", "text"),
]
# The order the recent reports are listed in: what needs attention first.
_RANK = {"error": 0, "warning": 1, "info": 2}


def write(w: Writer, d: SiteData) -> None:
    years = d.years
    published = sum(1 for r in d.coverage if r["status"] == "published")
    missing = sum(1 for r in d.coverage if r["status"] == "missing")  # not a year still open
    failing = findings_by_report(d)
    changes, regions = _changes(d)
    w.page(
        "index.html",
        "overview.html",
        title="概览",
        section="index.html",
        kpis=_kpis(d, published, missing, failing),
        charts=[reports_chart(d, years), _outcomes_chart(d, years), _rules_chart(d, failing)],
        recent=_recent(d, failing),
        recent_total=len(d.latest_load),
        recent_columns=RECENT_COLUMNS,
        changes=changes,
        region_changes=regions,
        change_columns=CHANGE_COLUMNS,
        change_year=max(years) if years else None,
    )


def _kpis(
    d: SiteData, published: int, missing: int, failing: dict[str, Any]
) -> list[tuple[str, str, str, str]]:
    years = d.years
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "—")
    errors = sum(1 for fs in failing.values() if any(f.severity == "error" for f in fs))
    unchecked = sum(1 for st in d.status.values() if st.status == "unchecked")
    state = {r["agency_id"]: r.get("organ_status") for r in d.coverage}
    never = sum(1 for s in state.values() if s == "never")
    stopped = sum(1 for s in state.values() if s == "stopped")
    return [
        (
            "报告机关",
            f"{sum(1 for o in d.organs.values() if o.has_reports):,}",
            f"年度 {span}",
            "organs.html",
        ),
        ("年度报告", f"{published:,}", f"每个机关每年一份；共入库文件 {d.files_total:,} 个", "coverage.html"),
        (
            "缺报",
            f"{missing:,}",
            f"应报而未见报告的机关年度；{never:,} 个名册所列机关从未发布，{stopped:,} 个机关已不再发布",
            "coverage.html#cov-only=1",
        ),
        ("数字对不上的报告", f"{len(failing):,}", f"其中 {errors:,} 份自相矛盾（错误级）", "quality.html"),
        (
            "待处理的错误",
            f"{sum(1 for c in d.cases.values() if c.severity == 'error' and c.state in ('open', 'reopened')):,}",
            f"错误级问题中尚无处理意见、也未更正的（含重新打开的）；共 {len(d.cases):,} 条问题，"
            f"已解决 {sum(1 for c in d.cases.values() if c.state == 'resolved'):,} 条",
            "quality.html#cases",
        ),
        (
            "未能全部核对的报告",
            f"{unchecked:,}",
            "没有不符之处，但缺上年或下级报告、或有推测的数值，部分规则无法核对",
            "quality.html#unchecked",
        ),
        (
            "未计入统计的文件",
            f"{len(d.quarantine) + len(d.unassigned):,}",
            "无法读取，或认不出机关、年度",
            "quality.html#files",
        ),
    ]


def reports_chart(d: SiteData, years: list[int]) -> Chart:
    counts: dict[str, Counter[int]] = {"published": Counter(), "missing": Counter(), "not_due": Counter()}
    for r in d.coverage:
        counts[r["status"]][r["year"]] += 1
    pub, miss, open_ = counts["published"], counts["missing"], counts["not_due"]
    series = [
        ("已发布", [pub[y] for y in years], charts.PUBLISHED),
        ("缺报", [miss[y] for y in years], charts.MISSING),
    ]
    columns = [Column("年度", "text"), Column("已发布（份）", "int"), Column("缺报（份）", "int")]
    note = "应报机关：应报名册（data/register.csv）所列该年度应报的机关，和该年度以前发布过报告的机关。缺报：应报、该年度未见报告。"
    if open_:  # a year whose reports are still coming in (due by 31 January of the next year)
        series.append(("报告期限未到", [open_[y] for y in years], charts.NOT_DUE))
        columns.append(Column("报告期限未到（个）", "int"))
        note += "报告期限未到：该年度报告的期限（次年 1 月 31 日）还没到，尚未入库的不计缺报。"
    columns.append(Column("应报机关（个）", "int"))
    fig = charts.bars(charts.years_axis(years), series, xtitle="年度", ytitle="报告（份）", stacked=True)
    rows = [[y, pub[y], miss[y], *([open_[y]] if open_ else []), pub[y] + miss[y] + open_[y]] for y in years]
    return Chart(
        "reports-by-year",
        "各年度报告发布情况",
        fig,
        columns,
        rows,
        csv_name("各年度报告发布情况", years, "全部机关"),
        note=note,
    )


def _outcomes_chart(d: SiteData, years: list[int]) -> Chart:
    """The year totals of mart_year_total: each application counted once (a region report and its
    subordinates' reports are never both added), reports of unknown scope apart."""
    totals = {r["year"]: r for r in d.year_totals if r["province"] is None}

    def val(y: int, k: str) -> float:
        return (totals.get(y) or {}).get(k) or 0

    fig = charts.outcomes_by_year(years, val)
    rows = []
    for y in years:
        t = totals.get(y) or {}
        guessed = t.get("guessed_cells") or 0
        why = (
            f"本年合计中有 {guessed:,} 个格是解析器推测的数值（原文数字连写），请与原文核对"
            if guessed
            else None
        )
        rows.append(
            [
                y,
                charts.marked(val(y, "new_received"), why),
                *(charts.marked(val(y, k), why) for k, _ in labels.OUTCOMES),
                charts.marked(sum(val(y, k) for k, _ in labels.OUTCOMES), why),
                t.get("reports_summed") or 0,
                t.get("region_reports_summed") or 0,
                t.get("unknown_scope_reports") or 0,
                clean(t.get("unknown_scope_new_received")),
                guessed,
            ]
        )
    cols = [
        Column("年度", "text"),
        Column("本年新收（件）", "int"),
        *(Column(f"{name}（件）", "int") for _, name in labels.OUTCOMES),
        Column("办理结果合计（件）", "int"),
        Column("计入的报告（份）", "int"),
        Column("其中代表下级的全区域报告（份）", "int"),
        Column("范围不明、未计入的报告（份）", "int"),
        Column("范围不明报告的新收（件）", "int"),
        Column("合计中的推测数值（格）", "int"),
    ]
    unknown = sum(r[-4] for r in rows)
    note = (
        "每件申请只计一次：全区域报告（县区政府汇总其部门和乡镇的报告）与其下级机关的报告不重复相加——"
        "下级报告齐全时计下级报告，有缺报时计全区域报告。柱：表三办理结果各项；线：本年新收申请。只计识别出表三的报告。"
    )
    if unknown:
        note += f"另有 {unknown:,} 份报告不能确定是否包括下级机关的数字，未计入合计，见数据表。"
    if any(r[-1] for r in rows):
        note += "标 ≈ 的年度合计含解析器推测的数值。"
    return Chart(
        "outcomes-by-year",
        "各年度政府信息公开申请及办理结果（全部机关，每件申请只计一次）",
        fig,
        cols,
        rows,
        csv_name("各年度申请及办理结果", years, "全部机关", "每件只计一次"),
        note=note,
    )


def _rules_chart(d: SiteData, failing: dict[str, list[Any]]) -> Chart:
    reports: dict[str, set[str]] = defaultdict(set)
    count: Counter[str] = Counter()
    for fs in failing.values():
        for f in fs:
            reports[f.rule_id].add(f.report_id)
            count[f.rule_id] += 1
    # errors first, whatever the counts: a warning never pushes an error down the list
    order = sorted(reports, key=lambda r: (_RANK.get(_sev(d, r), 3), -len(reports[r]), r))
    rows = [
        [r, d.rules[r].title if r in d.rules else "", labels.severity(_sev(d, r)), len(reports[r]), count[r]]
        for r in order
    ]
    cols = [
        Column("规则", "text"),
        Column("检查内容", "text"),
        Column("严重程度", "text"),
        Column("未通过的报告（份）", "int"),
        Column("问题（条）", "int"),
    ]
    fig = None
    if order:
        fig = charts.hbars(
            [rule_label(d, r) for r in order],
            [
                (
                    labels.severity(s),
                    [len(reports[r]) if _sev(d, r) == s else None for r in order],
                    charts.SEVERITY_COLORS[s],
                )
                for s in labels.SEVERITY_ORDER
                if any(_sev(d, r) == s for r in order)
            ],
            label_title="",
            value_title="未通过的报告（份）",
        )
        fig["layout"]["margin"]["l"] = 20
    empty = "一致性检查尚未运行。" if not d.rules_ran else "所有报告都通过了一致性检查。"
    return Chart(
        "rules-failed",
        "各项一致性规则未通过的报告数",
        fig,
        cols,
        rows,
        csv_name("各规则未通过的报告", d.years, "全部机关"),
        empty=empty,
        note="一份报告同一规则可能有多处不符（“问题”条数）。详见数据质量页。",
    )


def _sev(d: SiteData, rule_id: str) -> str:
    return d.rules[rule_id].severity if rule_id in d.rules else "warning"


def _recent(d: SiteData, failing: dict[str, list[Any]]) -> list[list[Any]]:
    """The reports of the latest load: errors first, then warnings, notes, the unchecked, the passed."""
    rows = []

    def rank(rid: str) -> tuple[Any, ...]:
        st = d.status.get(rid)
        worst = min((_RANK.get(f.severity, 3) for f in failing.get(rid, [])), default=3)
        unchecked = st is not None and st.status == "unchecked"
        return (worst, not unchecked, d.reports[rid].agency_id, d.reports[rid].year)

    for rid in sorted(d.latest_load, key=rank)[:RECENT_ROWS]:
        rep = d.reports[rid]
        organ = d.organs.get(rep.agency_id)
        fs = failing.get(rid, [])
        rows.append(
            [
                organ_link(organ, "", anchor=f"#y{rep.year}"),
                str(rep.year),
                rep.file_name,
                len(fs),
                verdict(d, rid),
            ]
        )
    return rows


def verdict(d: SiteData, report_id: str) -> str:
    """What a report's check says in a table cell: 通过 only when every rule that applies was decided."""
    st = d.status.get(report_id)
    if st is None:
        return "尚未检查" if not d.rules_ran else labels.status("unchecked")
    if st.status == "failed" and st.worst:
        return f"{labels.status('failed')}（{labels.severity(st.worst)}）"
    return labels.status(st.status)


def _changes(d: SiteData) -> tuple[list[list[Any]], list[list[Any]]]:
    """The organs whose applications received moved most against their own previous year: single
    organs, and apart from them the region reports (which sum many organs)."""
    if not d.organ_years:
        return [], []
    latest = max(r["year"] for r in d.organ_years)
    prev = {r["agency_id"]: r for r in d.organ_years if r["year"] == latest - 1}
    moves: dict[bool, list[tuple[Any, ...]]] = {True: [], False: []}
    for r in d.organ_years:
        before = prev.get(r["agency_id"])
        if (
            r["year"] != latest
            or r["new_received"] is None
            or before is None
            or before["new_received"] is None
        ):
            continue
        region = r.get("report_scope") == "region" or before.get("report_scope") == "region"
        moves[region].append((-abs(r["new_received"] - before["new_received"]), r["agency_id"], before, r))
    out: dict[bool, list[list[Any]]] = {}
    for region, found in moves.items():
        found.sort(key=lambda m: (m[0], m[1]))
        rows = []
        for _, agency_id, before, now in found[:CHANGE_ROWS]:
            a, b = before["new_received"], now["new_received"]
            guessed = [
                str(y)
                for y, row in ((latest - 1, before), (latest, now))
                if "new_received" in (row.get("guessed_measures") or ())
            ]
            rows.append(
                [
                    organ_link(d.organs.get(agency_id), ""),
                    labels.scope(now.get("report_scope")),
                    clean(a),
                    clean(b),
                    clean(b - a),
                    clean(round((b - a) / a * 100, 1)) if a else None,
                    ("、".join(guessed) + " 年含推测数值") if guessed else "",
                ]
            )
        out[region] = rows
    return out[False], out[True]
