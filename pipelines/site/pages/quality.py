"""quality.html and rule/<rule>.html: whose numbers do not add up, by rule, by organ and by year,
and every finding of a rule on its own page (so no page grows with the number of rules)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from pipelines import catalogue
from pipelines.site import charts, labels
from pipelines.site.charts import Chart, Column
from pipelines.site.data import Finding, Guess, SiteData
from pipelines.site.files import csv_name
from pipelines.site.names import slug
from pipelines.site.pages.common import organ_link, rule_label
from pipelines.site.render import Writer, clean, fmt_num, plot_text
from pipelines.site.workbook import FILE as WORKBOOK
from pipelines.site.workbook import decided

TOP_ORGANS = 20
# The unchecked reports and the guessed cells are listed on pages of their own (unchecked.html,
# guessed.html), split like rule pages; quality.html shows the first rows.
LIST_ROWS_PER_PAGE = 2000
PREVIEW_ROWS = 50
# The table of organs with findings (~310 bytes a row; 10,598 organs, 3.3 MB, at national size):
# quality.html shows the organs with the most errors up to this many (~0.3 MB), and when there are
# more, the whole table goes on list pages of its own (organ-findings.html, split like the lists above).
ORGAN_ROWS = 1000
_RANK = {"error": 0, "warning": 1, "info": 2}
UNCHECKED_COLUMNS = [
    Column("机关", "link"),
    Column("年度", "text"),
    Column("未能核对的规则", "text"),
    Column("原因", "text"),
    Column("文件", "file"),
]
GUESSED_COLUMNS = [
    Column("机关", "link"),
    Column("年度", "text"),
    Column("推测的格（个）", "int"),
    Column("推测的数值与其他可能的读法", "text"),
    Column("文件", "file"),
]
# A rule page lists every finding, and a rule can fail on every cell of many reports (H-X1: about
# 2,300 rows, 1 MB, at 1,400 organs); beyond this many rows (~0.5 kB each) it is split into parts,
# so no page nears the 2 MB limit however large the corpus.
RULE_ROWS_PER_PAGE = 2000
# Identity issues are for whoever maintains data/aliases.csv: a sample, and counts for the rest.
IDENTITY_ROWS = 100

ORGAN_COLUMNS = [
    Column("机关", "link"),
    Column("问题（条）", "int"),
    Column("错误", "int"),
    Column("警告", "int"),
    Column("提示", "int"),
    Column("涉及年度（个）", "int"),
]
FINDING_COLUMNS = [
    Column("机关", "link"),
    Column("年度", "text"),
    Column("严重程度", "text"),
    Column("说明", "text"),
    Column("报告所印", "num"),
    Column("按规则应为", "num"),
    Column("差额", "num"),
    Column("文件", "file"),
    Column("案件编号", "text"),
    Column("状态", "text"),
    Column("处理意见", "text"),
    Column("经过", "text"),
]
RESOLVED_COLUMNS = [
    Column("机关", "link"),
    Column("年度", "text"),
    Column("案件编号", "text"),
    Column("说明（解决前）", "text"),
    Column("发现时间", "text"),
    Column("解决时间", "text"),
    Column("用时（天）", "int"),
    Column("处理意见", "text"),
    Column("经过", "text"),
]
RESOLVED_ROWS = 500
CASE_REGION_COLUMNS = [
    Column("地区", "text"),
    Column("年度", "text"),
    *(Column(f"{labels.CASE_STATES[s]}（条）", "int") for s in labels.CASE_STATE_ORDER),
    Column("合计（条）", "int"),
    Column("从发现到解决，中位数（天）", "num"),
]
DECISION_ISSUE_COLUMNS = [Column("行", "int"), Column("案件编号", "text"), Column("问题", "text")]
FILE_COLUMNS = [Column("文件", "file"), Column("情况", "text"), Column("技术原因", "text")]
IDENTITY_COLUMNS = [
    Column("问题", "text"),
    Column("机关名称", "text"),
    Column("说明", "text"),
    Column("文件", "file"),
]
IDENTITY_RULES = {rule.id: rule.zh for rule in catalogue.identity_rules().values()}


def rule_page(rule_id: str, part: int = 1) -> str:
    return f"rule/{slug(rule_id)}.html" if part == 1 else f"rule/{slug(rule_id)}-{part}.html"


def write(w: Writer, d: SiteData) -> None:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in d.findings:
        by_rule[f.rule_id].append(f)
    sev = Counter(f.severity for f in d.findings)
    failing_reports = {f.report_id for f in d.findings}
    unchecked = _unchecked_rows(d)
    guessed = _guessed_rows(d)
    kpis = [
        ("问题", f"{len(d.findings):,}", "未通过规则的条数"),
        ("数字对不上的报告", f"{len(failing_reports):,}", f"共 {len(d.reports):,} 份报告"),
        *((labels.severity(s), f"{sev[s]:,}", _SEVERITY_NOTES[s]) for s in labels.SEVERITY_ORDER),
        (
            "未能全部核对的报告",
            f"{len(unchecked):,}",
            "没有发现不符，但缺上年报告、下级报告或数字是推测的，有规则无法核对",
        ),
        ("推测的数值", f"{len(d.guesses):,}", f"原文数字连写、有几种读法的格，涉及 {len(guessed):,} 份报告"),
    ]
    organ_rows = _organ_rows(d)
    organ_shown = organ_rows[:ORGAN_ROWS]
    if len(organ_rows) > len(organ_shown):
        _write_list(
            w, ORGAN_LIST, ORGAN_TITLE, _ORGAN_LEAD, ORGAN_COLUMNS, organ_rows, d.years, **_ORGAN_LIST_WORDS
        )
    _write_list(w, "unchecked", "未能全部核对的报告", _UNCHECKED_LEAD, UNCHECKED_COLUMNS, unchecked, d.years)
    _write_list(w, "guessed", "推测的数值（按报告）", _GUESSED_LEAD, GUESSED_COLUMNS, guessed, d.years)
    w.page(
        "quality.html",
        "quality.html",
        title="数据质量",
        section="quality.html",
        rules_ran=d.rules_ran,
        kpis=kpis,
        charts=[_rule_chart(d, by_rule), _year_chart(d), _organ_chart(organ_rows, d.years)],
        organ_columns=ORGAN_COLUMNS,
        organ_csv=csv_name(
            ORGAN_TITLE,
            d.years,
            "全部机关" if organ_shown == organ_rows else f"问题最多的{len(organ_shown)}个机关",
        ),
        organ_rows=organ_shown,
        organ_total=len(organ_rows),
        organ_list=list_page(ORGAN_LIST),
        files=[[f, "文件无法读取", r] for f, r in d.quarantine]
        + [[u["file_name"], _unassigned_reason(u), ""] for u in d.unassigned],
        file_columns=FILE_COLUMNS,
        identity=_identity(d),
        identity_columns=IDENTITY_COLUMNS,
        identity_total=len(d.identity_issues),
        identity_counts=[
            (IDENTITY_RULES.get(r, r), n)
            for r, n in sorted(Counter(i["rule_id"] for i in d.identity_issues).items())
        ],
        unchecked=unchecked[:PREVIEW_ROWS],
        unchecked_total=len(unchecked),
        unchecked_columns=UNCHECKED_COLUMNS,
        guessed=guessed[:PREVIEW_ROWS],
        guessed_total=len(guessed),
        guessed_cells=len(d.guesses),
        guessed_columns=GUESSED_COLUMNS,
        case_chart=_case_chart(d),
        case_regions=_case_regions(d),
        case_region_columns=CASE_REGION_COLUMNS,
        case_region_csv=csv_name("问题的处理情况按地区和年度", d.years),
        case_total=len(d.cases),
        decision_issues=[[i["line"], i["case_id"] or "", i["problem_zh"]] for i in d.decision_issues],
        decision_issue_columns=DECISION_ISSUE_COLUMNS,
        workbook=WORKBOOK,
    )
    methods = {r.id: r for r in catalogue.load()}
    for rule_id in sorted(set(d.rules) | set(by_rule)):
        _write_rule(w, d, rule_id, by_rule.get(rule_id, []), methods.get(rule_id))


_SEVERITY_NOTES = {
    "error": "报告自相矛盾：表内合计与分项不符",
    "warning": "与上年报告、下级报告或常理不符",
    "info": "值得留意，未必是错误",
}


ORGAN_LIST = "organ-findings"
ORGAN_TITLE = "问题按机关统计"
_ORGAN_LEAD = (
    "至少有一份报告未通过规则的每个机关，及其问题的条数（按严重程度分列）。"
    "按错误条数排序，其次警告、提示；点机关名称看它各年度的报告和问题。"
)
_ORGAN_LIST_WORDS = {"unit": "个机关", "order": "按错误条数顺序", "what": "机关", "placeholder": "机关名称"}

_UNCHECKED_LEAD = (
    "这些报告没有发现不符之处，但至少有一条适用的规则无法核对：缺少上年的报告、缺少下级机关的报告、"
    "不能确定报告是否覆盖全区域，或者要核对的数字是解析器推测的。它们不能算作“通过”。"
    "（机关新成立、没有上年报告时，跨年规则不适用，不在此列。）"
)
_GUESSED_LEAD = (
    "原文把一行的几个数字连在一起印出、没有分隔时，解析器按表内勾稽关系选一种拆法，但不止一种拆法说得通。"
    "这些数值在各页都标有 ≈ 或虚线框；引用前请与原文核对。"
)


def _unchecked_rows(d: SiteData) -> list[list[Any]]:
    """Every current report whose verdict is unchecked, with the rules that could not be decided."""
    rows = []
    for rid, st in d.status.items():
        if st.status != "unchecked" or rid not in d.reports:
            continue
        rep = d.reports[rid]
        why = [r.partition("：") for r in st.reasons]
        rules = sorted({rule for rule, _, _ in why if rule.startswith(("T", "H", "D"))})
        rows.append(
            [
                organ_link(d.organs.get(rep.agency_id), "", anchor=f"#y{rep.year}"),
                str(rep.year),
                "、".join(rules),
                "；".join(dict.fromkeys(text.removeprefix("无法判断：") for _, _, text in why)),
                rep.file_name,
            ]
        )
    rows.sort(key=lambda r: (r[1], r[0][0], r[4]))
    return rows


def _guessed_rows(d: SiteData) -> list[list[Any]]:
    """One row per current report with guessed cells: each cell, the value taken, the other readings."""
    by_report: dict[str, list[Guess]] = defaultdict(list)
    for g in d.guesses:
        by_report[g.report_id].append(g)
    rows: list[list[Any]] = []
    for rid, gs in by_report.items():
        rep = d.reports.get(rid)
        if rep is None:
            continue
        parts = []
        for g in gs:
            row, col = d.cell_labels.get((g.cell_id, g.format), (g.cell_id, ""))
            value = "未读出" if g.value is None else fmt_num(g.value)
            other = (
                f"（也可能是 {'、'.join(g.readings[:5])}{' 等' if len(g.readings) > 5 else ''}）"
                if g.readings
                else ""
            )
            parts.append(f"{row}·{col} {value}{other}")
        rows.append(
            [
                organ_link(d.organs.get(rep.agency_id), "", anchor=f"#g{rep.year}"),
                str(rep.year),
                len(gs),
                "；".join(parts),
                rep.file_name,
            ]
        )
    rows.sort(key=lambda r: (str(r[1]), str(r[0][0]), str(r[4])))
    return rows


def list_page(stem: str, part: int = 1) -> str:
    return f"{stem}.html" if part == 1 else f"{stem}-{part}.html"


def _write_list(
    w: Writer,
    stem: str,
    title: str,
    lead: str,
    columns: list[Column],
    rows: list[list[Any]],
    years: list[int],
    unit: str = "份报告",
    order: str = "按年度顺序",
    what: str = "条目",
    placeholder: str = "机关名称、年度或文件名",
) -> None:
    """A full list on pages of its own, split like the rule pages; organ links are relative to the root.
    `unit` counts the rows, `order` says how the parts follow each other."""
    starts = list(range(0, len(rows), LIST_ROWS_PER_PAGE)) or [0]
    parts = [rows[i : i + LIST_ROWS_PER_PAGE] for i in starts]
    pager = (
        [
            {"label": f"第 {k} 部分（{len(p):,} 条）", "href": list_page(stem, k)}
            for k, p in enumerate(parts, start=1)
        ]
        if len(parts) > 1
        else []
    )
    for k, part_rows in enumerate(parts, start=1):
        w.page(
            list_page(stem, k),
            "list.html",
            title=title + (f"（第 {k} 部分）" if pager else ""),
            section="quality.html",
            heading=title,
            lead=lead,
            columns=columns,
            rows=part_rows,
            total=len(rows),
            part=k,
            pager=pager,
            unit=unit,
            order=order,
            what=what,
            placeholder=placeholder,
            csv=csv_name(title, years, f"第{k}部分" if pager else ""),
            charts_js=False,
        )


def _rule_chart(d: SiteData, by_rule: dict[str, list[Finding]]) -> Chart:
    # errors first, whatever the counts: a warning never pushes an error down the list
    order = sorted(by_rule, key=lambda r: (_RANK.get(_sev(d, r), 3), -len(by_rule[r]), r))
    rows = []
    for r in order:
        rule = d.rules.get(r)
        rows.append(
            [
                [r, rule_page(r)],
                rule.title if rule else "",
                labels.severity(rule.severity if rule else None),
                len(by_rule[r]),
                len({f.report_id for f in by_rule[r]}),
                d.not_assessable.get(r, 0),
            ]
        )
    cols = [
        Column("规则", "link"),
        Column("检查内容", "text"),
        Column("严重程度", "text"),
        Column("问题（条）", "int"),
        Column("未通过的报告（份）", "int"),
        Column("无法判断的报告（份）", "int"),
    ]
    fig = None
    if order:
        sev_of = {r: (d.rules[r].severity if r in d.rules else "warning") for r in order}
        fig = charts.hbars(
            [rule_label(d, r) for r in order],
            [
                (
                    labels.severity(s),
                    [len(by_rule[r]) if sev_of[r] == s else None for r in order],
                    charts.SEVERITY_COLORS[s],
                )
                for s in labels.SEVERITY_ORDER
                if s in sev_of.values()
            ],
            label_title="",
            value_title="问题（条）",
        )
        fig["layout"]["margin"]["l"] = 20
    return Chart(
        "by-rule",
        "按规则统计",
        fig,
        cols,
        rows,
        csv_name("问题按规则统计", d.years, "全部机关"),
        empty=_empty(d),
        note="点击规则编号查看该规则的全部问题。",
    )


def _year_chart(d: SiteData) -> Chart:
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for f in d.findings:
        counts[d.reports[f.report_id].year][f.severity] += 1
    years = [y for y in d.years if y in counts] if d.findings else []
    rows = [[str(y), *(counts[y][s] for s in labels.SEVERITY_ORDER), sum(counts[y].values())] for y in years]
    cols = [
        Column("年度", "text"),
        *(Column(f"{labels.severity(s)}（条）", "int") for s in labels.SEVERITY_ORDER),
        Column("合计（条）", "int"),
    ]
    fig = None
    if years:
        fig = charts.bars(
            charts.years_axis(years),
            [
                (labels.severity(s), [counts[y][s] for y in years], charts.SEVERITY_COLORS[s])
                for s in labels.SEVERITY_ORDER
            ],
            xtitle="年度",
            ytitle="问题（条）",
            stacked=True,
        )
    return Chart(
        "by-year",
        "按年度统计",
        fig,
        cols,
        rows,
        csv_name("问题按年度统计", d.years, "全部机关"),
        empty=_empty(d),
    )


def _sev(d: SiteData, rule_id: str) -> str:
    return d.rules[rule_id].severity if rule_id in d.rules else "warning"


def _organ_rows(d: SiteData) -> list[list[Any]]:
    per: dict[str, Counter[str]] = defaultdict(Counter)
    years: dict[str, set[int]] = defaultdict(set)
    for f in d.findings:
        rep = d.reports[f.report_id]
        per[rep.agency_id][f.severity] += 1
        years[rep.agency_id].add(rep.year)
    # errors first, then warnings, then notes: many warnings never push an organ with errors out of the top
    order = sorted(
        per,
        key=lambda a: (
            *(-per[a][s] for s in labels.SEVERITY_ORDER),
            d.organs[a].name if a in d.organs else a,
            a,
        ),
    )
    return [
        [
            organ_link(d.organs.get(a), ""),
            sum(per[a].values()),
            *(per[a][s] for s in labels.SEVERITY_ORDER),
            len(years[a]),
        ]
        for a in order
    ]


def _organ_chart(organ_rows: list[list[Any]], years: list[int]) -> Chart:
    top = organ_rows[:TOP_ORGANS]
    fig = None
    if top:
        names = [plot_text(f"{i}. {r[0][0]}") for i, r in enumerate(top, start=1)]
        fig = charts.hbars(
            names,
            [
                (labels.severity(s), [r[2 + k] or None for r in top], charts.SEVERITY_COLORS[s])
                for k, s in enumerate(labels.SEVERITY_ORDER)
            ],
            label_title="",
            value_title="问题（条）",
        )
        fig["layout"]["margin"]["l"] = 20
    return Chart(
        "by-organ",
        f"错误和问题最多的 {len(top)} 个机关" if top else "按机关统计",
        fig,
        ORGAN_COLUMNS,
        top,
        csv_name(f"问题最多的{len(top)}个机关", years),
        empty="没有机关的报告未通过检查。",
        note="按错误条数排序，其次警告、提示。全部机关见下方“按机关统计”。",
    )


def _case_chart(d: SiteData) -> Chart:
    """Cases by year and state, with the time from first seen to resolved."""
    by: dict[int, Counter[str]] = defaultdict(Counter)
    days: dict[int, list[int]] = defaultdict(list)
    for c in d.cases.values():
        by[c.year][c.state] += 1
        if c.days_to_resolve is not None:
            days[c.year].append(c.days_to_resolve)
    years = sorted(by)
    rows = []
    for y in years:
        took = sorted(days[y])
        rows.append(
            [
                str(y),
                *(by[y][s] for s in labels.CASE_STATE_ORDER),
                sum(by[y].values()),
                clean(round(sum(took) / len(took), 1)) if took else None,
                clean(_median(took)),
            ]
        )
    cols = [
        Column("年度", "text"),
        *(Column(f"{labels.CASE_STATES[s]}（条）", "int") for s in labels.CASE_STATE_ORDER),
        Column("合计（条）", "int"),
        Column("从发现到解决，平均（天）", "num"),
        Column("从发现到解决，中位数（天）", "num"),
    ]
    fig = None
    if years:
        fig = charts.bars(
            charts.years_axis(years),
            [
                (labels.CASE_STATES[s], [by[y][s] for y in years], _STATE_COLORS[s])
                for s in labels.CASE_STATE_ORDER
            ],
            xtitle="报告年度",
            ytitle="问题（条）",
            stacked=True,
        )
    return Chart(
        "cases-by-year",
        "问题的处理情况（按报告年度）",
        fig,
        cols,
        rows,
        csv_name("问题的处理情况", years),
        note="每一条问题是一个案件（机关、年度、规则和位置），夜间重新检查时编号不变。待处理：尚无处理意见；"
        "已核实并告知机关、机关已说明、误报：工作人员的处理意见；已解决：机关更正后重新发布，现行报告不再违反规则；"
        "重新打开：解决后再次出现，或作出处理意见时的数字已经改变。",
        empty="还没有发现过问题。",
    )


_STATE_COLORS = {
    "open": "#c62828",
    "reopened": "#ad1457",
    "confirmed": "#ef6c00",
    "explained": "#8d6e63",
    "false_alarm": "#90a4ae",
    "resolved": "#2e7d32",
}


def _median(values: list[int]) -> float | None:
    if not values:
        return None
    n = len(values)
    return (values[(n - 1) // 2] + values[n // 2]) / 2


def _case_regions(d: SiteData) -> list[list[Any]]:
    """Cases by region (province and city), year and state, with the median days from first seen to
    resolved: the region's latest year first."""
    by: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
    days: dict[tuple[str, int], list[int]] = defaultdict(list)
    for c in d.cases.values():
        organ = d.organs.get(c.agency_id)
        key = (labels.region(organ.province, organ.city) if organ else labels.UNKNOWN, c.year)
        by[key][c.state] += 1
        if c.days_to_resolve is not None:
            days[key].append(c.days_to_resolve)
    return [
        [
            region,
            str(year),
            *(by[region, year][s] for s in labels.CASE_STATE_ORDER),
            sum(by[region, year].values()),
            clean(_median(sorted(days[region, year]))),
        ]
        for region, year in sorted(by, key=lambda k: (k[0] == labels.UNKNOWN, k[0], -k[1]))
    ]


def _empty(d: SiteData) -> str:
    return "一致性检查尚未运行。" if not d.rules_ran else "所有报告都通过了一致性检查。"


def _unassigned_reason(u: dict[str, Any]) -> str:
    missing = [w for w, v in (("机关名称", u["agency_name"]), ("统计年度", u["year"])) if v is None]
    return "已读取，但未能识别" + "和".join(missing) + "，未计入各项统计"


def _identity(d: SiteData) -> list[list[Any]]:
    return [
        [IDENTITY_RULES.get(i["rule_id"], i["rule_id"]), i["name"] or "", i["message"], i["file_name"]]
        for i in d.identity_issues[:IDENTITY_ROWS]
    ]


def _history(d: SiteData, case_id: str) -> str:
    """A case's history in one cell: each change with its time (the organ page folds the same list)."""
    return "；".join(
        f"{at} {event}" + (f"（{detail}）" if detail else "")
        for at, event, detail in labels.case_history(d.case_events.get(case_id, []))
    )


def _write_rule(
    w: Writer, d: SiteData, rule_id: str, findings: list[Finding], method: catalogue.Rule | None = None
) -> None:
    rule = d.rules.get(rule_id)
    rows, years = [], []
    order = sorted(
        findings,
        key=lambda f: (_RANK.get(f.severity, 3), d.reports[f.report_id].year, _organ_name(d, f), f.message),
    )
    for f in order:
        rep = d.reports[f.report_id]
        years.append(rep.year)
        case = d.cases.get((rep.agency_id, rep.year, f.rule_id, f.instance))
        rows.append(
            [
                organ_link(d.organs.get(rep.agency_id), "../", anchor=f"#y{rep.year}"),
                str(rep.year),
                labels.severity(f.severity),
                f.message,
                "空白" if f.actual_blank else clean(f.actual),
                clean(f.expected),
                clean(f.diff),
                f.source_file,
                case.case_id if case else "",
                labels.case_state(case.state) if case else "",
                decided(case),
                _history(d, case.case_id) if case else "",
            ]
        )
    resolved = sorted(
        (c for c in d.cases.values() if c.rule_id == rule_id and c.status == "resolved"),
        key=lambda c: (c.status_since, c.year, c.case_id),
        reverse=True,
    )
    resolved_rows = [
        [
            organ_link(d.organs.get(c.agency_id), "../", anchor=f"#y{c.year}"),
            str(c.year),
            c.case_id,
            c.message,
            c.first_seen,
            c.status_since,
            c.days_to_resolve,
            decided(c),
            _history(d, c.case_id),
        ]
        for c in resolved[:RESOLVED_ROWS]
    ]
    starts = list(range(0, len(rows), RULE_ROWS_PER_PAGE)) or [0]
    parts = [(rows[i : i + RULE_ROWS_PER_PAGE], years[i : i + RULE_ROWS_PER_PAGE]) for i in starts]
    pager = (
        [
            {
                "label": f"第 {k} 部分（{_span(ys)}，{len(rs):,} 条）",
                "href": rule_page(rule_id, k)[len("rule/") :],
            }
            for k, (rs, ys) in enumerate(parts, start=1)
        ]
        if len(parts) > 1
        else []
    )
    for k, (part_rows, part_years) in enumerate(parts, start=1):
        w.page(
            rule_page(rule_id, k),
            "rule.html",
            title=f"规则 {rule_id}" + (f"（第 {k} 部分）" if pager else ""),
            section="quality.html",
            rule_id=rule_id,
            rule_title=rule.title if rule else "",
            severity=rule.severity if rule else "",
            severity_label=labels.severity(rule.severity if rule else None),
            columns=FINDING_COLUMNS,
            rows=part_rows,
            total=len(rows),
            part=k,
            pager=pager,
            reports=len({f.report_id for f in findings}),
            not_assessable=d.not_assessable.get(rule_id, 0),
            method=_method(method),
            resolved=resolved_rows if k == 1 else [],
            resolved_total=len(resolved),
            resolved_columns=RESOLVED_COLUMNS,
            csv=csv_name(f"规则{rule_id}问题清单", part_years, f"第{k}部分" if pager else ""),
            charts_js=False,
        )


def _method(rule: catalogue.Rule | None) -> list[tuple[str, str]]:
    """The rule's method as its page lists it (expectations/rules.yaml)."""
    if rule is None:
        return []
    return [
        (head, text)
        for head, text in (
            ("依据", rule.basis_zh),
            ("通过", rule.passes_zh),
            ("不通过", rule.fails_zh),
            ("无法判断", rule.undecided_zh),
        )
        if text
    ]


def _span(years: list[int]) -> str:
    return f"{years[0]} 年" if years[0] == years[-1] else f"{years[0]}–{years[-1]} 年"


def _organ_name(d: SiteData, f: Finding) -> str:
    organ = d.organs.get(d.reports[f.report_id].agency_id)
    return organ.name if organ else ""
