"""Chinese wording for the codes the warehouse stores (levels, kinds, sectors, severities, metrics).

Oversight staff read these pages, so no English code ever reaches a page: every code goes through
one of the functions here, which fall back to the code itself only for values nobody has named yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

LEVELS = {"national": "国家级", "province": "省级", "city": "市级", "county": "县级", "township": "乡镇级"}
LEVEL_ORDER = tuple(LEVELS)
KINDS = {"government": "人民政府", "department": "政府部门"}
SEVERITIES = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_ORDER = ("error", "warning", "info")
MEDIA = {"html": "网页", "text": "文本", "pdf": "PDF", "docx": "Word", "scan": "扫描件"}
FORMATS = {"F2019": "2019 年试行格式", "F2021": "2021 年修订格式", "UNKNOWN": "未识别出表格"}
UNKNOWN = "未识别"
# report_scope.scope: a government's 全区 report includes its departments' and lower governments'
SCOPES = {"region": "全区域报告", "office": "本机关报告", "unknown": "范围不明"}
SCOPE_NOTES = {
    "region": "数字包括所属部门和下级政府的报告，不与单个机关相加或排名",
    "office": "只含本机关的数字",
    "unknown": "不能确定是否包括下级机关的数字，合计中单列",
}
# report_status.status, as the pages say it: 通过 only when every rule that applies was decided
STATUSES = {"passed": "通过", "failed": "数字对不上", "unchecked": "未能全部核对"}
# mart_organ_year columns, for saying which numbers include a guessed cell
MEASURES = {
    "new_received": "本年新收",
    "carried_over": "上年结转",
    "handled": "办理结果总计",
    "handled_printed": "（七）总计",
    "carried_forward": "结转下年度",
    "granted": "予以公开",
    "partially_granted": "部分公开",
    "denied": "不予公开",
    "unavailable": "无法提供",
    "not_handled": "不予处理",
    "other": "其他处理",
    "review_total": "行政复议总计",
    "review_corrected": "行政复议结果纠正",
    "litigation_total": "行政诉讼总计",
    "litigation_corrected": "行政诉讼结果纠正",
    "admin_fee_wan": "行政事业性收费金额",
}
# the counts each rate is computed from, so that a rate inherits a guess in any of them
RATE_INPUTS = {
    "grant_rate_resolvable": ("granted", "handled", "not_handled", "other"),
    "granted_share": ("granted", "handled"),
    "denied_share": ("denied", "handled"),
    "review_corrected_share": ("review_corrected", "review_total"),
    "litigation_corrected_share": ("litigation_corrected", "litigation_total"),
}
# finding_case.state and the events of finding_case_event, as the pages say them
CASE_STATES = {
    "open": "待处理",
    "reopened": "重新打开",
    "confirmed": "已核实并告知机关",
    "explained": "机关已说明",
    "false_alarm": "误报",
    "resolved": "已解决",
}
CASE_STATE_ORDER = ("open", "reopened", "confirmed", "explained", "false_alarm", "resolved")
CASE_EVENTS = {
    "opened": "发现",
    "resolved": "解决",
    "reopened": "重新打开",
    "numbers_changed": "数字有变化",
    "decided": "处理意见",
    "decision_lapsed": "处理意见失效",
    "decision_withdrawn": "处理意见撤回",
}


def case_history(events: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """A case's events (time, event, detail) with each event in Chinese."""
    return [(at, CASE_EVENTS.get(event, event), detail) for at, event, detail in events]


GUESSED = "含解析器推测的数值（原文数字连写，有几种读法），请与原文核对"

# Sector names where the first keyword of data/sectors.yaml is not how a person would say it.
_SECTOR_NAMES = {
    "government": "人民政府",
    "general_office": "政府办公室",
    "other": "其他",
    "development_reform": "发展改革",
    "human_resources": "人力资源和社会保障",
    "government_services": "政务服务",
    "foreign_affairs": "外事",
}

# Outcome groups of 表三 in printed order, as mart_organ_year names them.
OUTCOMES = (
    ("granted", "予以公开"),
    ("partially_granted", "部分公开"),
    ("denied", "不予公开"),
    ("unavailable", "无法提供"),
    ("not_handled", "不予处理"),
    ("other", "其他处理"),
)

# The rates the comparison page offers: column of mart_organ_year, label, and how it is computed,
# so that a reader can check a number by hand.
RATES = (
    ("grant_rate_resolvable", "予以公开率", "予以公开 ÷（办理结果总计 − 不予处理 − 其他处理）"),
    ("granted_share", "予以公开占比", "予以公开 ÷ 办理结果总计"),
    ("denied_share", "不予公开率", "不予公开 ÷ 办理结果总计"),
    ("review_corrected_share", "行政复议纠错率", "行政复议结果纠正 ÷ 行政复议总计"),
    ("litigation_corrected_share", "行政诉讼纠错率", "行政诉讼结果纠正 ÷ 行政诉讼总计"),
)
COUNTS = (
    ("new_received", "本年新收申请", "表三 一、本年新收政府信息公开申请数量（总计列）"),
    ("handled", "办理结果总计", "表三 （一）至（六）各项之和"),
)


def level(code: str | None) -> str:
    return LEVELS.get(code or "", UNKNOWN)


def kind(code: str | None) -> str:
    return KINDS.get(code or "", UNKNOWN)


def severity(code: str | None) -> str:
    return SEVERITIES.get(code or "", code or UNKNOWN)


def medium(code: str | None) -> str:
    return MEDIA.get(code or "", code or UNKNOWN)


def report_format(code: str | None) -> str:
    return FORMATS.get(code or "", code or UNKNOWN)


@cache
def _sector_names() -> dict[str, str]:
    """Each sector's first keyword in data/sectors.yaml (the file lists the current name first)."""
    import yaml

    from pipelines.identity import taxonomy

    names: dict[str, str] = {}
    try:
        raw = yaml.safe_load(taxonomy.SECTORS_FILE.read_text(encoding="utf-8"))
        for code, words in (raw.get("sectors") or {}).items():
            if isinstance(words, list) and words and isinstance(words[0], str):
                names[str(code)] = words[0]
    except (OSError, AttributeError, yaml.YAMLError):  # the pages still build, with codes for names
        pass
    return {**names, **_SECTOR_NAMES}


def sector(code: str | None) -> str:
    if not code:
        return UNKNOWN
    return _sector_names().get(code, code)


def region(province: str | None, city: str | None = None, county: str | None = None) -> str:
    parts = [p for p in (province, city, county) if p]
    return "".join(dict.fromkeys(parts)) if parts else UNKNOWN


def scope(code: str | None) -> str:
    return SCOPES.get(code or "", SCOPES["unknown"])


def status(code: str | None) -> str:
    return STATUSES.get(code or "", code or UNKNOWN)


def case_state(code: str | None) -> str:
    return CASE_STATES.get(code or "", code or UNKNOWN)


def guessed_in(measures: list[str] | tuple[str, ...] | None, keys: tuple[str, ...]) -> list[str]:
    """Which of `keys` (mart_organ_year columns or rates) include a guessed cell, given the row's
    guessed_measures."""
    if not measures:  # most rows: nothing guessed
        return []
    have = set(measures)
    return [k for k in keys if k in have or have & set(RATE_INPUTS.get(k, ()))]
