"""Report links on a listing page: the anchors whose text names an annual disclosure report."""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

from pipelines.parsing.readers.encoding import decode_bytes

# What the link text of a report says: 政府信息公开 and 年度报告 or 年报
# (e.g. 某局2023年政府信息公开工作年度报告, 2022年度政府信息公开年报).
SUBJECT = "政府信息公开"
KINDS = ("年度报告", "年报")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def is_report_link(text: str) -> bool:
    compact = "".join(text.split())
    return SUBJECT in compact and any(k in compact for k in KINDS)


def report_links(page: bytes, base_url: str, limit: int) -> list[str]:
    """Absolute http(s) URLs of the page's report links, in page order, without repeats."""
    text, _ = decode_bytes(page)
    # lxml refuses a str that still declares its encoding (XHTML pages start with <?xml ...?>)
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        return []
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return []
    found: list[str] = []
    for a in root.iter("a"):
        if not isinstance(a, lxml.html.HtmlElement):
            continue
        href = (a.get("href") or "").strip()
        label = a.text_content() + " " + (a.get("title") or "")
        if not href or not is_report_link(label):
            continue
        url, _ = urldefrag(urljoin(base_url, href))
        if urlsplit(url).scheme in ("http", "https") and url not in found:
            found.append(url)
        if len(found) >= limit:
            break
    return found
