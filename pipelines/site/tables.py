"""表二, 表三 and 表四 of one report rebuilt from fact_cell, in the statutory layout, with every cell
that a failed rule involves marked and numbered against the list of findings under the tables.

Cells show what the report printed (raw_text), not the parsed number: oversight staff hold the page
against the published report, and a blank, a dash or full-width digits are part of what it says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from markupsafe import Markup

from pipelines import layout
from pipelines.site.data import Finding

_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
# What Jinja's autoescape (markupsafe) writes for each special character, as one str.translate.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


@dataclass(frozen=True)
class Cell:
    text: str
    cls: str
    title: str
    notes: tuple[int, ...]  # numbers of the findings that involve the cell


@dataclass(frozen=True)
class Row:
    heads: tuple[tuple[str, int], ...]  # leading header cells: (text, rowspan); rowspan 0 = none here
    cells: tuple[Cell, ...]
    cls: str = ""


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    head: tuple[tuple[tuple[str, int, int], ...], ...]  # header rows of (text, colspan, rowspan)
    rows: tuple[Row, ...]
    unit: str


_NOTE_EMPTY = "空白（规则按 0 计）"
_NOTE_ABSENT = "报告中没有这一格"


class CellMarker:
    """Turns one report's fact_cell rows and findings into table cells."""

    def __init__(
        self,
        fmt: str,
        cells: Mapping[str, tuple[Any, ...]],
        findings: Sequence[Finding],
        labels: Mapping[tuple[str, str], tuple[str, str]],
    ) -> None:
        self.fmt = fmt
        self.cells = cells
        self.labels = labels
        self.notes: dict[str, list[int]] = {}
        self.worst: dict[str, str] = {}
        self.messages: dict[str, list[str]] = {}
        for n, f in enumerate(findings, start=1):
            for cid in f.cell_ids:
                self.notes.setdefault(cid, []).append(n)
                self.messages.setdefault(cid, []).append(f"[{n}] {f.message}")
                if _SEVERITY_RANK.get(f.severity, 3) < _SEVERITY_RANK.get(self.worst.get(cid, ""), 3):
                    self.worst[cid] = f.severity

    def label(self, cell_id: str, default: tuple[str, str]) -> tuple[str, str]:
        return self.labels.get((cell_id, self.fmt), default)

    def cell(self, cell_id: str) -> Cell:
        got = self.cells.get(cell_id)
        classes: list[str] = []
        titles: list[str] = []
        if got is None:
            text = ""
            classes.append("absent")
            titles.append(_NOTE_ABSENT)
        else:
            _value, raw, kind, uncertain, why = got
            text = (raw or "").strip()
            if kind == "blank" or not text:
                classes.append("blank")
                titles.append(_NOTE_EMPTY)
            if uncertain:
                # marked where it stands, and why (guessed_cell: the split taken, the other readings)
                classes.append("uncertain")
                text = "≈" + text
                titles.append("推测的数值：" + (why or "解析器对这一格的读数没有把握，请与原文核对"))
        if cell_id in self.worst:
            classes.append("bad bad-" + self.worst[cell_id])
            titles += self.messages[cell_id]
        if titles in ([_NOTE_EMPTY], [_NOTE_ABSENT]):
            # a plain blank or missing cell is told by its shading, which the note above the tables
            # explains: a title on each would be a third of the tables' bytes
            titles = []
        return Cell(text, " ".join(classes), "\n".join(titles), tuple(self.notes.get(cell_id, ())))


def row_html(row: Row, year: int) -> Markup:
    """The header and data cells of one table row: in Python rather than a Jinja loop, which would be
    two thirds of the site's build time (some 200 cells a report, seven reports an organ). Escaped
    exactly as Jinja's autoescape does (a test compares the two)."""
    out: list[str] = []
    for text, rs in row.heads:
        if rs:
            span = f' rowspan="{rs}"' if rs > 1 else ""
            out.append(f'<th scope="row"{span}>{text.translate(_ESCAPES)}</th>')
    for c in row.cells:
        attrs = (f' class="{c.cls.translate(_ESCAPES)}"' if c.cls else "") + (
            f' title="{c.title.translate(_ESCAPES)}"' if c.title else ""
        )
        notes = ""
        if c.notes:
            notes = "<sup>" + ",".join(f'<a href="#f{year}-{n}">{n}</a>' for n in c.notes) + "</sup>"
        out.append(f"<td{attrs}>{c.text.translate(_ESCAPES)}{notes}</td>")
    return Markup("".join(out))


def build(
    fmt: str,
    cells: Mapping[str, tuple[Any, ...]],
    findings: Sequence[Finding],
    labels: Mapping[tuple[str, str], tuple[str, str]],
) -> list[Table]:
    """The three tables of a report in format F2019 or F2021 (none for UNKNOWN: nothing was read)."""
    if fmt not in layout.FORMATS:
        return []
    m = CellMarker(fmt, cells, findings, labels)
    return [_table2(m), _table3(m), _table4(m)]


class _Order(CellMarker):
    """A marker that notes the cell ids in the order the tables ask for them."""

    def __init__(self, fmt: str) -> None:
        super().__init__(fmt, {}, [], {})
        self.seen: list[str] = []

    def cell(self, cell_id: str) -> Cell:
        self.seen.append(cell_id)
        return super().cell(cell_id)


@cache
def cell_order(fmt: str) -> tuple[str, ...]:
    """The cell ids of a report in `fmt` in the order of the <td>s of its tables, which is the order
    `encode` writes them in: what the warehouse encodes for a plain report (data.encoded_cells)."""
    if fmt not in layout.FORMATS:
        return ()
    m = _Order(fmt)
    for table in (_table2, _table3, _table4):
        table(m)
    return tuple(m.seen)


# What str.strip() strips (Python's whitespace), for stripping a cell's text the same way in SQL.
WHITESPACE = "".join(chr(i) for i in range(0x110000) if chr(i).isspace())


def _table2(m: CellMarker) -> Table:
    specs = [s for s in layout.CELLS if s.format == m.fmt and s.table == "二"]
    rows: list[Row] = []
    by_item: dict[str, list[layout.CellSpec]] = {}
    for s in specs:
        by_item.setdefault(s.row_code, []).append(s)
    for item in by_item.values():
        for i, s in enumerate(item):
            row_label, col_label = m.label(s.cell_id, (s.row_label, s.col_label))
            # the 万元 measure names its unit in its label already; F2019's amount has none
            unit = "" if "单位" in col_label or s.unit == "as printed" else f"（{s.unit}）"
            heads = ((row_label, len(item) if i == 0 else 0), (col_label + unit, 1))
            rows.append(Row(heads, (m.cell(s.cell_id),)))
    head = ((("信息内容", 1, 1), ("指标", 1, 1), ("数量", 1, 1)),)
    return Table("t2", "表二 主动公开政府信息情况", head, tuple(rows), "")


def _table3(m: CellMarker) -> Table:
    cols = layout.T3_COLS
    head = (
        (("项目", 1, 2), (cols[0].label, 1, 2), ("法人或其他组织", 5, 1), (cols[-1].label, 1, 2)),
        tuple((c.label.split("·")[-1], 1, 1) for c in cols[1:-1]),
    )
    rows = []
    for r in layout.T3_ROWS:
        if m.fmt not in r.formats:
            continue
        first = f"t3.{r.code}.{cols[0].code}"
        row_label, _ = m.label(first, (r.label, ""))
        cls = "sub" if r.group and r.code != "granted" else ("total" if r.code == "total" else "")
        rows.append(Row(((row_label, 1),), tuple(m.cell(f"t3.{r.code}.{c.code}") for c in cols), cls))
    return Table("t3", "表三 收到和处理政府信息公开申请情况", head, tuple(rows), "单位：件")


def _table4(m: CellMarker) -> Table:
    head = ((("", 1, 1), *((label, 1, 1) for _, label in layout.T4_COLS)),)
    rows = []
    for block, block_label in layout.T4_BLOCKS:
        row_label, _ = m.label(f"t4.{block}.total", (block_label, ""))
        rows.append(Row(((row_label, 1),), tuple(m.cell(f"t4.{block}.{c}") for c, _ in layout.T4_COLS)))
    return Table("t4", "表四 政府信息公开行政复议、行政诉讼情况", head, tuple(rows), "单位：件")


# A cell as pages/organ.py hands it to static/site.js, in the order of the <td>s of the tables: the
# text alone when the cell has no class, note or finding; 0 for a blank cell and None for a cell the
# report does not have (the skeleton's own), which the skeleton (`skeleton`) explains the same way.
Encoded = str | int | None | list[Any]


def encode(tables: Sequence[Table]) -> list[Encoded]:
    """The cells of a report's tables, compact: what site.js fills into the skeleton of their format
    to draw exactly what row_html writes."""
    out: list[Encoded] = []
    for t in tables:
        for row in t.rows:
            for c in row.cells:
                if not c.notes and c.text == "" and (c.cls, c.title) == ABSENT:
                    out.append(None)
                elif not c.notes and c.text == "" and (c.cls, c.title) == BLANK:
                    out.append(0)
                elif not c.notes and not c.cls and not c.title:
                    out.append(c.text)
                else:
                    out.append([c.text, c.cls, c.title, list(c.notes)])
    return out


def skeleton(fmt: str, labels: Mapping[tuple[str, str], tuple[str, str]]) -> list[Table]:
    """The tables of a report in `fmt` with every cell absent: the headers an encoded report is
    drawn into."""
    return build(fmt, {}, [], labels)


BLANK = ("blank", "")  # what an encoded 0 stands for: class and title of a plain blank cell
ABSENT = ("absent", "")  # what an encoded None stands for (and every cell of a skeleton)


def decode(encoded: Sequence[Encoded]) -> list[Cell]:
    """The cells `encode` wrote, as static/site.js reads them (the tests compare the two)."""
    out = []
    for c in encoded:
        if c is None:
            out.append(Cell("", *ABSENT, ()))
        elif c == 0 and not isinstance(c, str):
            out.append(Cell("", *BLANK, ()))
        elif isinstance(c, str):
            out.append(Cell(c, "", "", ()))
        else:
            text, cls, title, notes = c  # type: ignore[misc]
            out.append(Cell(text, cls, title, tuple(notes)))
    return out
