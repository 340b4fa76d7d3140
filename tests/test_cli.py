"""`gongkai parse` and `gongkai run`, in-process through main() and once through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.cli.main import main
from pipelines.model import ParsedCell, ParsedReport, Provenance

REAL_SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real" / "pingtan_czjrj_2023.txt"


# Grow or change on every run by design: the run logs, and source_file's last_seen.
AUDIT_TABLES = {"load_run", "rule_runs", "source_file"}


def warehouse_contents(path: Path, *, skip: set[str] = AUDIT_TABLES) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of every schema (marts, quality work tables) but the audit logs."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT internal ORDER BY ALL"
        ).fetchall()
        return {
            t if s == "main" else f"{s}.{t}": con.execute(
                f'SELECT * FROM "{s}"."{t}" ORDER BY ALL'
            ).fetchall()
            for s, t in tables
            if t not in skip
        }


def test_parse_missing_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.html"
    assert main(["parse", str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"gongkai: {missing}: No such file or directory\n"


def test_parse_unreadable_input_via_entry_point(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01\x02" * 100)
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.cli.main", "parse", str(junk)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"gongkai: {junk}: ") and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr


def test_parse_prints_report_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    report = ParsedReport(
        agency="某局",
        year=2023,
        format_version="F2021",
        medium="html",
        cells={
            "t4.review.total": ParsedCell(
                "t4.review.total", 3, "3", "number", Provenance(table=3, row=2, col=1)
            )
        },
        sections={"s1": "总体"},
    )
    monkeypatch.setattr("pipelines.parsing.parse.parse_bytes", lambda data, name: report)
    f = tmp_path / "r.html"
    f.write_text("<html></html>")
    assert main(["parse", str(f)]) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == report.as_json()
    assert "某局" in out  # ensure_ascii=False: Chinese stays readable


def test_run_missing_inbox_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--inbox", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w.duckdb")]) == 2
    assert "inbox is not a directory" in capsys.readouterr().err


def test_run_twice_gives_identical_warehouse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "garbage.bin").write_bytes(b"\x00\xff" * 500)
    (inbox / "empty.txt").write_bytes(b"")
    if REAL_SAMPLE.exists():  # a real report through the real parser, when shared/ is beside the checkout
        (inbox / REAL_SAMPLE.name).write_bytes(REAL_SAMPLE.read_bytes())
        (inbox / "copy.txt").write_bytes(REAL_SAMPLE.read_bytes())
    wh = tmp_path / "out" / "warehouse.duckdb"
    args = ["run", "--inbox", str(inbox), "--warehouse", str(wh), "--site", str(tmp_path / "site")]

    assert main(args) == 0  # quarantined files are not a failed run
    first_out = capsys.readouterr().out
    first = warehouse_contents(wh)
    assert main(args) == 0
    assert warehouse_contents(wh) == first
    second_out = capsys.readouterr().out
    # the second run parses nothing: every file is known by its size and mtime
    assert first_out.splitlines()[1:] == second_out.splitlines()[1:]
    assert "0 parsed, 0 quarantined, 0 skipped as duplicates" in second_out

    assert "quarantined files (2):" in first_out
    assert "garbage.bin: " in first_out and "empty.txt: " in first_out
    assert {row[1] for row in first["quarantine"]} == {"empty.txt", "garbage.bin"}
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM load_run").fetchone() == (2,)
        # the publish step closed each run's row with the findings the rules left
        findings = con.execute("SELECT findings FROM load_run").fetchall()
        assert findings[0] == findings[1] and findings[0][0] is not None
        assert f"skipped as duplicates, {findings[0][0]} findings" in second_out
    assert not (tmp_path / "out" / "warehouse.duckdb.staging").exists()  # published: staging renamed away
    assert (tmp_path / "site" / "index.html").exists()
    if REAL_SAMPLE.exists():
        assert (
            "4 files seen (4 new, 0 changed, 0 unchanged), 1 parsed, 2 quarantined, 1 skipped as duplicates"
            in first_out
        )
        assert "4 files seen (0 new, 0 changed, 4 unchanged), 0 parsed" in second_out
        assert len(first["dim_report"]) == 1 and len(first["fact_cell"]) > 0
        assert len(first["mart_organ_year"]) == 1  # the whole graph ran: marts too


def test_run_that_fails_exits_1_with_the_cause(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    not_a_file = tmp_path / "wh.duckdb"
    not_a_file.mkdir()  # cannot be copied to staging: the first step fails
    assert (
        main(["run", "--inbox", str(inbox), "--warehouse", str(not_a_file), "--site", str(tmp_path / "site")])
        == 1
    )
    err_lines = capsys.readouterr().err.splitlines()
    assert len(err_lines) == 1  # the trace is in the log, not on the console
    assert err_lines[0].startswith("gongkai: run failed in ingest: ")
    assert "Is a directory" in err_lines[0]
    assert err_lines[0].endswith(f"({not_a_file} was left as it was; the full trace is in {not_a_file}.log)")
