"""regions.html and region/<code>.html: the drill-down nation > province > city > county > the county's
departments and towns. Every level has its applications counted once within it (mart_region_total),
its coverage (who must report, who did, who never did) and its findings, the regions below it and
the organs at its own level with each year's verdict.

A page holds one level only (a province lists its cities and its own organs, not every organ in it),
so no page grows with the size of the country."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from pipelines.site import charts, labels
from pipelines.site.charts import Chart, Column
from pipelines.site.data import Finding, Organ, SiteData
from pipelines.site.files import csv_name
from pipelines.site.pages import grid
from pipelines.site.pages.common import ORGANS_PER_PAGE, organ_link
from pipelines.site.pages.quality import rule_page
from pipelines.site.render import Writer, clean

NATION_PAGE = "regions.html"
# Findings listed on a region page (its own organs' only); the rest are on the rule pages and in the
# workbook. A county of 150 organs has a few hundred.
FINDING_ROWS = 1000
LEVEL_NAMES = {"nation": "全国", "province": "省", "city": "市", "county": "县区"}
_RANK = {"error": 0, "warning": 1, "info": 2}

YEAR_COLUMNS = [
    Column("年度", "text"),
    Column("应报机关（个）", "int"),
    Column("已发布（个）", "int"),
    Column("缺报（个）", "int"),
    Column("其中从未发布（个）", "int"),
    Column("本年新收（件）", "int"),
    Column("办理结果合计（件）", "int"),
    Column("予以公开（件）", "int"),
    Column("不予公开（件）", "int"),
    Column("行政复议（件）", "int"),
    Column("行政诉讼（件）", "int"),
    Column("计入的报告（份）", "int"),
    Column("范围不明、未计入的报告（份）", "int"),
    Column("数字对不上的报告（份）", "int"),
    Column("问题（条）", "int"),
]
CHILD_COLUMNS = [
    Column("地区", "link"),
    Column("应报机关（个）", "int"),
    Column("已发布（个）", "int"),
    Column("缺报（个）", "int"),
    Column("其中从未发布（个）", "int"),
    Column("本年新收（件）", "int"),
    Column("数字对不上的报告（份）", "int"),
    Column("问题（条）", "int"),
]
RULE_COLUMNS = [Column("规则", "link"), Column("检查内容", "text"), Column("严重程度", "text")]
FINDING_COLUMNS = [
    Column("机关", "link"),
    Column("年度", "text"),
    Column("规则", "link"),
    Column("严重程度", "text"),
    Column("说明", "text"),
]


def region_page(code: str | None) -> str:
    return f"region/{code}.html" if code else NATION_PAGE


@dataclass
class Region:
    level: str
    code: str | None
    name: str
    parent: str | None
    government_id: str | None
    years: dict[int, dict[str, Any]] = field(default_factory=dict)
    children: list[Region] = field(default_factory=list)

    @property
    def page(self) -> str:
        return region_page(self.code)


def tree(d: SiteData) -> dict[str | None, Region]:
    """The regions of mart_region_total by code (the nation under None), each with its children."""
    regions: dict[str | None, Region] = {}
    for r in d.region_totals:
        code = r["region_code"]
        reg = regions.get(code)
        if reg is None:
            reg = regions[code] = Region(
                r["region_level"], code, r["region_name"], r["parent_code"], r["government_id"]
            )
        reg.years[r["year"]] = r
    for reg in regions.values():
        if reg.level == "nation":
            continue
        parent = regions.get(reg.parent) if reg.parent else regions.get(None)
        if parent is not None:
            parent.children.append(reg)
    for reg in regions.values():
        reg.children.sort(key=lambda c: c.code or "")
    return regions


def chain(regions: dict[str | None, Region], reg: Region) -> list[Region]:
    """The nation down to the region."""
    out = [reg]
    while out[-1].level != "nation":
        up = regions.get(out[-1].parent) if out[-1].parent else regions.get(None)
        if up is None or up in out:
            break
        out.append(up)
    return out[::-1]


def of_organ(o: Organ) -> str | None:
    """The most specific region page an organ belongs to: its county, city or province."""
    return o.county_code or o.city_code or o.province_code


def write(w: Writer, d: SiteData) -> None:
    regions = tree(d)
    if None not in regions:  # an empty warehouse: the nation's page still says so
        regions[None] = Region("nation", None, "全国", None, None)
    years = d.years
    look = grid.Lookup.of(d)
    own: dict[str | None, list[Organ]] = defaultdict(list)
    for o in d.organs.values():
        own[
            o.region_code if o.region_code in regions else (of_organ(o) if of_organ(o) in regions else None)
        ].append(o)
    by_rule = _findings_by_region(d)
    of_agency: dict[str, list[Finding]] = defaultdict(list)
    for f in d.findings:
        if f.report_id in d.reports:
            of_agency[d.reports[f.report_id].agency_id].append(f)
    for reg in regions.values():
        mine = own.get(reg.code, [])
        found = [f for o in mine for f in of_agency.get(o.agency_id, [])]
        _write_one(w, d, regions, reg, mine, years, look, by_rule, found)


def _findings_by_region(d: SiteData) -> dict[str | None, Counter[tuple[str, int]]]:
    """(rule, year) -> findings, for every region containing the finding's organ."""
    out: dict[str | None, Counter[tuple[str, int]]] = defaultdict(Counter)
    for f in d.findings:
        rep = d.reports.get(f.report_id)
        organ = d.organs.get(rep.agency_id) if rep else None
        if rep is None:
            continue
        codes = {None} | (
            {organ.province_code, organ.city_code, organ.county_code} - {None} if organ else set()
        )
        for code in codes:
            out[code][(f.rule_id, rep.year)] += 1
    return out


def _write_one(
    w: Writer,
    d: SiteData,
    regions: dict[str | None, Region],
    reg: Region,
    organs: list[Organ],
    years: list[int],
    look: grid.Lookup,
    by_rule: dict[str | None, Counter[tuple[str, int]]],
    found: list[Finding],
) -> None:
    root = "../" if reg.code else ""
    latest = max(reg.years) if reg.years else (years[-1] if years else None)
    now = reg.years.get(latest, {}) if latest is not None else {}
    crumbs = [[r.name, root + r.page] for r in chain(regions, reg)[:-1]]
    gov = d.organs.get(reg.government_id or "")
    kpis = [
        ("应报机关", f"{now.get('organs_expected', 0):,}", f"{latest or '—'} 年度", ""),
        ("已发布", f"{now.get('organs_published', 0):,}", f"{latest or '—'} 年度", ""),
        (
            "缺报",
            f"{now.get('organs_missing', 0):,}",
            f"其中从未发布 {now.get('organs_never_published', 0):,} 个、已不再发布 {now.get('organs_stopped', 0):,} 个",
            "#own",
        ),
        (
            "本年新收申请（件）",
            _num(now.get("new_received")),
            "每件只计一次：全区域报告与其下级机关的报告不重复相加",
            "#by-year",
        ),
        (
            "数字对不上的报告",
            f"{now.get('reports_failed', 0):,}",
            f"问题 {now.get('findings_fail', 0):,} 条",
            "#findings",
        ),
    ]
    # a county has a few hundred organs at most; the nation's own list (central organs and organs of no
    # known region) could grow past a page's size, so it is cut like the other lists of every organ
    own_rows = grid.rows(d, look, organs[:ORGANS_PER_PAGE], years, root)
    groups = _groups(reg, own_rows, organs)
    w.page(
        reg.page,
        "region.html",
        title=reg.name if reg.code else "地区",
        section=NATION_PAGE,
        region=reg,
        level_name=LEVEL_NAMES.get(reg.level, ""),
        crumbs=crumbs,
        government=[gov.name, root + gov.page] if gov else None,
        kpis=kpis,
        year_chart=_year_chart(reg, years),
        children=[_child_row(c, latest, root) for c in reg.children],
        child_columns=CHILD_COLUMNS,
        child_csv=csv_name(f"{reg.name}下级地区", [latest] if latest else [], "应报已报缺报"),
        years=years,
        groups=groups,
        own_rows=[row for _, rows in groups for row in rows],
        own_total=len(organs),
        own_shown=len(own_rows),
        legend=grid.LEGEND,
        own_csv=csv_name(f"{reg.name}本级机关报告情况", years),
        rules=_rule_rows(d, by_rule.get(reg.code, Counter()), years, root),
        rule_columns=[*RULE_COLUMNS, *(Column(str(y), "int") for y in years), Column("合计", "int")],
        rule_csv=csv_name(f"{reg.name}问题按规则和年度", years),
        findings=_finding_rows(d, found, root),
        findings_total=len(found),
        finding_columns=FINDING_COLUMNS,
        finding_csv=csv_name(f"{reg.name}本级机关的问题", years),
        finding_cap=FINDING_ROWS,
    )


def _num(v: Any) -> str:
    v = clean(v)
    return "—" if v is None else f"{v:,}"


def _child_row(c: Region, latest: int | None, root: str) -> list[Any]:
    r = c.years.get(latest, {}) if latest is not None else {}
    return [
        [c.name, root + c.page],
        r.get("organs_expected", 0),
        r.get("organs_published", 0),
        r.get("organs_missing", 0),
        r.get("organs_never_published", 0),
        clean(r.get("new_received")),
        r.get("reports_failed", 0),
        r.get("findings_fail", 0),
    ]


def _groups(
    reg: Region, rows: list[dict[str, Any]], organs: list[Organ]
) -> list[tuple[str, list[dict[str, Any]]]]:
    """The region's own organs: its government, its departments, its towns (a county), each by pinyin."""
    order = {"人民政府": 0, "部门": 1, "乡镇街道": 2}
    heads = {"人民政府": "人民政府", "部门": "政府部门", "乡镇街道": "乡镇、街道"}
    if reg.level == "nation":
        heads = {
            "人民政府": "国务院及未确定地区的政府",
            "部门": "中央机关及未确定地区的机关",
            "乡镇街道": "未确定地区的乡镇、街道",
        }
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by[row["kind"]].append(row)
    return [(heads.get(k, k), by[k]) for k in sorted(by, key=lambda k: (order.get(k, 9), k))]


def _year_chart(reg: Region, years: list[int]) -> Chart:
    def val(y: int, k: str) -> Any:
        return clean((reg.years.get(y) or {}).get(k))

    fig = charts.outcomes_by_year(years, val)
    rows = []
    for y in years:
        r = reg.years.get(y) or {}
        guessed = r.get("guessed_cells") or 0
        why = f"本年合计中有 {guessed:,} 个格是解析器推测的数值，请与原文核对" if guessed else None
        rows.append(
            [
                str(y),
                r.get("organs_expected", 0),
                r.get("organs_published", 0),
                r.get("organs_missing", 0),
                r.get("organs_never_published", 0),
                charts.marked(r.get("new_received"), why),
                charts.marked(
                    sum(clean(r.get(k)) or 0 for k, _ in labels.OUTCOMES)
                    if r.get("handled") is not None
                    else None,
                    why,
                ),
                charts.marked(r.get("granted"), why),
                charts.marked(r.get("denied"), why),
                charts.marked(r.get("review_total"), why),
                charts.marked(r.get("litigation_total"), why),
                r.get("reports_summed", 0),
                r.get("unknown_scope_reports", 0),
                r.get("reports_failed", 0),
                r.get("findings_fail", 0),
            ]
        )
    note = (
        f"{reg.name}范围内每件申请只计一次：全区域报告（县区政府汇总其部门和乡镇）与其下级机关的报告不重复相加，"
        "下级报告齐全时计下级报告，有缺报时计全区域报告；范围不明的报告不计入，单列。"
    )
    has = any(r[5] is not None for r in rows)
    return Chart(
        "by-year",
        f"{reg.name}各年度申请、办理结果和报告情况",
        fig if has else None,
        YEAR_COLUMNS,
        rows,
        csv_name(f"{reg.name}各年度申请和报告情况", years, "每件只计一次"),
        note=note,
        empty="这一地区还没有识别出表三的报告。",
    )


def _rule_rows(d: SiteData, counts: Counter[tuple[str, int]], years: list[int], root: str) -> list[list[Any]]:
    rules = sorted(
        {r for r, _ in counts}, key=lambda r: (_RANK.get(d.rules[r].severity if r in d.rules else "", 3), r)
    )
    out = []
    for r in rules:
        rule = d.rules.get(r)
        per = [counts.get((r, y), 0) for y in years]
        out.append(
            [
                [r, root + rule_page(r)],
                rule.title if rule else "",
                labels.severity(rule.severity if rule else None),
                *per,
                sum(per),
            ]
        )
    return out


def _finding_rows(d: SiteData, found: list[Finding], root: str) -> list[list[Any]]:
    found = sorted(
        found,
        key=lambda f: (
            _RANK.get(f.severity, 3),
            -d.reports[f.report_id].year,
            d.organs[d.reports[f.report_id].agency_id].name,
            f.rule_id,
            f.message,
        ),
    )
    out = []
    for f in found[:FINDING_ROWS]:
        rep = d.reports[f.report_id]
        out.append(
            [
                organ_link(d.organs.get(rep.agency_id), root, anchor=f"#y{rep.year}"),
                str(rep.year),
                [f.rule_id, root + rule_page(f.rule_id)],
                labels.severity(f.severity),
                f.message,
            ]
        )
    return out
