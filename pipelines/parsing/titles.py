"""Who reported and for which year, from the report's title and its opening sentence.

A report saved from the web or a government office carries furniture around its title: the site's
breadcrumb and column names (当前位置：首页 > 政府信息公开 > 政府信息公开年报), navigation, the
来源/时间 line, a browser's print header and footer (the date, the page title, the address, 1/3), a
red header line (XX人民政府办公室文件), a document number (X政办发〔2024〕1号), 附件, running page
headers. None of it names the organ, and glued onto the title it makes a new, wrong one
(政府信息公开年报XX区XX局). So:

- a title is one line when one line holds it; lines are joined only when no single line is a
  title, and never across furniture (`is_furniture`);
- the organ is read from the characters an organ name can have (CJK, brackets) that end right
  before the year, after the last column name or breadcrumb word (`clean_agency`);
- readers that know the layout (PDF, Word) say which neighbouring lines belong to one block, so a
  title wrapped over two or three lines is joined there (`find_title` with `together`).

The opening sentence ("现将XX局2024年政府信息公开工作年度报告如下", "本报告所列数据的统计期限自
2024年1月1日起…") names the organ or the year a second time; `opening` reads it, so that a title and
an opening that disagree are reported rather than merged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

REPORT_WORDS = r"(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?(?:工作)?(?:报告|年报)"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
# "平潭综合实验区2023年度政府信息公开工作年度报告", "沐阳县人民政府2025年政府信息公开…"
_AGENCY_THEN_YEAR = re.compile(
    r"(?P<agency>[^\s，。,:：;；]{2,40}?)(?:关于)?" + _YEAR + r"年度?" + REPORT_WORDS
)
# "2024年上海市科委政府信息公开工作年度报告"
_YEAR_THEN_AGENCY = re.compile(_YEAR + r"年度?(?P<agency>[^\s，。,:：;；\d]{2,40}?)" + REPORT_WORDS)
# the seed's "现将区商务局2025年政府信息公开工作落实情况报告如下"
_LOOSE = re.compile(r"(?P<agency>[^\s，。,:：;；\d]{2,40}?)" + _YEAR + r"年度?(?:政府信息公开|政务公开)")
PATTERNS = (_AGENCY_THEN_YEAR, _YEAR_THEN_AGENCY, _LOOSE)
# What every pattern needs: the report words, or a year followed by 政府信息公开/政务公开 (a quick
# test that spares the patterns' backtracking on the many lines that are no title).
_MAYBE_TITLE = re.compile(REPORT_WORDS + r"|(?:19|20)\d{2}年度?(?:政府信息公开|政务公开)")
# A title ends with the report words, perhaps with a note in brackets: "…年度报告（2024年）".
_ENDS_AS_TITLE = re.compile(REPORT_WORDS + r"(?:[（(][^）)]{0,12}[）)])?$")
# A title that names only the year: "2024年度政府信息公开工作年度报告".
_YEAR_ONLY = re.compile(r"^(?:关于)?" + _YEAR + r"年度?" + REPORT_WORDS)

_LEADING_NOISE = re.compile(r"^(?:现将|本报告|根据|关于|正文|标题|名称|附件\d*|#)+")
# What an organ's name is written in: ideographs and brackets (某县人民政府办公室（县政务公开办）).
_NAME_CHAR = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff（）()"
_NAME_TAIL = re.compile(f"[{_NAME_CHAR}]+$")
# Words of site columns and breadcrumbs that no organ's name contains: the organ begins after the
# last of them ("政府信息公开年报XX区XX局", "XX县发改局政府信息公开XX县发展和改革局"). 信息公开/政务公开
# followed by 办 is an office's name (县政务公开办), not a column.
_COLUMN_WORD = re.compile(r"(?:信息公开|政务公开)(?!办|领导)|年报|年度报告|首页|位置|专栏|栏目|文件(?!办)")
# Not organs, though the patterns can read them as one ("2024年度政府信息公开…" gives 政府).
_NOT_AGENCY = frozenset({"政府", "本机关", "本单位", "本级", "机关", "单位", "年度", "我局", "我委", "我办"})

# A browser's print header starts with the date and time ("12/4/26, 10:54 PM", "2025/1/27 10:54");
# its footer names the page's address.
_PRINT_HEADER = re.compile(r"\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}[,，]?\d{1,2}:\d{2}")
_ADDRESS = re.compile(r"(?:file|https?)://")
# Page or site furniture (tested on NFKC text without spaces). Marks that no report sentence has:
_FURNITURE_ANYWHERE = re.compile(
    r"当前位置|您的位置|您所在的位置|所在位置|" + _ADDRESS.pattern + "|^" + _PRINT_HEADER.pattern
)
# and marks that make a short line furniture (a sentence may have them: 政府网站, 〔2021〕30号).
_FURNITURE_SHORT = re.compile(
    "|".join(
        (
            r"[>＞»›→|｜]",  # breadcrumbs, navigation bars
            r"(?:来源|发布|时间|日期|浏览|点击|访问|字号|字体|作者|编辑|索引号|分类|文号|机构|栏目|名称|标题)[:：]",
            r"〔(?:19|20)\d{2}〕\d*号|\[(?:19|20)\d{2}\]\d*号|［(?:19|20)\d{2}］\d*号",  # 〔2024〕1号
            r"^附件\d*[:：]?$",
            r"文件$",  # red header line: XX人民政府办公室文件
            r"^[-—–]*(?:第)?\d+(?:页)?(?:[/／]\d+|共\d+页)?[-—–]*$",  # page number
            r"打印|关闭|分享|收藏|扫一扫|二维码|无障碍|长者模式|首页|网站|主办|版权|备案|www\.",
        )
    )
)
_SHORT = 60


def _hard(s: str) -> bool:
    return (
        not s
        or bool(_FURNITURE_ANYWHERE.search(s))
        or (len(s) <= _SHORT and bool(_FURNITURE_SHORT.search(s)))
    )


# A column name above the title (政府信息公开年报, 年度报告): report words and no year.
_COLUMN_LINE = re.compile(r"信息公开|政务公开|年报|年度报告|专栏|栏目")
_HAS_YEAR = re.compile(r"(?:19|20)\d{2}")
_MAX_TITLE = 100
# Lines searched for the title: a page saved whole can carry dozens of navigation lines above it.
WINDOW = 80
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def flat(text: str) -> str:
    """NFKC, no whitespace, no markdown hashes: how titles are compared and matched (cached: a
    report's opening lines are looked at several times)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).replace("#", "")


def is_furniture(line: str) -> bool:
    """A breadcrumb, navigation, a 来源/时间 line, a print header or footer, a document number,
    附件, a red header line, a page number, or a column name without a year."""
    s = flat(line)
    if _hard(s):
        return True
    return bool(_COLUMN_LINE.search(s)) and not _HAS_YEAR.search(s) and len(s) <= 20


def is_print_furniture(line: str) -> bool:
    """A browser's print header or footer: it starts with the date and time, or names the page's
    address."""
    s = flat(line)
    return bool(_PRINT_HEADER.match(s) or _ADDRESS.search(s))


def is_name_fragment(line: str) -> bool:
    """A line that can be (part of) an organ's name printed above the rest of the title."""
    s = flat(line)
    return 2 <= len(s) <= 40 and bool(re.fullmatch(f"[{_NAME_CHAR}]+", s)) and not is_furniture(s)


def clean_agency(raw: str) -> str | None:
    """The organ in the text a title pattern read before (or after) the year: its name characters
    up to the year, after the last breadcrumb or column word; None when nothing is left."""
    tail = _NAME_TAIL.search(raw)
    if tail is None:
        return None
    s = tail.group(0)
    cut = 0
    for m in _COLUMN_WORD.finditer(s):
        opened = s.count("（", 0, m.start()) + s.count("(", 0, m.start())
        closed = s.count("）", 0, m.start()) + s.count(")", 0, m.start())
        if opened <= closed and len(s) - m.end() >= 2:  # not inside brackets, a name left after it
            cut = m.end()
    s = s[cut:]
    s = _LEADING_NOISE.sub("", s)
    if s[:1] in "(（" and s.count("(") + s.count("（") > s.count(")") + s.count("）"):
        s = s[1:]  # an unclosed bracket before the name
    s = s.lstrip(")）")
    s = re.sub(r"^[\d年度]+", "", s)
    if len(s) < 2 or s in _NOT_AGENCY:
        return None
    return s


def match(text: str) -> tuple[str | None, int] | None:
    """(organ, year) of a title-like text, the organ None when the text names only the year;
    None when the text is no title."""
    return _match_flat(flat(text))


def _match_flat(s: str) -> tuple[str | None, int] | None:
    if not s or len(s) > 4 * _MAX_TITLE or not _MAYBE_TITLE.search(s):
        return None
    year_only: int | None = None
    for pattern in PATTERNS:
        for m in pattern.finditer(s):
            agency = clean_agency(m.group("agency"))
            if agency:
                return agency, int(m.group("year"))
            year_only = year_only or int(m.group("year"))
    m2 = _YEAR_ONLY.search(s)
    if m2:
        return None, int(m2.group("year"))
    return (None, year_only) if year_only is not None else None


def _named(s: str) -> bool:
    """Does the flat text `s` name an organ and a year as a title does?"""
    found = _match_flat(s)
    return found is not None and found[0] is not None


@dataclass(frozen=True)
class Title:
    text: str
    first: int  # index of its first line
    last: int  # index of its last line


def find_title(lines: Sequence[str], together: Sequence[bool] | None = None) -> Title | None:
    """The report's title among its first lines: the first line that names an organ and a year;
    else two or three lines that do together (a wrapped title), never joined across furniture;
    else a title naming only the year. `together[i]` says the layout keeps lines i and i+1 in one
    block (same size, adjacent, aligned alike); without it, lines are joined only when the first
    is an organ's name or holds the year (the report words wrapping onto the next). With it, a
    line of the organ's name wrapped above the line holding the year is joined too. Furniture
    lines are read as a title only when no other line is one (a print header repeating the page
    title, a title glued to its 来源 line by a conversion)."""
    lines = list(lines[:WINDOW])
    n = len(lines)
    flats = [flat(ln) for ln in lines]
    hard = [_hard(f) for f in flats]
    column = [bool(_COLUMN_LINE.search(f)) and not _HAS_YEAR.search(f) and len(f) <= 20 for f in flats]
    named_line = [_named(f) for f in flats]

    def joinable(i: int) -> bool:
        if hard[i] or hard[i + 1] or column[i]:
            return False
        if together is not None:
            return i < len(together) and together[i]
        # without layout: an organ's name above the rest, or a year line whose report words wrap
        return is_name_fragment(lines[i]) or bool(_HAS_YEAR.search(flats[i]))

    for allow_furniture in (False, True):
        for i in range(n):
            if hard[i] and not allow_furniture:
                continue
            if named_line[i]:
                last = i
                # the report words wrapped onto the next line: "XX局2024年度政府信息公开工作" / "年度报告"
                while (
                    not allow_furniture
                    and not re.search(REPORT_WORDS, "".join(flats[i : last + 1]))
                    and last + 1 < n
                    and last - i < 2
                    and joinable(last)
                    and re.search(REPORT_WORDS, "".join(flats[i : last + 2]))
                ):
                    last += 1
                title = _extend_back(lines, flats, i, together, hard)
                return Title(title.text + "".join(flats[i + 1 : last + 1]), title.first, last)
            if allow_furniture:
                continue
            # a wrapped title: this line and the next one or two, unless the next is a title itself
            for end in (i + 2, i + 3):
                if end > n or not joinable(end - 2) or (end == i + 3 and together is None):
                    break
                if named_line[end - 1]:
                    break
                joined = "".join(flats[i:end])
                if len(joined) > _MAX_TITLE:
                    break
                if _named(joined) and re.search(REPORT_WORDS, joined):
                    return Title(joined, i, end - 1)
    for i in range(n):
        if not hard[i] and _YEAR_ONLY.search(flats[i]):
            return Title(flats[i], i, i)
    # a title without a year ("某县人民政府政府信息公开工作年度报告"): kept as the title, no year read
    for i in range(n):
        if not hard[i] and not column[i] and _ENDS_AS_TITLE.search(flats[i]) and len(flats[i]) <= _MAX_TITLE:
            return Title(flats[i], i, i)
    return None


def _extend_back(
    lines: Sequence[str], flats: list[str], i: int, together: Sequence[bool] | None, hard: list[bool]
) -> Title:
    """The title line i, with up to two lines of the organ's name above it when the layout keeps
    them in its block ("盐城市盐都区人力资源和社会" / "保障局2024年度…")."""
    first = i
    if together is not None:
        while (
            first > 0
            and i - first < 2
            and first - 1 < len(together)
            and together[first - 1]
            and not hard[first - 1]
            and is_name_fragment(lines[first - 1])
        ):
            first -= 1
    return Title("".join(flats[first : i + 1]), first, i)


# --------------------------------------------------------------------------------------------
# the opening sentence

_NAME = f"[{_NAME_CHAR}]{{2,40}}?"
_OPENING_AGENCY = (
    # 现将XX局2024年政府信息公开工作年度报告如下 / 现将XX局2024年度…向社会公布
    re.compile(r"现将(?P<agency>" + _NAME + r")(?:关于)?" + _YEAR + r"年度?"),
    # XX局2024年度政府信息公开工作年度报告（以下简称…）: the sentence begins with the title
    re.compile(r"^(?P<agency>" + _NAME + r")(?:关于)?" + _YEAR + r"年度?(?:政府信息公开|政务公开)"),
    # XX局编制了2024年度政务公开工作报告
    re.compile(r"(?:^|[，。,；;：:])(?P<agency>" + _NAME + r")编制(?:了|的)?" + _YEAR + r"年度?"),
)
_PERIOD = re.compile(
    r"(?:统计期限|统计周期|统计时限|统计期间|统计时间|数据统计)[^。]{0,12}?((?:19|20)\d{2})年1月1日"
)
_SECTION_ONE = re.compile(r"^[一1]\s*[、.．]")


@dataclass(frozen=True)
class Opening:
    agency: str | None
    year: int | None
    text: str


def opening(lines: Sequence[str], after: int, title: str | None = None) -> Opening | None:
    """What the report's opening (the lines after line `after`, the title's last, up to section 一)
    states of its organ and year: the organ from "现将XX局2024年…" or a sentence starting with the
    title, the year from those or from the statistics period (统计期限自2024年1月1日起). Lines that
    are part of `title` (a title wrapped over lines) are not the opening."""
    text = ""
    whole = flat(title) if title else ""
    for line in lines[after + 1 : after + 1 + 12]:
        s = flat(line)
        if _SECTION_ONE.match(s):
            break
        if is_furniture(s) or len(s) < 8 or (whole and s in whole):
            continue
        text += s
    if not text:
        return None
    agency = year = None
    for pattern in _OPENING_AGENCY:
        m = pattern.search(text)
        if m:
            agency = clean_agency(m.group("agency"))
            year = int(m.group("year"))
            if agency:
                break
    if year is None:
        p = _PERIOD.search(text)
        if p:
            year = int(p.group(1))
    if agency is None and year is None:
        return None
    return Opening(agency, year, text)


def same_organ(a: str, b: str) -> bool:
    """Names that can be one organ as printed: equal, or one the other with its place left out
    (洪泽区人民政府 / 淮安市洪泽区人民政府, 市科委 / 上海市科委)."""
    a, b = flat(a), flat(b)
    return a == b or a.endswith(b) or b.endswith(a)
