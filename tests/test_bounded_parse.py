"""Adversarial inputs that once cost minutes and gigabytes: each parse now does bounded work and
answers, marking what it could not decide as uncertain with why. The outcome is asserted, and
that the parse fits in a small address space, never the time it takes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest

from pipelines.model import UnreadableInput
from pipelines.parsing.parse import parse_bytes
from pipelines.parsing.readers import limits
from tests.conftest import REPO, SAMPLES

# a crawler dump whose 表四 is one glued run of 15 zeros and whose 本年新收 row is "4100016"
DUMP = (SAMPLES / "320903-finance_2025.txt").read_text(encoding="utf-8")
T4_RUN = "尚未审结总计000000000000000"
T3_ROW = "本年新收政府信息公开申请数量4100016"
MB = 1024 * 1024


def _dump(t4: str | None = None, t3: str | None = None) -> bytes:
    text = DUMP
    assert text.count(T4_RUN) == 1 and text.count(T3_ROW) == 1
    if t4 is not None:
        text = text.replace(T4_RUN, "尚未审结总计" + t4)
    if t3 is not None:
        text = text.replace(T3_ROW, "本年新收政府信息公开申请数量" + t3)
    return text.encode("utf-8")


def _t4(report: Any) -> list[Any]:
    return [c for cid, c in report.cells.items() if cid.startswith("t4.")]


def test_plausible_t4_run_with_a_wrong_total():
    # 30 digits, the last block's 总计 printed 51 where its cells add up to 50
    digits = "121314155421111310551112131451"
    report = parse_bytes(_dump(t4=digits), "dump.txt")
    cells = _t4(report)
    assert [c.value for c in cells] == [12, 13, 14, 15, 54, 21, 11, 13, 10, 55, 11, 12, 13, 14, 51]
    assert all(c.uncertain and "all blocks but one" in (c.note or "") for c in cells)


def test_random_t4_digits():
    digits = "887789328792174218096792908100"
    report = parse_bytes(_dump(t4=digits), "dump.txt")
    cells = _t4(report)
    # nothing the totals allow: no cell takes arbitrary digits, each says why
    assert all(c.value is None and c.uncertain and c.note for c in cells)
    assert any("could not be split" in w for w in report.warnings)


def test_60_digit_t3_row():
    row = "439075793834701746814538401916146100330766619345145061231007"
    plain = parse_bytes(_dump(), "dump.txt")
    report = parse_bytes(_dump(t3=row), "dump.txt")
    mine = {cid: c for cid, c in report.cells.items() if cid.startswith("t3.new_received.")}
    assert len(mine) == 7
    assert all(c.uncertain and "stopped after" in (c.note or "") for c in mine.values())
    # the rest of the report reads as before
    for cid, c in plain.cells.items():
        if cid not in mine:
            assert report.cells[cid].value == c.value, cid


def test_glued_rows_everywhere_share_one_budget():
    # every 表三 row a 60-digit run: the document's searches together stay within its budget,
    # and every cell of those rows is marked
    row = "439075793834701746814538401916146100330766619345145061231007"
    text = re.sub(r"(?<=[^\d\s])(\d{7,9})(?=\s*[\d（(]?[^\d])", lambda m: row, DUMP)
    assert text.count(row) > 20
    report = parse_bytes(text.encode("utf-8"), "dump.txt")
    t3 = [c for cid, c in report.cells.items() if cid.startswith("t3.") and c.raw is not None]
    assert len(t3) > 100 and all(c.uncertain for c in t3)


_CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (BYTES, BYTES))
from pipelines.parsing.parse import parse_bytes
out = []
for path in sys.argv[1:]:
    r = parse_bytes(open(path, "rb").read(), path)
    out.append(sum(c.uncertain for k, c in r.cells.items() if k.startswith(("t4.", "t3.new_received."))))
print(json.dumps(out))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS")
def test_adversarial_runs_fit_in_a_small_address_space(tmp_path):
    # the three runs that once took 4-16 GB parse in one process limited to 1 GB of address space
    files = []
    for name, kw in {
        "t4_plausible": {"t4": "121314155421111310551112131451"},
        "t4_random": {"t4": "887789328792174218096792908100"},
        "t3_60": {"t3": "439075793834701746814538401916146100330766619345145061231007"},
    }.items():
        f = tmp_path / f"{name}.txt"
        f.write_bytes(_dump(**kw))
        files.append(str(f))
    child = _CHILD.replace("BYTES", str(1024 * MB))
    done = subprocess.run(
        [sys.executable, "-c", child, *files], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == [15, 15, 7]


# --------------------------------------------------------------------------------------------
# files under the size cap that are not reports: refused early, with the limit named

HTML = (SAMPLES / "320903-market_regulation_2021.html").read_bytes()
WORD = '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{}</w:body></w:document>'


def _html_with(extra: bytes) -> bytes:
    end = HTML.lower().rfind(b"</body>")
    return HTML[:end] + extra + HTML[end:]


def _docx(body: str) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", WORD.format(body))
    return buf.getvalue()


def _refused(data: bytes, name: str) -> str:
    with pytest.raises(UnreadableInput) as err:
        parse_bytes(data, name)
    reason = str(err.value)
    assert "\n" not in reason
    return reason


def test_text_over_its_limit():
    data = (SAMPLES / "320903-commerce_2021.txt").read_bytes()
    padded = data + "行政许可 | 97 | 3 | 100 |\n".encode() * (limits.MAX_TEXT_BYTES // 30)
    assert len(padded) > limits.MAX_TEXT_BYTES
    assert "limit 4.0 MB" in _refused(padded, "big.txt")


def test_text_with_too_many_cells():
    data = (SAMPLES / "320903-commerce_2021.txt").read_bytes() + b"|".join([b"1"] * 120_000) + b"\n"
    assert len(data) < limits.MAX_TEXT_BYTES
    assert "too many table cells" in _refused(data, "cells.txt")


def test_html_with_too_many_tags():
    rows = b"<tr><td>1</td><td>2</td></tr>" * (limits.MAX_TAGS // 6 + 1)
    assert "too many tags" in _refused(_html_with(b"<table>" + rows + b"</table>"), "big.html")


def test_html_spans_count_as_cells():
    # 400 rows of one cell spanning 256 columns: few tags, 102,400 cells once expanded
    rows = b'<tr><td colspan="256">1</td></tr>' * 400
    assert "too many table cells" in _refused(_html_with(b"<table>" + rows + b"</table>"), "spans.html")


def test_word_body_over_its_limit():
    body = "<w:p><w:r><w:t>一二三四五六七八九十</w:t></w:r></w:p>" * (limits.MAX_DOCX_XML // 60)
    data = _docx(body)
    assert len(data) < 1024 * 1024  # a small file that expands past the limit
    assert "limit 16 MB" in _refused(data, "bomb.docx")


def test_word_grid_span_is_capped():
    # a gridSpan of a billion columns would be a billion cells: capped at MAX_COLUMNS
    cell = '<w:tc><w:tcPr><w:gridSpan w:val="1000000000"/></w:tcPr><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>'
    from pipelines.parsing.readers.docx import read_docx

    doc = read_docx(_docx(f"<w:tbl><w:tr>{cell}{cell}</w:tr></w:tbl>"))
    assert len(doc.tables[0].rows[0]) == 2 * limits.MAX_COLUMNS
    rows = f"<w:tr>{cell}{cell}</w:tr>" * (limits.MAX_CELLS // (2 * limits.MAX_COLUMNS) + 1)
    assert "too many table cells" in _refused(_docx(f"<w:tbl>{rows}</w:tbl>"), "span.docx")


# --------------------------------------------------------------------------------------------
# deep nesting


def _nested(depth: int) -> bytes:
    start = HTML.lower().find(b"<body")
    start = HTML.find(b">", start) + 1
    end = HTML.lower().rfind(b"</body>")
    return HTML[:start] + b"<div>" * depth + HTML[start:end] + b"</div>" * depth + HTML[end:]


def test_deeply_nested_report_parses():
    plain = parse_bytes(HTML, "page.html")
    for depth in (300, 2000):  # libxml2 stopped at 256 unless told otherwise; Python recursed
        report = parse_bytes(_nested(depth), "page.html")
        assert (report.agency, report.year) == (plain.agency, plain.year)
        assert {k: c.value for k, c in report.cells.items()} == {k: c.value for k, c in plain.cells.items()}


def test_nesting_past_the_parser_limit_says_so():
    assert "nested too deep" in _refused(_nested(3000), "page.html")
