"""Fuzzing the readers and the mapper through pipelines.parsing.parse.parse_bytes: whatever the bytes, the
parser either returns a ParsedReport or raises UnreadableInput — no other exception, no hang.

Inputs are random bytes under report-like names, and real sample reports (HTML, text, markdown,
PDF, Word) mutated at the byte level (flips, cuts, insertions, repeats) and, for the text media, at
the character level with the characters tables are made of. The default run is bounded (about 15 s);
the slow variant runs ten times the examples (GONGKAI_FUZZ_SCALE multiplies both).

Both are derandomized, so CI is reproducible: a fresh-seed run once failed CI on a crash no earlier
run had met, and a landing should not depend on the draw. Exploring is a separate, deliberate act:
`make fuzz` (GONGKAI_FUZZ_EXPLORE=1) draws fresh seeds; whatever it finds becomes a regression test
below.
"""

from __future__ import annotations

import io
import os
import signal
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.model import ParsedReport, UnreadableInput
from pipelines.parsing.parse import parse_bytes
from tests.conftest import SAMPLES

SCALE = float(os.environ.get("GONGKAI_FUZZ_SCALE", "1"))
EXPLORE = os.environ.get("GONGKAI_FUZZ_EXPLORE") == "1"
# One parse of a mutated report takes milliseconds (a PDF up to a second); far beyond that is a hang.
HANG_SECONDS = 20
NAMES = ["r.html", "r.htm", "r.txt", "r.md", "r.pdf", "r.docx", "r.doc", "r", "报告.shtml"]
# What tables and reports are made of: the mapper's and the glued-digit splitter's raw material.
TEXT_ALPHABET = st.sampled_from(
    list(
        "0123456789|-—–/ \t\n\r：:，,。.（）()一二三四五六七八九十合计总计小计件万元"
        "申请人自然人法人予以公开不予公开无其他表年度报告政府信息公开"
    )
    + ["\u3000", "\ufffd"]
)
# Markup that table readers care about (HTML and WordprocessingML).
MARKUP = [
    "<td>",
    "</td>",
    "<tr>",
    "</tr>",
    "<table>",
    "</table>",
    '<td colspan="3">',
    '<td rowspan="2">',
    "<th>",
    "<br>",
    "<p>",
    "</p>",
    "&nbsp;",
    "&#12288;",
    '<w:gridSpan w:val="2"/>',
    "<w:vMerge/>",
    '<w:vMerge w:val="restart"/>',
    "</w:tc><w:tc>",
    "</w:tr><w:tr>",
    "<w:t>",
    "</w:t>",
    "<w:tab/>",
]


def _samples(*suffixes: str) -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if p.suffix in suffixes)


def _examples(n: int, *, slow: bool) -> int:
    return max(1, int(n * SCALE * (10 if slow else 1)))


@contextmanager
def no_hang(seconds: int = HANG_SECONDS) -> Iterator[None]:
    def alarm(signum: int, frame: Any) -> None:
        raise TimeoutError(f"parse_bytes did not return within {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check(data: bytes, name: str) -> None:
    with no_hang():
        try:
            report = parse_bytes(data, name)
        except UnreadableInput as e:
            assert str(e).strip(), "an UnreadableInput needs a reason"
            return
    assert isinstance(report, ParsedReport)
    assert report.format_version in ("F2019", "F2021")


def _position(draw: st.DrawFn, size: int, low: float = 0.0) -> int:
    # A fraction, not an offset: Hypothesis favours small integers, which would put every mutation
    # in the first bytes (the header) and never in the tables.
    return min(size, int(draw(st.floats(low, 1.0)) * size))


@st.composite
def byte_mutations(draw: st.DrawFn, source: bytes) -> bytes:
    data = bytearray(source)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = min(_position(draw, len(data)), len(data) - 1)
        op = draw(st.sampled_from(["flip", "flip", "insert", "delete", "repeat", "truncate"]))
        if op == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 4096))]
        elif op == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 2048))] * draw(st.integers(2, 4))
        else:  # keep at least half: a file cut at its first bytes says little
            data[_position(draw, len(data), 0.5) :] = b""
    return bytes(data)


@st.composite
def text_mutations(draw: st.DrawFn, source: str, markup: bool = False) -> str:
    text = source
    alphabet = st.one_of(TEXT_ALPHABET, st.sampled_from(MARKUP)) if markup else TEXT_ALPHABET
    for _ in range(draw(st.integers(1, 8))):
        at = _position(draw, len(text))
        op = draw(st.sampled_from(["insert", "delete", "replace", "swap_lines"]))
        if op == "insert":
            text = text[:at] + "".join(draw(st.lists(alphabet, min_size=1, max_size=20))) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 200)) :]
        elif op == "replace":
            text = text[:at] + "".join(draw(st.lists(alphabet, min_size=1, max_size=12))) + text[at + 12 :]
        else:
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


def _docx_mutated(paths: list[Path]) -> st.SearchStrategy[tuple[bytes, str]]:
    """Word files whose document.xml is mutated as text and zipped again: byte flips in the ZIP
    would only ever reach the CRC check, never the reader."""

    def one(p: Path) -> st.SearchStrategy[tuple[bytes, str]]:
        with zipfile.ZipFile(p) as z:
            parts = {name: z.read(name) for name in z.namelist()}
        xml = parts["word/document.xml"].decode("utf-8")

        def rezip(text: str) -> tuple[bytes, str]:
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as out:
                for name, data in parts.items():
                    out.writestr(name, text.encode("utf-8") if name == "word/document.xml" else data)
            return buf.getvalue(), p.name

        return text_mutations(xml, markup=True).map(rezip)

    return st.sampled_from(paths).flatmap(one)


def _html_mutated(paths: list[Path]) -> st.SearchStrategy[tuple[bytes, str]]:
    def one(p: Path) -> st.SearchStrategy[tuple[bytes, str]]:
        text = p.read_bytes().decode("gb18030", errors="replace")
        return text_mutations(text, markup=True).map(
            lambda t: (t.encode("gb18030", errors="replace"), p.name)
        )

    return st.sampled_from(paths).flatmap(one)


def _read(path: Path) -> bytes:
    return path.read_bytes()


def _mutated(
    paths: list[Path], mutate: Callable[[bytes], st.SearchStrategy[bytes]]
) -> st.SearchStrategy[tuple[bytes, str]]:
    return st.sampled_from(paths).flatmap(lambda p: mutate(_read(p)).map(lambda b: (b, p.name)))


def _text_mutated(paths: list[Path]) -> st.SearchStrategy[tuple[bytes, str]]:
    def one(p: Path) -> st.SearchStrategy[tuple[bytes, str]]:
        raw = _read(p)
        encoding = "gb18030" if b"gb2312" in raw[:2048].lower() else "utf-8"
        text = raw.decode(encoding, errors="replace")
        return text_mutations(text).map(lambda t: (t.encode(encoding, errors="replace"), p.name))

    return st.sampled_from(paths).flatmap(one)


def fuzz_settings(examples: int, *, slow: bool) -> settings:
    return settings(
        max_examples=_examples(examples, slow=slow),
        deadline=None,
        derandomize=not EXPLORE,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )


def run_all(slow: bool) -> None:
    text_like = _samples(".html", ".txt", ".md")
    html = _samples(".html")

    @fuzz_settings(400, slow=slow)
    @given(st.binary(max_size=4096), st.sampled_from(NAMES))
    def random_bytes(data: bytes, name: str) -> None:
        check(data, name)

    @fuzz_settings(150, slow=slow)
    @given(
        st.sampled_from(
            [b"%PDF-1.", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"<html>", b"<table>", b"\xef\xbb\xbf"]
        ),
        st.binary(max_size=2048),
        st.sampled_from(NAMES),
    )
    def magic_prefixed(magic: bytes, rest: bytes, name: str) -> None:
        check(magic + rest, name)

    @fuzz_settings(600, slow=slow)
    @given(_mutated(text_like, byte_mutations))
    def mutated_text_bytes(case: tuple[bytes, str]) -> None:
        check(*case)

    @fuzz_settings(700, slow=slow)
    @given(_text_mutated(text_like))
    def mutated_text_chars(case: tuple[bytes, str]) -> None:
        check(*case)

    @fuzz_settings(350, slow=slow)
    @given(_html_mutated(html))
    def mutated_html_markup(case: tuple[bytes, str]) -> None:
        check(*case)

    @fuzz_settings(150, slow=slow)
    @given(_docx_mutated(_samples(".docx")))
    def mutated_docx(case: tuple[bytes, str]) -> None:
        check(*case)

    @fuzz_settings(80, slow=slow)
    @given(_mutated(_samples(".pdf"), byte_mutations))
    def mutated_pdf(case: tuple[bytes, str]) -> None:
        check(*case)

    for test in (
        random_bytes,
        magic_prefixed,
        mutated_text_bytes,
        mutated_text_chars,
        mutated_html_markup,
        mutated_docx,
        mutated_pdf,
    ):
        test()


def test_parse_bytes_never_crashes() -> None:
    run_all(slow=False)


@pytest.mark.slow
def test_parse_bytes_never_crashes_longer() -> None:
    run_all(slow=True)


def test_dump_header_title_without_a_colon() -> None:
    # found by the fuzzer: a crawler dump whose first line is "标题 …" (no colon) raised IndexError
    text = "标题 2019年某局政府信息公开工作年度报告\n==================== 正文 ====================\n正文"
    check(text.encode("utf-8"), "dump.txt")


def test_report_without_any_section_heading() -> None:
    # found by the fuzzer in CI: tables intact but every numbered heading mutated away raised ValueError
    sample = next(p for p in _samples(".txt") if "|" in p.read_text("utf-8", errors="replace"))
    text = sample.read_text("utf-8", errors="replace")
    for numeral in "一二三四五六":
        text = text.replace(numeral + "、", numeral + " ")
    report = parse_bytes(text.encode("utf-8"), sample.name)
    assert report.sections == {}
    assert report.cells, "the tables still parse"
