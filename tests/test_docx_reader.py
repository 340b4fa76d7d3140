"""Word reader (.docx built here with python-docx) and the legacy .doc/.wps conversion hook."""

from __future__ import annotations

import io
import stat
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH

from pipelines import layout
from pipelines.model import UnreadableInput
from pipelines.parsing.parse import parse_bytes
from pipelines.parsing.readers.docx import read_docx
from pipelines.parsing.readers.legacy import convert_legacy
from tests.conftest import SAMPLES


def _build(fill: Callable[[docx.document.Document], None]) -> bytes:
    document = docx.Document()
    fill(document)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _cells(grid) -> list[list[tuple[str, bool]]]:
    return [[(c.text, c.spanned) for c in row] for row in grid.rows]


def test_merged_cells_are_expanded_with_spanned_copies() -> None:
    def fill(d: docx.document.Document) -> None:
        d.add_paragraph("前言")
        t = d.add_table(rows=4, cols=4)
        t.cell(0, 0).merge(t.cell(0, 1)).text = "甲"  # gridSpan
        t.cell(0, 2).text, t.cell(0, 3).text = "乙", "丙"
        t.cell(1, 0).merge(t.cell(2, 0)).text = "组"  # vMerge
        t.cell(1, 1).merge(t.cell(2, 2)).text = "块"  # gridSpan and vMerge together
        t.cell(1, 3).text, t.cell(2, 3).text = "1", "2"
        for c, text in enumerate(("3", "", "4", "5")):
            t.cell(3, c).text = text
        d.add_paragraph("后记")

    doc = read_docx(_build(fill))
    assert doc.medium == "docx" and len(doc.tables) == 1
    grid = doc.tables[0]
    assert grid.aligned and grid.index == 0
    assert _cells(grid) == [
        [("甲", False), ("甲", True), ("乙", False), ("丙", False)],
        [("组", False), ("块", False), ("块", True), ("1", False)],
        [("组", True), ("块", True), ("块", True), ("2", False)],
        [("3", False), ("", False), ("4", False), ("5", False)],
    ]
    assert all(c.row == r and c.col == k for r, row in enumerate(grid.rows) for k, c in enumerate(row))
    assert doc.text == "前言\n\n后记"  # the table leaves a paragraph break


def test_title_with_agency_line_and_framing_table() -> None:
    def fill(d: docx.document.Document) -> None:
        for text in ("测试县人民政府", "2024年政府信息公开工作年度报告"):
            d.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.CENTER
        frame = d.add_table(rows=1, cols=1)  # a one-cell layout table around the body
        frame.cell(0, 0).text = "一、总体情况"
        inner = frame.cell(0, 0).add_table(rows=1, cols=2)
        inner.cell(0, 0).text, inner.cell(0, 1).text = "行政许可", "7"

    doc = read_docx(_build(fill))
    assert doc.title == "测试县人民政府2024年政府信息公开工作年度报告"
    assert [_cells(g) for g in doc.tables] == [[[("行政许可", False), ("7", False)]]]
    assert "一、总体情况" in doc.text.splitlines()


# --------------------------------------------------------------------------------------------
# a whole report

T4_VALUES = [3, 1, 0, 0, 4, 2, 0, 1, 0, 3, 1, 1, 0, 0, 2]


def _t3_values(k: int) -> list[int]:
    applicants = [k + 2, k % 2, 0, 1, 0, k % 3]
    return applicants + [sum(applicants)]


def _report(d: docx.document.Document) -> None:
    d.add_paragraph("测试县人民政府").alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("2024年政府信息公开工作年度报告").alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("一、总体情况")
    d.add_paragraph("二、主动公开政府信息情况")
    t2 = [
        ("第二十条第（一）项",),
        ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
        ("规章", "1", "2", "3"),
        ("行政规范性文件", "4", "5", "6"),
        ("第二十条第（五）项",),
        ("信息内容", "本年处理决定数量"),
        ("行政许可", "700"),
        ("第二十条第（六）项",),
        ("信息内容", "本年处理决定数量"),
        ("行政处罚", "800"),
        ("行政强制", "90"),
        ("第二十条第（八）项",),
        ("信息内容", "本年收费金额（单位：万元）"),
        ("行政事业性收费", "12.5"),
    ]
    table = d.add_table(rows=len(t2), cols=4)
    for r, row in enumerate(t2):
        if len(row) < 4:  # the last printed cell spans the rest of the row
            table.cell(r, len(row) - 1).merge(table.cell(r, 3))
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    rows = [r for r in layout.T3_ROWS if "F2021" in r.formats]
    table = d.add_table(rows=2 + len(rows), cols=9)
    table.cell(0, 0).merge(
        table.cell(1, 1)
    ).text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    table.cell(0, 2).merge(table.cell(0, 8)).text = "申请人情况"
    for c, col in enumerate(layout.T3_COLS):
        table.cell(1, 2 + c).text = col.label.split("·")[-1]
    start: dict[str, int] = {}
    for k, row in enumerate(rows):
        r = 2 + k
        tail = (
            layout.label_tail(row.label)
            if row.group in ("denied", "unavailable", "not_handled", "other")
            else row.label
        )
        if row.group in ("denied", "unavailable", "not_handled", "other"):
            first = start.setdefault(row.group, r)
            table.cell(r, 1).text = tail
            if first == r:
                table.cell(r, 0).text = layout.T3_GROUPS[row.group]
            else:
                table.cell(first, 0).merge(table.cell(r, 0))
        else:
            table.cell(r, 0).merge(table.cell(r, 1)).text = row.label
        for c, v in enumerate(_t3_values(k)):
            table.cell(r, 2 + c).text = str(v)
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    table = d.add_table(rows=2, cols=15)
    table.cell(0, 0).merge(table.cell(0, 4)).text = "行政复议"
    table.cell(0, 5).merge(table.cell(0, 14)).text = "行政诉讼"
    for c, v in enumerate(T4_VALUES):
        table.cell(1, c).text = str(v)
    d.add_paragraph("五、存在的主要问题及改进情况")
    d.add_paragraph("六、其他需要报告的事项")


def test_docx_report_parses_every_cell() -> None:
    report = parse_bytes(_build(_report), "report.docx")
    assert report.medium == "docx"
    assert (report.agency, report.year, report.format_version) == ("测试县人民政府", 2024, "F2021")
    cells = report.contract()["cells"]
    assert cells["t2.regulation.in_force"] == 3 and cells["t2.admin_license.decisions"] == 700
    assert cells["t2.admin_fee.amount"] == 12.5
    for k, row in enumerate(r for r in layout.T3_ROWS if "F2021" in r.formats):
        got = [cells[f"t3.{row.code}.{col.code}"] for col in layout.T3_COLS]
        assert got == _t3_values(k), row.code
    assert [cells[f"t4.{b}.{c}"] for b, _ in layout.T4_BLOCKS for c, _ in layout.T4_COLS] == T4_VALUES
    assert list(report.sections) == ["s1", "s2", "s3", "s4", "s5", "s6"]


# --------------------------------------------------------------------------------------------
# not a Word document


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_zip({"xl/workbook.xml": b"<workbook/>"}), "Excel workbook"),
        (_zip({"mimetype": b"application/vnd.oasis.opendocument.text"}), "OpenDocument"),
        (_zip({"hello.txt": b"hi"}), "no word/document.xml"),
        (b"PK\x03\x04" + b"\x00" * 100, "corrupt ZIP"),
        (_zip({"word/document.xml": b"<w:document"}), "not well-formed"),
    ],
)
def test_not_a_word_document(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableInput, match=reason) as err:
        parse_bytes(data, "x.docx")
    assert "\n" not in str(err.value)


# --------------------------------------------------------------------------------------------
# legacy .doc / .wps


# Enough of an OLE2 Word file to be handed to LibreOffice: the magic, a "WordDocument" stream name.
OLE_WORD = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 64
)


def test_ole2_files_that_are_not_word_are_refused_before_libreoffice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_soffice(tmp_path, "raise SystemExit('LibreOffice must not be started')")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UnreadableInput, match="damaged OLE2 header"):
        convert_legacy(b"\xd0\xcf\x11\xe0" + b"\x00" * 1000)
    excel = OLE_WORD.replace("WordDocument".encode("utf-16-le"), "Workbook".encode("utf-16-le"))
    with pytest.raises(UnreadableInput, match="without a Word document stream"):
        parse_bytes(excel, "report.doc")


def _fake_soffice(directory: Path, body: str) -> None:
    script = directory / "soffice"
    script.write_text(
        f"#!{sys.executable}\nimport sys, time, pathlib\nargs = sys.argv[1:]\n"
        f"out = pathlib.Path(args[args.index('--outdir') + 1])\n{body}\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def test_legacy_without_libreoffice_returns_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert convert_legacy(OLE_WORD) is None


def test_legacy_converted_by_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    converted = _build(lambda d: d.add_paragraph("2024年政府信息公开工作年度报告"))
    (tmp_path / "converted.docx").write_bytes(converted)
    _fake_soffice(
        tmp_path,
        f"out.mkdir(parents=True, exist_ok=True)\n"
        f"(out / 'report.docx').write_bytes(pathlib.Path({str(tmp_path / 'converted.docx')!r})"
        f".read_bytes())",
    )
    monkeypatch.setenv("PATH", str(tmp_path))
    result = convert_legacy(OLE_WORD)
    assert result == converted
    assert read_docx(result).title == "2024年政府信息公开工作年度报告"


def test_legacy_conversion_failure_and_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    _fake_soffice(tmp_path, "pass")  # exits without writing anything
    with pytest.raises(UnreadableInput, match="could not convert"):
        convert_legacy(OLE_WORD)
    _fake_soffice(tmp_path, "time.sleep(30)")
    with pytest.raises(UnreadableInput, match="timed out"):
        convert_legacy(OLE_WORD, timeout=0.5)


def test_real_legacy_doc_reads_like_its_docx(tmp_path: Path) -> None:
    # With the real LibreOffice (`make system-packages` installs it; CI has it): a Word 97 .doc saved
    # from a sample report parses to exactly the sample's expected cells, agency, year and format.
    import json
    import os
    import subprocess

    from pipelines.parsing.readers.legacy import soffice_path

    exe = soffice_path()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is missing: `make system-packages` installs it for CI")
        pytest.skip("LibreOffice is not installed (make system-packages)")
    source = next(
        p
        for p in sorted(SAMPLES.glob("*.docx"))
        if "merged_cells"
        in json.loads(p.with_name(p.name + ".expected.json").read_text("utf-8")).get("quirks", [])
    )
    subprocess.run(
        [
            exe,
            "--headless",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--convert-to",
            "doc:MS Word 97",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    doc = (tmp_path / source.name).with_suffix(".doc").read_bytes()
    assert doc.startswith(b"\xd0\xcf\x11\xe0"), "LibreOffice wrote an OLE2 Word 97 file"
    expected = json.loads(source.with_name(source.name + ".expected.json").read_text("utf-8"))
    got = parse_bytes(doc, "report.doc").contract()
    assert (got["agency"], got["year"], got["format_version"]) == (
        expected["agency"],
        expected["year"],
        expected["format_version"],
    )
    assert got["cells"] == expected["cells"]
