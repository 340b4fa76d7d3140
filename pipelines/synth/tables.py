"""The three statutory tables as a medium-neutral model (rows of cells with rowspan/colspan), in
the layouts publishers use. Every renderer draws from this model, so an HTML page, a Word table,
a PDF and a text dump of one report show the same cells.

Rows and columns come from `pipelines.layout`; only the printed wording lives here (full labels
of the rows layout abbreviates, the 第二十条 clause headers, label variants of FORMAT.md §7).
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field

from pipelines import layout
from pipelines.synth.report import GROUP_ROWS, Draft, Printed

NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
# Labels that layout abbreviates with "…" and the parenthesis the statutory form prints.
_FULL = {
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "other_overdue_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_overdue_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
}
_SHORT = {"other_overdue_correction": "1.逾期不补正", "other_overdue_fee": "2.逾期未缴费"}
_CLAUSE = {
    "regulation": "（一）",
    "normative_doc": "（一）",
    "admin_license": "（五）",
    "other_mgmt_service": "（五）",
    "admin_penalty": "（六）",
    "admin_coercion": "（六）",
    "admin_fee": "（八）",
    "gov_procurement": "（九）",
}
_SUB = re.compile(r"\d\..*$")


@dataclass(slots=True)
class Cell:
    text: str  # "\n" marks a line break inside the cell
    cs: int = 1
    rs: int = 1
    head: bool = False
    num: bool = False


@dataclass
class Table:
    kind: str  # t2, t3, t4
    ncols: int
    rows: list[list[Cell]]
    head_rows: int = 0
    widths: list[float] = field(default_factory=list)  # relative


def grid(table: Table) -> list[list[tuple[Cell, int, int] | None]]:
    """Expand spans: each slot holds (cell, origin row, origin column); None where a row is short."""
    out: list[list[tuple[Cell, int, int] | None]] = [[None] * table.ncols for _ in table.rows]
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while c < table.ncols and out[r][c] is not None:
                c += 1
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    if r + dr < len(out) and c + dc < table.ncols:
                        out[r + dr][c + dc] = (cell, r, c)
            c += cell.cs
    return out


# --------------------------------------------------------------------------------------------
# wording


class Words:
    """The publisher's wording of labels: reworded, with whitespace inside, half-width."""

    def __init__(self, d: Draft, rng: random.Random) -> None:
        self.reword = d.has("reworded_labels")
        self.space = d.has("label_whitespace")
        self.halfwidth = False  # text media normalise the whole file instead
        self.rng = rng
        self.quote = (
            rng.choice(("“三安全一稳定”", '"三安全一稳定"', "「三安全一稳定」", "三安全一稳定"))
            if self.reword
            else "“三安全一稳定”"
        )
        self.total = "合计" if self.reword and rng.random() < 0.5 else "总计"
        self.short_other = self.reword and rng.random() < 0.5
        self.normdoc = "规范性文件" if self.reword and rng.random() < 0.6 else "行政规范性文件"
        self.other_col = "其他组织" if self.reword and rng.random() < 0.4 else "其他"

    def w(self, text: str) -> str:
        return unicodedata.normalize("NFKC", text) if self.halfwidth else text

    def head(self, text: str) -> str:
        """A header cell: short words broken over lines (“商业<br>企业”) or spaced (“结果 纠正”)."""
        if self.space and 4 <= len(text) <= 6 and self.rng.random() < 0.7:
            cut = 2 if len(text) <= 5 else 2 + self.rng.randint(0, 2)
            text = text[:cut] + self.rng.choice(("\n", " ", "\n")) + text[cut:]
        return self.w(text)

    def row(self, text: str) -> str:
        if self.space and self.rng.random() < 0.15 and len(text) > 6:
            cut = self.rng.randint(2, len(text) - 2)
            if not text[cut - 1].isdigit() and text[cut - 1] not in "（.、":
                text = text[:cut] + " " + text[cut:]
        return self.w(text)


def t3_labels(fmt: str, single_other: bool, words: Words) -> list[tuple[str, str | None, str]]:
    """(row code, group label or None, own label) in printed order."""
    out: list[tuple[str, str | None, str]] = []
    for r in layout.T3_ROWS:
        if fmt not in r.formats and not (single_other and r.code == "other"):
            continue
        if single_other and r.code.startswith("other_"):
            continue
        if r.code in _FULL:
            own = _SHORT[r.code] if words.short_other and r.code in _SHORT else _FULL[r.code]
        elif r.group in ("denied", "unavailable", "not_handled") or r.code == "other_misc":
            m = _SUB.search(r.label)
            own = m.group(0) if m else r.label
        elif r.group is None:
            own = r.label
        elif r.code == "granted":
            own = "（一）予以公开"
        else:
            own = r.label
        if r.code == "total" and words.total != "总计":
            own = own.replace("总计", words.total)
        own = own.replace("“三安全一稳定”", words.quote)
        group = (
            None
            if r.code == "other" or r.group in (None, "granted", "partially_granted")
            else layout.T3_GROUPS[r.group]
        )
        out.append((r.code, group, own))
    return out


# --------------------------------------------------------------------------------------------
# 表二


def t2_tables(d: Draft, p: dict[str, Printed], words: Words, split: bool) -> list[Table]:
    """One 4-column table, or one table per 第二十条 clause (`split`)."""
    fmt = d.fmt
    blocks: list[tuple[str, list[layout.T2Item]]] = []
    for item in layout.T2_ITEMS:
        if fmt not in item.measures:
            continue
        clause = _CLAUSE[item.code]
        if blocks and blocks[-1][0] == clause:
            blocks[-1][1].append(item)
        else:
            blocks.append((clause, [item]))
    tables: list[Table] = []
    rows: list[list[Cell]] = []
    for clause, items in blocks:
        measures = items[0].measures[fmt]
        n = len(measures)
        spans = [1] * n
        spans[-1] = 4 - n
        rows.append([Cell(words.w(f"第二十条第{clause}项"), cs=4, head=True)])
        head = [Cell(words.w("信息内容"), head=True)]
        for m, s in zip(measures, spans, strict=True):
            spec = layout.SPEC_BY_ID[(fmt, f"t2.{items[0].code}.{m}")]
            label = spec.col_label
            if words.reword and m == "items_change":
                label = "本年增减"
            head.append(Cell(words.head(label) if len(label) <= 6 else words.w(label), cs=s, head=True))
        rows.append(head)
        for item in items:
            label = layout.SPEC_BY_ID[(fmt, f"t2.{item.code}.{measures[0]}")].row_label
            if item.code == "normative_doc" and fmt == "F2021":
                label = words.normdoc
            row = [Cell(words.row(label))]
            for m, s in zip(measures, spans, strict=True):
                row.append(Cell(p[f"t2.{item.code}.{m}"].text, cs=s, num=True))
            rows.append(row)
        if split:
            tables.append(Table("t2", 4, rows, 2, [2.2, 1, 1, 1]))
            rows = []
    if rows:
        tables.append(Table("t2", 4, rows, 0, [2.2, 1, 1, 1]))
    return tables


# --------------------------------------------------------------------------------------------
# 表三


def t3_columns(d: Draft) -> list[int]:
    """Printed order of the 7 applicant columns (indexes into layout.T3_COLS): the statutory one,
    or 总计 first (FORMAT.md §7.7: find columns by header text, not position)."""
    n = len(layout.T3_COLS)
    return [n - 1, *range(n - 1)] if d.has("column_order") else list(range(n))


def _t3_head(words: Words, layout_kind: str, total_first: bool) -> tuple[list[list[Cell]], int]:
    legal = [c.label.split("·")[-1] for c in layout.T3_COLS[1:6]]
    legal[-1] = words.other_col
    subs = [Cell(words.head(x), head=True) for x in legal]
    person = Cell(words.head("自然人"), head=True)
    total = Cell(words.w(words.total), head=True)
    corp = Cell(words.w("法人或其他组织"), cs=5, head=True)

    def order(*cells: Cell) -> list[Cell]:
        return [total, *cells] if total_first else [*cells, total]

    if layout_kind == "A":
        person.rs = total.rs = 2
        return [
            [Cell(words.w(NOTE), cs=3, rs=3, head=True), Cell(words.w("申请人情况"), cs=7, head=True)],
            order(person, corp),
            subs,
        ], 10
    if layout_kind == "B":
        person.rs = total.rs = 2
        return [[Cell(words.w(NOTE), cs=2, rs=2, head=True), *order(person, corp)], subs], 9
    return [
        [Cell(words.w(NOTE), rs=2, head=True), Cell(words.w("申请人情况"), cs=7, head=True)],
        order(person, *subs),
    ], 8


def t3_table(d: Draft, p: dict[str, Printed], words: Words, layout_kind: str) -> Table:
    """Layouts: A — three label columns, the group labels merged down (the statutory form);
    B — two label columns; C — one label column with group header rows."""
    cols = [layout.T3_COLS[i] for i in t3_columns(d)]
    head, ncols = _t3_head(words, layout_kind, cols[0].code == "total")
    labels = t3_labels(d.fmt, d.single_other, words)
    rows: list[list[Cell]] = list(head)
    nlab = ncols - 7
    subtotals = d.subtotals

    def values(code: str) -> list[Cell]:
        return [Cell(p[f"t3.{code}.{c.code}"].text, num=True) for c in cols]

    def sub_values(group: str) -> list[Cell]:
        return [Cell(d_text(subtotals[group][i]), num=True) for i in t3_columns(d)]

    def d_text(v: object) -> str:
        return "" if v is None else str(v)

    # which rows belong to which group (for rowspans) and where subtotal rows go
    body: list[tuple[str, str | None, str]] = []
    for code, group, own in labels:
        body.append((code, group, own))
        g = layout.T3_ROW_BY_CODE[code].group
        if g in subtotals and code == [r for r in GROUP_ROWS[g] if any(r == x[0] for x in labels)][-1]:
            body.append(("subtotal:" + g, group, "小计"))
    outcome_rows = [b for b in body if b[0] not in ("new_received", "carried_over", "carried_forward")]
    first_outcome = outcome_rows[0][0]
    group_size: dict[str, int] = {}
    for _code, group, _own in body:
        if group:
            group_size[group] = group_size.get(group, 0) + 1
    seen_group: set[str] = set()
    for code, group, own in body:
        vals = sub_values(code.split(":")[1]) if code.startswith("subtotal:") else values(code)
        own_w = words.row(own)
        in_outcome = code not in ("new_received", "carried_over", "carried_forward")
        if layout_kind == "C":
            if code == first_outcome:
                rows.append([Cell(words.w("三、本年度办理结果"), cs=ncols)])
            if group and group not in seen_group:
                seen_group.add(group)
                rows.append([Cell(words.w(group), cs=ncols)])
            rows.append([Cell(own_w), *vals])
            continue
        row: list[Cell] = []
        if not in_outcome:
            row.append(Cell(own_w, cs=nlab))
        else:
            if code == first_outcome:
                row.append(Cell(words.w("三、本年度办理结果"), rs=len(outcome_rows)))
            if layout_kind == "A":
                if group:
                    if group not in seen_group:
                        seen_group.add(group)
                        row.append(Cell(words.w(group), rs=group_size[group]))
                    row.append(Cell(own_w))
                else:
                    row.append(Cell(own_w, cs=2))
            else:  # B: group label and first sub label in one cell
                if group and group not in seen_group:
                    seen_group.add(group)
                    row.append(Cell(words.w(group) + " " + own_w))
                else:
                    row.append(Cell(own_w))
        rows.append(row + vals)
    widths = {"A": [0.9, 1.5, 3.6], "B": [0.9, 4.2], "C": [4.6]}[layout_kind] + [1.0] * 7
    return Table("t3", ncols, rows, len(head), widths)


# --------------------------------------------------------------------------------------------
# 表四


def t4_table(d: Draft, p: dict[str, Printed], words: Words, layout_kind: str) -> Table:
    """A — the statutory one-row form; B — the same with a label column; C — one row per block."""
    blocks = [(b, label.split("·")) for b, label in layout.T4_BLOCKS]
    heads = [lab for _, lab in layout.T4_COLS]
    if words.total != "总计":
        heads[-1] = words.total
    vals = [Cell(p[f"t4.{b}.{c}"].text, num=True) for b, _ in layout.T4_BLOCKS for c, _ in layout.T4_COLS]
    if layout_kind == "C":
        rows: list[list[Cell]] = [
            [Cell(words.w("项目"), head=True)] + [Cell(words.head(h), head=True) for h in heads]
        ]
        for i, (_b, parts) in enumerate(blocks):
            label = parts[0] if len(parts) == 1 else f"{parts[0]}（{parts[1]}）"
            rows.append([Cell(words.w(label))] + vals[5 * i : 5 * i + 5])
        return Table("t4", 6, rows, 1, [3.0] + [1.0] * 5)
    lead: list[Cell] = [Cell("", rs=3, head=True)] if layout_kind == "B" else []
    r0 = lead + [Cell(words.w("行政复议"), cs=5, head=True), Cell(words.w("行政诉讼"), cs=10, head=True)]
    r1 = [Cell(words.head(h), rs=2, head=True) for h in heads] + [
        Cell(words.w(blocks[1][1][1]), cs=5, head=True),
        Cell(words.w(blocks[2][1][1]), cs=5, head=True),
    ]
    r2 = [Cell(words.head(h), head=True) for h in heads] * 2
    last = ([Cell(words.w("件数"))] if layout_kind == "B" else []) + vals
    ncols = 16 if layout_kind == "B" else 15
    return Table("t4", ncols, [r0, r1, r2, last], 3, ([1.4] if layout_kind == "B" else []) + [1.0] * 15)
