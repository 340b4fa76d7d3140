"""Chinese wording for the codes the warehouse stores (levels, kinds, sectors, severities, metrics).

Oversight staff read these pages, so no English code ever reaches a page: every code goes through
one of the functions here, which fall back to the code itself only for values nobody has named yet.
"""

from __future__ import annotations

from functools import cache

LEVELS = {"national": "国家级", "province": "省级", "city": "市级", "county": "县级", "township": "乡镇级"}
LEVEL_ORDER = tuple(LEVELS)
KINDS = {"government": "人民政府", "department": "政府部门"}
SEVERITIES = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_ORDER = ("error", "warning", "info")
MEDIA = {"html": "网页", "text": "文本", "pdf": "PDF", "docx": "Word", "scan": "扫描件"}
FORMATS = {"F2019": "2019 年试行格式", "F2021": "2021 年修订格式", "UNKNOWN": "未识别出表格"}
UNKNOWN = "未识别"

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
