"""Plain-text media: the seed's pipe-separated text, markdown tables from PDF conversions, and
crawler text dumps whose table cells were run together.

All three become one Grid of rows in reading order (aligned=False: cells are in order but not
column-aligned). Lines without `|` still become rows: a trailing run of numbers is split off as
value cells ("行政许可 97"), so tables a converter printed as plain lines are not lost. In a
crawler dump, every run of digits between two labels becomes one `glued` cell: only the mapper,
which knows how many cells a row has and which sums hold, can split it.
"""

from __future__ import annotations

import re

from pipelines.model import Document, Grid, GridCell, UnreadableInput
from pipelines.parsing.readers.encoding import decode_bytes, looks_binary
from pipelines.parsing.readers.limits import CellCount, check_text_bytes

_MD_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_TRAILING_NUMBERS = re.compile(
    r"^(?P<label>.*?[^\d\s.,+\-])\s+(?P<nums>[+\-]?\d[\d,]*(?:\.\d+)?"
    r"(?:\s+[+\-]?\d[\d,]*(?:\.\d+)?)*)\s*$"
)
_ONLY_NUMBERS = re.compile(r"^[+\-]?\d[\d,]*(?:\.\d+)?(?:\s+[+\-]?\d[\d,]*(?:\.\d+)?)*$")
_DUMP_HEADER = re.compile(r"^(标题|发布时间|文号|发布机构|栏目|原文链接|本地目录|页面链接)\s*[:：]")
_BODY_MARK = re.compile(r"=+\s*正文\s*=+")
# In a crawler dump a table row's label is followed directly by its digits, with no separator
# (matched after squeezing out spaces between non-digits: dumps also break labels, "本 年新收").
_GLUED_HINT = re.compile(
    r"(?:申请数量|予以公开|规章|规范性文件|行政许可|行政处罚|行政强制|收费|审结总计)-?\d"
)
_SPACE_IN_WORDS = re.compile(r"(?<=[^\d\s])\s+(?=[^\d\s])")
# A run of digits (with the stray spaces dumps contain), an optional decimal part / unit; a minus
# sign right after a label belongs to the run (a negative count printed in error is still data).
_RUN = re.compile(r"(?<![\d.])-?\d(?:[\d ]|[+-](?=\d))*(?:\.\d+)?(?:万元|元|笔|件|个|项|条|次)?")
# A unit printed in a cell ends that cell: "政府集中采购4笔1347641.29元" is 4笔 | 1347641.29元.
_CELL_UNITS = ("万元", "元", "笔", "件", "个", "项", "条", "次")


_TITLE_FIELD = re.compile(r"标题\s*[:：](.*)")


def read_text(data: bytes) -> Document:
    if not data.strip():
        raise UnreadableInput("empty file")
    if looks_binary(data):
        raise UnreadableInput("binary data, not a text report")
    check_text_bytes(len(data))
    text, encoding = decode_bytes(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ").replace("\xa0", " ")
    title, body = _split_dump_header(text)
    notes = [f"encoding: {encoding}"]
    if "|" not in body and _GLUED_HINT.search(_SPACE_IN_WORDS.sub("", body)):
        grid = _glued_grid(body)
        notes.append("crawler dump: table cells run together; digit runs split by the mapper")
    else:
        grid = _line_grid(body)
    if not body.strip():
        raise UnreadableInput("no text in file")
    return Document(medium="text", tables=[grid], text=_plain(body), title=title, notes=notes)


def _split_dump_header(text: str) -> tuple[str | None, str]:
    """Crawler dumps start with `标题: …` metadata lines and a `==== 正文 ====` marker."""
    m = _BODY_MARK.search(text)
    title = None
    head = text[: m.start()] if m else text[:2000]
    for line in head.splitlines():
        field = _TITLE_FIELD.match(line)  # `标题` without a colon is text, not the header field
        if field:
            title = field.group(1).strip() or None
            break
    if m:
        return title, text[m.end() :]
    return title, text


def _plain(body: str) -> str:
    lines = [ln.strip() for ln in body.splitlines()]
    return "\n".join(ln for ln in lines if ln and not _MD_RULE.match(ln) and not _DUMP_HEADER.match(ln))


def _line_grid(body: str) -> Grid:
    rows: list[list[GridCell]] = []
    # Markdown wraps rows in pipes ("| a | b |"); the seed's pipe text only ends them ("a | b |"),
    # so there a leading pipe is an empty first cell, not an edge.
    markdown = any(_MD_RULE.match(ln.strip()) for ln in body.splitlines())
    count = CellCount()
    for line in body.splitlines():
        s = line.strip()
        if not s or _MD_RULE.match(s):
            continue
        r = len(rows)
        if "|" in s:
            parts = s.split("|")
            # markdown tables wrap rows in pipes: drop the empty edge cells they create
            if s.startswith("|") and markdown:
                parts = parts[1:]
            if s.endswith("|") and parts:
                parts = parts[:-1]
            count.add(len(parts))
            rows.append([GridCell(p.strip(), r, c) for c, p in enumerate(parts)])
            continue
        s = s.lstrip("#").strip()
        m = _TRAILING_NUMBERS.match(s)
        if m and not s.endswith(("年", "月", "日")):
            nums = m.group("nums").split()
            count.add(len(nums) + 1)
            rows.append(
                [GridCell(m.group("label").strip(), r, 0)]
                + [GridCell(n, r, c + 1) for c, n in enumerate(nums)]
            )
        elif _ONLY_NUMBERS.match(s):
            count.add(s.count(" ") + 1)
            rows.append([GridCell(n, r, c) for c, n in enumerate(s.split())])
        else:
            rows.append([GridCell(s, r, 0)])
    return Grid(index=0, rows=rows, aligned=False)


def _glued_grid(body: str) -> Grid:
    """Alternate label text and digit runs: each run closes a row [label, run]."""
    rows: list[list[GridCell]] = []
    count = CellCount()
    flat = " ".join(body.split())
    pos = 0
    label_start = 0
    while True:
        m = _RUN.search(flat, pos)
        if not m:
            break
        start, end = m.start(), m.end()
        run = m.group()
        # "…00000002.其他法律…": the last digit numbers the next row, it is not a value
        if (
            flat[end : end + 1] in (".", "、", "．")
            and not flat[end + 1 : end + 2].isdigit()
            and not run.endswith(("元", " "))
        ):
            if len(run) == 1:
                pos = end + 1  # "1.属于国家秘密": a row number inside the label
                continue
            end -= 1
            run = run[:-1]
        label = flat[label_start:start].strip()
        value = run.strip()
        if value and not label and rows and start == label_start and rows[-1][-1].text.endswith(_CELL_UNITS):
            # the unit closed the cell before: this run is the row's next cell, and neither is glued
            rows[-1][-1].glued = False
            rows[-1].append(GridCell(value, len(rows) - 1, len(rows[-1])))
            label_start = end
        elif value and label:
            r = len(rows)
            count.add(2)
            rows.append([GridCell(label, r, 0), GridCell(value, r, 1, glued=True)])
            label_start = end
        pos = max(end, start + 1)
    tail = flat[label_start:].strip()
    if tail:
        rows.append([GridCell(tail, len(rows), 0)])
    return Grid(index=0, rows=rows, aligned=False)
