"""HTML reader and byte decoding: the three real 平潭 pages plus small synthetic pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipelines.model import Document, Grid, UnreadableInput
from pipelines.parsing.readers.encoding import decode_bytes, looks_binary
from pipelines.parsing.readers.html import read_html

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "real"
YEARS = (2023, 2024, 2025)
APPLICANTS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
)
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _real(year: int) -> tuple[Document, dict[str, int | float | None]]:
    path = REAL / f"pingtan_zhsyq_{year}.html"
    if not path.exists():
        pytest.skip(f"real corpus not available: {path}")
    expected = json.loads(path.with_name(path.name + ".expected.json").read_text(encoding="utf-8"))
    return read_html(path.read_bytes()), expected["cells"]


def _texts(row: list) -> list[str]:
    return [c.text for c in row]


def _compact(text: str) -> str:
    return "".join(text.split())


def _table_with(doc: Document, word: str) -> Grid:
    return next(g for g in doc.tables if any(word in c.text for row in g.rows for c in row))


def _row_labelled(grid: Grid, label: str) -> list:
    return next(row for row in grid.rows if any(_compact(c.text) == label for c in row))


def _html(body: str, head: str = '<meta charset="utf-8">') -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


# --- the real pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("year", YEARS)
def test_real_three_aligned_tables_in_order(year: int) -> None:
    doc, _ = _real(year)
    assert doc.medium == "html"
    assert [g.index for g in doc.tables] == [0, 1, 2]
    assert all(g.aligned for g in doc.tables)
    assert "第二十条" in doc.tables[0].rows[0][0].text
    assert "申请人情况" in _texts(doc.tables[1].rows[0])
    assert {"行政复议", "行政诉讼"} <= set(_texts(doc.tables[2].rows[0]))


@pytest.mark.parametrize("year", YEARS)
def test_real_grid_coordinates_match_positions(year: int) -> None:
    doc, _ = _real(year)
    for grid in doc.tables:
        for r, row in enumerate(grid.rows):
            assert [(c.row, c.col) for c in row] == [(r, c) for c in range(len(row))]
    assert {len(row) for row in doc.tables[1].rows} == {10}
    assert {len(row) for row in doc.tables[2].rows} == {15}


@pytest.mark.parametrize("year", YEARS)
def test_real_t3_granted_row(year: int) -> None:
    doc, cells = _real(year)
    t3 = _table_with(doc, "申请人情况")
    assert any("自然人" in _texts(row) for row in t3.rows)
    row = _row_labelled(t3, "（一）予以公开")
    assert _texts(row[-7:]) == [str(cells[f"t3.granted.{a}"]) for a in APPLICANTS]
    row = _row_labelled(t3, "一、本年新收政府信息公开申请数量")
    assert _texts(row[-7:]) == [str(cells[f"t3.new_received.{a}"]) for a in APPLICANTS]


@pytest.mark.parametrize("year", YEARS)
def test_real_numeric_cells_in_order_equal_labels(year: int) -> None:
    # The README's independent check: originals only, so spanned copies must not add values.
    doc, cells = _real(year)
    printed = [
        float(c.text)
        for g in doc.tables
        for row in g.rows
        for c in row
        if not c.spanned and NUMBER.fullmatch(c.text)
    ]
    assert printed == [float(v) for v in cells.values() if v is not None]


@pytest.mark.parametrize("year", YEARS)
def test_real_t4_row(year: int) -> None:
    doc, cells = _real(year)
    t4 = _table_with(doc, "行政诉讼")
    expected = [str(v) for k, v in cells.items() if k.startswith("t4.")]
    assert _texts(t4.rows[-1]) == expected


def test_real_2023_rowspan_of_22_rows() -> None:
    doc, _ = _real(2023)
    t3 = _table_with(doc, "申请人情况")
    rows = [r for r, row in enumerate(t3.rows) if _compact(row[0].text) == "三、本年度办理结果"]
    assert len(rows) == 22
    assert rows == list(range(rows[0], rows[0] + 22))
    flags = [t3.rows[r][0].spanned for r in rows]
    assert flags == [False] + [True] * 21
    assert _compact(t3.rows[rows[-1]][1].text) == "（七）总计"
    assert not _compact(t3.rows[rows[-1] + 1][0].text).startswith("三、")


@pytest.mark.parametrize("year", YEARS)
def test_real_split_header_labels_are_joined(year: int) -> None:
    doc, _ = _real(year)
    header = [_compact(c.text) for c in doc.tables[1].rows[2]]
    assert header[3:] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert "结果纠正" in _texts(doc.tables[2].rows[1])  # printed as 结果<br/>纠正
    for grid in doc.tables:
        for row in grid.rows:
            for c in row:
                assert c.text == c.text.strip() and "\xa0" not in c.text and "  " not in c.text


@pytest.mark.parametrize("year", YEARS)
def test_real_title(year: int) -> None:
    doc, _ = _real(year)
    assert doc.title == f"平潭综合实验区{year}年度政府信息公开工作年度报告"


def test_real_2024_title_from_title_element_loses_site_suffix() -> None:
    data = (REAL / "pingtan_zhsyq_2024.html").read_bytes()
    assert "_政府信息公开年报_平潭综合实验区党工委管委会</title>".encode() in data
    data = data.replace(b'name="ArticleTitle"', b'name="x"').replace(b"article_title", b"x")
    assert read_html(data).title == "平潭综合实验区2024年度政府信息公开工作年度报告"


def test_real_2024_full_page_text_is_the_article() -> None:
    doc, _ = _real(2024)
    lines = doc.text.split("\n")
    assert "一、总体情况" in lines
    assert "六、其他需要报告的事项" in lines
    assert lines[-1] == "2024年，无收取信息处理费情况。"
    for chrome in ("当前位置", "主办单位", "闽政通", "附件下载", "热门搜索"):
        assert chrome not in doc.text
    assert "法人或其他组织" not in doc.text  # table text lives in the grids only
    assert any("TRS_Editor" in n for n in doc.notes)


# --- encodings -----------------------------------------------------------------------------------

T3_SNIPPET = "<table><tr><td>商业企业</td><td>镕</td></tr><tr><td>总计</td><td>12</td></tr></table>"


def test_gbk_page_declared_gb2312() -> None:
    # 镕 is in GBK but not in GB2312: a gb2312 declaration must be read with the superset.
    page = (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
        f"<body><p>政府信息公开</p>{T3_SNIPPET}</body></html>"
    )
    data = page.encode("gbk")
    text, name = decode_bytes(data)
    assert name == "gb18030" and "镕" in text
    doc = read_html(data)
    assert _texts(doc.tables[0].rows[0]) == ["商业企业", "镕"]
    assert "encoding: gb18030" in doc.notes


def test_gbk_page_without_declaration() -> None:
    data = f"<html><body><p>政府信息公开工作年度报告</p>{T3_SNIPPET}</body></html>".encode("gbk")
    assert decode_bytes(data)[1] == "gb18030"
    doc = read_html(data)
    assert doc.text == "政府信息公开工作年度报告"
    assert _texts(doc.tables[0].rows[1]) == ["总计", "12"]


def test_utf8_page_with_wrong_gb2312_declaration() -> None:
    data = _html(T3_SNIPPET, head='<meta charset="gb2312">')
    text, name = decode_bytes(data)
    assert name == "utf-8" and "商业企业" in text
    doc = read_html(data)
    assert _texts(doc.tables[0].rows[0]) == ["商业企业", "镕"]
    assert "page declares gb2312 but decodes as utf-8" in doc.notes


def test_declaration_ignored_without_hint() -> None:
    data = '<meta charset="big5"><p>政府資訊公開年度報告</p>'.encode("big5")
    assert decode_bytes(data)[1] == "big5"
    assert decode_bytes(data, declared_hint=False)[1] != "big5"


def test_undecodable_bytes_use_the_better_encoding() -> None:
    data = "政府信息公开".encode("gbk") + b"\xff" + "年度报告".encode("gbk")
    text, name = decode_bytes(data)
    assert name == "gb18030"
    assert text == "政府信息公开\ufffd年度报告"


def test_bom_is_removed() -> None:
    text, name = decode_bytes(b"\xef\xbb\xbf<p>\xe6\x80\xbb</p>")
    assert (text, name) == ("<p>总</p>", "utf-8")
    text, name = decode_bytes("<p>总计</p>".encode("utf-16"))
    assert text == "<p>总计</p>" and name.startswith("utf-16")


def test_looks_binary() -> None:
    assert looks_binary(bytes(range(256)) * 4)
    assert looks_binary(b"%PDF-1.7\n1 0 obj")
    assert looks_binary(b"abc" + b"\x01\x02\x03\x04" * 10)
    assert not looks_binary(_html("<p>政府信息公开</p>"))
    assert not looks_binary("<p>总计</p>".encode("utf-16"))
    assert not looks_binary("政府信息公开".encode("gbk"))


# --- cell text -----------------------------------------------------------------------------------


def _cells(body: str) -> list[list[str]]:
    return [_texts(row) for row in read_html(_html(body)).tables[0].rows]


def test_nested_inline_markup_and_br_join_without_separator() -> None:
    rows = _cells(
        "<table><tr><td><p><span><font>商业</font></span></p><p><span>企业</span></p></td>"
        "<td><p>结果<br/>纠正</p></td></tr></table>"
    )
    assert rows == [["商业企业", "结果纠正"]]


def test_nbsp_and_whitespace_are_normalised() -> None:
    rows = _cells(
        "<table><tr><td>商业&nbsp; 企业</td><td>&nbsp;&nbsp;5&nbsp;</td>"
        "<td>\u3000总\n\t计\u3000</td><td>&nbsp;</td></tr></table>"
    )
    assert rows == [["商业 企业", "5", "总 计", ""]]


def test_full_width_digits_are_kept_as_printed() -> None:
    assert _cells("<table><tr><td>总计</td><td>１２３</td><td>5件</td></tr></table>") == [
        ["总计", "１２３", "5件"]
    ]


def test_colspan_and_rowspan_expansion() -> None:
    doc = read_html(
        _html(
            "<table><tr><td colspan='3'>申请人情况</td><td rowspan='2' colspan='2'>总计</td></tr>"
            "<tr><td>自然人</td><td>商业企业</td><td>其他</td></tr>"
            "<tr><td>1</td><td>2</td><td>3</td><td>6</td><td>x</td></tr></table>"
        )
    )
    rows = doc.tables[0].rows
    assert [_texts(r) for r in rows] == [
        ["申请人情况"] * 3 + ["总计"] * 2,
        ["自然人", "商业企业", "其他", "总计", "总计"],
        ["1", "2", "3", "6", "x"],
    ]
    assert [c.spanned for c in rows[0]] == [False, True, True, False, True]
    assert [c.spanned for c in rows[1]] == [False, False, False, True, True]
    assert (rows[1][4].row, rows[1][4].col) == (1, 4)


def test_rowspan_beyond_the_table_adds_no_rows_and_holes_are_blank() -> None:
    rows = (
        read_html(_html("<table><tr><td rowspan='9'>a</td><td>b</td><td>c</td></tr><tr></tr></table>"))
        .tables[0]
        .rows
    )
    assert len(rows) == 2
    assert _texts(rows[1]) == ["a"]
    rows = (
        read_html(
            _html(
                "<table><tr><td>a</td><td rowspan='2'>b</td><td>c</td></tr><tr><td>d</td></tr>"
                "<tr><td>e</td><td>f</td></tr></table>"
            )
        )
        .tables[0]
        .rows
    )
    assert _texts(rows[1]) == ["d", "b"]
    assert _texts(rows[2]) == ["e", "f"]


# --- page structure ------------------------------------------------------------------------------


def test_layout_table_is_not_emitted_but_its_data_tables_are() -> None:
    doc = read_html(
        _html(
            "<table><tr><td><a href='/'>首页</a> <a href='/x'>政务公开</a></td></tr>"
            "<tr><td><p>一、总体情况</p><p>本年度工作平稳推进，全年主动公开信息一千余条。</p>"
            "<table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>0</td></tr></table>"
            "<p>三、收到和处理政府信息公开申请情况</p>"
            "<table><tr><td>自然人</td><td>总计</td></tr><tr><td>4</td><td>4</td></tr></table>"
            "</td></tr></table>"
        )
    )
    assert [g.index for g in doc.tables] == [0, 1]
    assert _texts(doc.tables[0].rows[0]) == ["信息内容", "本年制发件数"]
    assert _texts(doc.tables[1].rows[1]) == ["4", "4"]
    assert doc.text.split("\n") == [
        "一、总体情况",
        "本年度工作平稳推进，全年主动公开信息一千余条。",
        "三、收到和处理政府信息公开申请情况",
    ]


def test_single_cell_frame_table_is_read_as_text() -> None:
    doc = read_html(_html("<table><tr><td><p>一、总体情况</p><p>全年共受理申请5件。</p></td></tr></table>"))
    assert doc.tables == []
    assert doc.text == "一、总体情况\n全年共受理申请5件。"


def test_chrome_scripts_and_comments_are_left_out_of_the_text() -> None:
    nav = "".join(f"<li><a href='/{i}'>栏目{i}</a></li>" for i in range(40))
    doc = read_html(
        _html(
            f"<div class='header'><ul>{nav}</ul><p>热门搜索：</p></div>"
            "<script>var x = '政府信息公开';</script><style>p {color: red}</style><!-- 注释 -->"
            "<div class='main'><div class='breadcrumb'>当前位置：<a href='/'>首页</a></div>"
            "<div class='article'><p>一、总体情况</p><p>本机关全年主动公开政府信息情况良好，依申请公开工作有序开展。</p>"
            "<table><tr><td>行政许可</td><td>12</td></tr></table><p>二、存在的主要问题及改进情况</p></div></div>"
            f"<div class='footer'><ul>{nav}</ul></div>"
        )
    )
    assert doc.text.split("\n") == [
        "一、总体情况",
        "本机关全年主动公开政府信息情况良好，依申请公开工作有序开展。",
        "二、存在的主要问题及改进情况",
    ]
    assert "<div article>" in doc.notes[-1]


def test_title_prefers_a_named_year_and_drops_site_suffix() -> None:
    doc = read_html(
        _html(
            "<div class='article_title'>XX县2023年度政府信息公开工作年度报告</div><p>正文</p>",
            head="<title>政府信息公开年报_XX县人民政府</title>",
        )
    )
    assert doc.title == "XX县2023年度政府信息公开工作年度报告"
    doc = read_html(
        _html("<p>正文</p>", head="<title>XX县2023年政府信息公开工作年度报告 - XX县人民政府</title>")
    )
    assert doc.title == "XX县2023年政府信息公开工作年度报告"
    assert read_html(_html("<p>正文</p>", head="<title>XX县人民政府</title>")).title is None


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"  \n\t ",
        bytes(range(256)) * 8,
        b"\x89PNG\r\n\x1a\n" + b"x" * 50,
        b"<html><body><img src='a.png'><br></body></html>",
        b"<html><head><title>x</title></head></html>",
    ],
)
def test_unreadable_input(data: bytes) -> None:
    with pytest.raises(UnreadableInput):
        read_html(data)


def test_word_export_hidden_sizing_row_is_dropped() -> None:
    rows = _cells(
        "<table><tr><td>规章</td><td>0</td></tr><![if !supportMisalignedColumns]>"
        "<tr height=0 style='display: none'><td width=43></td><td width=43></td></tr>"
        "<![endif]></table>"
    )
    assert rows == [["规章", "0"]]


def test_hostile_spans_are_bounded() -> None:
    doc = read_html(
        _html(
            "<table><tr>"
            + "<td colspan='1000' rowspan='65534'>x</td>" * 50
            + "</tr>"
            + "<tr><td>1</td><td>2</td></tr>" * 3
            + "</table>"
        )
    )
    rows = doc.tables[0].rows
    assert len(rows) == 4
    assert max(len(r) for r in rows) == 256


def test_a_long_paragraph_is_not_taken_for_the_article() -> None:
    long = "本年度共受理政府信息公开申请，均在法定期限内答复。" * 20
    doc = read_html(_html(f"<div><p>一、总体情况</p><p>{long}</p><p>二、其他需要报告的事项</p></div>"))
    assert doc.text.split("\n") == ["一、总体情况", long, "二、其他需要报告的事项"]
