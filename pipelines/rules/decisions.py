"""Staff decisions on cases, kept as data: data/decisions.csv, one row per case id.

    case_id,decision,who,date,note,printed
    T3-S1-2024-3f2a9b1c04de,confirmed,张三,2025-03-01,已发函,
    T2-X1-2023-0b9e51d2aa10,explained,李四,2025-03-02,机关说明：规章清理废止 12 件,

decision: confirmed (confirmed and sent to the organ; 已核实并告知机关), explained (the organ explained it;
机关已说明 — the note gives its reason) or false_alarm (误报); the Chinese words are read too. who and
date (2025-03-01, 2025/3/1, 2025年3月1日) are required. printed is the fingerprint of the printed numbers
the decision was made on, as the findings workbook carries it; leave it empty when writing by hand
(the numbers of the night the decision is first joined are taken).

The rules stage joins the file every night (pipelines/rules/cases.py); a row it cannot use is
reported with its line number in decision_issue and never stops a run. `gongkai cases import FILE.xlsx`
reads the findings workbook an office filled in (also one saved by WPS or LibreOffice), checks every
row and merges it into the file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pipelines import packaged

DECISIONS_FILE = packaged.path("data", "decisions.csv")
COLUMNS = ("case_id", "decision", "who", "date", "note", "printed")
DECISIONS = {"confirmed": "已核实并告知机关", "explained": "机关已说明", "false_alarm": "误报"}
# What staff may type in 处理意见: the codes, the labels, and the short forms people use.
_WORDS = {
    **{code: code for code in DECISIONS},
    **{label: code for code, label in DECISIONS.items()},
    "已核实": "confirmed",
    "已核实并告知": "confirmed",
    "已告知机关": "confirmed",
    "已发函": "confirmed",
    "确认": "confirmed",
    "已说明": "explained",
    "机关说明": "explained",
    "说明": "explained",
    "误报": "false_alarm",
    "不是问题": "false_alarm",
    "false alarm": "false_alarm",
}
CASE_ID = re.compile(r"[A-Z0-9]+-[A-Z0-9]+-(19|20)\d\d-[0-9a-f]{12}")

# The columns of the findings workbook (pipelines/site/workbook.py) an import reads.
SHEET = "问题清单"
COL_CASE = "案件编号"
COL_DECISION = "处理意见"
COL_WHO = "处理人"
COL_DATE = "日期"
COL_NOTE = "处理说明"
COL_PRINTED = "数字指纹"
# Excel's day 0 (1899-12-30, with its 1900 leap-year bug folded in), for dates stored as numbers.
_EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True)
class Decision:
    line: int
    case_id: str
    decision: str
    who: str
    decided_on: date
    note: str
    printed: str


@dataclass(frozen=True)
class Problem:
    line: int
    case_id: str | None
    problem_zh: str


def parse_date(value: Any) -> date | None:
    """A date as a person or a spreadsheet writes it: a date or datetime cell, an Excel day number, or
    text such as 2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日, 20250301."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 < value < 80000:  # 1954 .. 2119 as Excel day numbers
            return _EXCEL_EPOCH + timedelta(days=int(value))
        value = str(int(value)) if float(value).is_integer() else str(value)
    text = str(value or "").strip()
    m = re.fullmatch(
        r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d\d(?::\d\d)?)?",
        text,
    )
    if not m:
        m = re.fullmatch(r"((?:19|20)\d\d)(\d\d)(\d\d)", text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def check_row(line: int, raw: dict[str, Any], known: set[str] | None = None) -> Decision | Problem:
    """One row's decision, or what is wrong with it. `known`: the case ids that exist, when known."""
    case_id = _text(raw.get("case_id"))
    where = f"第 {line} 行"
    if not case_id:
        return Problem(line, None, f"{where}：没有案件编号")
    if not CASE_ID.fullmatch(case_id):
        return Problem(line, case_id, f"{where}：“{case_id}”不是案件编号（应如 T3-S1-2024-3f2a9b1c04de）")
    if known is not None and case_id not in known:
        return Problem(line, case_id, f"{where}：找不到案件 {case_id}（编号抄错，或不是本仓库的案件）")
    word = _text(raw.get("decision"))
    decision = _WORDS.get(word) or _WORDS.get(word.lower())
    if decision is None:
        allowed = "、".join(DECISIONS.values())
        return Problem(line, case_id, f"{where}：处理意见“{word}”无法识别，应为 {allowed} 之一")
    who = _text(raw.get("who"))
    if not who:
        return Problem(line, case_id, f"{where}：没有填写处理人")
    when = parse_date(raw.get("date"))
    if when is None:
        return Problem(line, case_id, f"{where}：日期“{_text(raw.get('date'))}”无法识别（应如 2025-03-01）")
    note = _text(raw.get("note"))
    if decision == "explained" and not note:
        return Problem(line, case_id, f"{where}：处理意见为“机关已说明”，但处理说明中没有写机关的理由")
    printed = _text(raw.get("printed"))
    if printed and not re.fullmatch(r"[0-9a-f]{32}", printed):
        return Problem(line, case_id, f"{where}：数字指纹“{printed}”已被改动（应为 32 位十六进制数）")
    return Decision(line, case_id, decision, who, when, note, printed)


def load(path: Path | None, known: set[str] | None = None) -> tuple[list[Decision], list[Problem]]:
    """The decisions of the file, the last row winning for a case id given twice, and the problems of
    the rows it could not use. A missing file has no decisions; an unreadable one is one problem."""
    path = Path(path or DECISIONS_FILE)
    if not path.is_file():
        return [], []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        return [], [Problem(0, None, f"无法读取 {path.name}：{e}")]
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as e:
        return [], [Problem(0, None, f"{path.name} 不是有效的 CSV：{e}")]
    if not rows:
        return [], []
    header = [h.strip() for h in rows[0]]
    missing = [c for c in COLUMNS[:4] if c not in header]
    if missing:
        return [], [
            Problem(1, None, f"{path.name} 的表头缺少 {','.join(missing)}（应为 {','.join(COLUMNS)}）")
        ]
    found: dict[str, Decision] = {}
    problems: list[Problem] = []
    for line, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        raw = dict(zip(header, cells, strict=False))
        got = check_row(line, raw, known)
        if isinstance(got, Problem):
            problems.append(got)
        else:
            if got.case_id in found:
                problems.append(
                    Problem(
                        line,
                        got.case_id,
                        f"第 {line} 行：案件 {got.case_id} 在第 {found[got.case_id].line} 行已有处理意见，以本行为准",
                    )
                )
            found[got.case_id] = got
    return sorted(found.values(), key=lambda d: d.line), problems


def raw_rows(path: Path, lines: set[int]) -> list[list[str]]:
    """Some lines of the file as they are (the rows it cannot use, kept when the file is rewritten)."""
    if not lines or not path.is_file():
        return []
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    return [rows[i - 1] for i in sorted(lines) if 0 < i <= len(rows) and rows[i - 1] != rows[0]]


def write(path: Path, decisions: Iterable[Decision], kept: Sequence[Sequence[str]] = ()) -> None:
    """The decisions file, one row per case, in case id order, then `kept` rows as they were
    (atomically: a half-written file never replaces the old one)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for d in sorted(decisions, key=lambda d: d.case_id):
        w.writerow([d.case_id, d.decision, d.who, d.decided_on.isoformat(), d.note, d.printed])
    for row in kept:
        w.writerow(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    tmp.replace(path)


# --- the findings workbook, filled in ----------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    decisions: list[Decision]  # the rows with a decision, checked
    problems: list[Problem]  # rows that could not be used, by their row in the sheet
    rows: int  # data rows read (with a case id)


def read_workbook(path: Path, known: set[str] | None = None) -> Imported:
    """The decisions staff wrote into a findings workbook: the sheet 问题清单 (or the first sheet with a
    案件编号 column), its header found by name wherever the columns were moved, one decision per row
    whose 处理意见 is filled in. Rows without a 处理意见 are left alone (no decision), unless they have
    a 处理人 or 日期 (a half-filled row is reported)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as e:
        return Imported([], [Problem(0, None, f"无法打开工作簿 {path.name}：{e}")], 0)
    try:
        for ws in [wb[SHEET]] if SHEET in wb.sheetnames else wb.worksheets:
            rows = ws.iter_rows(values_only=True)
            for top, head in enumerate(rows, start=1):
                names = [_text(h) for h in head]
                if COL_CASE in names and COL_DECISION in names:
                    return _read_rows(rows, top, names, known)
                if top >= 10:
                    break
        return Imported([], [Problem(0, None, f"工作簿中没有含“{COL_CASE}”和“{COL_DECISION}”两列的表")], 0)
    finally:
        wb.close()


def _read_rows(rows: Iterable[Sequence[Any]], top: int, names: list[str], known: set[str] | None) -> Imported:
    col = {
        name: names.index(name)
        for name in (COL_CASE, COL_DECISION, COL_WHO, COL_DATE, COL_NOTE, COL_PRINTED)
        if name in names
    }

    def cell(row: Sequence[Any], name: str) -> Any:
        i = col.get(name)
        return row[i] if i is not None and i < len(row) else None

    decisions: dict[str, Decision] = {}
    problems: list[Problem] = []
    count = 0
    for line, row in enumerate(rows, start=top + 1):
        case_id = _text(cell(row, COL_CASE))
        if not case_id:
            continue
        count += 1
        decision = _text(cell(row, COL_DECISION))
        if not decision:
            if _text(cell(row, COL_WHO)) or _text(cell(row, COL_DATE)):
                problems.append(Problem(line, case_id, f"第 {line} 行：填写了处理人或日期，但没有处理意见"))
            continue
        raw = {
            "case_id": case_id,
            "decision": decision,
            "who": cell(row, COL_WHO),
            "date": cell(row, COL_DATE),
            "note": cell(row, COL_NOTE),
            "printed": cell(row, COL_PRINTED),
        }
        got = check_row(line, raw, known)
        if isinstance(got, Problem):
            problems.append(got)
        elif got.case_id in decisions:
            problems.append(
                Problem(
                    line,
                    case_id,
                    f"第 {line} 行：案件 {case_id} 出现两次，以第 {decisions[case_id].line} 行为准",
                )
            )
        else:
            decisions[got.case_id] = got
    return Imported(list(decisions.values()), problems, count)


def merge(existing: Iterable[Decision], new: Iterable[Decision]) -> list[Decision]:
    """The file's decisions with the imported ones put in (an imported decision replaces the case's)."""
    out = {d.case_id: d for d in existing}
    for d in new:
        out[d.case_id] = replace(d, line=0)
    return list(out.values())
