"""Guessed cells explained in Chinese (pipelines/rules/guesses.py): what was printed, why the reading
is a guess, the split taken and the other readings the table allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from pipelines.parsing import parse
from pipelines.rules import guesses
from pipelines.warehouse import schema


def _cells(values: dict[str, Any], note: str, fmt: str = "F2021") -> dict[str, tuple[Any, ...]]:
    return {cid: (fmt, v, str(v), True, note) for cid, v in values.items()}


def test_a_glued_item_row_lists_the_other_splits() -> None:
    note = "glued run '1062133913': 29 possible splits"
    cells = _cells(
        {
            "t2.admin_license.prev_year_items": 10,
            "t2.admin_license.items_change": 62,
            "t2.admin_license.decisions": 133913,
        },
        note,
        "F2019",
    )
    e = guesses.explain_cell("t2.admin_license.decisions", "F2019", 133913, note, cells)
    assert e.run_text == "1062133913" and e.chosen == "10｜62｜133913" and e.splits == 29
    assert "3913" in e.readings and "133913" not in e.readings
    assert e.why_zh.startswith(
        "原文把这一行的数字连在一起印成“1062133913”，中间没有分隔；拆成 3 个数共有 29 种"
    )
    assert (
        "（本格取 133913）" in e.why_zh and "本格其他可能的读数：" in e.why_zh and "请与原文核对" in e.why_zh
    )
    assert "glued" not in e.why_zh  # no developer English


def test_a_glued_table3_row_takes_its_readings_from_the_note() -> None:
    note = "glued run '270020130': splits [(2, 7, 0, 0, 2, 0, 11), (27, 0, 0, 2, 0, 1, 30)] also fit"
    cols = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org")
    cols += ("legal_service_org", "other_org", "total")
    cells = _cells({f"t3.granted.{c}": v for c, v in zip(cols, (27, 0, 0, 2, 0, 1, 30), strict=True)}, note)
    e = guesses.explain_cell("t3.granted.natural_person", "F2021", 27, note, cells)
    assert e.chosen == "27｜0｜0｜2｜0｜1｜30" and e.readings == ("2",)


def test_a_run_without_a_fitting_split_is_said_to_be_unread() -> None:
    note = "glued run '123': no split into 15 numbers fits 表四's totals"
    e = guesses.explain_cell("t4.review.total", "F2021", None, note, {})
    assert "没有读出数字" in e.why_zh and e.readings == ()


def test_a_note_the_explainer_does_not_know_still_gets_chinese() -> None:
    e = guesses.explain_cell("t2.regulation.issued", "F2021", 3, "something else", {})
    assert e.why_zh.startswith("解析器对这一格的读数没有把握")


def test_every_guessed_cell_of_the_real_dumps_is_explained(real_dir: Path) -> None:
    """平潭 2020's 表二 runs, parsed for real: each guessed cell gets Chinese and its other readings,
    and a second run writes nothing new."""
    report = parse.parse_bytes((real_dir / "pingtan_zhsyq_2020.txt").read_bytes(), "pingtan_zhsyq_2020.txt")
    con = duckdb.connect(":memory:")
    schema.migrate(con)
    rows = [
        ("r1", c.cell_id, report.format_version, c.value, c.raw, c.kind, c.uncertain, c.note)
        for c in report.cells.values()
    ]
    con.executemany(
        "INSERT INTO fact_cell VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, NULL)", rows
    )
    guessed = sum(1 for r in rows if r[6])
    assert guessed > 0
    assert guesses.explain(con) == guessed
    assert guesses.explain(con) == 0
    got = con.execute("SELECT why_zh, readings, chosen FROM guessed_cell").fetchall()
    assert all("原文" in why and "glued" not in why for why, _, _ in got)
    assert sum(1 for _, readings, _ in got if readings) >= guessed // 2
