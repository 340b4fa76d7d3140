"""Crawler dumps whose tables hold a cell the publisher left blank, or a misprinted sign: the dump
drops a blank cell without a trace, so a row has the digits of one number fewer than its cells.
Every wrong cell must be marked uncertain; where the table's sums allow, the values are right.

The fixtures (tests/fixtures/crawler-blank/) are synthetic reports (`gongkai synth`) that were read
wrong and unmarked: 表三 总计 left blank (300 organs, seed 1), 表四 总计 left blank in a run of 14
digits (seed 3, and seed 4 with error rate 0.6), a 表三 row of six digits, and 表二 处理决定数量
printed with a minus sign."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.bench.accuracy import score
from pipelines.model import GridCell, ParsedCell, ParsedReport
from pipelines.parsing import glued
from pipelines.parsing.mapper import _split_t2
from pipelines.parsing.parse import parse_file

FIXTURES = Path(__file__).parent / "fixtures" / "crawler-blank"
NAMES = sorted(p.name for p in FIXTURES.glob("*.txt"))


def _parse(name: str) -> tuple[ParsedReport, dict]:
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    return parse_file(FIXTURES / name), expected


@pytest.mark.parametrize("name", NAMES)
def test_every_wrong_cell_is_marked(name: str) -> None:
    report, expected = _parse(name)
    fs = score(expected, report, name, "crawler-dump")
    assert fs.error is None and all(fs.fields_correct.values())
    assert [w for w in fs.wrong if not w[3]] == []


def _row(report: ParsedReport, prefix: str) -> list[tuple[int | float | None, bool]]:
    return [(c.value, c.uncertain) for cid, c in report.cells.items() if cid.startswith(prefix)]


def test_t3_total_left_blank_is_read_as_blank() -> None:
    # "（七）总计25 1 0 0 1 1": six numbers, and the only split into seven (2 5 1 0 0 1 1) sums
    # neither across nor down; the columns' sums fit 25 1 0 0 1 1 and a blank 总计
    report, _ = _parse("3209-office_2025.txt")
    row = {cid.rsplit(".", 1)[1]: c for cid, c in report.cells.items() if cid.startswith("t3.total.")}
    assert [
        row[c].value for c in ("natural_person", "commercial_enterprise", "legal_service_org", "other_org")
    ] == [
        25,
        1,
        1,
        1,
    ]
    assert row["total"].kind == "blank" and row["total"].value is None and row["total"].uncertain
    assert "blank total" in (row["total"].note or "")
    # the split into seven numbers stays on record as the other reading
    assert "(2, 5, 1, 0, 0, 1, 1)" in (row["natural_person"].note or "")
    assert row["natural_person"].uncertain


def test_t4_total_left_blank_in_a_run_of_fourteen_digits() -> None:
    # "9 14322 10501012": review 9 1 4 3 (总计 blank), direct 2 2 1 0 5, after review 0 1 0 1 2
    report, _ = _parse("320902-gov_2025.txt")
    assert [v for v, _ in _row(report, "t4.")] == [9, 1, 4, 3, None, 2, 2, 1, 0, 5, 0, 1, 0, 1, 2]
    blank = report.cells["t4.review.total"]
    assert blank.kind == "blank" and blank.uncertain and "14 numbers and a blank" in (blank.note or "")


def test_t4_blank_that_several_positions_explain_is_marked() -> None:
    # "1012 0000010001": 1 0 1 2 and a blank 总计, or a blank member and 1 0 1 2 (2 = 1 + 0 + 1);
    # the blank 总计 is taken
    report, _ = _parse("320903-housing_2025.txt")
    review = _row(report, "t4.review.")
    assert [v for v, _ in review] == [1, 0, 1, 2, None]
    assert all(unsure for _, unsure in review)
    assert not any(unsure for _, unsure in _row(report, "t4.litigation_direct."))


def test_t2_split_that_only_a_misprinted_sign_beats_is_marked() -> None:
    # "行政许可960-25": 960 -2 5 has its sign where a change may be negative; 96 0 -25 (an
    # unchanged item list and a misprinted minus, as printed) fits better otherwise
    report, _ = _parse("320921-commerce_2019.txt")
    cells = [report.cells[f"t2.admin_license.{m}"] for m in ("prev_year_items", "items_change", "decisions")]
    assert all(c.uncertain for c in cells)
    assert "(96, 0, -25)" in (cells[0].note or "") and "minus sign" in (cells[0].note or "")


@pytest.mark.parametrize(("run", "unsure"), [("86-72", False), ("960-25", True)])
def test_t2_negative_change_is_certain_unless_a_misprint_fits_better(run: str, unsure: bool) -> None:
    # 86 -7 2 against 8 6 -72: the misprint fits no better, so the sign decides
    ids = [f"t2.admin_license.{m}" for m in ("prev_year_items", "items_change", "decisions")]
    cells: dict[str, ParsedCell] = {}
    _split_t2(ids, GridCell(run, 0, 1, glued=True), cells, "")
    assert [cells[i].uncertain for i in ids] == [unsure] * 3


def test_blank_readings_put_the_blank_at_each_position() -> None:
    # 表三: six digits for seven cells; a blank member leaves 总计 the sum of the others
    found = glued.blank_readings("11000 0", 7, [(6, range(6))], 200)
    assert (1, 1, 0, 0, 0, 0, None) in found
    assert all(r.count(None) == 1 and len(r) == 7 for r in found)
    assert all(sum(x or 0 for x in r[:6]) == r[6] for r in found if r[6] is not None)
    # 表四: every block adds up except where its 总计 is the blank
    readings = glued.blank_readings("1012 0000010001", 15, glued.block_groups(5, 3), 50, counts_first=False)
    assert set(readings) == {
        (1, 0, 1, 2, None, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1),  # 总计 left blank
        (None, 1, 0, 1, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1),  # or a member, counting as nothing
        (1, None, 0, 1, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1),
        (1, 0, None, 1, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1),
        (1, 0, 1, None, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1),
    }


def test_blank_readings_share_one_budget() -> None:
    budget = glued.Budget(500)
    run = "439075793834701746814538401916146100330766619345145061231007"
    glued.blank_readings(run, 7, [(6, range(6))], 200, budget)
    assert budget.left <= 0
