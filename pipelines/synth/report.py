"""One report between truth and rendering: the values it prints (after injected errors), the facts
its text states, and how each cell is printed (quirks).

The expected JSON is derived from here and nowhere else, so it always holds what the file prints:
a cell printed blank, "—" or "无" is null, a fee printed in 元 is the 元 number.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pipelines import layout
from pipelines.synth.names import Organ
from pipelines.synth.numbers import COLS, Num, Truth

_FULLWIDTH = str.maketrans("0123456789.,-+", "０１２３４５６７８９．，－＋")
T2_UNIT = {"prev_year_items": "个", "items_change": "个", "items": "个"}
# The medium the parser reads each synthetic medium as (a .doc is converted to .docx first).
MEDIUM_READ = {
    "html": "html",
    "docx": "docx",
    "pdf": "pdf",
    "printed-pdf": "pdf",
    "office-docx": "docx",
    "office-doc": "docx",
    "scan": "scan",
}
T2_ROW_UNIT = {"gov_procurement": "笔"}  # a procurement is counted in 笔 (N笔 | NNNNNN元)
SUBTOTAL_GROUPS = ("denied", "unavailable", "not_handled", "other")
GROUP_ROWS = {g: tuple(r.code for r in layout.T3_ROWS if r.group == g) for g in SUBTOTAL_GROUPS}


@dataclass
class Draft:
    organ: Organ
    year: int
    fmt: str
    truth: Truth
    values: dict[str, Num | None]
    single_other: bool = False  # F2021 report printing （六） as one row
    late: bool = False  # F2019 layout in a 2021+ report
    file: str = ""
    agency: str = ""
    title: str = ""
    text_key: str = ""  # seeds the prose: a copied report reuses last year's
    medium: str = ""  # medium label: html, pipe-text, crawler-dump, markdown, docx, pdf, scan
    style: str = ""
    quirks: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    # error effects outside the cell values
    stated_new: int | None = None  # TX-Q1: the number the text states instead of the table's
    fee_claim_none: bool = False  # T3-Q3: section 六 says no fee notice
    fee_unit_yuan: bool = False  # T2-Q2: the fee cell carries 元
    subtotal_offset: dict[tuple[str, int], int] = field(default_factory=dict)
    copied_from: Draft | None = None
    # filled by finalize()
    facts: dict[str, Any] = field(default_factory=dict)
    subtotals: dict[str, list[Num | None]] = field(default_factory=dict)

    def has(self, quirk: str) -> bool:
        return quirk in self.quirks

    def v(self, cid: str) -> Num:
        x = self.values.get(cid)
        return 0 if x is None else x


def finalize(d: Draft, rng: random.Random) -> None:
    """Facts the text states and the publisher's 小计 rows, from the printed values."""
    if d.copied_from is not None:
        d.facts = dict(d.copied_from.facts)
    else:
        overdue = int(d.v("t3.other_overdue_fee.total"))
        facts: dict[str, Any] = {
            "new_received_total": int(d.v("t3.new_received.total")),
            "carried_over_total": int(d.v("t3.carried_over.total")),
            "handled_total": int(d.v("t3.total.total")),
            "carried_forward_total": int(d.v("t3.carried_forward.total")),
        }
        if d.fmt == "F2021":
            if d.fee_claim_none or (overdue == 0 and rng.random() < 0.8):
                facts["fee_notices"], facts["fee_yuan"] = 0, 0
            else:
                paid = rng.randint(0 if overdue else 1, 3)
                facts["fee_notices"] = overdue + paid
                facts["fee_yuan"] = paid * rng.choice((50, 100, 120, 180, 200, 380))
                facts["fee_overdue"] = overdue
        d.facts = facts
    if d.stated_new is not None:
        d.facts["new_received_total"] = d.stated_new
    if d.fee_unit_yuan:
        d.facts["admin_fee_unit"] = "元"
    if d.has("subtotal_rows"):
        rows = [r.code for r in layout.T3_ROWS if d.fmt in r.formats]
        for g in SUBTOTAL_GROUPS:
            members = [r for r in GROUP_ROWS[g] if r in rows]
            if len(members) < 2 or (d.single_other and g == "other"):
                continue
            vals: list[Num | None] = []
            for i, col in enumerate(COLS):
                s = sum(d.v(f"t3.{r}.{col}") for r in members) + d.subtotal_offset.get((g, i), 0)
                vals.append(s)
            d.subtotals[g] = vals


# --------------------------------------------------------------------------------------------
# printing


@dataclass(frozen=True)
class Printed:
    text: str
    value: int | float | None  # what the expected JSON holds


class Printer:
    """Formats each cell the way this publisher prints it."""

    def __init__(self, d: Draft, rng: random.Random) -> None:
        self.d = d
        q = set(d.quirks)
        self.blank_zero = "blank_for_zero" in q
        self.dash = rng.choice(("—", "-", "/", "无", "——")) if "dash_for_zero" in q else None
        self.fullwidth = "fullwidth_digits" in q
        self.thousands = "thousands_separator" in q
        self.units = "units_in_cells" in q
        self.crawler = d.medium == "crawler-dump"
        self.sign_words = not self.crawler and rng.random() < 0.3
        self.plus = rng.random() < 0.5
        self.proc_unit = rng.random() < 0.6  # 政府集中采购 amount printed with 元
        self.fee_places: int | None = None

    def cell(self, cid: str, value: Num | None) -> Printed:
        table, row, col = cid.split(".")
        if value is None:
            return Printed("", None)
        if value == 0 and not (cid == "t2.admin_fee.amount" and self.d.fee_unit_yuan):
            if self.blank_zero and table in ("t3", "t4"):
                return Printed("", None)
            if self.dash is not None and table in ("t2", "t4"):
                return Printed(self.dash, None)
        if isinstance(value, Decimal):
            return self._amount(cid, value)
        if col == "items_change":
            if value > 0:
                text = f"增加{value}" if self.sign_words else f"+{value}" if self.plus else str(value)
            elif value < 0:
                text = f"减少{-value}" if self.sign_words else str(value)
            else:
                text = "0"
            return Printed(self._digits(text), value)
        text = f"{value:,}" if self.thousands and abs(value) >= 1000 else str(value)
        if self.units and table == "t2" and value != 0:
            text += T2_ROW_UNIT.get(row) or T2_UNIT.get(col, "件")
        return Printed(self._digits(text), value)

    def _amount(self, cid: str, value: Decimal) -> Printed:
        text = format(value, "f")
        if self.thousands and abs(value) >= 1000:
            whole, _, frac = text.partition(".")
            text = f"{int(whole):,}" + (f".{frac}" if frac else "")
        if cid == "t2.admin_fee.amount":
            if self.d.fee_unit_yuan:
                text += "元"
            elif self.units and value != 0:
                text += "万元"
        elif cid == "t2.gov_procurement.amount" and self.proc_unit and value != 0:
            text += "元"
        num: int | float = int(value) if "." not in format(value, "f") else float(value)
        return Printed(self._digits(text), num)

    def _digits(self, text: str) -> str:
        return text.translate(_FULLWIDTH) if self.fullwidth else text


def expected_json(d: Draft, printed: dict[str, Printed]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "agency": d.agency,
        "year": d.year,
        "format_version": d.fmt,
        "cells": {cid: printed[cid].value for cid in layout.CELL_IDS[d.fmt]},
        "medium": MEDIUM_READ.get(d.medium, "text"),
        "medium_label": d.medium,
        "style": d.style,
        "quirks": sorted(d.quirks),
        "errors": [e["rule_id"] for e in d.errors],
        "title": d.title,
        "organ_id": d.organ.id,
        "report_scope": d.organ.scope,
        "facts": {k: v for k, v in d.facts.items()},
    }
    if d.subtotals:
        out["subtotals"] = {
            g: [None if v is None else int(v) for v in vals] for g, vals in d.subtotals.items()
        }
    return out
