"""Publisher errors, injected into the printed values of a report, one entry per error.

Every rule of FORMAT.md §6 has an injector that breaks it the way publishers do (a total off by a
few, a blank 总计, two cells swapped, a column that does not add up, a negative 结转 from computing
it as a difference, a fee in 元 under the 万元 header, a report copied from last year, ...). An
injector changes only what the report prints; the truth stays, so the next year and the region
report still follow the truth — which is exactly how one error also breaks a rule elsewhere. Those
knock-on breaks are found afterwards with `check` and listed under `also_breaks` (see `attribute`).

Injectors of one report are drawn from different *families* (表二, 表三, 表四, 小计, text), so two
errors never touch the same cells and neither can mask the other.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pipelines import layout
from pipelines.synth import check
from pipelines.synth.numbers import COLS
from pipelines.synth.report import GROUP_ROWS, SUBTOTAL_GROUPS, Draft

APPLICANTS = COLS[:-1]
RULE_IDS = (
    "T3-S1",
    "T3-F1",
    "T3-F2",
    "T3-F3",
    "T4-F1",
    "T4-F2",
    "T4-F3",
    "T2-Q1",
    "T3-Q1",
    "T4-Q1",
    "T2-Q2",
    "T3-Q3",
    "TX-Q1",
    "T3-X1",
    "T2-X1",
    "T2-X2",
    "H-X1",
    "D-Q1",
)
COL_NAMES = {c.code: c.label.split("·")[-1] for c in layout.T3_COLS}
ROW_NAMES = {r.code: r.label for r in layout.T3_ROWS}
T4_BLOCK = {"T4-F1": "review", "T4-F2": "litigation_direct", "T4-F3": "litigation_after_review"}


@dataclass
class Ctx:
    prev: Draft | None  # the same organ's report of the year before, already final
    parts: list[Draft]  # a region report's children, same year, already final
    rng: random.Random


Result = tuple[list[str], str] | None  # (cells, description), None when not applicable after all


def _add(d: Draft, cid: str, delta: int) -> None:
    d.values[cid] = int(d.v(cid)) + delta


def _delta(rng: random.Random, floor: int, low: int = 1, high: int = 3) -> int:
    """A small nonzero change that keeps the value ≥ 0 (value = -floor is the lowest allowed)."""
    options = [k for k in range(-high, high + 1) if k and (k >= low or -k >= low) and k >= -floor]
    return rng.choice(options)


def _pick_col(d: Draft, row: str, rng: random.Random, nonzero: bool = False) -> str | None:
    cols = [c for c in APPLICANTS if not nonzero or d.v(f"t3.{row}.{c}") > 0]
    if not cols:
        return None
    weights = [1 + int(d.v(f"t3.{row}.{c}")) for c in cols]
    return rng.choices(cols, weights)[0]


def _outcome_rows(d: Draft) -> list[str]:
    return [r for r in layout.T3_OUTCOME_ROWS[d.fmt] if not (d.single_other and r.startswith("other_"))]


def _all_rows(d: Draft) -> list[str]:
    return [
        r.code
        for r in layout.T3_ROWS
        if d.fmt in r.formats and not (d.single_other and r.code.startswith("other_"))
    ]


# --------------------------------------------------------------------------------------------
# 表三


def t3_s1(d: Draft, ctx: Ctx) -> Result:
    rng = ctx.rng
    row = rng.choices(("new_received", "carried_forward"), (0.75, 0.25))[0]
    col = _pick_col(d, row, rng)
    if col is None:
        return None
    k = _delta(rng, int(d.v(f"t3.{row}.{col}")))
    _add(d, f"t3.{row}.{col}", k)
    _add(d, f"t3.{row}.total", k)
    return (
        [f"t3.{row}.{col}", f"t3.{row}.total"],
        f"{ROW_NAMES[row]} ({COL_NAMES[col]}) printed {k:+d} off, with its row 总计: "
        "新收 + 上年结转 ≠ 办理结果总计 + 结转下年度 in that column",
    )


def t3_f1(d: Draft, ctx: Ctx) -> Result:
    rng = ctx.rng
    rows = _all_rows(d)
    variant = rng.choices(("off", "blank", "vswap"), (0.5, 0.2, 0.3))[0]
    if variant == "vswap":
        outcome = _outcome_rows(d)
        for _ in range(20):
            col = rng.choice(APPLICANTS)
            r1, r2 = rng.sample(outcome, 2)
            a, b = f"t3.{r1}.{col}", f"t3.{r2}.{col}"
            if d.v(a) != d.v(b):
                d.values[a], d.values[b] = d.values[b], d.values[a]
                return [a, b], f"{COL_NAMES[col]} values of {ROW_NAMES[r1]} and {ROW_NAMES[r2]} swapped"
        variant = "off"
    if variant == "blank":
        full = [r for r in rows if d.v(f"t3.{r}.total") > 0]
        if full:
            row = rng.choice(full)
            d.values[f"t3.{row}.total"] = None
            return [f"t3.{row}.total"], f"总计 of {ROW_NAMES[row]} left blank (the row is not 0)"
    row = rng.choice([r for r in rows if d.v(f"t3.{r}.total") > 0] or rows)
    k = _delta(rng, int(d.v(f"t3.{row}.total")))
    _add(d, f"t3.{row}.total", k)
    return [f"t3.{row}.total"], f"总计 of {ROW_NAMES[row]} off by {k:+d}"


def t3_f2(d: Draft, ctx: Ctx) -> Result:
    rng = ctx.rng
    outcome = _outcome_rows(d)
    if rng.random() < 0.4:
        for _ in range(20):
            row = rng.choice(outcome)
            c1, c2 = rng.sample(APPLICANTS, 2)
            a, b = f"t3.{row}.{c1}", f"t3.{row}.{c2}"
            if d.v(a) != d.v(b):
                d.values[a], d.values[b] = d.values[b], d.values[a]
                return [a, b], f"{ROW_NAMES[row]}: {COL_NAMES[c1]} and {COL_NAMES[c2]} swapped"
    row = rng.choice(outcome)
    col = _pick_col(d, row, rng) or "natural_person"
    k = _delta(rng, int(d.v(f"t3.{row}.{col}")))
    _add(d, f"t3.{row}.{col}", k)
    _add(d, f"t3.{row}.total", k)
    return (
        [f"t3.{row}.{col}", f"t3.{row}.total"],
        f"{ROW_NAMES[row]} ({COL_NAMES[col]}) off by {k:+d}: the column does not add up to 总计",
    )


def t3_q1(d: Draft, ctx: Ctx) -> Result:
    """结转下年度 computed as 新收 + 结转 − 办结 after an outcome was over-counted: negative."""
    rng = ctx.rng
    col = rng.choice(APPLICANTS[:1] * 4 + APPLICANTS[1:])
    row = rng.choice(("granted", "unavailable_not_held", "partially_granted"))
    k = int(d.v(f"t3.carried_forward.{col}")) + rng.randint(1, 3)
    for cid in (f"t3.{row}.{col}", f"t3.{row}.total", f"t3.total.{col}", "t3.total.total"):
        _add(d, cid, k)
    _add(d, f"t3.carried_forward.{col}", -k)
    _add(d, "t3.carried_forward.total", -k)
    return (
        [
            f"t3.carried_forward.{col}",
            "t3.carried_forward.total",
            f"t3.{row}.{col}",
            f"t3.{row}.total",
            f"t3.total.{col}",
            "t3.total.total",
        ],
        f"{ROW_NAMES[row]} over-counted by {k}; 结转下年度 computed as the difference is negative",
    )


def t3_x1(d: Draft, ctx: Ctx) -> Result:
    rng = ctx.rng
    prev = ctx.prev
    if prev is None:
        return None
    for _ in range(20):
        col = rng.choice(APPLICANTS)
        new, co = f"t3.new_received.{col}", f"t3.carried_over.{col}"
        k = rng.choice((1, 1, 2, 3))
        if rng.random() < 0.5 and d.v(co) >= k:
            k = -k
        if d.v(new) - k < 0 or d.v(co) + k < 0:
            continue
        if d.v(co) + k == prev.v(f"t3.carried_forward.{col}"):
            continue
        _add(d, co, k)
        _add(d, "t3.carried_over.total", k)
        _add(d, new, -k)
        _add(d, "t3.new_received.total", -k)
        return (
            [co, "t3.carried_over.total", new, "t3.new_received.total"],
            f"{k:+d} {COL_NAMES[col]} application(s) moved from 本年新收 to 上年结转: "
            "上年结转 no longer equals last year's 结转下年度",
        )
    return None


def t3_q3(d: Draft, ctx: Ctx) -> Result:
    if d.fmt != "F2021" or d.single_other:
        return None
    cells: list[str] = []
    if d.v("t3.other_overdue_fee.total") == 0:
        # one application of another outcome re-booked as 逾期未缴费 (all sums still hold)
        cands = [
            (r, c)
            for r in _outcome_rows(d)
            if r != "other_overdue_fee"
            for c in APPLICANTS
            if d.v(f"t3.{r}.{c}") > 0
        ]
        if not cands:
            return None
        r, c = ctx.rng.choice(cands)
        for cid, k in (
            (f"t3.{r}.{c}", -1),
            (f"t3.{r}.total", -1),
            (f"t3.other_overdue_fee.{c}", 1),
            ("t3.other_overdue_fee.total", 1),
        ):
            _add(d, cid, k)
        cells = [f"t3.other_overdue_fee.{c}", f"t3.{r}.{c}"]
    d.fee_claim_none = True
    return (
        [*cells, "t3.other_overdue_fee.total"],
        "逾期未按收费通知缴纳费用 > 0, but section 六 says no fee notice was issued",
    )


def h_x1(d: Draft, ctx: Ctx) -> Result:
    """A region report that does not sum its parts while being internally consistent."""
    if not ctx.parts:
        return None
    rng = ctx.rng
    t2_cands = [
        cid
        for cid in d.values
        if cid.endswith(".decisions") and any(cid in p.values and p.v(cid) > 0 for p in ctx.parts)
    ]
    if t2_cands and rng.random() < 0.4:
        cid = rng.choice(t2_cands)
        part = rng.choice([p for p in ctx.parts if cid in p.values and p.v(cid) > 0])
        missing = int(part.v(cid))
        if 0 < missing <= int(d.v(cid)):
            _add(d, cid, -missing)
            return [cid], f"{cid} leaves out {part.agency} ({missing})"
    col = rng.choice(APPLICANTS[:1] * 3 + APPLICANTS[1:])
    row = rng.choice(("granted", "unavailable_not_held"))
    k = rng.randint(1, 6)
    cells = [
        f"t3.new_received.{col}",
        "t3.new_received.total",
        f"t3.{row}.{col}",
        f"t3.{row}.total",
        f"t3.total.{col}",
        "t3.total.total",
    ]
    for cid in cells:
        _add(d, cid, k)
    return cells, f"{k} {COL_NAMES[col]} application(s) counted in the region report but in none of its parts"


# --------------------------------------------------------------------------------------------
# 表四


def _t4(rule: str) -> Callable[[Draft, Ctx], Result]:
    block = T4_BLOCK[rule]

    def inject(d: Draft, ctx: Ctx) -> Result:
        total = f"t4.{block}.total"
        parts = sum(d.v(f"t4.{block}.{p}") for p, _ in layout.T4_COLS[:-1])
        if parts > 0 and ctx.rng.random() < 0.3:
            d.values[total] = None
            return [total], f"{block} 总计 left blank (its parts add up to {parts})"
        k = _delta(ctx.rng, int(d.v(total)))
        _add(d, total, k)
        return [total], f"{block} 总计 off by {k:+d}"

    return inject


def t4_q1(d: Draft, ctx: Ctx) -> Result:
    block = ctx.rng.choice([b for b, _ in layout.T4_BLOCKS])
    k = int(d.v(f"t4.{block}.pending")) + ctx.rng.randint(1, 2)
    _add(d, f"t4.{block}.other", k)
    _add(d, f"t4.{block}.pending", -k)
    return (
        [f"t4.{block}.pending", f"t4.{block}.other"],
        f"{block}: 其他结果 over-counted by {k}; 尚未审结 computed as the difference is negative",
    )


# --------------------------------------------------------------------------------------------
# 表二


def t2_q1(d: Draft, ctx: Ctx) -> Result:
    cands = [
        cid
        for cid in d.values
        if cid.startswith("t2.") and not cid.endswith((".amount", ".items_change")) and d.v(cid) > 0
    ]
    if not cands:
        return None
    pref = [c for c in cands if c.endswith(".repealed")]
    cid = ctx.rng.choice(pref if pref and ctx.rng.random() < 0.6 else cands)
    d.values[cid] = -int(d.v(cid))
    return [cid], f"{cid} printed with a minus sign"


def t2_q2(d: Draft, ctx: Ctx) -> Result:
    cid = "t2.admin_fee.amount"
    if d.fmt != "F2021" or d.v(cid) <= 0:
        return None
    amount = Decimal(d.v(cid)) * 10000
    d.values[cid] = (
        amount.quantize(Decimal(1)) if ctx.rng.random() < 0.6 else amount.quantize(Decimal("0.01"))
    )
    # without a 元 in the cell, only the jump from last year's amount gives the unit away
    prev = ctx.prev
    jump = prev is not None and prev.fmt == "F2021" and 0 < prev.v(cid) * 1000 <= d.v(cid)
    d.fee_unit_yuan = not jump or ctx.rng.random() < 0.5
    return [cid], f"收费金额 printed in 元 under the 万元 header ({d.values[cid]})"


def t2_x1(d: Draft, ctx: Ctx) -> Result:
    prev = ctx.prev
    if d.fmt != "F2021" or prev is None or prev.fmt != "F2021":
        return None
    rng = ctx.rng
    items = ["normative_doc"] + (["regulation"] if d.v("t2.regulation.in_force") > 0 else [])
    item = rng.choice(items)
    cid = f"t2.{item}.in_force"
    stock = int(d.v(cid))
    want = prev.v(cid) + d.v(f"t2.{item}.issued") - d.v(f"t2.{item}.repealed")
    if stock >= 10 and rng.random() < 0.5:
        ks = [-round(stock * rng.uniform(0.3, 0.6))]
        why = "现行有效 cut after a clean-up of the document library, not by 废止件数"
    else:
        ks = [k for k in range(-5, 6) if k and stock + k >= 0]
        why = "现行有效 miscounted"
    ks = [k for k in ks if stock + k != want]
    if not ks:
        return None
    k = rng.choice(ks)
    d.values[cid] = stock + k
    return [cid], f"{why} ({stock + k} instead of {want})"


def t2_x2(d: Draft, ctx: Ctx) -> Result:
    prev = ctx.prev
    if d.fmt != "F2019" or prev is None or prev.fmt != "F2019":
        return None
    rng = ctx.rng
    item = rng.choice(("admin_license", "other_mgmt_service", "admin_penalty", "admin_coercion", "admin_fee"))
    cid = f"t2.{item}.prev_year_items"
    k = _delta(rng, int(d.v(cid)), high=10)
    _add(d, cid, k)
    return [
        cid
    ], f"上一年项目数量 of {item} does not continue last year's 上一年项目数量 + 本年增/减 ({k:+d})"


# --------------------------------------------------------------------------------------------
# text and 小计


def tx_q1(d: Draft, ctx: Ctx) -> Result:
    printed = int(d.v("t3.new_received.total"))
    prev = ctx.prev
    if prev is not None and ctx.rng.random() < 0.3 and int(prev.v("t3.new_received.total")) != printed:
        d.stated_new = int(prev.v("t3.new_received.total"))
        why = "the text still states last year's number"
    else:
        d.stated_new = printed + _delta(ctx.rng, printed, high=5)
        why = "the text states another number"
    return ["t3.new_received.total"], f"{why}: 收到申请{d.stated_new}件, table {printed}"


def t3_f3(d: Draft, ctx: Ctx) -> Result:
    groups = [g for g in SUBTOTAL_GROUPS if not (g == "other" and (d.single_other or d.fmt == "F2019"))]
    g = ctx.rng.choice(groups)
    i = ctx.rng.randrange(len(COLS))
    members = [r for r in GROUP_ROWS[g] if r in _all_rows(d)]
    current = sum(int(d.v(f"t3.{r}.{COLS[i]}")) for r in members)
    k = _delta(ctx.rng, current)
    d.subtotal_offset[(g, i)] = k
    if "subtotal_rows" not in d.quirks:
        d.quirks.append("subtotal_rows")
    return (
        [f"t3.{r}.{COLS[i]}" for r in members],
        f"小计 row of {layout.T3_GROUPS[g]} ({COL_NAMES[COLS[i]]}) off by {k:+d} from its sub-rows",
    )


def d_q1(d: Draft, ctx: Ctx) -> Result:
    prev = ctx.prev
    if (
        prev is None
        or prev.fmt != d.fmt
        or prev.single_other != d.single_other
        or prev.errors
        or prev.copied_from is not None
    ):
        return None
    truth = dict(d.values)
    d.values = dict(prev.values)
    d.copied_from = prev
    d.text_key = prev.text_key
    diff = [cid for cid in d.values if not check._eq(d.values[cid], truth[cid])]
    if not diff:
        return None
    return diff, f"cells and text copied from {prev.file} (only the year changed)"


@dataclass(frozen=True)
class Injector:
    rule: str
    family: str
    fn: Callable[[Draft, Ctx], Result]


INJECTORS: tuple[Injector, ...] = (
    Injector("D-Q1", "copy", d_q1),
    Injector("T2-Q1", "t2", t2_q1),
    Injector("T2-Q2", "t2", t2_q2),
    Injector("T2-X1", "t2", t2_x1),
    Injector("T2-X2", "t2", t2_x2),
    Injector("T3-S1", "t3", t3_s1),
    Injector("T3-F1", "t3", t3_f1),
    Injector("T3-F2", "t3", t3_f2),
    Injector("T3-Q1", "t3", t3_q1),
    Injector("T3-X1", "t3", t3_x1),
    Injector("T3-Q3", "t3", t3_q3),
    Injector("H-X1", "t3", h_x1),
    Injector("T4-F1", "t4", _t4("T4-F1")),
    Injector("T4-F2", "t4", _t4("T4-F2")),
    Injector("T4-F3", "t4", _t4("T4-F3")),
    Injector("T4-Q1", "t4", t4_q1),
    Injector("T3-F3", "sub", t3_f3),
    Injector("TX-Q1", "text", tx_q1),
)
_FAMILY_ORDER = ("copy", "t2", "t3", "t4", "sub", "text")
# Rules that few reports can break (only region reports, only 2020, only fee-charging organs) are
# drawn more often where they can be, so that every rule has enough cases to measure recall.
_WEIGHT = {"H-X1": 8.0, "T2-X2": 4.0, "T2-Q2": 2.0, "T3-Q3": 1.5, "D-Q1": 1.5}


def _applicable(inj: Injector, d: Draft, ctx: Ctx) -> bool:
    r = inj.rule
    if r in ("T3-X1", "D-Q1") and ctx.prev is None:
        return False
    if r == "T2-X1":
        return d.fmt == "F2021" and ctx.prev is not None and ctx.prev.fmt == "F2021"
    if r == "T2-X2":
        return d.fmt == "F2019" and ctx.prev is not None and ctx.prev.fmt == "F2019"
    if r == "T2-Q2":
        return d.fmt == "F2021" and d.v("t2.admin_fee.amount") > 0
    if r == "T3-Q3":
        return d.fmt == "F2021" and not d.single_other and d.v("t3.total.total") > 0
    if r == "H-X1":
        return bool(ctx.parts)
    if r == "D-Q1":
        return d_q1_possible(d, ctx.prev)
    if r == "T3-F3":
        return not d.has("missing_t3")
    return True


def d_q1_possible(d: Draft, prev: Draft | None) -> bool:
    return (
        prev is not None
        and prev.fmt == d.fmt
        and prev.single_other == d.single_other
        and not prev.errors
        and prev.copied_from is None
    )


def inject(d: Draft, ctx: Ctx, only: tuple[str, ...] | None = None) -> None:
    """Give `d` one to three errors of different families (D-Q1 alone), appending manifest entries."""
    rng = ctx.rng
    n = rng.choices((1, 2, 3), (0.8, 0.15, 0.05))[0]
    pool = [i for i in INJECTORS if (only is None or i.rule in only) and _applicable(i, d, ctx)]
    chosen: list[Injector] = []
    while pool and len(chosen) < n:
        inj = rng.choices(pool, [_WEIGHT.get(i.rule, 1.0) for i in pool])[0]
        chosen.append(inj)
        if inj.family == "copy":
            break
        pool = [i for i in pool if i.family != inj.family and i.family != "copy"]
    chosen.sort(key=lambda i: _FAMILY_ORDER.index(i.family))
    for inj in chosen:
        result = inj.fn(d, ctx)
        if result is None:
            continue
        cells, description = result
        d.errors.append(
            {
                "file": d.file,
                "agency": d.agency,
                "year": d.year,
                "rule_id": inj.rule,
                "cells": cells,
                "description": description,
                "also_breaks": [],
            }
        )


# --------------------------------------------------------------------------------------------


def attribute(drafts: dict[str, Draft], violations: list[check.Violation]) -> list[str]:
    """Match every rule violation found in the corpus to the injected error that explains it.

    A violation of an entry's own rule in its own file confirms the entry; any other violation is
    a knock-on effect, listed in `also_breaks` of the entry whose cells it involves (or of any
    entry in the reports involved). Returns problems: entries not confirmed, violations that no
    entry explains — both mean the generator is wrong, not the data."""
    confirmed: set[int] = set()
    problems: list[str] = []
    for v in violations:
        own = drafts[v.file].errors
        hit = [e for e in own if e["rule_id"] == v.rule]
        if hit:
            for e in hit:
                confirmed.add(id(e))
            continue
        involved: list[tuple[dict[str, Any], set[str]]] = []
        cells_by_file = {v.file: set(v.cells), **{f: set(c) for f, c in v.related}}
        for f in v.files():
            for e in drafts[f].errors:
                involved.append((e, cells_by_file.get(f, set())))
        if not involved:
            problems.append(f"{v.file}: {v.rule} broken without an injected error ({v.detail})")
            continue
        best = next((e for e, cells in involved if cells & set(e["cells"])), involved[0][0])
        note = {"rule_id": v.rule, "file": v.file}
        if note not in best["also_breaks"]:
            best["also_breaks"].append(note)
    for d in drafts.values():
        for e in d.errors:
            if id(e) not in confirmed:
                problems.append(
                    f"{d.file}: injected {e['rule_id']} does not break its rule ({e['description']})"
                )
    return problems
