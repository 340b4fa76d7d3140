"""The synthetic administrative hierarchy: provinces → cities → districts/counties → their bureaus,
government offices and townships, with printed names and sector codes.

Place names are real-looking (real provinces, cities and counties with their division codes), the
organs and every number attached to them are invented. Capacity is a few thousand organs; beyond
the listed counties, further counties get generated names, so any `--organs N` can be served.

Organs are emitted in *units*: a county unit is its government followed by the organs whose
reports its region report sums (office, bureaus, townships); a city unit follows its counties.
`build(n)` takes units in that order and cuts the last one short, so a small N still yields a
complete region (the sample corpus: a district government and five of its bureaus).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# province (name, code, short name for web domains), its cities (name, code, counties (name, code))
_GEO: tuple[tuple[str, str, str, tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]], ...] = (
    (
        "江苏省",
        "32",
        "jiangsu",
        (
            (
                "盐城市",
                "09",
                (
                    ("盐都区", "03"),
                    ("亭湖区", "02"),
                    ("大丰区", "04"),
                    ("响水县", "21"),
                    ("滨海县", "22"),
                    ("阜宁县", "23"),
                    ("射阳县", "24"),
                    ("建湖县", "25"),
                    ("东台市", "81"),
                ),
            ),
            (
                "泰州市",
                "12",
                (
                    ("海陵区", "02"),
                    ("高港区", "03"),
                    ("姜堰区", "04"),
                    ("兴化市", "81"),
                    ("靖江市", "82"),
                    ("泰兴市", "83"),
                ),
            ),
            (
                "连云港市",
                "07",
                (
                    ("连云区", "03"),
                    ("海州区", "06"),
                    ("赣榆区", "07"),
                    ("东海县", "22"),
                    ("灌云县", "23"),
                    ("灌南县", "24"),
                ),
            ),
        ),
    ),
    (
        "福建省",
        "35",
        "fujian",
        (
            (
                "莆田市",
                "03",
                (("城厢区", "02"), ("涵江区", "03"), ("荔城区", "04"), ("秀屿区", "05"), ("仙游县", "22")),
            ),
            (
                "三明市",
                "04",
                (
                    ("三元区", "04"),
                    ("沙县区", "05"),
                    ("明溪县", "21"),
                    ("清流县", "23"),
                    ("宁化县", "24"),
                    ("大田县", "25"),
                    ("尤溪县", "26"),
                    ("将乐县", "28"),
                    ("泰宁县", "29"),
                    ("建宁县", "30"),
                    ("永安市", "81"),
                ),
            ),
            (
                "龙岩市",
                "08",
                (
                    ("新罗区", "02"),
                    ("永定区", "03"),
                    ("长汀县", "21"),
                    ("上杭县", "23"),
                    ("武平县", "24"),
                    ("连城县", "25"),
                    ("漳平市", "81"),
                ),
            ),
        ),
    ),
    (
        "浙江省",
        "33",
        "zhejiang",
        (
            (
                "湖州市",
                "05",
                (("吴兴区", "02"), ("南浔区", "03"), ("德清县", "21"), ("长兴县", "22"), ("安吉县", "23")),
            ),
            (
                "嘉兴市",
                "04",
                (
                    ("南湖区", "02"),
                    ("秀洲区", "11"),
                    ("嘉善县", "21"),
                    ("海盐县", "24"),
                    ("海宁市", "81"),
                    ("平湖市", "82"),
                    ("桐乡市", "83"),
                ),
            ),
            (
                "丽水市",
                "11",
                (
                    ("莲都区", "02"),
                    ("青田县", "21"),
                    ("缙云县", "22"),
                    ("遂昌县", "23"),
                    ("松阳县", "24"),
                    ("云和县", "25"),
                    ("庆元县", "26"),
                    ("龙泉市", "81"),
                ),
            ),
        ),
    ),
    (
        "河南省",
        "41",
        "henan",
        (
            (
                "洛阳市",
                "03",
                (
                    ("老城区", "02"),
                    ("西工区", "03"),
                    ("涧西区", "05"),
                    ("偃师区", "07"),
                    ("孟津区", "08"),
                    ("洛龙区", "11"),
                    ("新安县", "23"),
                    ("栾川县", "24"),
                    ("嵩县", "25"),
                    ("汝阳县", "26"),
                    ("宜阳县", "27"),
                    ("洛宁县", "28"),
                    ("伊川县", "29"),
                ),
            ),
            (
                "新乡市",
                "07",
                (
                    ("红旗区", "02"),
                    ("卫滨区", "03"),
                    ("凤泉区", "04"),
                    ("牧野区", "11"),
                    ("新乡县", "21"),
                    ("获嘉县", "24"),
                    ("原阳县", "25"),
                    ("延津县", "26"),
                    ("封丘县", "27"),
                    ("卫辉市", "81"),
                    ("辉县市", "82"),
                ),
            ),
        ),
    ),
    (
        "四川省",
        "51",
        "sichuan",
        (
            (
                "绵阳市",
                "07",
                (
                    ("涪城区", "03"),
                    ("游仙区", "04"),
                    ("安州区", "05"),
                    ("三台县", "22"),
                    ("盐亭县", "23"),
                    ("梓潼县", "25"),
                    ("平武县", "27"),
                    ("江油市", "81"),
                ),
            ),
            (
                "乐山市",
                "11",
                (
                    ("市中区", "02"),
                    ("沙湾区", "11"),
                    ("五通桥区", "12"),
                    ("金口河区", "13"),
                    ("犍为县", "23"),
                    ("井研县", "24"),
                    ("夹江县", "26"),
                    ("沐川县", "29"),
                    ("峨眉山市", "81"),
                ),
            ),
        ),
    ),
    (
        "山东省",
        "37",
        "shandong",
        (
            (
                "潍坊市",
                "07",
                (
                    ("潍城区", "02"),
                    ("寒亭区", "03"),
                    ("坊子区", "04"),
                    ("奎文区", "05"),
                    ("临朐县", "24"),
                    ("昌乐县", "25"),
                    ("青州市", "81"),
                    ("诸城市", "82"),
                    ("寿光市", "83"),
                    ("安丘市", "84"),
                    ("高密市", "85"),
                    ("昌邑市", "86"),
                ),
            ),
            (
                "聊城市",
                "15",
                (
                    ("东昌府区", "02"),
                    ("茌平区", "03"),
                    ("阳谷县", "21"),
                    ("莘县", "22"),
                    ("东阿县", "24"),
                    ("冠县", "25"),
                    ("高唐县", "26"),
                    ("临清市", "81"),
                ),
            ),
        ),
    ),
)


@dataclass(frozen=True)
class Sector:
    code: str
    county: str  # name at county level (after the county name)
    city: str  # at city level
    province: str  # at province level ("" = not a provincial organ)


# Order matters: a county unit lists its bureaus in this order, so small corpora get the common ones.
SECTORS: tuple[Sector, ...] = (
    Sector("commerce", "商务局", "商务局", "商务厅"),
    Sector("finance", "财政局", "财政局", "财政厅"),
    Sector("public_security", "公安局", "公安局", "公安厅"),
    Sector("market_regulation", "市场监督管理局", "市场监督管理局", "市场监督管理局"),
    Sector("hrss", "人力资源和社会保障局", "人力资源和社会保障局", "人力资源和社会保障厅"),
    Sector("natural_resources", "自然资源局", "自然资源和规划局", "自然资源厅"),
    Sector("housing", "住房和城乡建设局", "住房和城乡建设局", "住房和城乡建设厅"),
    Sector("transport", "交通运输局", "交通运输局", "交通运输厅"),
    Sector("education", "教育局", "教育局", "教育厅"),
    Sector("health", "卫生健康委员会", "卫生健康委员会", "卫生健康委员会"),
    Sector("agriculture", "农业农村局", "农业农村局", "农业农村厅"),
    Sector("civil_affairs", "民政局", "民政局", "民政厅"),
    Sector("urban_management", "城市管理局", "城市管理局", ""),
    Sector("water", "水利局", "水利局", "水利厅"),
    Sector("justice", "司法局", "司法局", "司法厅"),
    Sector("emergency", "应急管理局", "应急管理局", "应急管理厅"),
    Sector("development_reform", "发展和改革局", "发展和改革委员会", "发展和改革委员会"),
    Sector("culture_tourism", "文化广电和旅游局", "文化广电和旅游局", "文化和旅游厅"),
    Sector("ecology", "生态环境局", "生态环境局", "生态环境厅"),
    Sector("medical_insurance", "医疗保障局", "医疗保障局", "医疗保障局"),
    Sector("admin_approval", "行政审批局", "政务服务管理办公室", ""),
    Sector("statistics", "统计局", "统计局", "统计局"),
    Sector("audit", "审计局", "审计局", "审计厅"),
    Sector("veterans", "退役军人事务局", "退役军人事务局", "退役军人事务厅"),
    Sector("science_tech", "科学技术局", "科学技术局", "科学技术厅"),
)
SECTOR_BY_CODE = {s.code: s for s in SECTORS}
# Non-bureau organ kinds use these pseudo sector codes.
GOV, OFFICE, TOWNSHIP = "gov", "office", "township"

_TOWN_FIRST = "东西南北新中长青龙凤白石金银山河清平安永福兴华宁城湖桥港塘岭坪溪渡庙集园沙洋泉坝口"
_TOWN_SECOND = "桥口镇河湾岗店集庄坊林港渡塘山田溪埠头营寨湖岭圩墩"
_GEN_COUNTY = "丰宁安和平兴昌永泰裕康华定德泽源川阳城江临海"


@dataclass
class Organ:
    id: str  # "320903-commerce": region code + sector; file names start with it
    name: str  # printed name, stable across years
    kind: str  # province_gov, city_gov, county_gov, gov_office, bureau, township
    level: str  # province, city, county, township
    sector: str  # sector code, or gov / office / township
    region_code: str  # 2/4/6-digit division code of the organ's region
    region: str  # "江苏省盐城市盐都区"
    domain: str  # the site that publishes its reports
    parent: str | None = None  # the government whose region report sums this organ's report
    scope: str | None = None  # governments: "region" (sums its children) or "office" (own work only)
    children: list[str] = field(default_factory=list)
    hot: bool = False  # one of the few organs that receive thousands of applications

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "level": self.level,
            "sector": self.sector,
            "region_code": self.region_code,
            "region": self.region,
            "domain": self.domain,
            "parent": self.parent,
            "report_scope": self.scope,
            "children": list(self.children),
        }


def _township_names(rng: random.Random, n: int, district: bool) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        base = rng.choice(_TOWN_FIRST) + rng.choice(_TOWN_SECOND)
        if base[1] in "镇":
            base = base[0] + "桥"
        suffix = rng.choice(("街道", "街道", "镇")) if district else rng.choice(("镇", "镇", "乡"))
        name = base + suffix
        if name not in names:
            names.append(name)
    return names


def _county_unit(
    rng: random.Random, prov: str, city: str, county: str, code: str, domain: str
) -> list[Organ]:
    """A county's government and the organs its region report sums (before the budget cut)."""
    district = county.endswith("区")
    short = county[:-1] if len(county) > 2 else county
    region = prov + city + county
    gov_name = rng.choices((county + "人民政府", city + county + "人民政府"), (0.8, 0.2))[0]
    gov = Organ(f"{code}-gov", gov_name, "county_gov", "county", GOV, code, region, domain)
    prefixed = rng.random() < 0.2  # some sites print every bureau with the city in front
    bureaus: list[Organ] = []
    n_bureaus = rng.randint(14, len(SECTORS))
    for s in SECTORS[:n_bureaus]:
        if s.code == "public_security" and district:
            name = f"{city}公安局{short}分局"
        elif s.code == "ecology":
            name = f"{city}生态环境局{short}分局"
        else:
            name = (city if prefixed else "") + county + s.county
        bureaus.append(Organ(f"{code}-{s.code}", name, "bureau", "county", s.code, code, region, domain))
    office = Organ(
        f"{code}-office", county + "人民政府办公室", "gov_office", "county", OFFICE, code, region, domain
    )
    towns = [
        Organ(
            f"{code}-t{i + 1:02d}",
            name + ("办事处" if name.endswith("街道") else "人民政府"),
            "township",
            "township",
            TOWNSHIP,
            code,
            region,
            domain,
        )
        for i, name in enumerate(_township_names(rng, rng.randint(3, 8), district))
    ]
    # common bureaus first, then the office, then the rest with townships interleaved
    children = bureaus[:5] + [office]
    rest = bureaus[5:]
    while rest or towns:
        if rest:
            children.append(rest.pop(0))
        if towns and (not rest or rng.random() < 0.35):
            children.append(towns.pop(0))
    return [gov, *children]


def _city_unit(rng: random.Random, prov: str, city: str, code: str, domain: str) -> list[Organ]:
    region = prov + city
    gov = Organ(f"{code}-gov", city + "人民政府", "city_gov", "city", GOV, code, region, domain)
    office = Organ(
        f"{code}-office", city + "人民政府办公室", "gov_office", "city", OFFICE, code, region, domain
    )
    bureaus = [
        Organ(f"{code}-{s.code}", city + s.city, "bureau", "city", s.code, code, region, domain)
        for s in SECTORS[: rng.randint(12, 18)]
    ]
    return [gov, office, *bureaus]


def _province_unit(rng: random.Random, prov: str, code: str, domain: str) -> list[Organ]:
    gov = Organ(f"{code}-gov", prov + "人民政府", "province_gov", "province", GOV, code, prov, domain)
    depts = [
        Organ(f"{code}-{s.code}", prov + s.province, "bureau", "province", s.code, code, prov, domain)
        for s in SECTORS[:12]
        if s.province
    ]
    return [gov, *depts]


def _units(rng: random.Random) -> list[tuple[str, list[Organ]]]:
    """All units in emission order: counties of a city, the city, ...; the province last."""
    units: list[tuple[str, list[Organ]]] = []
    for prov, pcode, pdomain, cities in _GEO:
        for city, ccode, counties in cities:
            for county, kcode in counties:
                units.append(
                    (
                        "county",
                        _county_unit(rng, prov, city, county, pcode + ccode + kcode, f"{pdomain}.gov.cn"),
                    )
                )
            units.append(("city", _city_unit(rng, prov, city, pcode + ccode, f"{pdomain}.gov.cn")))
        units.append(("province", _province_unit(rng, prov, pcode, f"{pdomain}.gov.cn")))
    return units


def _generated_units(rng: random.Random, start: int) -> list[tuple[str, list[Organ]]]:
    """Counties beyond the listed ones: a fictitious city with generated county names."""
    units: list[tuple[str, list[Organ]]] = []
    city = rng.choice(_GEN_COUNTY) + rng.choice("州原阳平") + "市"
    ccode = f"{90 + start % 10:02d}{start // 10 % 100:02d}"
    used: set[str] = set()
    for k in range(8):
        while True:
            county = rng.choice(_GEN_COUNTY) + rng.choice(_GEN_COUNTY) + rng.choice("县区")
            if county not in used and county[0] != county[1]:
                used.add(county)
                break
        units.append(("county", _county_unit(rng, "", city, county, f"{ccode}{k + 1:02d}", "gen.gov.cn")))
    units.append(("city", _city_unit(rng, "", city, ccode, "gen.gov.cn")))
    return units


def build(n: int, seed: int) -> list[Organ]:
    """`n` organs in unit order, with parent/children links and report scopes set."""
    if n < 1:
        raise ValueError("need at least one organ")
    rng = random.Random(f"{seed}:hierarchy")
    units = _units(rng)
    picked: list[tuple[str, list[Organ]]] = []
    total = 0
    i = 0
    while total < n:
        if i >= len(units):
            units += _generated_units(rng, i)
        kind, organs = units[i]
        i += 1
        take = organs[: n - total]
        picked.append((kind, take))
        total += len(take)
    out: list[Organ] = []
    region_gov_of_city: dict[str, Organ] = {}
    county_govs_by_city: dict[str, list[Organ]] = {}
    for kind, organs in picked:
        gov, children = organs[0], organs[1:]
        out.extend(organs)
        if kind == "province":
            # a province's region report would need every city: in a corpus it covers its office
            gov.scope = "office"
            continue
        if kind == "county":
            county_govs_by_city.setdefault(gov.region_code[:4], []).append(gov)
        if kind == "city":
            region_gov_of_city[gov.region_code] = gov
            children = children + county_govs_by_city.get(gov.region_code, [])
        # a government without its office in the corpus reports on its own work only
        has_office = any(c.kind == "gov_office" for c in children)
        office_scope = not has_office and len(children) < 3
        if office_scope or rng.random() < 0.12:
            gov.scope = "office"
            # the office's work is the government's own report then: no separate office report
            continue
        gov.scope = "region"
        for c in children:
            c.parent = gov.id
            gov.children.append(c.id)
    _assign_hot(out, rng)
    return out


def _assign_hot(organs: list[Organ], rng: random.Random) -> None:
    for o in organs:
        if (
            o.kind == "bureau"
            and o.sector in ("natural_resources", "housing", "public_security", "hrss")
            and rng.random() < 0.06
        ):
            o.hot = True


def pronoun(organ: Organ) -> str:
    """How the organ refers to itself in prose (我局, 我委, 我区, 我镇...)."""
    name = organ.name
    if organ.kind in ("county_gov", "city_gov", "province_gov"):
        if organ.scope == "region":
            return "全" + organ.region[-1] if organ.region else "我区"
        return "本机关"
    if organ.kind == "gov_office":
        return "我办"
    if organ.kind == "township":
        return "我街道" if "街道" in name else ("我乡" if name.endswith("乡人民政府") else "我镇")
    if name.endswith("委员会"):
        return "我委"
    if name.endswith("厅"):
        return "我厅"
    if name.endswith("办公室"):
        return "我办"
    if name.endswith("分局"):
        return "我分局"
    return "我局"
