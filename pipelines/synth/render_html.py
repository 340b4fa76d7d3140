"""HTML article pages in four site styles, built from string templates (fast: no DOM).

- `trs`: a TRS/WCM portal (UTF-8): navigation, breadcrumb, `article_title`, inline-styled tables
  with `<p>` inside cells and header words split over `<p>`s, print/close buttons, footer links.
- `word`: a CMS page wrapping Word-exported HTML (`MsoNormal`, `<o:p>`, `&nbsp;` in empty cells,
  the hidden sizing row Word appends), declared gb2312 and mostly GBK-encoded.
- `portal`: a modern 信息公开 page: a metadata table (索引号/发布机构/…) above the article,
  `<thead>`/`<th>` headers, classes instead of styles.
- `legacy`: an old site laid out with nested tables (`<font>`, `bgcolor`), declared gb2312.
"""

from __future__ import annotations

import random
from html import escape

from pipelines.synth.report import Draft
from pipelines.synth.tables import Table
from pipelines.synth.text import Block

STYLES = ("trs", "word", "portal", "legacy")

_NAV = ("首页", "政务公开", "政务服务", "互动交流", "走进{region}", "专题专栏")
_LINKS = ("中国政府网", "国务院部门网站", "省政府网站", "市县政府网站", "政务服务网", "12345热线")


def _esc(text: str) -> str:
    return escape(text, quote=False)


def _lines(text: str, sep: str) -> str:
    return sep.join(_esc(part) for part in text.split("\n"))


# --------------------------------------------------------------------------------------------
# tables


def _span(cell_cs: int, cell_rs: int, quote: str = '"') -> str:
    out = ""
    if cell_cs > 1:
        out += f" colspan={quote}{cell_cs}{quote}"
    if cell_rs > 1:
        out += f" rowspan={quote}{cell_rs}{quote}"
    return out


def table_trs(t: Table, rng: random.Random) -> str:
    parts = [
        '<table style="border-collapse: collapse; border: none;" cellspacing="0" align="center" '
        'border="1"><tbody>'
    ]
    pad = rng.random() < 0.4
    for i, row in enumerate(t.rows):
        parts.append('<tr class="firstRow">' if i == 0 else "<tr>")
        for c in row:
            text = _lines(c.text, '</p><p style="text-indent: 0em;">') if c.text else "<br/>"
            if pad and c.head and c.text and rng.random() < 0.3:
                text += " &nbsp; &nbsp; &nbsp; &nbsp;"
            parts.append(
                f'<td{_span(c.cs, c.rs)} style="padding:5px 5px 5px 5px ;border-left:1px solid '
                "windowtext;border-right:1px solid windowtext;border-top:none;border-bottom:1px solid "
                f'windowtext" valign="center"><p style="text-indent: 0em;">{text}</p></td>'
            )
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def table_word(t: Table, rng: random.Random) -> str:
    total = sum(t.widths) or 1.0
    px = [max(24, round(600 * w / total)) for w in t.widths] if t.widths else [60] * t.ncols
    parts = [
        "<div align=center><table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width=600 "
        "style='width:450.0pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;"
        "mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>"
    ]
    for i, row in enumerate(t.rows):
        parts.append(f"<tr style='mso-yfti-irow:{i};height:19.85pt'>")
        col = 0
        for c in row:
            w = sum(px[col : col + c.cs]) if col < len(px) else 60
            col += c.cs
            if c.num:
                inner = (
                    f"<span lang=EN-US style='font-size:10.5pt;font-family:\"Times New Roman\"'>"
                    f"{_esc(c.text)}<o:p></o:p></span>"
                    if c.text
                    else "<span lang=EN-US style='font-size:10.5pt'><o:p>&nbsp;</o:p></span>"
                )
            else:
                inner = (
                    f"<span style='font-size:10.5pt;font-family:仿宋_GB2312;mso-hansi-font-family:宋体'>"
                    f"{_lines(c.text, '<br>')}<span lang=EN-US><o:p></o:p></span></span>"
                    if c.text
                    else "<span lang=EN-US><o:p>&nbsp;</o:p></span>"
                )
            parts.append(
                f"<td width={w}{_span(c.cs, c.rs, '')} valign=center style='width:{w * 0.75:.1f}pt;"
                "border:solid windowtext 1.0pt;border-top:none;mso-border-alt:solid windowtext .5pt;"
                "padding:0cm 5.4pt 0cm 5.4pt;height:19.85pt'><p class=MsoNormal align=center "
                f"style='text-align:center;line-height:15.0pt'>{inner}</p></td>"
            )
        parts.append("</tr>")
    # Word appends an invisible row that fixes the column widths
    parts.append("<![if !supportMisalignedColumns]><tr height=0>")
    parts.extend(f"<td width={w} style='border:none'></td>" for w in px)
    parts.append("</tr><![endif]></table></div>")
    return "".join(parts)


def table_portal(t: Table, rng: random.Random) -> str:
    parts = ['<table class="zwgk-table" width="100%" cellspacing="0" cellpadding="0">']
    if t.head_rows:
        parts.append("<thead>")
    for i, row in enumerate(t.rows):
        if i == t.head_rows and t.head_rows:
            parts.append("</thead><tbody>")
        elif i == 0 and not t.head_rows:
            parts.append("<tbody>")
        parts.append("<tr>")
        for c in row:
            tag = "th" if c.head and i < max(t.head_rows, 1) else "td"
            cls = ' class="num"' if c.num else ""
            parts.append(f"<{tag}{_span(c.cs, c.rs)}{cls}>{_lines(c.text, '<br/>')}</{tag}>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def table_legacy(t: Table, rng: random.Random) -> str:
    parts = [
        '<table width="95%" border="1" align="center" cellpadding="3" cellspacing="0" '
        'bordercolor="#000000" style="border-collapse:collapse;font-size:12px">'
    ]
    for row in t.rows:
        parts.append('<tr bgcolor="#FFFFFF">')
        for c in row:
            text = _lines(c.text, "<br>") if c.text else "&nbsp;"
            parts.append(f'<td{_span(c.cs, c.rs)} align="center"><font face="宋体">{text}</font></td>')
        parts.append("</tr>")
    parts.append("</table>")
    return "".join(parts)


_TABLE = {"trs": table_trs, "word": table_word, "portal": table_portal, "legacy": table_legacy}


# --------------------------------------------------------------------------------------------
# page bodies


def _body_trs(blocks: list[Block], tables: dict[str, list[Table]], rng: random.Random) -> str:
    out = []
    for b in blocks:
        if b.kind == "title":
            continue  # the page prints it above the article
        if b.kind == "table":
            out += [table_trs(t, rng) for t in tables[b.text]]
        elif b.kind == "h":
            out.append(
                f'<p style="text-indent: 2em;"><strong><span style="text-indent: 2em;">{_esc(b.text)}'
                "</span></strong></p>"
            )
        elif b.kind == "sign":
            out.append(f'<p style="text-align: right;">{_esc(b.text)}</p>')
        else:
            out.append(f'<p style="text-indent: 2em;">{_esc(b.text)}</p>')
    return "\n".join(out)


def _body_word(blocks: list[Block], tables: dict[str, list[Table]], rng: random.Random) -> str:
    out = ["<div class=WordSection1 style='layout-grid:15.6pt'>"]
    for b in blocks:
        if b.kind == "table":
            out += [table_word(t, rng) for t in tables[b.text]]
        elif b.kind == "title":
            out.append(
                "<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt'><b><span "
                f"style='font-size:22.0pt;font-family:方正小标宋简体'>{_esc(b.text)}</span></b></p>"
            )
        elif b.kind == "h":
            out.append(
                "<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'><span "
                f"style='font-size:16.0pt;font-family:黑体'>{_esc(b.text)}</span></p>"
            )
        elif b.kind in ("date", "sign"):
            align = "center" if b.kind == "date" else "right"
            out.append(
                f"<p class=MsoNormal align={align} style='text-align:{align}'><span "
                f"style='font-size:16.0pt;font-family:仿宋_GB2312'>{_esc(b.text)}</span></p>"
            )
        else:
            out.append(
                "<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'><span "
                f"style='font-size:16.0pt;font-family:仿宋_GB2312'>{_esc(b.text)}</span></p>"
            )
    out.append("</div>")
    return "\n".join(out)


def _body_simple(
    blocks: list[Block], tables: dict[str, list[Table]], rng: random.Random, table_fn: str, skip_title: bool
) -> str:
    out = []
    for b in blocks:
        if b.kind == "title" and skip_title:
            continue
        if b.kind == "table":
            out += [_TABLE[table_fn](t, rng) for t in tables[b.text]]
        elif b.kind == "h":
            out.append(f"<p><strong>{_esc(b.text)}</strong></p>")
        elif b.kind == "sign":
            out.append(f'<p align="right">{_esc(b.text)}</p>')
        elif b.kind == "date":
            out.append(f'<p align="center">{_esc(b.text)}</p>')
        elif b.kind == "title":
            out.append(f'<p align="center"><b>{_esc(b.text)}</b></p>')
        else:
            out.append(
                f"<p>&nbsp;&nbsp;&nbsp;&nbsp;{_esc(b.text)}</p>"
                if table_fn == "legacy"
                else f"<p>{_esc(b.text)}</p>"
            )
    return "\n".join(out)


def _nav(region: str) -> str:
    return "".join(f'<li><a href="/col/c{i}/">{n.format(region=region)}</a></li>' for i, n in enumerate(_NAV))


def _footer_links() -> str:
    return "".join(f'<a href="http://www.gov.cn/" target="_blank">{n}</a>' for n in _LINKS)


def render(
    d: Draft,
    blocks: list[Block],
    tables: dict[str, list[Table]],
    title: str,
    site: str,
    source: str,
    date: str,
    rng: random.Random,
) -> bytes:
    """The page as bytes, in the style's encoding."""
    region = d.organ.region[-3:] if d.organ.region else "本地"
    code = d.organ.region_code.ljust(6, "0")
    if d.style == "trs":
        page = (
            '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            f'<title>{_esc(title)}_{_esc(site)}</title>\n<meta name="SiteName" content="{_esc(site)}">\n'
            f'<meta name="ArticleTitle" content="{_esc(title)}">\n<meta name="PubDate" content="{date}">\n'
            '<link rel="stylesheet" href="/images/common.css">\n'
            '<script type="text/javascript" src="/js/jquery-1.12.4.min.js"></script>\n</head>\n<body>\n'
            f'<div class="header"><div class="top_bar"><a href="/">网站首页</a><a href="/wza/">无障碍</a>'
            f'<a href="/zzms/">长者模式</a></div><div class="logo"><img src="/images/logo.png" alt="{_esc(site)}">'
            f'</div><ul class="nav">{_nav(region)}</ul></div>\n'
            '<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; '
            '<a href="/zwgk/nb/">政府信息公开年报</a></div>\n'
            '<div class="article_component">\n<div class="article_title_group"><div class="article_title '
            f'text_align_center">{_esc(title)}</div></div>\n<div class="article_extend"><span class="article_source">'
            f'来源：{_esc(source)}</span> <span class="article_time">时间：{date}</span> '
            '<span class="SLB_none">字体：<a href="javascript:;">大</a><a href="javascript:;">中</a>'
            '<a href="javascript:;">小</a></span></div>\n<div class="article_content" id="zoom">\n'
            f"{_body_trs(blocks, tables, rng)}\n</div>\n"
            '<div class="article_btns"><a href="javascript:window.print()">【打印本页】</a>'
            '<a href="javascript:window.close()">【关闭窗口】</a></div>\n</div>\n'
            f'<div class="footer"><div class="links">{_footer_links()}</div><p>主办单位：{_esc(site)}办公室 '
            f'网站标识码：{code}0001 <a href="https://beian.miit.gov.cn/">ICP备{code}号</a></p></div>\n'
            '<script type="text/javascript">var _trsPageId = "a1";</script>\n</body>\n</html>\n'
        )
        return page.encode("utf-8")
    if d.style == "word":
        page = (
            '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:w="urn:schemas-microsoft-com:office:word">\n<head>\n'
            '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">\n'
            f"<title>{_esc(title)}</title>\n"
            "<style>p.MsoNormal{margin:0cm;text-align:justify;font-size:10.5pt;font-family:宋体}</style>\n"
            '</head>\n<body>\n<div class="top"><a href="/">首页</a> | <a href="/xxgk/">信息公开</a> | '
            '<a href="/bsfw/">办事服务</a></div>\n<div class="main">\n'
            f'<div class="bt">{_esc(title)}</div>\n<div class="info">发布日期：{date[:10]}　　信息来源：{_esc(source)}'
            '　　浏览次数：<span id="hits"></span></div>\n<div class="TRS_Editor">\n'
            f"{_body_word(blocks, tables, rng)}\n</div>\n</div>\n"
            f'<div class="bottom">版权所有：{_esc(site)}</div>\n</body>\n</html>\n'
        )
        return _encode(page, d)
    if d.style == "portal":
        meta = (
            '<table class="xxgk-meta"><tr><td>索引号：</td><td>'
            f"{code}-{d.year + 1}-{rng.randint(1, 999):05d}</td><td>发布机构：</td><td>{_esc(source)}</td></tr>"
            f'<tr><td>名　　称：</td><td colspan="3">{_esc(title)}</td></tr><tr><td>生成日期：</td>'
            f"<td>{date[:10]}</td><td>主题分类：</td><td>政府信息公开年报</td></tr></table>"
        )
        page = (
            '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="UTF-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_esc(title)}-{_esc(site)}</title>\n"
            "<script>var _hmt = _hmt || [];</script>\n</head>\n<body>\n"
            f'<header class="g-header"><nav><ul>{_nav(region)}</ul></nav></header>\n'
            '<div class="g-main"><div class="location">您所在的位置：<a href="/">首页</a> &gt; '
            '<a href="/xxgk/">信息公开</a> &gt; <a href="/xxgk/ndbg/">年度报告</a></div>\n'
            f'<div class="xxgk-head">{meta}</div>\n<div class="article">\n'
            f'<h1 class="article-title">{_esc(title)}</h1>\n<div class="article-body">\n'
            f"{_body_simple(blocks, tables, rng, 'portal', True)}\n</div>\n"
            '<div class="share">分享到：<a href="javascript:;">微信</a><a href="javascript:;">微博</a></div>\n'
            f'</div>\n</div>\n<footer class="g-footer"><div>{_footer_links()}</div>'
            f"<p>{_esc(site)} 版权所有</p></footer>\n</body>\n</html>\n"
        )
        return page.encode("utf-8")
    # legacy
    page = (
        '<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=gb2312">\n'
        f'<title>{_esc(title)}</title>\n<link href="/css/style.css" rel="stylesheet" type="text/css">\n'
        '</head>\n<body topmargin="0" leftmargin="0">\n'
        '<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td>'
        '<img src="/images/top.jpg" width="980" height="120"></td></tr></table>\n'
        '<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td class="nav">'
        + " | ".join(f'<a href="/{i}/">{n.format(region=region)}</a>' for i, n in enumerate(_NAV))
        + "</td></tr></table>\n"
        '<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#FFFFFF">\n'
        '<tr><td height="30" class="dqwz">当前位置：<a href="/">首页</a> &gt;&gt; <a href="/zwgk/">政务公开</a>'
        "</td></tr>\n"
        f'<tr><td align="center" class="title"><font size="4"><b>{_esc(title)}</b></font></td></tr>\n'
        f'<tr><td align="center" class="date">发布时间：{date[:10]}　来源：{_esc(source)}</td></tr>\n'
        f'<tr><td class="content">\n{_body_simple(blocks, tables, rng, "legacy", True)}\n</td></tr>\n</table>\n'
        '<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td align="center">'
        f"主办：{_esc(site)}　技术支持：信息中心</td></tr></table>\n</body>\n</html>\n"
    )
    return _encode(page, d)


def _encode(page: str, d: Draft) -> bytes:
    if d.has("gbk"):
        return page.encode("gbk", errors="xmlcharrefreplace")
    return page.encode("utf-8")
