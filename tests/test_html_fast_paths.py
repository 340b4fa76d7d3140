"""The HTML reader's fast paths read what their plain versions read, element for element, on every
committed page (the real 平潭 pages, data/samples) and a small synthetic corpus in every site style:
the text weights that find the article (plain: XPath over the subtree), the paragraph walk, the
title candidates, and the page handed to libxml2 as its own bytes instead of re-encoded text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from lxml import etree

from pipelines.parsing.readers import html
from pipelines.parsing.readers.encoding import decode_bytes
from pipelines.parsing.readers.limits import CellCount
from pipelines.synth.corpus import generate

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "corpus" / "real"

_TEXT_LEN = etree.XPath("string-length(translate(normalize-space(.), ' ', ''))")
_TITLE_ELEMENTS = etree.XPath("//body//*[contains(@class, 'title') or contains(@id, 'title')]")
_META_TITLE = etree.XPath(
    "//meta[@name='ArticleTitle' or @name='articletitle' or @name='title']/@content", smart_strings=False
)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    synthetic = tmp_path_factory.mktemp("html")
    generate(synthetic, 6, range(2021, 2025), 5, {"html": 1.0})
    found = [*sorted(REAL.glob("*.html")), *sorted((ROOT / "data" / "samples").glob("*.html"))]
    found += sorted(synthetic.glob("*.html"))
    assert len(found) > 20
    return found


def _tree(path: Path) -> tuple[etree._Element, etree._Element]:
    text, _ = decode_bytes(path.read_bytes())
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
    root = etree.fromstring(text.replace("\x00", "").encode("utf-8"), parser)
    body = root.find("body")
    etree.strip_elements(body, *html._INVISIBLE, with_tail=False)
    return root, body


def _plain_weight(el: etree._Element) -> float:
    links = sum(len("".join(t.split())) for t in cast(list[str], html._LINK_TEXTS(el)))
    return cast(float, _TEXT_LEN(el)) - links


def _plain_lines(container: etree._Element, data_tables: set[etree._Element]) -> list[str]:
    out: list[str] = [container.text] if container.text else []
    stack: list[tuple[etree._Element, bool | None]] = [(c, None) for c in reversed(container)]
    while stack:
        el, leaving_block = stack.pop()
        if leaving_block is not None:
            if leaving_block:
                out.append(html._BREAK)
        elif el in data_tables:
            out.append(html._BREAK)
        elif isinstance(el.tag, str):
            block = el.tag in html._BLOCK
            if block:
                out.append(html._BREAK)
            if el.text:
                out.append(el.text)
            stack.append((el, block))
            stack.extend((c, None) for c in reversed(el))
            continue
        if el.tail:
            out.append(el.tail)
    return [line for line in map(html._clean, "".join(out).split(html._BREAK)) if line]


def _data_tables(body: etree._Element) -> Iterator[etree._Element]:
    count = CellCount()
    for table in body.iter("table"):
        if table.find(".//table") is None and html._grid(table, 0, count) is not None:
            yield table


def test_weights_match_the_xpath_count(pages: list[Path]) -> None:
    for path in pages:
        _, body = _tree(path)
        for el in body.iter(etree.Element):
            assert html._weight(el) == _plain_weight(el), (path.name, el.tag)


def test_paragraphs_match_the_plain_walk(pages: list[Path]) -> None:
    for path in pages:
        _, body = _tree(path)
        tables = list(_data_tables(body))
        leaves = set(tables)
        container = html._article(body, leaves, tables[0] if tables else None)
        assert html._lines(container, leaves) == _plain_lines(container, leaves), path.name
        assert html._lines(body, leaves) == _plain_lines(body, leaves), path.name


def test_title_candidates_match_the_xpath_queries(pages: list[Path]) -> None:
    for path in pages:
        root, body = _tree(path)
        assert list(html._title_elements(body)) == _TITLE_ELEMENTS(root), path.name
        metas = [
            c
            for m in root.iter("meta")
            if m.get("name") in html._META_NAMES and (c := m.get("content")) is not None
        ]
        assert metas == _META_TITLE(root), path.name


def test_bytes_as_they_are_read_like_the_reencoded_text(pages: list[Path]) -> None:
    # the UTF-8 pages behind a UTF-8 BOM: their text is always re-encoded for libxml2
    utf8 = [p for p in pages if decode_bytes(p.read_bytes())[1] == "utf-8"]
    assert len(utf8) > 10
    for path in utf8:
        data = path.read_bytes()
        assert repr(html.read_html(data)) == repr(html.read_html(b"\xef\xbb\xbf" + data)), path.name


def test_a_data_tables_tail_stays_in_the_text() -> None:
    doc = html.read_html(
        "<html><body><div><p>前言</p><table><tr><td>规章</td><td>1</td></tr>"
        "<tr><td>规范性文件</td><td>2</td></tr></table>表后的文字<p>结语</p></div></body></html>".encode()
    )
    assert doc.text.splitlines() == ["前言", "表后的文字", "结语"]
