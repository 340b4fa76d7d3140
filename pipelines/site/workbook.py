"""findings.xlsx: every finding of the current reports in one workbook an office can sort, filter,
annotate and send back to the organs, with the reports that could not be fully checked and the cells
the parser guessed on sheets of their own. Chinese column names, a filter on every header, the header
row frozen, a link from every row to its page on the site (relative to the site folder, where the
workbook lies), and a sheet saying what the workbook is and when its data are from.

Written with openpyxl in write-only mode (rows streamed, memory flat however many findings), then
made byte-for-byte reproducible: the same warehouse gives the same file (the zip's timestamps and the
document's dates are the data's, not the build's).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation

from pipelines.rules import decisions
from pipelines.site import labels
from pipelines.site.data import Case, Finding, SiteData
from pipelines.site.pages.common import region_of
from pipelines.site.render import SITE_TITLE, clean

FILE = "findings.xlsx"
FINDINGS_SHEET = decisions.SHEET
RESOLVED_SHEET = "已解决的问题"
UNCHECKED_SHEET = "未能全部核对的报告"
GUESSED_SHEET = "推测的数值"
ABOUT_SHEET = "说明"
_RANK = {"error": 0, "warning": 1, "info": 2}
_EPOCH = (1980, 1, 1, 0, 0, 0)
_HEAD_FILL = PatternFill("solid", fgColor="DDE7F3")


@dataclass(frozen=True)
class Col:
    name: str
    width: float
    wrap: bool = False


FINDING_COLUMNS = (
    Col("案件编号", 25),
    Col("状态", 10),
    Col("机关", 28),
    Col("地区", 20),
    Col("年度", 7),
    Col("规则", 8),
    Col("规则内容", 40, True),
    Col("严重程度", 9),
    Col("涉及的格", 36, True),
    Col("按规则应为", 11),
    Col("报告所印", 11),
    Col("差额", 9),
    Col("说明", 60, True),
    Col("页面链接", 14),
    Col("来源文件", 30),
    Col("已有处理意见", 24, True),
    Col(decisions.COL_DECISION, 16),
    Col(decisions.COL_WHO, 10),
    Col(decisions.COL_DATE, 12),
    Col(decisions.COL_NOTE, 40, True),
    Col(decisions.COL_PRINTED, 10),
)
RESOLVED_COLUMNS = (
    Col("案件编号", 25),
    Col("机关", 28),
    Col("地区", 20),
    Col("年度", 7),
    Col("规则", 8),
    Col("严重程度", 9),
    Col("说明（解决前）", 60, True),
    Col("发现时间", 17),
    Col("解决时间", 17),
    Col("用时（天）", 9),
    Col("处理意见", 24, True),
    Col("页面链接", 14),
)
UNCHECKED_COLUMNS = (
    Col("机关", 28),
    Col("地区", 20),
    Col("年度", 7),
    Col("未能核对的规则", 16),
    Col("原因", 80, True),
    Col("页面链接", 14),
    Col("来源文件", 30),
)
GUESSED_COLUMNS = (
    Col("机关", 28),
    Col("地区", 20),
    Col("年度", 7),
    Col("格", 30),
    Col("解析器的读法", 12),
    Col("其他可能的读法", 20),
    Col("说明", 80, True),
    Col("页面链接", 14),
    Col("来源文件", 30),
)


class Sheet:
    """A write-only sheet with a bold, frozen, filterable header row."""

    def __init__(self, wb: Workbook, title: str, columns: Sequence[Col]) -> None:
        self.ws: WriteOnlyWorksheet = wb.create_sheet(title)
        self.columns = columns
        self.rows = 0
        for i, c in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = c.width
        self.ws.freeze_panes = "A2"
        head = []
        for c in columns:
            cell = WriteOnlyCell(self.ws, value=c.name)
            cell.font = Font(bold=True)
            cell.fill = _HEAD_FILL
            head.append(cell)
        self.ws.append(head)

    def add(self, values: Sequence[Any], link: str | None = None) -> None:
        out: list[Any] = []
        for c, v in zip(self.columns, values, strict=True):
            if c.name == "页面链接" and link:
                cell = WriteOnlyCell(self.ws, value="打开页面")
                cell.hyperlink = link
                cell.font = Font(color="0B5CAD", underline="single")
                out.append(cell)
            elif c.wrap and v:
                cell = WriteOnlyCell(self.ws, value=v)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                out.append(cell)
            else:
                out.append(v)
        self.ws.append(out)
        self.rows += 1

    def close(self) -> None:
        last = get_column_letter(len(self.columns))
        self.ws.auto_filter.ref = f"A1:{last}{self.rows + 1}"


def finding_rows(d: SiteData) -> list[Finding]:
    """The findings of current reports in the workbook's order: errors first, then by year (latest
    first), region and organ."""

    def key(f: Finding) -> tuple[Any, ...]:
        rep = d.reports[f.report_id]
        organ = d.organs.get(rep.agency_id)
        return (
            _RANK.get(f.severity, 3),
            -rep.year,
            organ.region_code or "~" if organ else "~",
            organ.name if organ else "",
            f.rule_id,
            f.instance,
            f.message,
        )

    return sorted((f for f in d.findings if f.report_id in d.reports), key=key)


def cells_text(d: SiteData, f: Finding) -> str:
    rep = d.reports[f.report_id]
    names = []
    for cid in f.cell_ids:
        row, col = d.cell_labels.get((cid, rep.format_version), (cid, ""))
        table = {"t2": "表二", "t3": "表三", "t4": "表四"}.get(cid[:2], "")
        names.append(f"{table} {row}·{col}" if col else f"{table} {row}")
    return "；".join(names)


def decided(case: Case | None) -> str:
    """A case's decision as the workbook and the pages state it: what, who, when, why; lapsed ones too."""
    if case is None or not case.decision_given:
        return ""
    text = f"{labels.case_state(case.decision_given)}（{case.decided_by}，{case.decided_on}）"
    if case.note:
        text += f"：{case.note}"
    if case.decision is None:
        text += "〔数字已变，不再适用〕"
    return text


def _staff_columns(ws: WriteOnlyWorksheet, columns: Sequence[Col], rows: int) -> None:
    """The 处理意见 column offers the three decisions (typing something else is allowed: the import
    checks it)."""
    at = {c.name: get_column_letter(i) for i, c in enumerate(columns, start=1)}
    last = max(rows + 1, 2) + 500  # room for rows staff add
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(decisions.DECISIONS.values()) + '"',
        allow_blank=True,
        showErrorMessage=False,
        promptTitle="处理意见",
        prompt="已核实并告知机关 / 机关已说明（在处理说明中写理由）/ 误报",
        showInputMessage=True,
    )
    dv.add(f"{at[decisions.COL_DECISION]}2:{at[decisions.COL_DECISION]}{last}")
    ws.data_validations.append(dv)


def build(d: SiteData) -> bytes:
    """The workbook's bytes."""
    wb = Workbook(write_only=True)
    moment = _moment(d.as_of)
    wb.properties.creator = SITE_TITLE
    wb.properties.title = f"{SITE_TITLE}：问题清单"
    wb.properties.created = wb.properties.modified = moment
    findings = Sheet(wb, FINDINGS_SHEET, FINDING_COLUMNS)
    for f in finding_rows(d):
        rep = d.reports[f.report_id]
        organ = d.organs.get(rep.agency_id)
        rule = d.rules.get(f.rule_id)
        case = d.cases.get((rep.agency_id, rep.year, f.rule_id, f.instance))
        findings.add(
            [
                case.case_id if case else None,
                labels.case_state(case.state) if case else "",
                organ.name if organ else labels.UNKNOWN,
                region_of(organ) if organ else labels.UNKNOWN,
                rep.year,
                f.rule_id,
                rule.title if rule else "",
                labels.severity(f.severity),
                cells_text(d, f),
                clean(f.expected),
                "空白" if f.actual_blank else clean(f.actual),
                clean(f.diff),
                f.message,
                None,
                rep.file_name,
                decided(case),
                None,
                None,
                None,
                None,
                case.printed if case else None,
            ],
            link=f"{organ.page}#y{rep.year}" if organ else None,
        )
    _staff_columns(findings.ws, FINDING_COLUMNS, findings.rows)
    findings.close()
    resolved = Sheet(wb, RESOLVED_SHEET, RESOLVED_COLUMNS)
    for case in sorted(
        (c for c in d.cases.values() if c.status == "resolved"),
        key=lambda c: (c.status_since, c.year, c.case_id),
        reverse=True,
    ):
        organ = d.organs.get(case.agency_id)
        resolved.add(
            [
                case.case_id,
                organ.name if organ else labels.UNKNOWN,
                region_of(organ) if organ else labels.UNKNOWN,
                case.year,
                case.rule_id,
                labels.severity(case.severity),
                case.message,
                case.first_seen,
                case.status_since,
                case.days_to_resolve,
                decided(case),
                None,
            ],
            link=f"{organ.page}#y{case.year}" if organ else None,
        )
    resolved.close()
    unchecked = Sheet(wb, UNCHECKED_SHEET, UNCHECKED_COLUMNS)
    for rid, st in sorted(d.status.items(), key=lambda kv: _report_key(d, kv[0])):
        if st.status != "unchecked" or rid not in d.reports:
            continue
        rep = d.reports[rid]
        organ = d.organs.get(rep.agency_id)
        why = [r.partition("：") for r in st.reasons]
        unchecked.add(
            [
                organ.name if organ else labels.UNKNOWN,
                region_of(organ) if organ else labels.UNKNOWN,
                rep.year,
                "、".join(sorted({rule for rule, _, _ in why if re.match(r"[THD]", rule)})),
                "；".join(dict.fromkeys(text.removeprefix("无法判断：") for _, _, text in why)),
                None,
                rep.file_name,
            ],
            link=f"{organ.page}#y{rep.year}" if organ else None,
        )
    unchecked.close()
    guessed = Sheet(wb, GUESSED_SHEET, GUESSED_COLUMNS)
    for g in sorted(d.guesses, key=lambda g: (*_report_key(d, g.report_id), g.cell_id)):
        guessed_in = d.reports.get(g.report_id)
        if guessed_in is None:
            continue
        rep = guessed_in
        organ = d.organs.get(rep.agency_id)
        row, col = d.cell_labels.get((g.cell_id, g.format), (g.cell_id, ""))
        table = {"t2": "表二", "t3": "表三", "t4": "表四"}.get(g.cell_id[:2], "")
        guessed.add(
            [
                organ.name if organ else labels.UNKNOWN,
                region_of(organ) if organ else labels.UNKNOWN,
                rep.year,
                f"{table} {row}·{col}" if col else f"{table} {row}",
                "未读出" if g.value is None else clean(g.value),
                "、".join(g.readings),
                g.why,
                None,
                rep.file_name,
            ],
            link=f"{organ.page}#g{rep.year}" if organ else None,
        )
    guessed.close()
    _about(wb.create_sheet(ABOUT_SHEET), d, findings.rows, unchecked.rows, guessed.rows, resolved.rows)
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible(buf.getvalue(), moment)


def _report_key(d: SiteData, rid: str) -> tuple[Any, ...]:
    rep = d.reports.get(rid)
    if rep is None:
        return (9999, "", "", rid)
    organ = d.organs.get(rep.agency_id)
    return (-rep.year, organ.region_code or "~" if organ else "~", organ.name if organ else "", rid)


def _about(
    ws: WriteOnlyWorksheet, d: SiteData, findings: int, unchecked: int, guessed: int, resolved: int
) -> None:
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 100
    title = WriteOnlyCell(ws, value=f"{SITE_TITLE}：问题清单")
    title.font = Font(bold=True, size=14)
    ws.append([title])
    for k, v in _about_lines(d, findings, unchecked, guessed, resolved):
        cell = WriteOnlyCell(ws, value=v)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        head = WriteOnlyCell(ws, value=k)
        head.font = Font(bold=True)
        ws.append([head, cell])


def _about_lines(
    d: SiteData, findings: int, unchecked: int, guessed: int, resolved: int
) -> Iterable[tuple[str, str]]:
    years = d.years
    yield ("数据截至", f"{d.as_of or '—'}（最近一份报告入库的时间，北京时间）")
    yield ("年度", f"{years[0]}–{years[-1]}" if years else "—")
    yield (
        FINDINGS_SHEET,
        f"{findings:,} 条：每份报告（每个机关每年的现行版本）未通过的一致性规则，错误在前。",
    )
    yield (
        "填写处理意见",
        "在“处理意见”列选择 已核实并告知机关、机关已说明 或 误报，填写“处理人”和“日期”（如 2025-03-01）；"
        "机关已说明的，在“处理说明”中写明机关的理由。不要改动“案件编号”和“数字指纹”。保存后（Excel 或 WPS 均可）"
        "交数据维护人员运行 gongkai cases import 文件.xlsx，处理意见写入 data/decisions.csv，下一次夜间运行后在网站上显示。"
        "报告所印数字变化后，原处理意见不再适用，问题重新打开。",
    )
    yield (RESOLVED_SHEET, f"{resolved:,} 条：机关更正后重新发布、现行报告不再违反规则的问题，及其处理经过。")
    yield (UNCHECKED_SHEET, f"{unchecked:,} 份：没有发现不符，但有适用的规则无法核对，不能算作通过。")
    yield (GUESSED_SHEET, f"{guessed:,} 格：原文数字连写、有几种读法，解析器推测的数值。引用前请与原文核对。")
    yield ("页面链接", "链接指向本工作簿所在网站文件夹中的页面；把工作簿和网站放在一起打开即可跳转。")
    yield (
        "严重程度",
        "错误：报告自相矛盾（表内合计与分项不符）；警告：与上年报告、下级报告或常理不符；提示：值得留意，未必是错误。",
    )


def _moment(as_of: str | None) -> datetime:
    try:
        return datetime.strptime(as_of or "", "%Y-%m-%d %H:%M")
    except ValueError:
        return datetime(2019, 1, 1)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def reproducible(data: bytes, moment: datetime) -> bytes:
    """The workbook with fixed zip timestamps and the document's modified date set to the data's, so
    that the same warehouse gives the same bytes."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", body)
            z = zipfile.ZipInfo(info.filename, date_time=_EPOCH)
            z.compress_type = zipfile.ZIP_DEFLATED
            z.external_attr = 0o644 << 16
            dst.writestr(z, body)
    return out.getvalue()
