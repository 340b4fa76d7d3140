"""Every recognised digit checked: recognition confidence and the statutory sum rules decide
together, as they do for the glued digit runs of crawler dumps (pipelines.parsing.glued).

For each value cell read by OCR, the readings worth considering are the recognised text and its
variants where a doubtful digit (probability below DOUBT, or another digit close behind) is
replaced by the digits the model saw at that place, or where a digit the model nearly read is
put in. The sum rules of the report's format (表三: 总计 = the six applicant columns, 本年新收 +
上年结转 = 办理结果总计 + 结转下年度, 办理结果总计 = the outcome rows; 表四: each block's 总计 =
its four results) then judge the readings of all doubtful cells they connect, jointly:

- where the readings that satisfy the most rules give a doubtful cell one value, and a rule
  holding that cell is satisfied, that value is taken (the cell's note says what was read and why
  the value differs, if it does);
- where they leave several values, or no rule holds the cell (表二 has no sum rules), the cell
  keeps its best reading and is marked uncertain, the other readings in its note.

Every OCR cell's note carries the recognised text and its lowest character probability, so the
site can show where a number came from (the box is in the provenance).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product

from pipelines import layout
from pipelines.model import Document, GridCell, ParsedCell
from pipelines.parsing.mapper import Mapped
from pipelines.parsing.numbers import parse_value
from pipelines.parsing.ocr.engine import DIRT, DOUBT, LOOKALIKES, Glyph, dirt

# Another digit at least this probable makes a character doubtful whatever its own probability.
RIVAL = 0.03
# Alternatives considered per doubtful place, and readings per cell.
MAX_ALTS = 3
MAX_READINGS = 64
# Joint enumeration limit per group of connected doubtful cells.
MAX_COMBINATIONS = 200_000

Number = int | float
# a reading: a number, or None for a cell read as blank or a dash (0 in the sums)
Value = int | float | None
_GAP = re.compile(r"(\d+)\s+(\d+)")
# cells that hold amounts (万元, 元); every other cell is a count, a whole number
_AMOUNTS = ("t2.admin_fee.amount", "t2.gov_procurement.amount")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:[.,]\d{3})+")


@dataclass
class _Doubt:
    cell: ParsedCell
    text: str  # as read
    options: list[tuple[Value, float]]  # readings as values with their probabilities, best first


def _options(glyphs: tuple[Glyph, ...]) -> tuple[list[tuple[Value, float]], bool]:
    """The numeric readings of a cell's glyphs, best first, and whether any place is doubtful."""
    places: list[list[tuple[str, float]]] = []
    doubtful = False
    read = [g for g in glyphs if g.text]
    ends = set()  # marks at either end: dirt beside a number (the reader leaves them out)
    for seq in (read, read[::-1]):
        for g in seq:
            if not dirt(g) or (seq is read and g.text in "+-" and g.prob >= DOUBT):
                break
            ends.add(id(g))
    for g in glyphs:
        digit_alts = [(c, p) for c, p in g.alts if len(c) == 1 and c.isdigit() and c.isascii()]
        if id(g) in ends:
            if digit_alts:  # or a faint digit
                places.append([("", 1.0 - sum(p for _, p in digit_alts)), *digit_alts[:MAX_ALTS]])
                doubtful = True
            continue
        if not g.text:  # a place where a digit may have been missed
            if digit_alts:
                places.append([("", g.prob), *digit_alts[:MAX_ALTS]])
                doubtful = True
            continue
        numeric = g.text.isdigit() or g.text in LOOKALIKES
        if numeric and (g.prob < DOUBT or any(p >= RIVAL for _, p in digit_alts)):
            places.append([(g.text, g.prob), *digit_alts[:MAX_ALTS]])
            doubtful = True
        elif g.text in DIRT and g.prob < DOUBT:
            # a mark a speck of dirt may have made: read with it and without it
            places.append([(g.text, g.prob), ("", 1.0 - g.prob), *digit_alts[:MAX_ALTS]])
            doubtful = True
        else:
            places.append([(g.text, g.prob)])
    if not doubtful:
        return [], False
    # the most doubtful places first, so that a cap keeps what matters
    out: dict[Value, float] = {}
    combos = 1
    for p in places:
        combos *= len(p)
    if combos > MAX_READINGS * 16:
        ranked = sorted(range(len(places)), key=lambda i: places[i][0][1])
        keep = set(ranked[:4])
        places = [p if i in keep else p[:1] for i, p in enumerate(places)]
    for combo in product(*places):
        text = "".join(c for c, _ in combo)
        kind, value = parse_value(text)
        if kind == "text":
            continue
        prob = 1.0
        for _, share in combo:
            prob *= share
        if value not in out or out[value] < prob:
            out[value] = prob
    ranked_values = sorted(out.items(), key=lambda vp: (-vp[1], str(vp[0])))
    return ranked_values[:MAX_READINGS], True


def equations(fmt: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The format's sum rules within one report: (left cells, right cells) with equal sums."""
    cols = [c.code for c in layout.T3_COLS]
    rows = [r.code for r in layout.T3_ROWS if fmt in r.formats]
    out: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for col in cols:
        out.append(
            (
                (f"t3.new_received.{col}", f"t3.carried_over.{col}"),
                (f"t3.total.{col}", f"t3.carried_forward.{col}"),
            )
        )
        out.append(((f"t3.total.{col}",), tuple(f"t3.{r}.{col}" for r in layout.T3_OUTCOME_ROWS[fmt])))
    for row in rows:
        out.append(((f"t3.{row}.total",), tuple(f"t3.{row}.{c}" for c in layout.T3_APPLICANT_COLS)))
    for block, _ in layout.T4_BLOCKS:
        parts = tuple(f"t4.{block}.{c}" for c, _ in layout.T4_COLS[:-1])
        out.append(((f"t4.{block}.total",), parts))
    return out


def _grid_cells(doc: Document) -> dict[tuple[int, int, int], GridCell]:
    return {
        (c.table if c.table is not None else g.index, c.row, c.col): c
        for g in doc.tables
        for row in g.rows
        for c in row
    }


def _summary(glyphs: tuple[Glyph, ...]) -> str:
    text = "".join(g.text for g in glyphs)
    probs = [g.prob for g in glyphs if g.text]
    return f"OCR {text!r} p={min(probs) if probs else 1.0:.3f}"


def check(mapped: Mapped, doc: Document) -> None:
    """Annotate and correct the mapped cells of a scanned report in place."""
    cells = _grid_cells(doc)
    doubts: dict[str, _Doubt] = {}
    for cid, pc in mapped.cells.items():
        p = pc.provenance
        if p.table is None or p.row is None or p.col is None:
            continue
        gc = cells.get((p.table, p.row, p.col))
        if gc is None or gc.ocr is None:
            continue
        glyphs: tuple[Glyph, ...] = gc.ocr
        summary = _summary(glyphs)
        pc.note = f"{pc.note}; {summary}" if pc.note else summary
        options, doubtful = _options(glyphs)
        if cid not in _AMOUNTS:
            options = [(v, p) for v, p in options if not isinstance(v, float) or v.is_integer()]
            if pc.kind == "number" and isinstance(pc.value, float) and not pc.value.is_integer():
                _whole(pc)
        gap = _GAP.fullmatch(gc.text.strip())
        if gap and pc.kind == "number" and pc.value is not None:
            # digits apart: a decimal point or a separator between them may not have been read
            options = options or [(pc.value, 0.5)]
            options.append((float(f"{gap.group(1)}.{gap.group(2)}"), 0.4))
            doubtful = True
        if pc.kind == "text" and not options:
            pc.uncertain = True
            pc.note += ": not a number"
            continue
        if doubtful and options:
            if pc.kind != "text" and all(v != pc.value for v, _ in options):
                options.insert(0, (pc.value, 0.0))
            doubts[cid] = _Doubt(pc, pc.raw or "", options)
    if doubts:
        _resolve(mapped, doubts)


def _whole(pc: ParsedCell) -> None:
    """A count read with a point: "1.296" is 1,296 with its separator read as a point; any
    other point in a count is doubtful."""
    text = (pc.raw or "").strip()
    digits = re.sub(r"[.,]", "", text)
    if _THOUSANDS.fullmatch(text) and digits.lstrip("+-").isdigit():
        pc.note = f"{pc.note}; a count is a whole number: {text!r} has a thousands separator"
        pc.value = int(digits)
    else:
        pc.uncertain = True
        pc.note = f"{pc.note}; a count read with a decimal point"


def _value(pc: ParsedCell | None) -> Number:
    if pc is None or pc.value is None:
        return 0
    return pc.value


def _resolve(mapped: Mapped, doubts: dict[str, _Doubt]) -> None:
    eqs = [e for e in equations(mapped.format_version) if all(c in mapped.cells for c in e[0] + e[1])]
    touching: dict[str, list[int]] = {}
    for i, (left, right) in enumerate(eqs):
        for c in left + right:
            if c in doubts:
                touching.setdefault(c, []).append(i)
    # groups of doubtful cells joined by rules
    parent = {c: c for c in doubts}

    def find(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for left, right in eqs:
        members = [c for c in left + right if c in doubts]
        for a, b in zip(members, members[1:], strict=False):
            parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for c in sorted(doubts):
        groups.setdefault(find(c), []).append(c)
    for members in groups.values():
        _resolve_group(mapped, doubts, members, eqs, touching)


def _resolve_group(
    mapped: Mapped,
    doubts: dict[str, _Doubt],
    members: list[str],
    eqs: list[tuple[tuple[str, ...], tuple[str, ...]]],
    touching: dict[str, list[int]],
) -> None:
    idx = sorted({i for c in members for i in touching.get(c, [])})
    space = 1
    for c in members:
        space *= len(doubts[c].options)
    if not idx or space > MAX_COMBINATIONS:
        for c in members:
            _uncertain(doubts[c], "no sum rule checks it" if not idx else "too many readings to check")
        return
    fixed: dict[str, Value] = {
        c: _value(mapped.cells[c]) for i in idx for c in eqs[i][0] + eqs[i][1] if c not in doubts
    }
    best_score = -1
    best: list[tuple[tuple[Value, ...], frozenset[int]]] = []
    for combo in product(*(doubts[c].options for c in members)):
        values = dict(fixed)
        values.update({c: v for c, (v, _) in zip(members, combo, strict=True)})
        ok = frozenset(i for i in idx if _holds(eqs[i], values))
        score = len(ok)
        if score > best_score:
            best_score, best = score, []
        if score == best_score:
            best.append((tuple(v for v, _ in combo), ok))
    for k, c in enumerate(members):
        d = doubts[c]
        found = sorted({b[0][k] for b in best}, key=lambda v: [o[0] for o in d.options].index(v))
        checked = any(i in ok for _, ok in best for i in touching.get(c, []))
        if len(found) == 1 and checked:
            _take(d, found[0])
        else:
            reason = (
                "the sum rules allow several readings" if checked else "no sum rule holds with any reading"
            )
            _uncertain(d, reason, found if len(found) > 1 else None)


def _holds(eq: tuple[tuple[str, ...], tuple[str, ...]], values: dict[str, Value]) -> bool:
    left = sum(values.get(c) or 0 for c in eq[0])
    right = sum(values.get(c) or 0 for c in eq[1])
    return abs(left - right) < 1e-9


def _set(pc: ParsedCell, value: Value) -> None:
    if value is None:
        pc.value = None
        if pc.kind not in ("blank", "dash"):
            pc.kind = "dash"
    else:
        pc.value, pc.kind = value, "number"


def _take(d: _Doubt, value: Value) -> None:
    pc = d.cell
    if pc.value != value or pc.kind == "text":
        shown = "a blank" if value is None else value
        pc.note = f"{pc.note}; read {d.text!r}, the sum rules give {shown}"
        _set(pc, value)
    else:
        pc.note = f"{pc.note}; doubtful digit confirmed by the sum rules"


def _uncertain(d: _Doubt, reason: str, values: list[Value] | None = None) -> None:
    pc = d.cell
    pc.uncertain = True
    alts = values or [v for v, _ in d.options]
    best = alts[0]
    if (pc.value != best and values is not None) or pc.kind == "text":
        _set(pc, best)
    shown = ", ".join("blank" if v is None else str(v) for v in alts[:6])
    pc.note = f"{pc.note}; doubtful digit, {reason}: readings {shown}"
