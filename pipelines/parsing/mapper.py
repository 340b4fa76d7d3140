"""Table grids -> cell ids. The only code that knows which printed row is which statutory row.

It walks the rows of every grid in reading order, recognises where 表二, 表三 and 表四 start by
their labels, and assigns value cells to cell ids by the row label (keywords from `layout`) and
the column order. Glued digit runs from crawler dumps are split here, with the format's sum
rules as constraints; a split the rules do not decide is kept as a best guess marked uncertain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product

from pipelines import layout
from pipelines.layout import norm_label
from pipelines.model import Document, GridCell, ParsedCell, Provenance
from pipelines.parsing import glued
from pipelines.parsing.numbers import parse_value


@dataclass
class Row:
    label: str  # normalised label text (all label cells joined)
    values: list[GridCell]
    table: int
    row: int
    cells: list[GridCell]  # the whole row as the reader gave it
    aligned: bool  # cells sit at true column positions (HTML, Word, ruled PDF tables)


@dataclass
class Mapped:
    format_version: str
    cells: dict[str, ParsedCell]
    warnings: list[str] = field(default_factory=list)
    subtotals: dict[str, list[ParsedCell]] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# rows


def _rows(doc: Document) -> list[Row]:
    out: list[Row] = []
    for grid in doc.tables:
        for r_idx, cells in enumerate(grid.rows):
            labels: list[str] = []
            values: list[GridCell] = []
            for c in cells:
                if c.table is None:
                    c.table = grid.index
                if c.glued:
                    values.append(c)
                    continue
                kind, _ = parse_value(c.text)
                if kind == "text":
                    t = norm_label(c.text)
                    if not labels or labels[-1] != t:  # colspan/rowspan copies repeat a label
                        labels.append(t)
                    values = []  # values are the cells after the last label
                elif not c.spanned:
                    values.append(c)
            if not labels and not values:
                continue
            # Leading blanks before a row's first label are layout, not values.
            out.append(Row("".join(labels), values, grid.index, r_idx, cells, grid.aligned))
    return out


def _trim(values: list[GridCell], n: int) -> list[GridCell]:
    """Drop blank cells beyond n: trailing ones (colspan padding in text exports), then leading
    ones (an empty cell left in the label columns)."""
    vals = list(values)
    while len(vals) > n and not vals[-1].text.strip():
        vals.pop()
    while len(vals) > n and not vals[0].text.strip():
        vals.pop(0)
    return vals


def _prov(c: GridCell) -> Provenance:
    return Provenance(c.table, c.row, c.col, c.page, c.bbox)


def _cell(
    cell_id: str,
    c: GridCell | None,
    value=None,
    kind=None,
    uncertain=False,
    note: str | None = None,
    raw: str | None = None,
) -> ParsedCell:
    if c is None:
        return ParsedCell(cell_id, None, None, "blank", Provenance(), False, note)
    if kind is None:
        kind, value = parse_value(c.text)
    prov = Provenance(c.table, c.row, c.col, c.page, c.bbox)
    return ParsedCell(cell_id, value, c.text if raw is None else raw, kind, prov, uncertain, note)


# --------------------------------------------------------------------------------------------
# table detection


@lru_cache(maxsize=8192)  # labels repeat from report to report
def _table_start(label: str, current: str | None) -> str | None:
    if (
        "第二十条" in label or any(m in label for m in layout.F2021_MARKERS + layout.F2019_MARKERS)
    ) and "本年新收" not in label:
        return "T2"
    if "本年新收" in label or "申请人情况" in label or "勾稽关系" in label:
        return "T3"
    if "行政复议" in label and ("行政诉讼" in label or "结果维持" in label or "维持" in label):
        return "T4"
    # 表四 printed as three rows of five under one header: 结果维持 … 尚未审结 … 总计
    if "结果维持" in label and "尚未审结" in label:
        return "T4"
    if current == "T3" and "行政复议" in label:  # 表三 never names 行政复议
        return "T4"
    return None


# --------------------------------------------------------------------------------------------
# 表三 row matching

_T3_MATCH_ORDER = [r for r in layout.T3_ROWS if r.code not in ("other", "other_misc", "total")] + [
    layout.T3_ROW_BY_CODE["other"],
    layout.T3_ROW_BY_CODE["total"],
    layout.T3_ROW_BY_CODE["other_misc"],
]


_T3_HEADER_WORDS = ("自然人", "法人或其他组织", "申请人情况", "勾稽关系", "商业企业")


@lru_cache(maxsize=8192)  # labels repeat from report to report
def _match_t3(label: str, group: str | None) -> str | None:
    """Row code for a 表三 row label, "subtotal" for a publisher's 小计, "header" for the column
    header (whose 总计 and 其他 must not be read as rows), or None."""
    if "小计" in label:
        return "subtotal"
    tail = layout.label_tail(label)
    header = any(w in label for w in _T3_HEADER_WORDS)
    if header and tail == label and not layout.ROW_MARKER.match(label):
        return "header"
    for text in (tail,) if header else (tail, label):
        for r in _T3_MATCH_ORDER:
            if r.code == "other_misc":
                if group == "other" and "其他" in text and "其他处理" not in text:
                    return r.code
                continue
            if r.code == "other" and not (
                text.startswith("(六)") or text.startswith("其他处理") or "(六)其他处理" in text
            ):
                continue
            if any(k in text for k in r.keywords):
                return r.code
    return None


@lru_cache(maxsize=8192)  # labels repeat from report to report
def _match_t2(label: str) -> layout.T2Item | None:
    tail = layout.label_tail(label)
    for text in (tail, label):
        best: tuple[int, layout.T2Item] | None = None
        for item in layout.T2_ITEMS:
            for k in item.keywords:
                pos = text.rfind(k)
                # the item name is the end of the label ("信息内容…现行有效件数规章")
                if pos >= 0 and (best is None or pos > best[0]):
                    best = (pos, item)
        if best:
            return best[1]
    return None


# --------------------------------------------------------------------------------------------


def _t3_header_columns(row: Row, colpos: dict[str, int]) -> None:
    """Where each applicant column sits, from a 表三 header row of an aligned grid: columns are
    found by header text, since some publishers reorder them (FORMAT.md §7.7)."""
    for c in row.cells:
        for code in _header_hits(norm_label(c.text)):
            if code not in colpos:
                colpos[code] = c.col
    if "法人或其他组织" in row.label and "legal_person" not in colpos:
        for c in row.cells:
            if norm_label(c.text) == "法人或其他组织":
                colpos["legal_person"] = c.col
                break


@lru_cache(maxsize=8192)  # header cells repeat from report to report
def _header_hits(t: str) -> tuple[str, ...]:
    """The applicant columns a 表三 header cell's (normalised) text names."""
    hits = []
    for col in layout.T3_COLS:
        if col.code == "other_org":
            hit = t in ("其他", "其他组织")
        else:
            hit = any(k == t or (k in t and len(t) <= len(k) + 2) for k in col.keywords)
        if hit:
            hits.append(col.code)
    return tuple(hits)


_TOP = (("natural_person", "自然人"), ("legal", "法人或其他组织"), ("total", "总计"), ("total", "合计"))
_SUB = (
    ("commercial_enterprise", "商业企业"),
    ("research_institution", "科研机构"),
    ("social_welfare_org", "社会公益"),
    ("legal_service_org", "法律服务"),
    ("other_org", "其他"),
)


def _t3_header_order(text: str) -> list[str] | None:
    """Column order printed in a 表三 header (cells or a dump's run-together text), or None when it
    is the standard order or cannot be told: publishers do print 总计 first (FORMAT.md §7.7)."""
    t = text.replace("法人或其他组织", "法人或ＸＸ组织")  # its 其他 is not the 其他 column
    top = sorted(
        (t.find(w.replace("其他", "ＸＸ")), code)
        for code, w in _TOP
        if t.find(w.replace("其他", "ＸＸ")) >= 0
    )
    subs = sorted((t.find(w), code) for code, w in _SUB if t.find(w) >= 0)
    top_codes = list(dict.fromkeys(code for _, code in top))
    if len(subs) != 5 or not {"natural_person", "total"} <= set(top_codes):
        return None
    order: list[str] = []
    if "legal" in top_codes:  # two header rows: the five sit under 法人或其他组织
        for code in top_codes:
            order += [c for _, c in subs] if code == "legal" else [code]
    else:  # one header row of the seven leaves
        order = [code for _, code in sorted(top + subs)]
    standard = [c.code for c in layout.T3_COLS]
    return None if order == standard else order


class _State:
    def __init__(self) -> None:
        self.t3_header = ""  # header text of 表三 before its first value row
        self.t3_subtotals: dict[str, Row] = {}  # outcome group -> its 小计 row
        # per grid: a table continued in another grid (next PDF page) has its own positions
        self.t3_colpos: dict[int, dict[str, int]] = {}
        self.table: str | None = None
        self.group: str | None = None
        self.t2_rows: list[tuple[layout.T2Item, Row]] = []
        self.t3_rows: list[tuple[str | None, Row]] = []
        self.t4_values: list[GridCell] = []
        self.t2_markers = {"F2019": 0, "F2021": 0}


def map_document(doc: Document) -> Mapped:
    st = _State()
    for row in _rows(doc):
        start = _table_start(row.label, st.table)
        if start and start != st.table:
            st.table = start
            st.group = None
            if start == "T4" and not _t4_complete(st.t4_values):
                st.t4_values = []  # an earlier mention of 行政复议 in prose was not the table
        for fmt, markers in (("F2021", layout.F2021_MARKERS), ("F2019", layout.F2019_MARKERS)):
            if st.table == "T2" or start == "T2":
                st.t2_markers[fmt] += sum(1 for m in markers if m in row.label)
        if st.table == "T2" and row.values:
            item = _match_t2(row.label)
            if item is not None:
                st.t2_rows.append((item, row))
        elif st.table == "T3":
            g = layout.group_of(row.label)
            if g:
                st.group = g
            code = _match_t3(row.label, st.group) if row.values else "header"
            if code == "header" and all(c == "header" for c, _ in st.t3_rows):
                st.t3_header += "|".join(norm_label(c.text) for c in row.cells) + "|"
            elif not st.t3_rows and row.values and row.values[0].glued:
                st.t3_header += row.label[: len(row.label) - len(layout.label_tail(row.label))]
            if code == "subtotal":
                group = layout.group_of(row.label) or st.group
                if group and group != "outcome" and group not in st.t3_subtotals:
                    st.t3_subtotals[group] = row
            if row.values:
                st.t3_rows.append((code, row))
            elif row.aligned:
                _t3_header_columns(row, st.t3_colpos.setdefault(row.table, {}))
        elif st.table == "T4":
            if "存在的主要问题" in row.label or row.label.startswith("五、"):
                st.table = None
            elif _t4_value_row(row) and not _t4_complete(st.t4_values):
                st.t4_values.extend(row.values)
    return _assemble(st, doc)


_T4_HEADER_WORDS = ("行政复议", "行政诉讼", "维持", "纠正", "其他结果", "审结", "总计", "起诉")


def _t4_value_row(row: Row) -> bool:
    """表四's numbers: one row of 15, or blocks of 5; prose numbers in between are not, nor a
    header row whose padding cells look like blank values."""
    if len(row.values) == 1 and row.values[0].glued:
        return sum(ch.isdigit() for ch in row.values[0].text) >= 14  # one cell may be blank
    if len(row.values) < 5:
        return False
    if any(c.text.strip() for c in row.values) or not row.label:
        return True
    # all blank under a label: a block printed blank-for-zero ("行政复议 | | | | |"), or header padding
    blocks = sum(w in row.label for w in ("行政复议", "未经复议", "复议后"))
    return (
        blocks == 1
        and len(row.values) == 5
        and not any(w in row.label for w in ("维持", "纠正", "其他结果", "审结", "总计"))
    )


def _t4_blank_reading(
    c: GridCell, ids: list[str], cells: dict[str, ParsedCell], budget: glued.Budget | None
) -> bool:
    """表四 from a glued run that no split into 15 numbers fits, not even with one block off, read
    as 14 numbers and a blank cell with every block adding up (a blank 总计 leaves its block
    unchecked): a dump drops a blank cell without a trace. The readings with a blank 总计 come
    first (the cell a publisher leaves empty); the blank and every cell another reading would
    change are marked uncertain. False when no such reading fits."""
    readings = glued.blank_readings(c.text, 15, glued.block_groups(5, 3), 50, budget, counts_first=False)
    if not readings:
        return False
    totals = {t for t, _ in glued.block_groups(5, 3)}
    readings.sort(key=lambda r: r.index(None) not in totals)
    chosen = readings[0]
    blank = chosen.index(None)
    note = (
        f"glued run {c.text!r}: read as 14 numbers and a blank {ids[blank].split('.', 1)[1]} (a dump "
        f"drops a blank cell without a trace), since no split into 15 numbers fits 表四's totals; "
        f"{len(readings)} reading(s) with one blank cell fit"
    )
    for i, cid in enumerate(ids):
        v = chosen[i]
        if v is None:
            cells[cid] = ParsedCell(cid, None, "", "blank", _prov(c), True, note)
            continue
        unsure = any(r[i] != v for r in readings)
        cells[cid] = ParsedCell(cid, v, str(v), "number", _prov(c), unsure, note if unsure else None)
    return True


def _t4_complete(values: list[GridCell]) -> bool:
    return len(values) >= 15 or bool(values and values[0].glued)


def _detect_format(st: _State, t3_codes: set[str]) -> tuple[str, list[str]]:
    warnings = []
    f19, f21 = st.t2_markers["F2019"], st.t2_markers["F2021"]
    t2_fmt = "F2021" if f21 > f19 else "F2019" if f19 > f21 else None
    t3_fmt = None
    if t3_codes & {"other_overdue_correction", "other_overdue_fee", "other_misc"}:
        t3_fmt = "F2021"
    elif "other" in t3_codes:
        t3_fmt = "F2019"
    if t2_fmt is None and st.t2_rows:
        # labels alone: only F2019 has 其他对外管理服务事项 / 政府集中采购
        codes = {i.code for i, _ in st.t2_rows}
        if codes & {"other_mgmt_service", "gov_procurement"}:
            t2_fmt = "F2019"
    fmt = t2_fmt or t3_fmt or ("F2021" if st.t3_rows else "UNKNOWN")
    if t2_fmt and t3_fmt and t2_fmt != t3_fmt:
        warnings.append(f"mixed format: 表二 is {t2_fmt}, 表三 （六） is {t3_fmt}; cells follow {fmt}")
    return fmt, warnings


def _assemble(st: _State, doc: Document) -> Mapped:
    cells: dict[str, ParsedCell] = {}
    warnings: list[str] = []
    order = _t3_header_order(st.t3_header)
    if order:
        warnings.append(f"表三 columns printed in a non-standard order: {', '.join(order)}")
    t3_assign = _assign_t3_rows(st.t3_rows, warnings)
    fmt, fw = _detect_format(st, set(t3_assign))
    warnings += fw
    if fmt == "UNKNOWN":
        return Mapped(fmt, {}, warnings)
    budget = glued.Budget()  # the glued-digit searches of this document, together
    _map_t2(st, fmt, cells, warnings, doc.text, budget)
    _map_t3(t3_assign, fmt, cells, warnings, st.t3_colpos, order, budget)
    _map_t4(st.t4_values, cells, warnings, budget)
    subtotals = {g: _subtotal_cells(g, r, order, budget) for g, r in st.t3_subtotals.items()}
    ordered: dict[str, ParsedCell] = {}
    for cid in layout.CELL_IDS[fmt]:
        ordered[cid] = cells.get(cid) or _cell(cid, None)
    return Mapped(fmt, ordered, warnings, subtotals)


def _subtotal_cells(
    group: str, r: Row, order: list[str] | None, budget: glued.Budget | None = None
) -> list[ParsedCell]:
    cols = [c.code for c in layout.T3_COLS]
    if r.values and r.values[0].glued:
        found = glued.splits(r.values[0].text, 7, total_at=6, budget=budget)
        if not found and not found.budget_hit:
            found = glued.splits(r.values[0].text, 7, limit=1)
        c = r.values[0]
        uncertain = len(found) > 1 or found.budget_hit
        note = glued.budget_note(c.text, found) if found.budget_hit else None
        return (
            [
                ParsedCell(f"t3.subtotal_{group}.{col}", v, str(v), "number", _prov(c), uncertain, note)
                for col, v in zip(cols, found[0], strict=True)
            ]
            if found
            else []
        )
    vals = _trim(r.values, 7)
    if order and len(vals) == 7:
        vals = [vals[order.index(c)] for c in cols]
    return [_cell(f"t3.subtotal_{group}.{col}", c) for col, c in zip(cols, vals, strict=False)]


# --------------------------------------------------------------------------------------------
# 表二


def _map_t2(
    st: _State,
    fmt: str,
    cells: dict[str, ParsedCell],
    warnings: list[str],
    text: str,
    budget: glued.Budget | None = None,
) -> None:
    for item, row in st.t2_rows:
        measures = item.measures.get(fmt)
        if not measures:
            warnings.append(f"表二 row {item.label} is not part of {fmt}")
            continue
        ids = [f"t2.{item.code}.{m}" for m in measures]
        if ids[0] in cells:
            continue  # first occurrence wins; later ones are usually prose
        vals = _trim(row.values, len(ids))
        if len(vals) == 1 and vals[0].glued and len(ids) > 1:
            _split_t2(ids, vals[0], cells, text, budget)
            continue
        if len(vals) == 1 and vals[0].glued:
            cells[ids[0]] = _cell(ids[0], vals[0])
            continue
        if len(vals) != len(ids):
            warnings.append(f"表二 {item.label}: {len(vals)} values for {len(ids)} columns")
        for cid, c in zip(ids, vals, strict=False):
            cells[cid] = _cell(cid, c)


def _split_t2(
    ids: list[str], c: GridCell, cells: dict[str, ParsedCell], text: str, budget: glued.Budget | None = None
) -> None:
    run = c.text
    decimal_tail = ""
    unit = ""
    for u in ("万元", "元"):
        if run.endswith(u):
            run, unit = run[: -len(u)], u
    if "." in run:  # the decimal belongs to the last cell (an amount)
        run, frac = run.rsplit(".", 1)
        decimal_tail = "." + frac
    measures = [cid.rsplit(".", 1)[1] for cid in ids]
    # only F2019 本年增/减 is signed
    found = glued.splits(run.strip(), len(ids), budget=budget)
    cands = [c for c in found if all(v >= 0 or m == "items_change" for v, m in zip(c, measures, strict=True))]
    if not cands:
        why = glued.budget_note(c.text, found) if found.budget_hit else "glued digits could not be split"
        for cid in ids:
            cells[cid] = _cell(cid, c, None, "text", True, why)
        return
    stated = set(_STATED_COUNT.findall(text))
    best = max(cands, key=lambda s: _t2_score(s, measures, stated))
    # a split with a minus sign where counts are never negative would be a publisher's misprint: it
    # is not taken, but when it fits the other signs better (an unchanged item list) it leaves
    # the split taken in doubt
    misprint = max(found, key=lambda s: _t2_score(s, measures, stated))
    doubted = _t2_score(misprint, measures, stated) > _t2_score(best, measures, stated)
    uncertain = len(cands) > 1 or found.budget_hit or doubted
    note = f"glued run {c.text!r}: {len(cands)} possible splits" if len(cands) > 1 else None
    if doubted:
        note = (
            f"glued run {c.text!r}: {len(cands)} possible split(s); the split {misprint} would fit "
            "better but has a minus sign in a column that is never negative (a misprint the run may hold)"
        )
    if found.budget_hit:
        note = glued.budget_note(c.text, found)
    for i, (cid, v) in enumerate(zip(ids, best, strict=True)):
        raw = str(v)
        value: int | float = v
        if i == len(ids) - 1 and decimal_tail:
            raw = f"{v}{decimal_tail}"
            value = float(raw)
        if i == len(ids) - 1:
            raw += unit
        cells[cid] = _cell(cid, c, value, "number", uncertain, note, raw)


# A count the report's prose states ("共收到申请12件"): the digits before 件.
_STATED_COUNT = re.compile(r"(?<![\d.])(\d+)\s*件")


def _t2_score(split: tuple[int, ...], measures: list[str], stated: set[str]) -> tuple[int, ...]:
    """Best guess for an ambiguous 表二 run (the cells stay marked uncertain). In order: a stock
    (现行有效 / 对外公开总数) at least as large as the year's flows; 政府集中采购 averaging 10 thousand
    to 10 million 元 a project; values the report's prose also states; F2019 本年增/减 of 0 (most
    item lists do not change); the most even split (numbers in one row tend to be of similar
    size); fewer repealed than issued."""
    v = dict(zip(measures, split, strict=True))
    mentioned = sum(1 for x in split if x >= 10 and str(x) in stated)
    zero_change = int(v.get("items_change") == 0)
    stock = v.get("in_force", v.get("total_published"))
    stock_max = int(stock is None or stock >= max(split))
    lengths = [len(str(abs(x))) for x in split]
    fewer_repealed = int("repealed" not in v or v["repealed"] <= v.get("issued", 0))
    items, amount = v.get("items"), v.get("amount")
    per_project = int(not items or amount is None or 1e4 <= amount / items <= 1e7)
    return stock_max, per_project, mentioned, zero_change, -(max(lengths) - min(lengths)), fewer_repealed


# --------------------------------------------------------------------------------------------
# 表三


def _assign_t3_rows(rows: list[tuple[str | None, Row]], warnings: list[str]) -> dict[str, Row]:
    """Row code -> row. By label where every value row has a distinct label; by printed order
    where the labels are missing or displaced (PDF conversions) but the row count fits."""
    value_rows = [
        (code, r)
        for code, r in rows
        if code not in ("subtotal", "header")
        and (len(r.values) >= 6 or (r.values and r.values[0].glued) or code is not None)
    ]
    subtotals = [r for code, r in rows if code == "subtotal"]
    if subtotals:
        warnings.append(f"表三 has {len(subtotals)} publisher-added subtotal row(s)")
    codes = [code for code, _ in value_rows]
    labelled = [c for c in codes if c is not None]
    if value_rows and None not in codes and len(set(labelled)) == len(labelled):
        return {code: r for code, r in value_rows if code is not None}
    full = [r for _, r in value_rows if len(_trim(r.values, 7)) == 7 or (r.values and r.values[0].glued)]
    for fmt_rows in (_order("F2021"), _order("F2019"), _order("F2021_single_other")):
        if len(full) == len(fmt_rows):
            warnings.append("表三 rows assigned by printed order (labels missing or displaced)")
            return dict(zip(fmt_rows, full, strict=True))
    out: dict[str, Row] = {}
    for code, r in value_rows:
        if code is not None and code not in out:
            out[code] = r
    dropped = sum(1 for code, _ in value_rows if code is None)
    if dropped:
        warnings.append(f"表三: {dropped} value row(s) without a recognisable label were skipped")
    return out


def _order(kind: str) -> list[str]:
    if kind == "F2021_single_other":
        return [r.code for r in layout.T3_ROWS if "F2019" in r.formats]
    return [r.code for r in layout.T3_ROWS if kind in r.formats]


def _by_position(r: Row, colpos: dict[str, int], cols: list[str]) -> list[GridCell] | None:
    """The row's value cells at the header's column positions, or None where the header did not
    place every column (then the printed order is used)."""
    if not r.aligned:
        return None
    positions = _positions(tuple(colpos.items()), tuple(cols))
    if positions is None:
        return None
    at = {c.col: c for c in r.cells}
    found = []
    for pos in positions:
        c = at.get(pos)
        if c is None:
            return None
        found.append(c)
    return found


@lru_cache(maxsize=1024)
def _positions(colpos: tuple[tuple[str, int], ...], cols: tuple[str, ...]) -> tuple[int, ...] | None:
    """The header's column position of each of `cols`, or None unless it places each apart."""
    at = dict(colpos)
    if any(c not in at for c in cols) or len({at[c] for c in cols}) < len(cols):
        return None
    return tuple(at[c] for c in cols)


def _map_t3(
    assign: dict[str, Row],
    fmt: str,
    cells: dict[str, ParsedCell],
    warnings: list[str],
    colpos_by_grid: dict[int, dict[str, int]],
    order: list[str] | None,
    budget: glued.Budget | None = None,
) -> None:
    cols = [c.code for c in layout.T3_COLS]
    glued_rows = {code: r for code, r in assign.items() if r.values and r.values[0].glued}
    per_row: dict[str, list[ParsedCell]] = {}

    def collapsed(colpos: dict[str, int]) -> bool:
        return "legal_person" in colpos and "commercial_enterprise" not in colpos

    if any(collapsed(cp) for cp in colpos_by_grid.values()):
        warnings.append(
            "表三 prints 法人或其他组织 as one column: its five sub-columns are left empty and "
            "the printed value is kept in the row warnings"
        )
    for code, r in assign.items():
        if code in glued_rows:
            continue
        colpos = colpos_by_grid.get(r.table, {})
        if collapsed(colpos) and r.aligned:
            at = {c.col: c for c in r.cells}
            natural, legal, total = (
                at.get(colpos.get(k, -1)) for k in ("natural_person", "legal_person", "total")
            )
            per_row[code] = [_cell(f"t3.{code}.natural_person", natural), _cell(f"t3.{code}.total", total)]
            if legal is not None and legal.text.strip():
                warnings.append(
                    f"表三 {layout.T3_ROW_BY_CODE[code].label}: 法人或其他组织 (all five) = "
                    f"{legal.text.strip()}"
                )
            continue
        vals = _by_position(r, colpos, cols)
        if vals is None:
            vals = _trim(r.values, 7)
            if order and len(vals) == 7:  # printed order -> standard order
                vals = [vals[order.index(c)] for c in cols]
        if len(vals) != 7:
            warnings.append(f"表三 {layout.T3_ROW_BY_CODE[code].label}: {len(vals)} values for 7 columns")
        prefix = f"t3.{code}."
        per_row[code] = [_cell(prefix + col, c) for col, c in zip(cols, vals, strict=False)]
    if glued_rows:
        per_row.update(_split_t3(glued_rows, cols, fmt, order, budget))
    # F2019 vs F2021 （六）: keep what the format has, say what was folded or left out
    if (
        fmt == "F2019"
        and "other" not in per_row
        and any(k in per_row for k in ("other_overdue_correction", "other_overdue_fee", "other_misc"))
    ):
        subs = [
            per_row.pop(k)
            for k in ("other_overdue_correction", "other_overdue_fee", "other_misc")
            if k in per_row
        ]
        per_row["other"] = [
            ParsedCell(
                f"t3.other.{col}",
                sum((s[i].value or 0) for s in subs if i < len(s)),
                None,
                "number",
                subs[0][i].provenance if i < len(subs[0]) else Provenance(),
                False,
                "sum of the F2021 （六） sub-rows printed in an F2019 report",
            )
            for i, col in enumerate(cols)
        ]
        warnings.append("表三 （六） printed with F2021 sub-rows in an F2019 report: summed into t3.other")
    if fmt == "F2021" and "other" in per_row:
        row = per_row.pop("other")
        printed = [c.value for c in row]
        warnings.append(
            f"表三 （六）其他处理 printed as one row in an F2021 report (values {printed}); "
            "the three F2021 sub-rows are left empty"
        )
    for code, pcs in per_row.items():
        prefix = f"t3.{code}."
        for pc in pcs:
            if not pc.cell_id.startswith(prefix):
                pc.cell_id = prefix + pc.cell_id.rsplit(".", 1)[1]
            cells[pc.cell_id] = pc


def _split_t3(
    rows: dict[str, Row],
    cols: list[str],
    fmt: str,
    order: list[str] | None,
    budget: glued.Budget | None = None,
) -> dict[str, list[ParsedCell]]:
    """Split glued 表三 rows jointly: each row must sum across (总计 = six applicant columns); among
    the row splits, prefer the combination that satisfies the most column rules."""
    printed = order or cols
    ti = printed.index("total")
    perm = [printed.index(c) for c in cols]

    cands: dict[str, list[glued.Reading]] = {}
    blanks: dict[str, list[glued.Reading]] = {}  # rows that do not sum across -> readings with a blank
    row_guess: set[str] = set()
    unsplit: set[str] = set()  # rows without any split into 7 numbers
    stopped: dict[str, str] = {}  # rows whose search ran out of states -> why
    for code, r in rows.items():
        run = r.values[0].text
        found = glued.splits(run, 7, total_at=ti, budget=budget)
        if found.budget_hit:
            stopped[code] = glued.budget_note(run, found)
        if not found:
            # no split sums across: a misprinted cell, or a cell left blank that the dump dropped
            found = glued.splits(run, 7, limit=200)
            row_guess.add(code)
            members = [i for i in range(7) if i != ti]
            blanks[code] = [
                tuple(v[i] for i in perm) for v in glued.blank_readings(run, 7, [(ti, members)], 200, budget)
            ]
        if not found:
            unsplit.add(code)
            if not blanks.get(code):
                stopped.setdefault(code, f"glued run {run!r}: no split into 7 numbers")
        cands[code] = [tuple(v[i] for i in perm) for v in found] or [tuple([0] * 7)]
    choice, ambiguous = _best_combination(cands, fmt, budget)
    _prefer_blank(choice, ambiguous, blanks, unsplit, fmt, budget)
    out: dict[str, list[ParsedCell]] = {}
    for code, r in rows.items():
        c = r.values[0]
        chosen = choice[code]
        alts = {s for s in ambiguous.get(code, [])}
        if code in row_guess and code not in unsplit:
            alts |= {*cands[code]}  # every split into 7 numbers (readings with a blank: if they fit as well)
        out[code] = []
        if cands[code] == [tuple([0] * 7)] and code in stopped:  # nothing to guess from
            out[code] = [_cell(f"t3.{code}.{col}", c, None, "text", True, stopped[code]) for col in cols]
            continue
        if None in chosen:
            out[code] = _t3_blank_reading(code, cols, c, chosen, alts, _prov(c))
            continue
        for i, col in enumerate(cols):
            differs = any(a[i] != chosen[i] for a in alts if len(a) == 7) or code in stopped
            note = None
            if code in stopped:
                note = stopped[code]
            elif differs:
                note = f"glued run {c.text!r}: splits {sorted(_numbers_only(alts))[:4]} also fit"
            out[code].append(
                ParsedCell(f"t3.{code}.{col}", chosen[i], str(chosen[i]), "number", _prov(c), differs, note)
            )
    return out


def _t3_blank_reading(
    code: str, cols: list[str], c: GridCell, chosen: glued.Reading, alts: set[glued.Reading], prov: Provenance
) -> list[ParsedCell]:
    """The cells of a glued 表三 row read with one cell left blank: no split into 7 numbers sums
    across, and the reading whose blank drops out of the run fits the column sums best. The blank
    is a guess (marked uncertain), and so is every cell another reading would change."""
    blank = chosen.index(None)
    shown = sorted(_numbers_only(alts))[:4]
    why = (
        f"glued run {c.text!r}: read as 6 numbers and a blank {cols[blank]} (a dump drops a blank "
        "cell without a trace), since no split into 7 numbers makes 总计 the sum of the applicant "
        "columns and this reading fits the column sums best"
    )
    note = f"{why}: splits {shown} also fit" if shown else why
    out = []
    for i, col in enumerate(cols):
        v = chosen[i]
        unsure = i == blank or any(a[i] != v for a in alts)
        cid = f"t3.{code}.{col}"
        if v is None:
            out.append(ParsedCell(cid, None, "", "blank", prov, True, note))
        else:
            out.append(ParsedCell(cid, v, str(v), "number", prov, unsure, note if unsure else None))
    return out


def _prefer_blank(
    choice: dict[str, glued.Reading],
    ambiguous: dict[str, list[glued.Reading]],
    blanks: dict[str, list[glued.Reading]],
    unsplit: set[str],
    fmt: str,
    budget: glued.Budget | None,
) -> None:
    """For each glued row that no split sums across, the readings with a blank cell, the other rows
    as chosen: the first one that fits the column sums better than the chosen split replaces it
    (`unsplit`: rows without any split, which any reading beats); those that fit as well, or as well
    as the replacement, become the row's other readings."""
    for code, readings in blanks.items():
        if not readings:
            continue
        if budget is not None:
            budget.left -= len(readings)
        scores = [_column_score({**choice, code: b}, fmt) for b in readings]
        top = max(scores)
        held = -1 if code in unsplit else _column_score(choice, fmt)
        tied = [b for b, s in zip(readings, scores, strict=True) if s == top]
        if top > held:
            choice[code] = tied[0]
            if len(tied) > 1:
                ambiguous[code] = tied
        elif top == held:
            ambiguous[code] = sorted({*ambiguous.get(code, [choice[code]]), *tied}, key=_reading_order)


def _numbers_only(readings: set[glued.Reading]) -> list[glued.Reading]:
    """The readings without a blank cell (the splits a note lists)."""
    return [a for a in readings if None not in a]


def _reading_order(reading: glued.Reading) -> tuple[int, ...]:
    return tuple(-1 if x is None else x for x in reading)


def _column_score(values: dict[str, glued.Reading], fmt: str) -> int:
    outcome_rows = layout.T3_OUTCOME_ROWS.get(fmt, ())
    score = 0
    for i in range(7):

        def v(code: str, i: int = i) -> int:
            row = values.get(code)
            return (row[i] or 0) if row else 0

        if v("new_received") + v("carried_over") == v("total") + v("carried_forward"):
            score += 1
        if v("total") == sum(v(code) for code in outcome_rows if code in values) + (
            v("other") if fmt == "F2021" and "other" in values else 0
        ):
            score += 1
    return score


def _best_combination(
    cands: dict[str, list[glued.Reading]], fmt: str, budget: glued.Budget | None = None
) -> tuple[dict[str, glued.Reading], dict[str, list[glued.Reading]]]:
    fixed = {k: v[0] for k, v in cands.items() if len(v) == 1}
    open_rows = [k for k, v in cands.items() if len(v) > 1]
    if not open_rows:
        return fixed, {}
    space = 1
    for k in open_rows:
        space *= len(cands[k])
    # each combination scored is a state of the document's glued-digit budget
    if space > min(200000, glued.MAX_STATES if budget is None else budget.left):
        # too many to try jointly: pick each row independently (each is marked uncertain)
        choice = dict(fixed)
        for k in open_rows:
            choice[k] = cands[k][0]
        return choice, {k: cands[k] for k in open_rows}
    if budget is not None:
        budget.left -= space
    best_score = -1
    best: dict[str, glued.Reading] = {}
    # the rows' values among the best-scoring combinations (not the combinations: bounded memory)
    best_values: dict[str, set[glued.Reading]] = {}
    for combo in product(*(cands[k] for k in open_rows)):
        values = dict(fixed)
        values.update(zip(open_rows, combo, strict=True))
        s = _column_score(values, fmt)
        if s > best_score:
            best_score, best = s, values
            best_values = {k: {v} for k, v in zip(open_rows, combo, strict=True)}
        elif s == best_score:
            for k, v in zip(open_rows, combo, strict=True):
                best_values[k].add(v)
    ambiguous: dict[str, list[glued.Reading]] = {}
    for k in open_rows:
        alts = sorted(best_values[k])
        if len(alts) > 1:
            ambiguous[k] = alts
    return best, ambiguous


# --------------------------------------------------------------------------------------------
# 表四


def _map_t4(
    values: list[GridCell],
    cells: dict[str, ParsedCell],
    warnings: list[str],
    budget: glued.Budget | None = None,
) -> None:
    ids = [f"t4.{b}.{c}" for b, _ in layout.T4_BLOCKS for c, _ in layout.T4_COLS]
    if len(values) == 1 and values[0].glued:
        c = values[0]
        found = glued.split_blocks(c.text, 5, 3, budget)
        uncertain = len(found) != 1 or found.budget_hit
        note = f"glued run {c.text!r}: {len(found)} possible splits" if uncertain else None
        if found.budget_hit:
            note = glued.budget_note(c.text, found)
        elif not found:
            found = glued.split_blocks_but_one(c.text, 5, 3, budget)
            if found:
                note = (
                    f"glued run {c.text!r}: no split has every block add up to its 总计; of the "
                    f"{len(found)} splits where all blocks but one do, the closest is taken"
                )
                if found.budget_hit:
                    note += f" (the search stopped after {found.states} states: a closer one may exist)"
        if not found and not found.budget_hit and _t4_blank_reading(c, ids, cells, budget):
            return
        if not found:
            # no split the totals allow: the cells stay unread rather than take arbitrary digits
            note = (
                glued.budget_note(c.text, found)
                if found.budget_hit
                else f"glued run {c.text!r}: no split into 15 numbers fits 表四's totals"
            )
            warnings.append(f"表四: glued run {c.text!r} could not be split")
            for cid in ids:
                cells[cid] = _cell(cid, c, None, "text", True, note)
            return
        for cid, v in zip(ids, found[0], strict=True):
            cells[cid] = ParsedCell(cid, v, str(v), "number", _prov(c), uncertain, note)
        return
    values = _trim(values, 15)
    if values and len(values) != 15:
        warnings.append(f"表四: {len(values)} values for 15 cells")
    for cid, c in zip(ids, values, strict=False):
        cells[cid] = _cell(cid, c)
