"""The statutory report layout, both formats, as data.

This module is the only place that knows which rows and columns the national format has, what
they are called in print (and how publishers misspell them), and which cell id each one gets.
Readers never import it for row knowledge; the mapper and the rules read it.

Label matching works on labels normalised by `norm_label` (NFKC, no whitespace), with the
keywords below: a keyword is a short fragment that survives rewording and truncation
("逾期不补正" for the long （六）1 label), chosen not to occur in any other row's label.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

FORMATS = ("F2019", "F2021")

# ---------------------------------------------------------------------------------------------
# 表二: items of 条例第二十条 and their measure columns, per format.


@dataclass(frozen=True)
class T2Item:
    code: str
    label: str
    keywords: tuple[str, ...]
    # measures in printed column order, per format
    measures: dict[str, tuple[str, ...]]


T2_MEASURE_LABELS: dict[str, str] = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "本年处理决定数量",
    "amount": "本年收费金额（单位：万元）",
    "new_made": "本年新制作数量",
    "new_published": "本年新公开数量",
    "total_published": "对外公开总数量",
    "prev_year_items": "上一年项目数量",
    "items_change": "本年增/减",
    "items": "采购项目数量",
}
# F2019 prints "处理决定数量" where F2021 prints "本年处理决定数量"; one measure code serves both.
T2_MEASURE_LABELS_F2019 = {"decisions": "处理决定数量", "amount": "采购总金额"}

T2_ITEMS: tuple[T2Item, ...] = (
    T2Item(
        "regulation",
        "规章",
        ("规章",),
        {
            "F2021": ("issued", "repealed", "in_force"),
            "F2019": ("new_made", "new_published", "total_published"),
        },
    ),
    T2Item(
        "normative_doc",
        "行政规范性文件",
        ("规范性文件",),
        {
            "F2021": ("issued", "repealed", "in_force"),
            "F2019": ("new_made", "new_published", "total_published"),
        },
    ),
    T2Item(
        "admin_license",
        "行政许可",
        ("行政许可",),
        {"F2021": ("decisions",), "F2019": ("prev_year_items", "items_change", "decisions")},
    ),
    T2Item(
        "other_mgmt_service",
        "其他对外管理服务事项",
        ("其他对外管理服务", "对外管理服务"),
        {"F2019": ("prev_year_items", "items_change", "decisions")},
    ),
    T2Item(
        "admin_penalty",
        "行政处罚",
        ("行政处罚",),
        {"F2021": ("decisions",), "F2019": ("prev_year_items", "items_change", "decisions")},
    ),
    T2Item(
        "admin_coercion",
        "行政强制",
        ("行政强制",),
        {"F2021": ("decisions",), "F2019": ("prev_year_items", "items_change", "decisions")},
    ),
    T2Item(
        "admin_fee",
        "行政事业性收费",
        ("行政事业性收费", "事业性收费"),
        {"F2021": ("amount",), "F2019": ("prev_year_items", "items_change")},
    ),
    T2Item("gov_procurement", "政府集中采购", ("政府集中采购", "集中采购"), {"F2019": ("items", "amount")}),
)

# Header words that decide the format (FORMAT.md §1), matched on normalised text.
F2021_MARKERS = ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额")
F2019_MARKERS = (
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "采购项目数量",
    "采购总金额",
)

# ---------------------------------------------------------------------------------------------
# 表三: rows and applicant columns.


@dataclass(frozen=True)
class T3Row:
    code: str
    label: str
    keywords: tuple[str, ...]
    group: str | None  # the outcome group the row belongs to, for rules and groupings
    formats: tuple[str, ...] = FORMATS


T3_GROUPS = {
    "outcome": "三、本年度办理结果",
    "denied": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "not_handled": "（五）不予处理",
    "other": "（六）其他处理",
}

# Order is the printed order; keyword matching tries rows in MATCH_ORDER (below), since some
# generic words ("其他", "总计") also occur inside more specific labels.
T3_ROWS: tuple[T3Row, ...] = (
    T3Row("new_received", "一、本年新收政府信息公开申请数量", ("本年新收",), None),
    T3Row("carried_over", "二、上年结转政府信息公开申请数量", ("上年结转",), None),
    T3Row("granted", "三、本年度办理结果（一）予以公开", ("予以公开",), "granted"),
    T3Row("partially_granted", "（二）部分公开", ("部分公开",), "partially_granted"),
    T3Row("denied_state_secret", "（三）不予公开 1.属于国家秘密", ("国家秘密",), "denied"),
    T3Row(
        "denied_prohibited_by_law",
        "（三）2.其他法律行政法规禁止公开",
        ("禁止公开", "其他法律行政", "法规禁止"),
        "denied",
    ),
    T3Row("denied_security_stability", "（三）3.危及“三安全一稳定”", ("安全一稳定", "三安全"), "denied"),
    T3Row("denied_third_party_rights", "（三）4.保护第三方合法权益", ("第三方",), "denied"),
    T3Row("denied_internal_affairs", "（三）5.属于三类内部事务信息", ("内部事务",), "denied"),
    T3Row("denied_process_info", "（三）6.属于四类过程性信息", ("过程性",), "denied"),
    T3Row("denied_enforcement_file", "（三）7.属于行政执法案卷", ("执法案卷",), "denied"),
    T3Row("denied_admin_query", "（三）8.属于行政查询事项", ("行政查询",), "denied"),
    T3Row("unavailable_not_held", "（四）无法提供 1.本机关不掌握相关政府信息", ("不掌握",), "unavailable"),
    T3Row(
        "unavailable_needs_creation",
        "（四）2.没有现成信息需要另行制作",
        ("另行制作", "没有现成"),
        "unavailable",
    ),
    T3Row("unavailable_unclear", "（四）3.补正后申请内容仍不明确", ("仍不明确", "补正后申请"), "unavailable"),
    T3Row("not_handled_petition", "（五）不予处理 1.信访举报投诉类申请", ("信访", "举报投诉"), "not_handled"),
    T3Row("not_handled_duplicate", "（五）2.重复申请", ("重复申请",), "not_handled"),
    T3Row("not_handled_publication", "（五）3.要求提供公开出版物", ("出版物",), "not_handled"),
    T3Row("not_handled_excessive", "（五）4.无正当理由大量反复申请", ("大量反复",), "not_handled"),
    T3Row(
        "not_handled_reconfirm",
        "（五）5.要求行政机关确认或重新出具已获取信息",
        ("重新出具", "确认或"),
        "not_handled",
    ),
    T3Row("other", "（六）其他处理", ("其他处理",), "other", ("F2019",)),
    T3Row(
        "other_overdue_correction",
        "（六）其他处理 1.申请人无正当理由逾期不补正…",
        ("逾期不补正", "不补正"),
        "other",
        ("F2021",),
    ),
    T3Row(
        "other_overdue_fee",
        "（六）2.申请人逾期未按收费通知要求缴纳费用…",
        ("缴纳费用", "收费通知", "逾期未缴费"),
        "other",
        ("F2021",),
    ),
    T3Row("other_misc", "（六）3.其他", ("其他",), "other", ("F2021",)),
    T3Row("total", "（七）总计", ("总计", "合计"), None),
    T3Row("carried_forward", "四、结转下年度继续办理", ("结转下年度", "下年度继续"), None),
)

T3_ROW_BY_CODE = {r.code: r for r in T3_ROWS}
# Outcome leaf rows whose sum is （七）总计, per format (FORMAT.md §6 T3-F2).
T3_OUTCOME_ROWS = {
    f: tuple(r.code for r in T3_ROWS if r.group is not None and f in r.formats) for f in FORMATS
}


@dataclass(frozen=True)
class T3Col:
    code: str
    label: str
    keywords: tuple[str, ...]


T3_COLS: tuple[T3Col, ...] = (
    T3Col("natural_person", "自然人", ("自然人",)),
    T3Col("commercial_enterprise", "法人或其他组织·商业企业", ("商业企业",)),
    T3Col("research_institution", "法人或其他组织·科研机构", ("科研机构",)),
    T3Col("social_welfare_org", "法人或其他组织·社会公益组织", ("社会公益",)),
    T3Col("legal_service_org", "法人或其他组织·法律服务机构", ("法律服务",)),
    T3Col("other_org", "法人或其他组织·其他", ("其他",)),
    T3Col("total", "总计", ("总计", "合计")),
)
T3_APPLICANT_COLS = tuple(c.code for c in T3_COLS[:-1])

# ---------------------------------------------------------------------------------------------
# 表四: three blocks of five.

T4_BLOCKS = (
    ("review", "行政复议"),
    ("litigation_direct", "行政诉讼·未经复议直接起诉"),
    ("litigation_after_review", "行政诉讼·复议后起诉"),
)
T4_COLS = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)

# ---------------------------------------------------------------------------------------------
# The six sections (FORMAT.md §2): key, printed heading, keywords that identify a heading.

SECTIONS = (
    ("s1", "一、总体情况", ("总体情况", "概述")),
    ("s2", "二、主动公开政府信息情况", ("主动公开政府信息",)),
    ("s3", "三、收到和处理政府信息公开申请情况", ("收到和处理政府信息公开申请", "政府信息公开申请情况")),
    ("s4", "四、政府信息公开行政复议、行政诉讼情况", ("行政复议", "行政诉讼")),
    ("s5", "五、存在的主要问题及改进情况", ("存在的主要问题", "主要问题及改进")),
    ("s6", "六、其他需要报告的事项", ("其他需要报告",)),
)

# ---------------------------------------------------------------------------------------------
# Cell ids: derived from the tables above, so the list cannot drift from the layout.


@dataclass(frozen=True)
class CellSpec:
    cell_id: str
    format: str
    table: str  # 二 / 三 / 四
    row_code: str
    col_code: str
    row_label: str
    col_label: str
    unit: str
    group: str | None


def _t2_cells(fmt: str) -> list[CellSpec]:
    out = []
    for item in T2_ITEMS:
        for m in item.measures.get(fmt, ()):
            label = (
                T2_MEASURE_LABELS_F2019.get(m, T2_MEASURE_LABELS[m])
                if fmt == "F2019"
                else T2_MEASURE_LABELS[m]
            )
            row_label = "规范性文件" if (fmt == "F2019" and item.code == "normative_doc") else item.label
            if m == "amount":
                unit = "万元" if fmt == "F2021" else "as printed"
            elif m in ("prev_year_items", "items_change", "items"):
                unit = "个"
            else:
                unit = "件"
            out.append(CellSpec(f"t2.{item.code}.{m}", fmt, "二", item.code, m, row_label, label, unit, None))
    return out


def _t3_cells(fmt: str) -> list[CellSpec]:
    return [
        CellSpec(f"t3.{r.code}.{c.code}", fmt, "三", r.code, c.code, r.label, c.label, "件", r.group)
        for r in T3_ROWS
        if fmt in r.formats
        for c in T3_COLS
    ]


def _t4_cells(fmt: str) -> list[CellSpec]:
    return [
        CellSpec(f"t4.{b}.{c}", fmt, "四", b, c, bl, cl, "件", b) for b, bl in T4_BLOCKS for c, cl in T4_COLS
    ]


CELLS: tuple[CellSpec, ...] = tuple(
    spec for fmt in ("F2021", "F2019") for spec in (*_t2_cells(fmt), *_t3_cells(fmt), *_t4_cells(fmt))
)
CELL_IDS: dict[str, tuple[str, ...]] = {
    fmt: tuple(c.cell_id for c in CELLS if c.format == fmt) for fmt in FORMATS
}
SPEC_BY_ID: dict[tuple[str, str], CellSpec] = {(c.format, c.cell_id): c for c in CELLS}

# ---------------------------------------------------------------------------------------------
# Label normalisation shared by everything that matches labels.

_WS = re.compile(r"\s+")
# Row numbering inside a label: 一、 （三） 1. 2、 — the tail of a label after the last marker is the
# most specific part ("三、本年度办理结果（三）不予公开1.属于国家秘密" -> "1.属于国家秘密").
ROW_MARKER = re.compile(r"[一二三四五六七八九十]、|\([一二三四五六七八九十]\)|(?<![0-9.])[1-9][.、](?![0-9])")
GROUP_MARKER = re.compile(r"\(([三四五六])\)")
_GROUP_BY_NUMERAL = {"三": "denied", "四": "unavailable", "五": "not_handled", "六": "other"}


@lru_cache(maxsize=16384)
def norm_label(text: str) -> str:
    """NFKC (full-width → ASCII, （ → (), no whitespace, unified quotes. Cached: the same labels and
    numbers come back in every report."""
    t = unicodedata.normalize("NFKC", text)
    t = _WS.sub("", t)
    return t.replace("“", '"').replace("”", '"').replace("「", '"').replace("」", '"')


def label_tail(label: str) -> str:
    starts = [m.start() for m in ROW_MARKER.finditer(label)]
    return label[starts[-1] :] if starts else label


def group_of(label: str) -> str | None:
    """The outcome group named in a (normalised) label, e.g. "(三)不予公开" -> "denied"."""
    found = GROUP_MARKER.findall(label)
    return _GROUP_BY_NUMERAL[found[-1]] if found else None
