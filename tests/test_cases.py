"""Findings as cases (issue 18): a stable identity (organ, year, rule, instance) that survives re-runs,
parser upgrades and re-publication; open, resolved by a corrected re-publication (with the version
that resolved it), reopened when it fails again; staff decisions from data/decisions.csv that stay
while the printed numbers they were made on are unchanged; malformed decision rows reported with
their line, never stopping a run; the findings workbook filled in and imported back (edited by a
library, and converted by LibreOffice as WPS or LibreOffice users save it)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines import marts, rules, warehouse
from pipelines.cli.main import main
from pipelines.parsing import parse
from pipelines.rules import decisions
from pipelines.site import labels
from pipelines.site.build import build_site
from tests.conftest import SAMPLES, ingest_files

HRSS_2023 = "320903-hrss_2023.md"
# 表四 行政复议 of the HR bureau's 2023 report: printed 0 0 0 0 | 3 (T4-F1 fails)
FAILING = "| 件数 | 0 | 0 | 0 | 0 | 3 |"
CORRECTED = "| 件数 | 2 | 0 | 0 | 1 | 3 |"
FAILING_AGAIN = "| 件数 | 1 | 0 | 0 | 0 | 3 |"


def night(inbox: Path, wh: Path, decisions_file: Path | None = None) -> Any:
    """Ingest and identity, then the rules stage with its cases (no GX: not what is tested here)."""
    ingest_files(inbox, wh)
    return rules.run(wh, gx=False, decisions=decisions_file)


def version(inbox: Path, name: str, row: str, *, extra: str = "") -> None:
    """Another publication of the HR bureau's 2023 report, with 表四 printed as `row`."""
    text = (SAMPLES / HRSS_2023).read_text(encoding="utf-8")
    assert FAILING in text
    (inbox / name).write_text(text.replace(FAILING, row) + extra, encoding="utf-8")


def query(wh: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def the_case(wh: Path) -> dict[str, Any]:
    rows = query(
        wh,
        """SELECT case_id, status, state, report_id, resolved_by, first_seen, status_since, reopened, decision,
                  decision_stale, days_to_resolve, last_seen
           FROM finding_case WHERE rule_id = 'T4-F1' AND year = 2023""",
    )
    assert len(rows) == 1, rows
    keys = "case_id status state report_id resolved_by first_seen status_since reopened decision stale days last_seen"
    return dict(zip(keys.split(), rows[0], strict=True))


def events(wh: Path, case_id: str) -> list[str]:
    return [
        e
        for (e,) in query(
            wh, "SELECT event FROM finding_case_event WHERE case_id = ? ORDER BY seen_at", [case_id]
        )
    ]


def report_of(wh: Path, name: str) -> str:
    [(rid,)] = query(wh, "SELECT report_id FROM dim_report WHERE file_name = ?", [name])
    return str(rid)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """The HR bureau's reports (2022 to 2024) and its government's, whose H-X1 needs its parts."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    for p in SAMPLES.iterdir():
        if p.name.startswith("320903-hrss_202") and not p.name.endswith(".json"):
            shutil.copy2(p, folder / p.name)
    return folder


def test_a_correction_resolves_the_case_and_a_new_failure_reopens_it(inbox: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    night(inbox, wh)
    first = the_case(wh)
    assert first["status"] == first["state"] == "open" and first["case_id"].startswith("T4-F1-2023-")
    assert first["report_id"] == report_of(wh, HRSS_2023)
    # the same night again: nothing changes, not even a time
    before = (
        query(wh, "SELECT * FROM finding_case_log ORDER BY ALL"),
        query(wh, "SELECT * FROM finding_case_event ORDER BY ALL"),
    )
    night(inbox, wh)
    assert (
        query(wh, "SELECT * FROM finding_case_log ORDER BY ALL"),
        query(wh, "SELECT * FROM finding_case_event ORDER BY ALL"),
    ) == before

    # the organ re-publishes a corrected report: the case is resolved by that version, and stays listed
    version(inbox, "320903-hrss_2023_更正.md", CORRECTED)
    night(inbox, wh)
    fixed = the_case(wh)
    assert fixed["case_id"] == first["case_id"] and fixed["status"] == "resolved"
    assert (
        fixed["resolved_by"] == report_of(wh, "320903-hrss_2023_更正.md")
        and fixed["report_id"] == first["report_id"]
    )
    assert fixed["status_since"] > first["first_seen"] and fixed["first_seen"] == first["first_seen"]
    assert fixed["last_seen"] < fixed["status_since"] and fixed["days"] == 0
    assert not query(
        wh,
        "SELECT 1 FROM report_findings SEMI JOIN current_report USING (report_id) WHERE rule_id = 'T4-F1' AND year = 2023",
    )

    # a later version fails again: the same case, reopened, its history whole
    version(inbox, "320903-hrss_2023_再次.md", FAILING_AGAIN)
    night(inbox, wh)
    again = the_case(wh)
    assert again["case_id"] == first["case_id"] and again["status"] == again["state"] == "reopened"
    assert again["reopened"] == 1 and again["resolved_by"] is None
    assert again["report_id"] == report_of(wh, "320903-hrss_2023_再次.md")
    assert events(wh, first["case_id"]) == ["opened", "resolved", "reopened"]
    [(detail,)] = query(
        wh,
        "SELECT detail_zh FROM finding_case_event WHERE case_id = ? AND event = 'resolved'",
        [first["case_id"]],
    )
    assert "320903-hrss_2023_更正.md" in detail


def _decide(path: Path, case_id: str, printed: str = "") -> None:
    decisions.write(
        path,
        [
            decisions.Decision(
                0, case_id, "explained", "张三", date(2025, 3, 1), "机关说明：复议案件在上年已结", printed
            )
        ],
    )


def test_a_decision_survives_a_parser_upgrade_and_lapses_when_the_numbers_change(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wh, decided = tmp_path / "wh.duckdb", tmp_path / "decisions.csv"
    night(inbox, wh)
    case = the_case(wh)
    _decide(decided, case["case_id"])
    result = night(inbox, wh, decided)
    assert result.cases.decisions == 1 and result.cases.problems == []
    held = the_case(wh)
    assert held["state"] == "explained" and held["decision"] == "explained" and held["status"] == "open"
    assert events(wh, case["case_id"]) == ["opened", "decided"]

    # a new parser reads every file again: same reports, same cases, the decision still holds
    monkeypatch.setattr(parse, "PARSER_VERSION", parse.PARSER_VERSION + "+test")
    night(inbox, wh, decided)
    assert query(wh, "SELECT DISTINCT parser_version FROM dim_report") == [(parse.PARSER_VERSION,)]
    after = the_case(wh)
    assert after["case_id"] == case["case_id"] and after["state"] == "explained" and not after["stale"]
    assert events(wh, case["case_id"]) == ["opened", "decided"]

    # a re-publication still failing, with other numbers: the decision lapses and the case reopens, flagged
    version(inbox, "320903-hrss_2023_再次.md", FAILING_AGAIN)
    night(inbox, wh, decided)
    lapsed = the_case(wh)
    assert (
        lapsed["status"] == lapsed["state"] == "reopened" and lapsed["stale"] and lapsed["decision"] is None
    )
    assert events(wh, case["case_id"]) == ["opened", "decided", "numbers_changed", "decision_lapsed"]


def test_the_same_numbers_keep_the_decision(inbox: Path, tmp_path: Path) -> None:
    """A re-publication with the same failing numbers (the text reworded) is the same case on the same
    numbers: the decision stays."""
    wh, decided = tmp_path / "wh.duckdb", tmp_path / "decisions.csv"
    night(inbox, wh)
    case = the_case(wh)
    _decide(decided, case["case_id"])
    night(inbox, wh, decided)
    version(inbox, "320903-hrss_2023_重发.md", FAILING, extra="\n（重新发布）\n")
    night(inbox, wh, decided)
    now = the_case(wh)
    assert now["report_id"] == report_of(wh, "320903-hrss_2023_重发.md") and now["state"] == "explained"


def test_malformed_decision_rows_are_reported_with_their_line(inbox: Path, tmp_path: Path) -> None:
    wh, decided = tmp_path / "wh.duckdb", tmp_path / "decisions.csv"
    night(inbox, wh)
    case_id = the_case(wh)["case_id"]
    decided.write_text(
        "case_id,decision,who,date,note,printed\n"
        f"{case_id},已核实并告知机关,张三,2025/3/1,已发函,\n"  # good: line 2
        "T4-F1-2023-000000000000,confirmed,李四,2025-03-01,,\n"  # no such case: line 3
        f"{case_id[:-1]},confirmed,李四,2025-03-01,,\n"  # not a case id: line 4
        "T3-S1-2021-aaaaaaaaaaaa,maybe,李四,2025-03-01,,\n"  # line 5
        "\n"
        f"{case_id},误报,,2025-03-01,,\n",  # no who: line 7
        encoding="utf-8",
    )
    result = night(inbox, wh, decided)
    issues = query(wh, "SELECT line, problem_zh FROM decision_issue ORDER BY line")
    assert [line for line, _ in issues] == [3, 4, 5, 7]
    assert all(text.startswith(f"第 {line} 行") for line, text in issues)
    assert "找不到案件" in issues[0][1] and "处理人" in issues[-1][1]
    assert result.cases.problems == [text for _, text in issues]
    assert the_case(wh)["state"] == "confirmed"  # the good row is joined
    # an unreadable file is one problem, and the night goes on
    decided.write_bytes(b"\xff\xfe\x00\x01")
    night(inbox, wh, decided)
    assert [line for (line,) in query(wh, "SELECT line FROM decision_issue")] == [0]
    assert the_case(wh)["decision"] is None


def test_dates_as_people_and_spreadsheets_write_them() -> None:
    assert decisions.parse_date("2025-03-01") == decisions.parse_date("2025/3/1") == date(2025, 3, 1)
    assert decisions.parse_date("2025年3月1日") == decisions.parse_date(20250301) == date(2025, 3, 1)
    assert decisions.parse_date(45717) == date(2025, 3, 1)  # an Excel day number (WPS stores dates so)
    assert decisions.parse_date("2025-02-30") is None and decisions.parse_date("下周") is None


# --- the workbook's round trip ---------------------------------------------------------------------


def _site_workbook(inbox: Path, tmp_path: Path) -> tuple[Path, Path, str]:
    wh = tmp_path / "wh.duckdb"
    night(inbox, wh)
    con = warehouse.connect(wh)
    try:
        marts.build(con)
    finally:
        con.close()
    site = build_site(wh, tmp_path / "site").out_dir
    return wh, site / "findings.xlsx", the_case(wh)["case_id"]


def _fill(
    book: Path, out: Path, rows: dict[str, dict[str, Any]], extra: tuple[dict[str, Any], ...] = ()
) -> Path:
    """The workbook as staff fill it in: columns found by their header."""
    from openpyxl import load_workbook

    wb = load_workbook(book)
    ws = wb[decisions.SHEET]
    col = {c.value: c.column for c in ws[1]}
    for r in range(2, ws.max_row + 1):
        case_id = ws.cell(r, col[decisions.COL_CASE]).value
        for name, value in rows.get(case_id, {}).items():
            ws.cell(r, col[name]).value = value
    for values in extra:  # rows staff added at the bottom
        r = ws.max_row + 1
        for name, value in values.items():
            ws.cell(r, col[name]).value = value
    wb.save(out)
    return out


def test_a_filled_in_workbook_with_bad_rows_is_imported(
    inbox: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime

    wh, book, case_id = _site_workbook(inbox, tmp_path)
    filled = _fill(
        book,
        tmp_path / "filled.xlsx",
        {
            case_id: {
                "处理意见": "机关已说明",
                "处理人": "张三",
                "日期": datetime(2025, 3, 1),
                "处理说明": "复议在上年已审结",
            }
        },
        extra=(
            {
                "案件编号": "T3-S1-2021-aaaaaaaaaaaa",
                "处理意见": "误报",
                "处理人": "李四",
                "日期": "2025-03-02",
            },
            {"案件编号": case_id, "处理意见": "可能吧", "处理人": "王五", "日期": "2025-03-02"},
            {"案件编号": "nonsense", "处理意见": "误报", "处理人": "王五", "日期": "2025-03-02"},
        ),
    )
    out = tmp_path / "decisions.csv"
    code = main(["cases", "import", str(filled), "--decisions", str(out), "--warehouse", str(wh)])
    printed, errors = capsys.readouterr()
    assert code == 1 and "1 decisions" in printed and "3 rows rejected" in printed
    lines = [line for line in errors.splitlines() if "第 " in line]
    assert len(lines) == 3 and all("filled.xlsx" in line for line in lines)
    assert "找不到案件" in errors and "可能吧" in errors and "nonsense" in errors
    found, problems = decisions.load(out)
    assert problems == [] and [(d.case_id, d.decision, d.who, d.decided_on) for d in found] == [
        (case_id, "explained", "张三", date(2025, 3, 1))
    ]
    assert found[0].printed and found[0].note == "复议在上年已审结"
    # the next night joins it
    night(inbox, wh, out)
    assert the_case(wh)["state"] == "explained"
    # a second import adds to the file, the first decision kept
    other = query(
        wh, "SELECT case_id FROM finding_case WHERE case_id <> ? ORDER BY case_id LIMIT 1", [case_id]
    )
    if other:
        again = _fill(
            book,
            tmp_path / "more.xlsx",
            {other[0][0]: {"处理意见": "误报", "处理人": "李四", "日期": "2025-03-05"}},
        )
        assert main(["cases", "import", str(again), "--decisions", str(out), "--warehouse", str(wh)]) == 0
        assert {d.case_id for d in decisions.load(out)[0]} == {case_id, other[0][0]}


def test_a_workbook_saved_by_libreoffice_is_imported(inbox: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have LibreOffice (scripts/install-system-packages.sh)", pytrace=False)
        pytest.skip("no soffice: run scripts/install-system-packages.sh")
    wh, book, case_id = _site_workbook(inbox, tmp_path)
    (tmp_path / "in").mkdir()
    filled = _fill(
        book,
        tmp_path / "in" / "filled.xlsx",
        {case_id: {"处理意见": "已核实并告知机关", "处理人": "张三", "日期": "2025-03-01"}},
    )
    converted = tmp_path / "out"
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(converted),
            str(filled),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    saved = converted / "filled.xlsx"
    assert saved.is_file() and saved.read_bytes() != filled.read_bytes()
    out = tmp_path / "decisions.csv"
    assert main(["cases", "import", str(saved), "--decisions", str(out), "--warehouse", str(wh)]) == 0
    [d] = decisions.load(out)[0]
    assert (d.case_id, d.decision, d.who, d.decided_on) == (case_id, "confirmed", "张三", date(2025, 3, 1))
    night(inbox, wh, out)
    assert the_case(wh)["state"] == "confirmed"


def test_the_site_shows_each_case_its_state_and_history(inbox: Path, tmp_path: Path) -> None:
    wh, decided = tmp_path / "wh.duckdb", tmp_path / "decisions.csv"
    night(inbox, wh)
    case_id = the_case(wh)["case_id"]
    version(inbox, "320903-hrss_2023_更正.md", CORRECTED)
    night(inbox, wh)
    others = query(
        wh, "SELECT case_id FROM finding_case WHERE status = 'open' AND severity = 'warning' ORDER BY 1"
    )
    _decide(decided, others[0][0]) if others else None
    night(inbox, wh, decided)
    con = warehouse.connect(wh)
    try:
        marts.build(con)
    finally:
        con.close()
    site = build_site(wh, tmp_path / "site").out_dir
    [(agency,)] = query(wh, "SELECT agency_id FROM finding_case WHERE case_id = ?", [case_id])
    organ = (site / "organ" / f"{agency}.html").read_text(encoding="utf-8")
    panel = organ[organ.index('id="y2023"') :]
    panel = panel[: panel.index("</section>")]
    assert "已解决的问题（1 条）" in panel and case_id in panel
    assert panel.index("<b>发现</b>") < panel.index("<b>解决</b>") and "320903-hrss_2023_更正.md" in panel
    rule = (site / "rule" / "T4-F1.html").read_text(encoding="utf-8")
    assert 'id="resolved"' in rule and case_id in rule
    # the rule page gives each case's history too, in its 经过 column
    resolved_table = rule[rule.index('id="resolved"') :]
    row_of_case = resolved_table[resolved_table.index(case_id) :]
    row_of_case = row_of_case[: row_of_case.index("</tr>")]
    assert row_of_case.index(" 发现") < row_of_case.index(" 解决")
    quality = (site / "quality.html").read_text(encoding="utf-8")
    assert 'id="cases-by-year"' in quality
    table = quality[quality.index('id="cases-by-year-table"') :]
    row = re.search(r"<tr><td>2023</td>(.*?)</tr>", table, re.S)
    assert row is not None and row.group(1).count('data-v="1"') >= 1  # the resolved 2023 case
    # by region and year: every case counted once, the resolved one in its region's 2023 row
    regions = quality[quality.index('id="case-regions-table"') :]
    regions = regions[: regions.index("</table>")]
    states = len(labels.CASE_STATE_ORDER)
    rows = [
        (m.group(1), [int(v) for v in re.findall(r'data-v="(\d+)"', m.group(2))])
        for m in re.finditer(r"<tr><td>[^<]*</td><td>(\d{4})</td>(.*?)</tr>", regions, re.S)
    ]
    assert rows and all(sum(n[:states]) == n[states] for _, n in rows)
    assert sum(n[states] for _, n in rows) == query(wh, "SELECT count(*) FROM finding_case")[0][0]
    resolved = labels.CASE_STATE_ORDER.index("resolved")
    assert sum(n[resolved] for y, n in rows if y == "2023") == 1
    opened = query(
        wh, "SELECT count(*) FROM finding_case WHERE severity = 'error' AND state IN ('open', 'reopened')"
    )[0][0]
    index = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(
        rf'<div class="kpi-value">{opened}</div><div class="kpi-label">待处理的错误</div>', index
    )
    if others:
        page = (site / "organ").glob("*.html")
        assert any("机关已说明（张三，2025-03-01）" in p.read_text(encoding="utf-8") for p in page)
