"""Plausible statistics years only: before 2019 (local tables) and after the current year
(impossible: a report is published the year after the one it covers) are refused with why."""

from __future__ import annotations

import pytest

from pipelines.model import UnreadableInput
from pipelines.parsing import parse
from tests.conftest import SAMPLES

REPORT = (SAMPLES / "320903-finance_2021.txt").read_bytes()  # a 2021 report published in 2022


def _as_year(year: int) -> bytes:
    # every date moves with the year: the statistics period, the publication date a year later
    return REPORT.replace(b"2022", str(year + 1).encode()).replace(b"2021", str(year).encode())


def test_current_year_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse, "current_year", lambda: 2031)
    assert parse.parse_bytes(_as_year(2031), "r.txt").year == 2031  # published in 2032: fine
    assert parse.parse_bytes(_as_year(2030), "r.txt").year == 2030


def test_future_year_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse, "current_year", lambda: 2030)
    with pytest.raises(
        UnreadableInput, match=r"report for 2031: a statistics year after the current year \(2030\)"
    ):
        parse.parse_bytes(_as_year(2031), "r.txt")


def test_year_before_2019_is_refused() -> None:
    with pytest.raises(UnreadableInput, match="report for 2007: before 2019"):
        parse.parse_bytes(_as_year(2007), "r.txt")


def test_today_is_the_default_clock() -> None:
    from datetime import date

    assert parse.current_year() == date.today().year
    assert parse.year_problem(date.today().year) is None
    assert parse.year_problem(date.today().year + 1) is not None
