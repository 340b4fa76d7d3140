import pytest

from pipelines.parsing.numbers import parse_value


@pytest.mark.parametrize(
    "text,kind,value",
    [
        ("0", "number", 0),
        ("", "blank", None),
        ("  ", "blank", None),
        ("—", "dash", None),
        ("-", "dash", None),
        ("/", "dash", None),
        ("无", "dash", None),
        ("１２", "number", 12),
        ("5件", "number", 5),
        ("251000元", "number", 251000),
        # units inside cells: the number as printed, never converted
        ("3笔", "number", 3),
        ("12项", "number", 12),
        ("7 条", "number", 7),
        ("2次", "number", 2),
        ("4个", "number", 4),
        ("12.5万元", "number", 12.5),
        ("12.5万", "number", 12.5),
        ("1,200元", "number", 1200),
        ("1,234", "number", 1234),
        ("+12", "number", 12),
        ("-3", "number", -3),
        ("减少3", "number", -3),
        ("5949.088667", "number", 5949.088667),
        ("见附件", "text", None),
    ],
)
def test_parse_value(text, kind, value):
    assert parse_value(text) == (kind, value)


def _procurement(row: str) -> dict[str, tuple[object, str | None]]:
    """表二 of an F2019 page with the procurement row as given (HTML cells or a crawler dump), through the
    reader and the mapper (the page is not a whole report)."""
    from pipelines.parsing.mapper import map_document
    from pipelines.parsing.parse import read_document

    if row.startswith("<"):
        page = (
            "<html><body><h1>某县财政局2020年度政府信息公开工作年度报告</h1><table>"
            "<tr><td>第二十条第（九）项</td></tr><tr><td>信息内容</td><td>采购项目数量</td><td>采购总金额</td></tr>"
            f"{row}</table><table><tr><td>申请人情况</td><td>自然人</td></tr></table></body></html>"
        )
        data = page.encode()
        name = "a.html"
    else:
        data = (
            "某县财政局2020年度政府信息公开工作年度报告 二、主动公开政府信息情况 第二十条第（一）项信息内容"
            "本年新制作数量本年新公开数量对外公开总数量规章000规范性文件000第二十条第（九）项信息内容"
            f"采购项目数量采购总金额{row}三、收到和处理政府信息公开申请情况 申请人情况 自然人 本年新收"
            "政府信息公开申请数量0000000"
        ).encode()
        name = "a.txt"
    mapped = map_document(read_document(data, name))
    return {cid: (c.value, c.raw) for cid, c in mapped.cells.items() if cid.startswith("t2.gov_procurement.")}


@pytest.mark.parametrize(
    "row",
    [
        "<tr><td>政府集中采购</td><td>12笔</td><td>345600元</td></tr>",
        "<tr><td>政府集中采购</td><td>12 笔</td><td>345,600 元</td></tr>",
        "政府集中采购12笔345600元",  # a crawler dump: the unit ends the cell
    ],
)
def test_units_in_cells_stay_in_their_column(row: str) -> None:
    got = _procurement(row)
    assert got["t2.gov_procurement.items"][0] == 12
    assert got["t2.gov_procurement.amount"][0] == 345600
    assert "笔" in (got["t2.gov_procurement.items"][1] or "")  # the unit is kept in the raw text
    assert "元" in (got["t2.gov_procurement.amount"][1] or "")
