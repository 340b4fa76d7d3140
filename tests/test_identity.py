"""Organ identity: names -> agency_id, level, kind, sector, region, parent (pipelines/identity)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines import identity
from pipelines.identity import Identity, aliases, taxonomy
from pipelines.identity.aliases import AliasError
from pipelines.identity.names import from_file_name, normalise
from pipelines.identity.taxonomy import TaxonomyError

HEADER = "kind,name,canonical,region_code,note\n"


def resolve(name: str | None, **kw: str) -> Identity:
    ident = identity.resolve(name, **kw)
    assert ident is not None
    return ident


def region(ident: Identity) -> list[str]:
    return [d.name for d in ident.region]


@pytest.mark.parametrize(
    ("name", "level", "kind", "sector", "places"),
    [
        ("淮安市洪泽区人民政府", "county", "government", "government", ["江苏省", "淮安市", "洪泽区"]),
        ("洪泽区商务局", "county", "department", "commerce", ["江苏省", "淮安市", "洪泽区"]),
        ("淮安市人民政府", "city", "government", "government", ["江苏省", "淮安市"]),
        ("江苏省人民政府办公厅", "province", "department", "general_office", ["江苏省"]),
        (
            "盐城市盐都区市场监督管理局",
            "county",
            "department",
            "market_regulation",
            ["江苏省", "盐城市", "盐都区"],
        ),
        ("盐城市公安局盐都分局", "county", "department", "public_security", ["江苏省", "盐城市", "盐都区"]),
        ("上海市浦东新区人民政府", "county", "government", "government", ["上海市", "浦东新区"]),
        ("湖北省仙桃市财政局", "county", "department", "finance", ["湖北省", "仙桃市"]),
        ("昆山市商务局", "county", "department", "commerce", ["江苏省", "苏州市", "昆山市"]),
        ("洪泽区高良涧街道办事处", "township", "government", "government", ["江苏省", "淮安市", "洪泽区"]),
        ("中华人民共和国商务部", "national", "department", "commerce", []),
        ("教育部", "national", "department", "education", []),
        ("国务院", "national", "government", "government", []),
    ],
)
def test_level_kind_sector_region(name: str, level: str, kind: str, sector: str, places: list[str]) -> None:
    ident = resolve(name)
    assert (ident.level, ident.organ_kind, ident.sector, region(ident)) == (level, kind, sector, places)
    assert ident.issues == ()


def test_place_written_two_ways_is_one_organ() -> None:
    short, full = resolve("洪泽区人民政府"), resolve("淮安市洪泽区人民政府")
    assert short.agency_id == full.agency_id
    assert short.key == "320813/人民政府"
    assert short.name != full.name  # each report keeps how it printed the name


def test_ids_are_stable_hashes_of_the_key() -> None:
    # a changed hash scheme would re-key every organ in every warehouse: pin it
    assert identity.agency_id_of("320813/人民政府") == "25c11142ac99bff8"
    assert resolve("洪泽区人民政府").agency_id == "25c11142ac99bff8"


def test_aliases_file_rows_shipped_with_the_project() -> None:
    shuyang = resolve("沐阳县人民政府")  # OCR misspelling of 沭阳县
    assert shuyang.name == "沭阳县人民政府" and shuyang.agency_id == resolve("沭阳县人民政府").agency_id
    assert region(shuyang) == ["江苏省", "宿迁市", "沭阳县"] and shuyang.resolution == "alias"
    bureau = resolve("平潭综合实验区财政金融局")
    zone = resolve("平潭综合实验区")
    assert (bureau.level, bureau.organ_kind, bureau.sector) == ("county", "department", "finance")
    assert region(bureau)[:2] == ["福建省", "福州市"]
    assert bureau.parent_agency_id == zone.agency_id and zone.organ_kind == "government"
    kewei = resolve("上海市科委")
    assert (kewei.name, kewei.level, kewei.sector) == (
        "上海市科学技术委员会",
        "province",
        "science_technology",
    )


def test_parents_are_governments_one_level_up() -> None:
    bureau, county, city, province = (
        resolve(n) for n in ("洪泽区商务局", "洪泽区人民政府", "淮安市人民政府", "江苏省人民政府")
    )
    assert bureau.parent_agency_id == county.agency_id
    assert county.parent_agency_id == city.agency_id
    assert city.parent_agency_id == province.agency_id
    assert province.parent_agency_id == resolve("国务院").agency_id
    assert resolve("洪泽区高良涧街道办事处").parent_agency_id == county.agency_id
    assert resolve("教育部").parent_name == "国务院"


def test_development_zone_is_a_government_under_its_county() -> None:
    zone = resolve("淮安市洪泽区经济开发区管委会")
    county = resolve("洪泽区人民政府")
    assert (zone.organ_kind, zone.sector, zone.level) == ("government", "government", "county")
    assert zone.agency_id != county.agency_id and zone.parent_agency_id == county.agency_id


def test_vertical_office_keeps_its_name_but_is_a_local_organ() -> None:
    tax = resolve("国家税务总局盐城市税务局")
    assert tax.name == "国家税务总局盐城市税务局"
    assert (tax.level, tax.sector, region(tax)) == ("city", "taxation", ["江苏省", "盐城市"])
    assert resolve("国家税务总局").level == "national"


def test_market_regulation_is_not_a_city_organ() -> None:
    # the leading 市 of 市场监督管理局 is not the generic "市" of 市商务局
    assert resolve("市场监督管理局").level is None
    assert resolve("市商务局").level == "city"


def test_unresolved_region_is_kept_with_an_issue() -> None:
    ident = resolve("区商务局")
    assert (ident.level, ident.organ_kind, ident.sector, ident.region) == (
        "county",
        "department",
        "commerce",
        (),
    )
    assert ident.resolution == "unresolved" and ident.parent_agency_id is None
    assert [i.rule_id for i in ident.issues] == ["ID-2"]
    # an unresolved organ keeps the id of its normalised name (what the loader gave it before)
    assert ident.agency_id == identity.agency_id_of("区商务局")


def test_place_from_the_body_opening() -> None:
    ident = resolve("区商务局", context="2025年，盐城市盐都区商务局结合商贸领域工作实际")
    assert ident.resolution == "context" and ident.agency_id == resolve("盐城市盐都区商务局").agency_id
    # a division that does not end in the printed generic word (区) does not count
    assert resolve("区商务局", context="沭阳县商务局").resolution == "unresolved"


def test_the_opening_is_read_only_for_names_that_do_not_place_their_organ() -> None:
    r = identity.default_resolver()
    opening = "2025年，盐城市盐都区商务局结合商贸领域工作实际"
    for name in ("区商务局", "朝阳区商务局"):  # no place; two places
        assert r.reads_context(name)
    for name in ("洪泽区商务局", "淮安市人民政府", "国务院办公厅"):
        assert not r.reads_context(name)
        assert r.resolve(name, context=opening) == r.resolve(name)  # the stage need not read it
    assert r.reads_context(None, "x/1_区商务局2024年政府信息公开工作年度报告.html")
    assert not r.reads_context(None, "kiro_hongzequ_2023.pdf")  # no name at all: nothing to place


def test_ambiguous_place_needs_its_parent() -> None:
    ident = resolve("朝阳区商务局")  # 北京市朝阳区 and 长春市朝阳区
    assert ident.resolution == "ambiguous" and [i.rule_id for i in ident.issues] == ["ID-3"]
    assert "北京市朝阳区" in ident.issues[0].message_zh and "长春市朝阳区" in ident.issues[0].message_zh
    titled = resolve("朝阳区商务局", title="北京市朝阳区商务局2024年政府信息公开工作年度报告")
    assert region(titled) == ["北京市", "朝阳区"]


def test_unknown_sector_is_an_info_issue() -> None:
    ident = resolve("洪泽区某某中心")
    assert ident.sector == "other" and [(i.rule_id, i.severity) for i in ident.issues] == [("ID-4", "info")]


def test_name_from_the_file_name_when_the_report_has_none() -> None:
    assert (
        from_file_name("86688_平潭综合实验区财政金融局2023年度政府信息公开工作年度报告.txt")
        == "平潭综合实验区财政金融局"
    )
    assert from_file_name("kiro_hongzequ_2023.pdf") is None
    ident = resolve(None, file_name="x/1_洪泽区商务局2024年政府信息公开工作年度报告.html")
    assert ident.agency_id == resolve("洪泽区商务局").agency_id
    assert identity.resolve(None, file_name="kiro_hongzequ_2023.pdf") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("平潭综合实验区 财政金融局", "平潭综合实验区财政金融局"),
        ("平潭综合实验区2023年度政府信息公开工作年度报告", "平潭综合实验区"),
        ("２０２４年上海市科委", "上海市科委"),
        ("某县人民政府办公室（县政务公开办）", "某县人民政府办公室"),
        ("《洪泽区商务局》", "洪泽区商务局"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_organ_alias_merges_a_renamed_organ(tmp_path: Path) -> None:
    f = tmp_path / "aliases.csv"
    f.write_text(HEADER + "organ,洪泽区财政局,洪泽区财政金融局,,renamed 2023\n", encoding="utf-8")
    r = identity.make_resolver(aliases_file=f)
    old, new = r.resolve("洪泽区财政局"), r.resolve("淮安市洪泽区财政金融局")
    assert old is not None and new is not None
    assert old.agency_id == new.agency_id and old.resolution == "alias"
    assert old.name == "洪泽区财政金融局" and old.printed == "洪泽区财政局"


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ("bogus,a,b,,\n", "kind must be"),
        ("place,某地,,,\n", "needs a region_code"),
        ("organ,甲局,,,\n", "needs a canonical"),
        ("body,甲,乙,,\nbody,甲,丙,,\n", "already given"),
    ],
)
def test_alias_file_errors_name_the_line(tmp_path: Path, rows: str, error: str) -> None:
    f = tmp_path / "aliases.csv"
    f.write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(AliasError, match=error):
        aliases.load(f)


def test_alias_to_an_unknown_division_is_an_error(tmp_path: Path) -> None:
    f = tmp_path / "aliases.csv"
    f.write_text(HEADER + "place,某实验区,,999999,\n", encoding="utf-8")
    with pytest.raises(AliasError, match="999999"):
        identity.make_resolver(aliases_file=f)


def test_organ_alias_loop_is_an_error(tmp_path: Path) -> None:
    f = tmp_path / "aliases.csv"
    f.write_text(HEADER + "organ,甲局,乙局,,\norgan,乙局,甲局,,\n", encoding="utf-8")
    with pytest.raises(AliasError, match="loop"):
        identity.make_resolver(aliases_file=f).resolve("甲局")


def test_taxonomy_loads_and_rejects_a_keyword_in_two_sectors(tmp_path: Path) -> None:
    tax = taxonomy.load()
    assert tax.sector_of("财政金融局") == "finance"
    assert tax.sector_of("人民政府办公室") == "general_office"  # the longest keyword wins
    broken = tmp_path / "sectors.yaml"
    broken.write_text(
        taxonomy.SECTORS_FILE.read_text(encoding="utf-8") + "  extra: [商务]\n", encoding="utf-8"
    )
    with pytest.raises(TaxonomyError, match="商务"):
        taxonomy.load(broken)


def test_real_corpus_organs(real_dir: Path) -> None:
    """Every organ of ../shared/corpus/real resolves to a region, except the seed's 区商务局."""
    import json

    organs: dict[str, set[str]] = {}
    for exp in sorted(real_dir.glob("*.expected.json")):
        name = json.loads(exp.read_text(encoding="utf-8"))["agency"]
        ident = resolve(name)
        organs.setdefault(ident.agency_id, set()).add(name)
        if name != "区商务局":
            assert ident.region, name
    by_name = {n: aid for aid, names in organs.items() for n in names}
    assert by_name["洪泽区人民政府"] == by_name["淮安市洪泽区人民政府"]
    assert len(organs) == 7


def test_a_division_code_in_the_path_places_a_name_that_does_not_say_where() -> None:
    # 中桥镇 is a town of 东台市 (320981) and of 靖江市 (321282); the reports print only "中桥镇人民政府"
    dongtai = resolve("中桥镇人民政府", file_name="320981/2024年报.html")
    jingjiang = resolve("中桥镇人民政府", file_name="321282-t04_2024.html")
    assert dongtai.agency_id != jingjiang.agency_id
    assert (dongtai.level, dongtai.organ_kind, region(dongtai)) == (
        "township",
        "government",
        ["江苏省", "盐城市", "东台市"],
    )
    assert jingjiang.parent_name == "泰州市靖江市人民政府"
    # without a code they cannot be told apart, and say so
    unplaced = resolve("中桥镇人民政府", file_name="2024年报.html")
    assert unplaced.resolution == "unresolved" and [i.rule_id for i in unplaced.issues] == ["ID-2"]
    # a code picks among divisions of one name, and a prefecture's zero-padded code works too
    assert region(resolve("朝阳区财政局", file_name="110105_x.txt")) == ["北京市", "朝阳区"]
    assert region(resolve("朝阳区财政局", file_name="220000/x.txt"))[-1] == "朝阳区"
    assert resolve("朝阳区财政局", file_name="x.txt").resolution == "ambiguous"
    # the report's own text comes first: it may name the place more exactly than the folder
    in_text = resolve("区商务局", file_name="320900/x.txt", context="盐城市盐都区商务局认真贯彻")
    assert region(in_text) == ["江苏省", "盐城市", "盐都区"]
    # "区商务局" filed under a city: which district is still unknown
    assert resolve("区商务局", file_name="320900/x.txt").resolution == "unresolved"
    # a name that says its place is not moved by the folder
    assert region(resolve("淮安市洪泽区商务局", file_name="320981/x.txt")) == ["江苏省", "淮安市", "洪泽区"]


def test_identity_rules_are_declared_in_the_catalogue() -> None:
    """ID-1..5 are declared with the other rules; identity_issue accepts exactly those, with their severity."""
    import re

    from pipelines import catalogue
    from pipelines.warehouse import schema

    declared = catalogue.identity_rules()
    ddl = next(r.sql for r in schema.relations() if r.name == "identity_issue")
    allowed = set(re.findall(r"'(ID-\d+)'", ddl.split("CHECK (rule_id IN", 1)[1].split(")", 1)[0]))
    assert set(declared) == allowed == {"ID-1", "ID-2", "ID-3", "ID-4", "ID-5"}
    ident = identity.make_resolver().resolve("某某局")  # no place, no sector keyword
    assert ident is not None
    assert {(i.rule_id, i.severity) for i in ident.issues} == {
        (rid, declared[rid].severity) for rid in ("ID-2", "ID-4")
    }
