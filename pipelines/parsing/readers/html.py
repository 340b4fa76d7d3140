"""HTML reader: a published report page (with or without site chrome) → Document.

Data tables become aligned grids with spans expanded; the article text becomes Document.text.
Deciding whether the page is a report at all is the mapper's job.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import cast

from lxml import etree

from pipelines.model import Document, Grid, GridCell, UnreadableInput
from pipelines.parsing.readers.encoding import codec_for, declared_charset, decode_bytes, looks_binary
from pipelines.parsing.readers.limits import MAX_COLUMNS, CellCount, check_tags

# Never rendered as text; <select>/<button> are the site-search and close-window widgets.
_INVISIBLE = (
    "script",
    "style",
    "noscript",
    "template",
    "select",
    "button",
    "textarea",
    "iframe",
    "object",
    "embed",
)
_BLOCK = frozenset(
    (
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "caption",
        "center",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    )
)
# Zero-width characters that Word/WPS exports scatter inside labels.
_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff"
_ZERO_WIDTH = dict.fromkeys(map(ord, _ZERO_WIDTH_CHARS))
# Block boundaries while building Document.text; NUL is removed from the input beforehand.
_BREAK = "\x00"
# Descend from <body> into a child only while it keeps this share of its parent's non-link text:
# site chrome is mostly links, so the article keeps nearly all of it down to its own container.
_ARTICLE_SHARE = 0.75
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.IGNORECASE)
# Elements that can hold a whole article; a long paragraph (<p>, <font>) is never the article.
_CONTAINERS = frozenset(
    (
        "div",
        "section",
        "article",
        "main",
        "center",
        "form",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
    )
)
# Statutory tables have at most 15 columns and Word exports a few dozen; the cap bounds the work
# a hostile colspan can cause.
_MAX_COLUMNS = MAX_COLUMNS
# libxml2's error for input past one of its hard limits, and its nesting limit with huge_tree.
_ERR_RESOURCE_LIMIT = etree.ErrorTypes.ERR_RESOURCE_LIMIT
_MAX_DEPTH = 2048
_LINK_TEXTS = etree.XPath(".//a//text()", smart_strings=False)
_META_NAMES = ("ArticleTitle", "articletitle", "title")  # <meta name=… content=title>
_TITLE_SPLIT = re.compile(r"\s*(?:[_|｜]|--|——|\s-\s|-(?=\D))\s*")
_MAX_TITLE = 100
# A report title names its year; column names such as 政府信息公开年报 do not.
_YEAR = re.compile(r"\d{4}|[〇零一二三四五六七八九]{4}")


def read_html(data: bytes) -> Document:
    """Parse an HTML page into a Document (medium="html").

    Raises UnreadableInput for empty input, binary data and pages without any text.
    """
    if not data or data.isspace():
        raise UnreadableInput("empty input")
    if looks_binary(data):
        raise UnreadableInput("binary data, not an HTML page")
    check_tags(data, "HTML page")
    text, encoding = decode_bytes(data)
    notes = _encoding_notes(data, text, encoding)
    # huge_tree: libxml2 otherwise stops reading at 256 levels of nesting (and drops the rest
    # silently); the size limits above bound what it may build instead
    parser = etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
    )
    # the bytes themselves when they are the UTF-8 of the text (decoded strictly, no BOM)
    raw = (
        data
        if encoding == "utf-8" and not data.startswith(codecs.BOM_UTF8) and "\ufffd" not in text
        else None
    )
    # NUL is the paragraph sentinel of _lines; stray NULs past the binary check carry no text.
    if "\x00" in text:
        text, raw = text.replace("\x00", ""), None
    if any(ch in text for ch in _ZERO_WIDTH_CHARS):
        text, raw = text.translate(_ZERO_WIDTH), None
    try:
        root = etree.fromstring(text.encode("utf-8") if raw is None else raw, parser)
    except etree.LxmlError as exc:
        raise UnreadableInput(f"HTML cannot be parsed: {str(exc).splitlines()[0]}") from exc
    if any(e.type == _ERR_RESOURCE_LIMIT for e in parser.error_log):
        # libxml2 stopped part-way (nesting beyond its hard limit of 2048 levels): what it read is
        # not the whole page
        raise UnreadableInput(
            f"HTML page nested too deep to read whole (libxml2 stops at {_MAX_DEPTH} levels of nesting)"
        )
    body = root.find("body") if root is not None else None
    if body is None:
        raise UnreadableInput("HTML page has no body")
    etree.strip_elements(body, *_INVISIBLE, with_tail=False)

    grids: list[Grid] = []
    data_tables: list[etree._Element] = []
    framing = 0
    count = CellCount()
    for table in body.iter("table"):
        nested = next(table.iterdescendants("table"), None) is not None
        grid = None if nested else _grid(table, len(grids), count)
        if grid is None:
            framing += 1
        else:
            grids.append(grid)
            data_tables.append(table)
    if framing:
        notes.append(f"{framing} layout/empty table(s) read as text")

    leaves = set(data_tables)
    container = _article(body, leaves, data_tables[0] if data_tables else None)
    if container is not body:
        notes.append(f"article container: {_describe(container)}")
    lines = _lines(container, leaves)
    if not lines and not grids:
        raise UnreadableInput("HTML page has no text")
    return Document(
        medium="html", tables=grids, text="\n".join(lines), title=_title(root, lines), notes=notes
    )


def _encoding_notes(data: bytes, text: str, encoding: str) -> list[str]:
    notes = [] if encoding == "utf-8" else [f"encoding: {encoding}"]
    declared = declared_charset(data)
    if declared is not None and codec_for(declared) != encoding:
        notes.append(f"page declares {declared} but decodes as {encoding}")
    if "\ufffd" in text:
        notes.append(f"{text.count(chr(0xFFFD))} undecodable byte sequence(s) replaced")
    return notes


def _clean(text: str) -> str:
    # str.split() splits on every Unicode space, including U+00A0 (&nbsp;) and U+3000.
    return " ".join(text.split())


def _text_content(el: etree._Element) -> str:
    # All descendant text, no separators: the fastest way lxml offers (C-level serialisation).
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def _span(value: str | None) -> int:
    """An HTML rowspan/colspan attribute: leading digits, like browsers; 0 for "0", 1 if absent."""
    if not value:
        return 1
    value = value.strip()
    end = 0
    while end < len(value) and value[end].isascii() and value[end].isdigit():
        end += 1
    return int(value[:end]) if end else 1


def _hidden(el: etree._Element) -> bool:
    # Word's HTML export ends tables with an invisible row of empty sizing cells.
    style = el.get("style")
    return style is not None and _DISPLAY_NONE.search(style) is not None


def _grid(table: etree._Element, index: int, count: CellCount | None = None) -> Grid | None:
    """Expand a table into grid rows. None for a table without text (spacers) and for a frame
    with at most one cell per row (old sites wrap the title and article in those). `count` counts
    the cells made, spanned copies and holes included, against the document's limit."""
    count = count or CellCount()
    trs = [tr for tr in table.iter("tr") if not _hidden(tr)]
    placed: list[dict[int, GridCell]] = [{} for _ in trs]
    has_text = False
    max_cells = 0
    made = 0
    tostring, join = etree.tostring, " ".join
    for r, tr in enumerate(trs):
        row = placed[r]
        c = 0
        cells = [td for td in tr if td.tag == "td" or td.tag == "th"]
        if len(cells) > max_cells:
            max_cells = len(cells)
        for td in cells:
            while c in row:
                c += 1
            if c >= _MAX_COLUMNS:
                break
            # every Unicode space, &nbsp; and U+3000 too
            text = join(tostring(td, method="text", encoding="unicode", with_tail=False).split())
            if text:
                has_text = True
            row[c] = GridCell(text, r, c)
            rs, cs = td.get("rowspan"), td.get("colspan")
            if rs is None and cs is None:  # most cells: no spans
                made += 1
                c += 1
                continue
            rowspan = _span(rs)
            # rowspan="0" reaches to the end of the table; spans never create rows of their own.
            rowspan = len(trs) - r if rowspan == 0 else min(rowspan, len(trs) - r)
            colspan = min(max(_span(cs), 1), _MAX_COLUMNS - c)
            made += rowspan * colspan
            for dr in range(rowspan):
                target = placed[r + dr]
                for dc in range(colspan):
                    # Overlapping spans in broken markup: the cell placed first keeps the slot.
                    if (dr or dc) and c + dc not in target:
                        target[c + dc] = GridCell(text, r + dr, c + dc, True)  # spanned
            c += colspan
        if made > 4096:  # counted as it grows, so a huge table is refused before it is built
            count.add(made)
            made = 0
    count.add(made)
    if not has_text or max_cells < 2:
        return None
    rows = []
    for r, row in enumerate(placed):
        width = max(row) + 1 if row else 0
        if width == len(row):  # no holes
            rows.append([row[c] for c in range(width)])
            continue
        count.add(width - len(row))
        # Holes (a short row under a rowspan) become blank cells so that rows[r][c].col == c.
        rows.append([row.get(c) or GridCell("", r, c) for c in range(width)])
    return Grid(index=index, rows=rows, aligned=True)


def _weight(el: etree._Element) -> float:
    """Non-link text length: navigation, breadcrumbs and footer link lists weigh almost nothing.
    The text counts every character but the four XML spaces (those XPath's normalize-space
    drops), link text every character but Unicode whitespace."""
    text = _text_content(el)
    length = len(text) - text.count(" ") - text.count("\n") - text.count("\t") - text.count("\r")
    if next(el.iterdescendants("a"), None) is None:
        return float(length)
    links = len("".join("".join(cast(list[str], _LINK_TEXTS(el))).split()))
    return float(length - links)


def _own_weight(el: etree._Element) -> int:
    own = (el.text or "") + "".join(c.tail or "" for c in el)
    return len("".join(own.split()))


def _article(
    body: etree._Element, data_tables: set[etree._Element], hint: etree._Element | None
) -> etree._Element:
    """The element holding the report: walk down from <body> into the child with the most
    non-link text while it keeps most of its parent's, stopping above data tables."""
    # The child on the way to a data table (`hint`) probably holds the article: its weight is
    # derived from the parent's instead of measured, so the article is not re-read at each level.
    hint_path = set(hint.iterancestors()) if hint is not None else set()
    node, weight = body, _weight(body)
    while True:
        children = [c for c in node if isinstance(c.tag, str)]
        if not children:
            return node
        derived = next((i for i, c in enumerate(children) if c in hint_path or c is hint), None)
        weights = [0.0 if i == derived else _weight(c) for i, c in enumerate(children)]
        if derived is not None:
            weights[derived] = max(0.0, weight - _own_weight(node) - sum(weights))
        best = max(range(len(children)), key=weights.__getitem__)
        chosen = children[best]
        if (
            chosen.tag not in _CONTAINERS
            or chosen in data_tables
            or weights[best] <= 0
            or weights[best] < _ARTICLE_SHARE * weight
        ):
            return node
        node, weight = chosen, weights[best]


def _describe(el: etree._Element) -> str:
    cls = el.get("class") or el.get("id")
    return f"<{el.tag} {cls}>" if cls else f"<{el.tag}>"


def _lines(container: etree._Element, data_tables: set[etree._Element]) -> list[str]:
    """The container's text as paragraphs; data tables leave only a paragraph break."""
    out: list[str] = [container.text] if container.text else []
    append = out.append
    # depth-first (lxml's walker: pages nest deeper than Python recurses): an element is entered
    # (break, text, children) and later left (break, tail)
    walk = etree.iterwalk(container, events=("start", "end"))
    for event, el in walk:
        if el is container:
            continue
        if event == "start":
            if el in data_tables:
                append(_BREAK)
                walk.skip_subtree()
            elif isinstance(el.tag, str):
                if el.tag in _BLOCK:
                    append(_BREAK)
                if el.text:
                    append(el.text)
            continue
        if isinstance(el.tag, str) and el.tag in _BLOCK and el not in data_tables:
            append(_BREAK)
        if el.tail:
            append(el.tail)
    return [line for line in map(_clean, "".join(out).split(_BREAK)) if line]


def _is_report_title(text: str) -> bool:
    compact = "".join(text.split())
    return "政府信息公开" in compact and ("年度报告" in compact or "年报" in compact)


def _title_candidates(root: etree._Element, lines: list[str]) -> Iterator[str]:
    body = root.find("body")
    if body is not None:
        yield from (_text_content(h) for h in body.iter("h1", "h2", "h3"))
    yield from (
        content
        for meta in root.iter("meta")
        if meta.get("name") in _META_NAMES and (content := meta.get("content")) is not None
    )
    yield from (_text_content(t) for t in root.iter("title"))
    if body is not None:
        yield from (_text_content(el) for el in _title_elements(body))
    yield from lines[:5]


def _title_elements(body: etree._Element) -> Iterator[etree._Element]:
    """Elements whose class or id names a title, in document order, found as they are asked for
    (the first report-like title ends the search)."""
    for el in body.iterdescendants(etree.Element):
        cls, ident = el.get("class"), el.get("id")
        if (cls is not None and "title" in cls) or (ident is not None and "title" in ident):
            yield el


def _title(root: etree._Element, lines: list[str]) -> str | None:
    """The first report-like title, preferring one that names a year, among: body headings, the
    ArticleTitle meta, <title>, title-classed elements, the first lines of the article text.
    Site suffixes (`_栏目_网站`, ` - 网站`) are cut off."""
    fallback = None
    for raw in _title_candidates(root, lines):
        text = _clean(raw)
        if len(text) > _MAX_TITLE or not _is_report_title(text):
            continue
        parts = [p for p in _TITLE_SPLIT.split(text) if _is_report_title(p)]
        title = parts[0] if parts else text
        if _YEAR.search(title):
            return title
        fallback = fallback or title
    return fallback
