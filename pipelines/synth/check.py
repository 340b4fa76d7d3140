"""The consistency rules of FORMAT.md §6, evaluated on what reports print (expected-JSON cells).

The generator uses this to confirm that every injected error really breaks its rule and to find
what else it breaks (a wrong 结转下年度 also breaks next year's 上年结转 rule); the tests use it to
check a generated corpus. It is the synthetic corpus' own reference check, deliberately simple:
null counts as 0, and amounts compare with a small tolerance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pipelines import layout

COLS = tuple(c.code for c in layout.T3_COLS)
APPLICANTS = COLS[:-1]
T4_PARTS = tuple(c for c, _ in layout.T4_COLS[:-1])
T4_RULE = {"review": "T4-F1", "litigation_direct": "T4-F2", "litigation_after_review": "T4-F3"}
# T3-F3: the sub-rows a publisher's 小计 row sums
GROUP_ROWS = {
    g: tuple(r.code for r in layout.T3_ROWS if r.group == g and "F2021" in r.formats)
    for g in ("denied", "unavailable", "not_handled", "other")
}
_AMOUNTS = ("t2.admin_fee.amount", "t2.gov_procurement.amount")


@dataclass
class Rec:
    """One report as printed: what the checks need from its expected JSON."""

    file: str
    organ: str
    year: int
    fmt: str
    cells: Mapping[str, Any]
    facts: Mapping[str, Any] = field(default_factory=dict)
    subtotals: Mapping[str, list[Any]] = field(default_factory=dict)


@dataclass
class Violation:
    rule: str
    file: str  # the report the finding is about (for cross-report rules: the later year / the region)
    cells: list[str]
    related: list[tuple[str, list[str]]] = field(default_factory=list)  # other reports involved
    detail: str = ""

    def files(self) -> list[str]:
        return [self.file, *(f for f, _ in self.related)]


def _n(x: Any) -> Any:
    return 0 if x is None else x


def _eq(a: Any, b: Any) -> bool:
    a, b = _n(a), _n(b)
    if isinstance(a, (float, Decimal)) or isinstance(b, (float, Decimal)):
        return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(a)))
    return bool(a == b)


def _is_count(x: Any) -> bool:
    if x is None:
        return True
    if isinstance(x, bool):
        return False
    if isinstance(x, int):
        return x >= 0
    return False


def single(rec: Rec) -> list[Violation]:
    """Rules that one report can break on its own (S, F, Q classes)."""
    c = rec.cells
    out: list[Violation] = []

    def v(cid: str) -> Any:
        return _n(c.get(cid))

    rows = [r.code for r in layout.T3_ROWS if rec.fmt in r.formats]
    outcome = layout.T3_OUTCOME_ROWS[rec.fmt]
    for col in COLS:
        ids = [f"t3.{r}.{col}" for r in ("new_received", "carried_over", "total", "carried_forward")]
        if v(ids[0]) + v(ids[1]) != v(ids[2]) + v(ids[3]):
            out.append(
                Violation(
                    "T3-S1",
                    rec.file,
                    ids,
                    detail=f"column {col}: {v(ids[0])}+{v(ids[1])} != {v(ids[2])}+{v(ids[3])}",
                )
            )
        parts = [f"t3.{r}.{col}" for r in outcome]
        total = f"t3.total.{col}"
        if sum(v(p) for p in parts) != v(total):
            out.append(
                Violation(
                    "T3-F2",
                    rec.file,
                    [total, *parts],
                    detail=f"column {col}: 总计 {v(total)} != {sum(v(p) for p in parts)}",
                )
            )
    for row in rows:
        parts = [f"t3.{row}.{col}" for col in APPLICANTS]
        total = f"t3.{row}.total"
        if sum(v(p) for p in parts) != v(total):
            out.append(
                Violation(
                    "T3-F1",
                    rec.file,
                    [*parts, total],
                    detail=f"row {row}: 总计 {v(total)} != {sum(v(p) for p in parts)}",
                )
            )
    for group, values in rec.subtotals.items():
        for i, col in enumerate(COLS):
            parts = [f"t3.{r}.{col}" for r in GROUP_ROWS[group] if f"t3.{r}.{col}" in c]
            if _n(values[i]) != sum(v(p) for p in parts):
                out.append(
                    Violation(
                        "T3-F3",
                        rec.file,
                        parts,
                        detail=f"{group} 小计 {col}: {values[i]} != {sum(v(p) for p in parts)}",
                    )
                )
    for block, _ in layout.T4_BLOCKS:
        parts = [f"t4.{block}.{p}" for p in T4_PARTS]
        total = f"t4.{block}.total"
        if sum(v(p) for p in parts) != v(total):
            out.append(
                Violation(
                    T4_RULE[block],
                    rec.file,
                    [*parts, total],
                    detail=f"{block}: 总计 {v(total)} != {sum(v(p) for p in parts)}",
                )
            )
    for cid, val in c.items():
        table = cid[:2]
        if cid in _AMOUNTS:
            ok = val is None or float(val) >= 0
        elif cid.endswith(".items_change"):
            ok = val is None or isinstance(val, int)
        else:
            ok = _is_count(val)
        if not ok:
            out.append(
                Violation(
                    {"t2": "T2-Q1", "t3": "T3-Q1", "t4": "T4-Q1"}[table],
                    rec.file,
                    [cid],
                    detail=f"{cid} = {val!r}",
                )
            )
    if rec.facts.get("admin_fee_unit") == "元":
        out.append(Violation("T2-Q2", rec.file, ["t2.admin_fee.amount"], detail="元 printed under 万元"))
    stated = rec.facts.get("new_received_total")
    if stated is not None and stated != v("t3.new_received.total"):
        out.append(
            Violation(
                "TX-Q1",
                rec.file,
                ["t3.new_received.total"],
                detail=f"text says {stated}, table {v('t3.new_received.total')}",
            )
        )
    if rec.fmt == "F2021" and v("t3.other_overdue_fee.total") > 0 and rec.facts.get("fee_notices") == 0:
        out.append(
            Violation(
                "T3-Q3",
                rec.file,
                ["t3.other_overdue_fee.total"],
                detail="逾期未缴费 > 0 but section 六 reports no fee notice",
            )
        )
    return out


def cross(recs: Iterable[Rec], children: Mapping[str, list[str]]) -> list[Violation]:
    """Rules between reports: same organ across years (T3-X1, T2-X1, T2-X2, T2-Q2 ratio, D-Q1),
    and a region report against its parts (H-X1). `children`: region organ id -> child organ ids."""
    by_key = {(r.organ, r.year): r for r in recs}
    out: list[Violation] = []
    for (organ, year), cur in sorted(by_key.items()):
        prev = by_key.get((organ, year - 1))
        if prev is not None:
            out += _year_pair(prev, cur)
        kids = children.get(organ)
        if kids:
            parts = [by_key.get((k, year)) for k in kids]
            if all(p is not None for p in parts):
                out += _region(cur, [p for p in parts if p is not None])
    return out


def _year_pair(prev: Rec, cur: Rec) -> list[Violation]:
    out: list[Violation] = []
    pc, cc = prev.cells, cur.cells
    for col in COLS:
        a, b = f"t3.carried_forward.{col}", f"t3.carried_over.{col}"
        if not _eq(pc.get(a), cc.get(b)):
            out.append(
                Violation(
                    "T3-X1",
                    cur.file,
                    [b],
                    [(prev.file, [a])],
                    detail=f"{col}: 上年结转 {cc.get(b)} != last year's 结转下年度 {pc.get(a)}",
                )
            )
    if prev.fmt == cur.fmt == "F2021":
        for item in ("regulation", "normative_doc"):
            ids = [f"t2.{item}.{m}" for m in ("in_force", "issued", "repealed")]
            want = _n(pc.get(ids[0])) + _n(cc.get(ids[1])) - _n(cc.get(ids[2]))
            if not _eq(cc.get(ids[0]), want):
                out.append(
                    Violation(
                        "T2-X1",
                        cur.file,
                        ids,
                        [(prev.file, [ids[0]])],
                        detail=f"{item}: 现行有效 {cc.get(ids[0])} != {want}",
                    )
                )
        a = _n(pc.get("t2.admin_fee.amount"))
        b = _n(cc.get("t2.admin_fee.amount"))
        if a and float(b) >= 1000 * float(a):
            out.append(
                Violation(
                    "T2-Q2",
                    cur.file,
                    ["t2.admin_fee.amount"],
                    [(prev.file, ["t2.admin_fee.amount"])],
                    detail=f"收费金额 {b} is ~10^4 × last year's {a}",
                )
            )
    if prev.fmt == cur.fmt == "F2019":
        for item in ("admin_license", "other_mgmt_service", "admin_penalty", "admin_coercion", "admin_fee"):
            p, ch = f"t2.{item}.prev_year_items", f"t2.{item}.items_change"
            want = _n(pc.get(p)) + _n(pc.get(ch))
            if not _eq(cc.get(p), want):
                out.append(
                    Violation(
                        "T2-X2",
                        cur.file,
                        [p],
                        [(prev.file, [p, ch])],
                        detail=f"{item}: 上一年项目数量 {cc.get(p)} != {want}",
                    )
                )
    if prev.fmt == cur.fmt and all(_eq(pc.get(k), cc.get(k)) for k in cc):
        out.append(
            Violation("D-Q1", cur.file, [], [(prev.file, [])], detail="all cells identical to last year")
        )
    return out


def _region(region: Rec, parts: list[Rec]) -> list[Violation]:
    out: list[Violation] = []
    bad: list[str] = []
    for cid in region.cells:
        if any(cid not in p.cells for p in parts):
            continue  # a part printed in another format: the cell has no counterpart
        total = sum((_n(p.cells[cid]) for p in parts), 0)
        if not _eq(region.cells[cid], total):
            bad.append(cid)
    if bad:
        out.append(
            Violation(
                "H-X1",
                region.file,
                bad,
                [(p.file, bad) for p in parts],
                detail=f"{len(bad)} cells differ from the sum of {len(parts)} reports",
            )
        )
    return out
