"""docs/data_dictionary.md is generated from the DDL comments and kept current."""

from __future__ import annotations

from pipelines import marts
from pipelines.cli import datadict


def test_dictionary_is_current() -> None:
    # out of date after a schema or mart change: run .venv/bin/python -m pipelines.cli.datadict
    assert datadict.OUTPUT.read_text(encoding="utf-8") == datadict.render(datadict.catalogue())


def test_every_table_view_and_column_has_a_comment() -> None:
    missing = [r.name for r in datadict.catalogue() if not r.comment]
    missing += [f"{r.name}.{c.name}" for r in datadict.catalogue() for c in r.columns if not c.meaning]
    assert missing == []


def test_every_mart_is_documented_with_its_file() -> None:
    documented = {r.name: r.source for r in datadict.catalogue()}
    for name in marts.mart_files():
        assert documented[name] == f"sql/marts/{name}.sql"
    assert documented["current_report"] == "sql/schema/identity/current_report.sql"


def test_units_are_split_from_the_meaning() -> None:
    assert datadict.split_unit("Applications received. Unit: 件.") == ("Applications received.", "件")
    assert datadict.split_unit("Change. Unit: fraction (0.25 = +25%).") == (
        "Change.",
        "fraction (0.25 = +25%)",
    )
    assert datadict.split_unit("No unit here.") == ("No unit here.", "")
