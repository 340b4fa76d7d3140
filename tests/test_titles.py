"""The organ and year come from the title and the opening sentence, never from the furniture
printed around them (breadcrumbs, navigation, column names, 来源/时间 lines, print headers and
footers, document numbers, 附件, red header lines)."""

from __future__ import annotations

import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from pipelines.bench.accuracy import run_accuracy
from pipelines.parsing import meta, titles
from pipelines.parsing.parse import read_document
from pipelines.synth.corpus import generate


def _agency_year(title: str | None, *lines: str) -> tuple[str | None, int | None]:
    return meta.agency_and_year(title, "\n".join(lines))


@pytest.mark.parametrize(
    "lines",
    [
        # a saved page: breadcrumb items one per line, the column name right above the title
        (
            "首页",
            "政务公开",
            "政府信息公开",
            "政府信息公开年报",
            "某区商务局2024年度政府信息公开工作年度报告",
        ),
        # breadcrumb and title on one line, 来源/时间 after it (a crawler dump, a PDF paragraph)
        (
            "当前位置： 首页政务公开政府信息公开政府信息公开年报 某区商务局2024年度政府信息公开工作年度报告 "
            "来源：某区人民政府 时间：2025-01-20 16:34",
        ),
        # a department's own site: its short name, then the column
        ("某县发改局 > 政府信息公开", "某区商务局2024年度政府信息公开工作年度报告"),
        ("某县发改局政府信息公开某区商务局2024年度政府信息公开工作年度报告",),
        # a browser's print header (date, time, page title) and the page itself
        (
            "12/4/26, 10:54 PM 某区商务局2024年度政府信息公开工作年度报告_政府信息公开年报_某区人民政府",
            "首页 | 信息公开 | 办事服务",
            "某区商务局2024年度政府信息公开工作年度报告",
            "file:///tmp/report.html 1/3",
        ),
        # office furniture: red header line, document number, 附件
        (
            "某区人民政府办公室文件",
            "某政办发〔2025〕3号",
            "附件1",
            "某区商务局2024年度政府信息公开工作年度报告",
        ),
        ("附件：某区商务局2024年度政府信息公开工作年度报告",),
        # the portal's metadata table before the heading
        (
            "索引号： 320903-2025-00038 发布机构： 某区财政局",
            "名 称：某区商务局2024年度政府信息公开工作年度报告",
            "某区商务局2024年度政府信息公开工作年度报告",
        ),
        # the organ on a line of its own above a title naming only the year
        ("当前位置：首页 > 年度报告", "某区商务局", "2024年度政府信息公开工作年度报告"),
        # the report words wrapped onto the next line
        ("某区商务局2024年度政府信息公开工作", "年度报告"),
    ],
)
def test_organ_is_the_one_in_the_title(lines: tuple[str, ...]) -> None:
    assert _agency_year(None, *lines, "一、总体情况") == ("某区商务局", 2024)


def test_a_column_name_above_a_year_first_title_is_not_the_organ() -> None:
    lines = ("政府信息公开年报", "2024年某区商务局政府信息公开工作年度报告")
    assert _agency_year(None, *lines) == ("某区商务局", 2024)
    # a title naming only the year: the organ is unknown, not the column
    assert _agency_year(None, "政府信息公开年报", "2024年度政府信息公开工作年度报告") == (None, 2024)


def test_reader_title_wins_and_names_in_brackets_keep_their_words() -> None:
    title = "某县人民政府办公室（县政务公开办）2024年政府信息公开工作年度报告"
    assert _agency_year(title, "正文") == ("某县人民政府办公室(县政务公开办)", 2024)  # NFKC brackets


def test_layout_joins_a_title_wrapped_over_three_lines() -> None:
    lines = [
        "当前位置：首页",
        "盐城市盐都区人力资源和社会",
        "保障局2024年度政府信息公开",
        "工作年度报告",
        "正文",
    ]
    found = titles.find_title(lines, together=[False, True, True, False])
    assert found is not None and (found.first, found.last) == (1, 3)
    assert titles.match(found.text) == ("盐城市盐都区人力资源和社会保障局", 2024)
    # without layout a name fragment above a complete title line is not joined
    found = titles.find_title(lines)
    assert found is not None and found.text == "保障局2024年度政府信息公开工作年度报告"


def test_furniture_lines() -> None:
    for line in (
        "当前位置：首页 > 政府信息公开 > 政府信息公开年报",
        "来源：某区人民政府 时间：2025-01-20",
        "12/4/26, 10:54 PM 某局2024年度政府信息公开工作年度报告",
        "file:///work/report.html 2/7",
        "某政办发〔2025〕3号",
        "某市人民政府办公室文件",
        "附件2",
        "政府信息公开年报",
        "— 3 —",
    ):
        assert titles.is_furniture(line), line
    for line in (
        "某区商务局2024年度政府信息公开工作年度报告",
        "某区商务局",
        # sentences may name a document number or a website
        "本报告依据《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）要求编制，"
        "通过政府门户网站发布。",
    ):
        assert not titles.is_furniture(line), line


def test_opening_that_names_another_organ_or_year_is_reported() -> None:
    text = "\n".join(
        (
            "某区商务局2024年度政府信息公开工作年度报告",
            "现将某区财政局2024年政府信息公开工作年度报告如下：",
            "一、总体情况",
        )
    )
    found = meta.identify(None, text)
    assert (found.agency, found.year) == ("某区商务局", 2024)  # the title's, not merged
    assert found.conflict is not None and found.conflict.startswith(meta.CONFLICT)
    assert meta.parse_conflict(found.conflict) == ("某区商务局", 2024, "某区财政局", 2024)

    text = "\n".join(
        (
            "某区商务局2024年度政府信息公开工作年度报告",
            "本报告所列数据的统计期限自2023年1月1日起至2023年12月31日止。",
            "一、总体情况",
        )
    )
    found = meta.identify(None, text)
    assert found.year == 2024
    assert meta.parse_conflict(found.conflict or "") == ("某区商务局", 2024, "某区商务局", 2023)


def test_opening_that_agrees_is_silent() -> None:
    text = "\n".join(
        (
            "淮安市洪泽区人民政府2024年政府信息公开工作年度报告",
            "现将洪泽区人民政府2024年政府信息公开工作年度报告如下。本报告所列数据的统计期限自2024年1月1日起。",
            "一、总体情况",
        )
    )
    assert meta.identify(None, text).conflict is None
    assert meta.parse_conflict("其他警告") is None


def test_office_furniture_around_synthetic_titles(tmp_path: Path) -> None:
    """PDF and Word reports under a red header line, a document number, 附件 and a running page
    header (quirk letterhead) read exactly, their title the report's, the running header dropped."""
    generate(tmp_path, 6, [2023, 2024], 4, {"pdf": 1, "docx": 1}, 0.0, {"letterhead": 1.0})
    scores = run_accuracy(tmp_path)
    assert len(scores) == 12 and all(s.exact for s in scores), [s.name for s in scores if not s.exact]
    running = 0
    for s in scores:
        path = tmp_path / s.name
        expected = json.loads((tmp_path / f"{s.name}.expected.json").read_text(encoding="utf-8"))
        assert "letterhead" in expected["quirks"]
        doc = read_document(path.read_bytes(), s.name)
        assert doc.title == expected["title"], s.name
        if path.suffix != ".pdf":
            continue
        pdf = pdfium.PdfDocument(path.read_bytes())
        tops = {pdf[i].get_textpage().get_text_range().split("\r\n", 1)[0] for i in range(len(pdf))}
        pdf.close()
        if len(tops) == 1:  # the same first line on every page: a running header
            running += 1
            header = tops.pop()
            assert doc.text.count(header) <= 1, s.name  # at most the title itself
    assert running
