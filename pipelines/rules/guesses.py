"""Guessed cells explained for the people who read them: the parser marks a cell uncertain when a
crawler dump printed a row's digits without separators ("1062133913") and more than one split fits
the table, and keeps a note for developers ("glued run '1062133913': 29 possible splits"). This step
turns each note into Chinese — what was printed, why it could not be read for sure, the split taken
and the other readings the table allowed — into `guessed_cell`, which the marts and the site read.

The other readings are in the note for 表三 rows; for 表二 items and 表四 they are found again with
the parser's own splitter (pipelines/parsing/glued.py), on a budget, from the run the note quotes.
Only reports whose guessed cells changed since the last run are explained again (a report's cells
are fixed by its bytes and the parser version), so a night costs what its new reports cost.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from pipelines import layout
from pipelines.parsing import glued
from pipelines.warehouse.db import registered, transaction

COLUMNS = (
    "report_id",
    "cell_id",
    "format",
    "value",
    "note",
    "run_text",
    "chosen",
    "readings",
    "splits",
    "why_zh",
)
# States a re-search of one run may explore: the parser's own budget per run, so that what it found
# is found again.
STATES = glued.MAX_STATES
SHOWN = 5  # other readings listed in the explanation
_RUN = re.compile(r"""^glued run ('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")
_COUNT = re.compile(r": (\d+) possible splits$")
_ALSO = re.compile(r": splits (\[.*\]) also fit$")
_STOPPED = re.compile(r"the search stopped after (\d+) states")
_BUT_ONE = re.compile(r"no split has every block add up to its 总计; of the (\d+) splits")
_SEP = "｜"


@dataclass(frozen=True)
class Explained:
    run_text: str | None
    chosen: str | None  # the split taken, 10｜6｜2133913
    readings: tuple[str, ...]  # other values this cell could have
    splits: int | None  # splits that fit, when known
    why_zh: str


def explain(con: duckdb.DuckDBPyConnection) -> int:
    """Bring guessed_cell up to date with fact_cell's uncertain cells; returns the rows written."""
    con.execute("""
        DELETE FROM guessed_cell g
        WHERE NOT EXISTS (
            SELECT 1 FROM fact_cell f
            WHERE f.uncertain AND f.report_id = g.report_id AND f.cell_id = g.cell_id
              AND f.note IS NOT DISTINCT FROM g.note AND f.value IS NOT DISTINCT FROM g.value)""")
    todo = [
        r
        for (r,) in con.execute("""
            SELECT DISTINCT f.report_id FROM fact_cell f
            WHERE f.uncertain AND NOT EXISTS (
                SELECT 1 FROM guessed_cell g WHERE g.report_id = f.report_id AND g.cell_id = f.cell_id)
            ORDER BY 1""").fetchall()
    ]
    if not todo:
        return 0
    cells = con.execute(
        """
        SELECT report_id, cell_id, format, value, raw_text, uncertain, note
        FROM fact_cell SEMI JOIN (SELECT unnest(?::VARCHAR[]) AS report_id) USING (report_id)
        ORDER BY report_id, cell_id""",
        [todo],
    ).fetchall()
    by_report: dict[str, dict[str, tuple[Any, ...]]] = defaultdict(dict)
    for report_id, cell_id, *rest in cells:
        by_report[report_id][cell_id] = tuple(rest)
    rows = [row for report_id in todo for row in explain_report(report_id, by_report[report_id])]
    frame = pl.DataFrame(
        rows,
        schema={
            "report_id": pl.Utf8,
            "cell_id": pl.Utf8,
            "format": pl.Utf8,
            "value": pl.Float64,
            "note": pl.Utf8,
            "run_text": pl.Utf8,
            "chosen": pl.Utf8,
            "readings": pl.List(pl.Utf8),
            "splits": pl.Int64,
            "why_zh": pl.Utf8,
        },
        orient="row",
    )
    with transaction(con), registered(con, {"_gk_guessed": frame}):
        con.execute("DELETE FROM guessed_cell WHERE report_id IN (SELECT report_id FROM _gk_guessed)")
        con.execute(f"INSERT INTO guessed_cell SELECT {', '.join(COLUMNS)} FROM _gk_guessed")
    return len(rows)


def explain_report(report_id: str, cells: dict[str, tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The guessed_cell rows of one report, from its cells (cell_id -> format, value, raw, uncertain, note)."""
    out = []
    memo: dict[tuple[str, str], list[tuple[Any, ...]] | None] = {}
    for cell_id, (fmt, value, _raw, uncertain, note) in sorted(cells.items()):
        if not uncertain:
            continue
        e = explain_cell(cell_id, fmt, value, note, cells, memo)
        out.append(
            (report_id, cell_id, fmt, value, note, e.run_text, e.chosen, list(e.readings), e.splits, e.why_zh)
        )
    return out


def explain_cell(
    cell_id: str,
    fmt: str,
    value: float | None,
    note: str | None,
    cells: dict[str, tuple[Any, ...]],
    memo: dict[tuple[str, str], list[tuple[Any, ...]] | None] | None = None,
) -> Explained:
    memo = {} if memo is None else memo
    m = _RUN.match(note or "")
    run = _literal(m.group(1)) if m else None
    if run is None:
        return Explained(
            None, None, (), None, "解析器对这一格的读数没有把握（原文排版不清），数字可能读错，请与原文核对。"
        )
    shown = f"原文把这一行的数字连在一起印成“{run}”，中间没有分隔"
    ids = _run_cells(cell_id, fmt)
    i = ids.index(cell_id) if cell_id in ids else None
    taken = [cells.get(c, (None, None))[1] for c in ids]
    chosen = _SEP.join(_num(v) for v in taken) if ids and all(v is not None for v in taken) else None
    stopped = _STOPPED.search(note or "")
    if value is None:
        return Explained(run, None, (), 0, shown + "，找不到符合表格关系的拆法，这一格没有读出数字。")
    alternatives: list[tuple[Any, ...]] | None = None
    count: int | None = None
    also = _ALSO.search(note or "")
    if also:
        alternatives = [tuple(a) for a in _literal_list(also.group(1))]
    elif _COUNT.search(note or "") or _BUT_ONE.search(note or "") or stopped:
        key = (run, ",".join(ids))
        if key not in memo:
            memo[key] = _resplit(run, ids)
        alternatives = memo[key]
        count = len(alternatives) if alternatives is not None else None
    counted = _COUNT.search(note or "")
    if counted:
        count = int(counted.group(1))
    readings: tuple[str, ...] = ()
    if alternatives and i is not None:
        seen = {_num(a[i]) for a in alternatives if len(a) == len(ids)}
        readings = tuple(sorted(seen - {_num(value)}, key=_order))
    why = shown
    if _BUT_ONE.search(note or ""):
        why += "；没有一种拆法能使表四每一栏都等于其总计（原表可能本身有误），解析器取了只有一栏不符的拆法中最接近的一种"
    elif stopped:
        why += f"；可能的拆法太多，解析器试了 {int(stopped.group(1)):,} 种后停止，取了已找到的一种，其他拆法也可能成立"
    elif count:
        basis = "表内勾稽关系和正文所述件数" if cell_id.startswith("t2.") else "表内勾稽关系"
        why += f"；拆成 {len(ids)} 个数共有 {count:,} 种符合表内关系的拆法，解析器按{basis}选了其中一种"
    else:
        why += "；有几种拆法都符合表内关系，解析器选了其中一种"
    if chosen:
        why += f"：{chosen}（本格取 {_num(value)}）"
    why += "。"
    if readings:
        listed = "、".join(readings[:SHOWN]) + (f" 等 {len(readings):,} 种" if len(readings) > SHOWN else "")
        why += f"本格其他可能的读数：{listed}。"
    why += "请与原文核对。"
    return Explained(run, chosen, readings, count, why)


def _run_cells(cell_id: str, fmt: str) -> list[str]:
    """The cells one glued run of a report stands for, in printed order."""
    table, row, col = cell_id.split(".")
    if table == "t3":
        return [f"t3.{row}.{c.code}" for c in layout.T3_COLS]
    if table == "t4":
        return [f"t4.{b}.{c}" for b, _ in layout.T4_BLOCKS for c, _ in layout.T4_COLS]
    item = next((it for it in layout.T2_ITEMS if it.code == row), None)
    measures = item.measures.get(fmt, ()) if item else ()
    return [f"t2.{row}.{m}" for m in measures] or [cell_id]


def _resplit(run: str, ids: list[str]) -> list[tuple[Any, ...]] | None:
    """The splits of a run the table allows, found again as the parser found them."""
    budget = glued.Budget(STATES)
    if ids[0].startswith("t4."):
        found = glued.split_blocks(run, len(layout.T4_COLS), len(layout.T4_BLOCKS), budget)
        if not found:
            found = glued.split_blocks_but_one(
                run, len(layout.T4_COLS), len(layout.T4_BLOCKS), glued.Budget(STATES)
            )
        return [tuple(s) for s in found]
    if ids[0].startswith("t3."):
        return None  # 表三 notes list their splits (in printed column order the run does not keep)
    text, tail = run, ""
    for unit in ("万元", "元"):
        if text.endswith(unit):
            text = text[: -len(unit)]
    if "." in text:  # the decimal belongs to the last cell (an amount)
        text, frac = text.rsplit(".", 1)
        tail = "." + frac
    measures = [c.rsplit(".", 1)[1] for c in ids]
    found = glued.splits(text.strip(), len(ids), budget=budget)
    out = []
    for s in found:
        if all(v >= 0 or m == "items_change" for v, m in zip(s, measures, strict=True)):
            out.append((*s[:-1], float(f"{s[-1]}{tail}")) if tail else tuple(s))
    return out


def _literal(text: str) -> str | None:
    try:
        got = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None
    return got if isinstance(got, str) else None


def _literal_list(text: str) -> list[Any]:
    try:
        got = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return []
    return [a for a in got if isinstance(a, tuple)] if isinstance(got, list) else []


def _num(v: Any) -> str:
    """A piece of a printed run as printed: plain digits, so that the pieces read back as the run."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def _order(text: str) -> tuple[float, str]:
    try:
        return (float(text.replace(",", "")), text)
    except ValueError:
        return (float("inf"), text)
