"""A report cut part-way through its tables is quarantined as truncated, in every medium, instead
of loading its missing cells as blanks (which the marts count as zeros); complete reports that
print less (a table as an image, rows left out) load as before."""

from __future__ import annotations

import pytest

from pipelines.model import UnreadableInput
from pipelines.parsing.parse import parse_bytes
from tests.conftest import SAMPLES

TEXT_MEDIA = [
    "320903-finance_2021.txt",  # pipe text
    "320903-hrss_2021.md",  # markdown
    "320903-finance_2025.txt",  # crawler dump, digits glued
    "320903-gov_2020.txt",  # crawler dump
]


def _cut(name: str, share: float) -> bytes:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    return text[: int(len(text) * share)].encode("utf-8")


@pytest.mark.parametrize("name", TEXT_MEDIA)
@pytest.mark.parametrize("share", [0.6, 0.8, 0.9])
def test_text_cut_in_its_tables_is_truncated(name: str, share: float) -> None:
    with pytest.raises(
        UnreadableInput, match=r"truncated report: its tables stop part-way \(\d+ of \d+ cells"
    ):
        parse_bytes(_cut(name, share), name)


@pytest.mark.parametrize("name", TEXT_MEDIA)
def test_complete_text_loads(name: str) -> None:
    report = parse_bytes((SAMPLES / name).read_bytes(), name)
    assert all(c.raw is not None for c in report.cells.values())


def test_html_page_whose_article_stops_part_way() -> None:
    # the page itself is complete (</html>): the article inside it was cut
    html = (SAMPLES / "320903-market_regulation_2021.html").read_bytes()
    cut = html[: int(len(html) * 0.6)] + b"</td></tr></table></div></body></html>"
    with pytest.raises(UnreadableInput, match="truncated report"):
        parse_bytes(cut, "page.html")


def test_cut_after_the_tables_loads() -> None:
    # every table is whole; only the closing sections are cut: the numbers are all there
    name = "320903-finance_2021.txt"
    text = (SAMPLES / name).read_text(encoding="utf-8")
    cut = text[: text.index("六、")]
    report = parse_bytes(cut.encode("utf-8"), name)
    assert all(c.raw is not None for c in report.cells.values())


@pytest.mark.parametrize(
    "name",
    ["320903-commerce_2019.txt", "320903-commerce_2025.docx", "320903-market_regulation_2019.docx"],
)
def test_complete_report_without_its_table_three_loads(name: str) -> None:
    # 表三 printed as an image: its cells are missing, but the report goes on to 五 and 六
    report = parse_bytes((SAMPLES / name).read_bytes(), name)
    assert any(c.raw is None for cid, c in report.cells.items() if cid.startswith("t3."))


def test_introduction_naming_the_sections_is_not_section_six() -> None:
    # 本报告包括……存在的主要问题及改进情况以及其他需要报告的事项等六部分: not the sections themselves
    name = "320903-finance_2021.txt"
    intro = "本报告包括总体情况、存在的主要问题及改进情况以及其他需要报告的事项等六部分。\n"
    text = (SAMPLES / name).read_text(encoding="utf-8")
    head, body = text.split("\n", 1)
    cut = head + "\n" + intro + body[: int(len(body) * 0.6)]
    with pytest.raises(UnreadableInput, match="truncated report"):
        parse_bytes(cut.encode("utf-8"), name)
