"""Bad input never stops a run: every kind of bad file ends in the quarantine table with a clear
reason (or is skipped as a duplicate), and everything else loads, odd file names included."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pytest

from pipelines import ingest as pipeline
from pipelines.parsing import parse
from pipelines.warehouse.load import Rejected
from tests.conftest import SAMPLES, ingest_files

HTML = SAMPLES / "320903-finance_2024.html"  # GBK bytes, declared gb2312
GOOD = {  # good reports under odd names (all distinct bytes)
    "报告 2023（终稿）.txt": "320903-finance_2023.txt",
    'it\'s "quoted" & <tagged>.txt': "320903-finance_2022.txt",
    "sub dir/名字 with spaces.md": "320903-hrss_2021.md",
    "new\nline.txt": "320903-finance_2021.txt",
    "tab\tand;semicolon.txt": "320903-finance_2020.txt",
}
HUGE = 200 * 1024 * 1024


def encrypted_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt="secret")
    c.drawString(100, 700, "2023年政府信息公开工作年度报告")
    c.save()
    return buf.getvalue()


def bad_files() -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, what the quarantine reason must say)."""
    html = HTML.read_bytes()
    report_2019 = (SAMPLES / "320903-commerce_2019.txt").read_bytes()
    future = str(parse.current_year() + 1).encode()
    text_report = (SAMPLES / "320903-finance_2021.txt").read_text(encoding="utf-8")
    news = (
        "<html><head><title>区政府召开常务会议</title></head><body><h1>区政府召开常务会议</h1>"
        "<p>会议研究了政府信息公开工作。</p></body></html>"
    ).encode()
    return {
        "empty.txt": (b"", "empty file"),
        "blank.html": (b"  \n\t \n", "empty file"),
        "garbage.bin": (bytes(range(256)) * 40, "binary"),
        "truncated.html": (html[: len(html) // 2], "truncated HTML"),
        "truncated.txt": (text_report[: len(text_report) * 6 // 10].encode(), "truncated report"),
        "encrypted.pdf": (encrypted_pdf(), "encrypted PDF"),
        "malformed.pdf": (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage", "malformed PDF"),
        "not-a-zip.docx": (b"PK\x03\x04" + b"\x00" * 200, ".docx"),
        "report-2018.txt": (report_2019.replace(b"2019", b"2018"), "report for 2018: before 2019"),
        "report-future.txt": (report_2019.replace(b"2019", future), "after the current year"),
        "news.html": (news, "not an annual report"),
    }


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    tmp = tmp_path_factory.mktemp("bad")
    inbox = tmp / "inbox"
    inbox.mkdir()
    for name, (data, _) in bad_files().items():
        (inbox / name).write_bytes(data)
    for name, sample in GOOD.items():
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes((SAMPLES / sample).read_bytes())
    html = HTML.read_bytes()
    # encodings: none declared, and utf-8 declared over GBK bytes; the bytes decide, so both load
    (inbox / "undeclared.html").write_bytes(html.replace(b"charset=gb2312", b""))
    (inbox / "wrong-charset.html").write_bytes(html.replace(b"charset=gb2312", b"charset=utf-8"))
    (inbox / "twice-a.html").write_bytes(html)
    (inbox / "twice-b.html").write_bytes(html)
    with open(inbox / "huge.html", "wb") as f:  # sparse: 200 MB by stat, no disk
        f.truncate(HUGE)
    run = ingest_files(inbox, tmp / "wh.duckdb")
    return tmp / "wh.duckdb", {"run": run.counts}


def test_each_bad_file_is_quarantined_with_its_reason(loaded: tuple[Path, dict[str, object]]) -> None:
    wh, _ = loaded
    with duckdb.connect(str(wh), read_only=True) as con:
        reasons = dict(con.execute("SELECT file_name, reason FROM quarantine").fetchall())
    expected = {name: why for name, (_, why) in bad_files().items()}
    expected["huge.html"] = "file too large (200 MB, limit 50 MB)"
    assert set(reasons) == set(expected)
    for name, why in expected.items():
        assert why in reasons[name], (name, reasons[name])
        assert "\n" not in reasons[name]


def test_everything_else_loads(loaded: tuple[Path, dict[str, object]]) -> None:
    wh, run = loaded
    with duckdb.connect(str(wh), read_only=True) as con:
        names = {n for (n,) in con.execute("SELECT file_name FROM dim_report").fetchall()}
        organs = {
            a
            for (a,) in con.execute(
                "SELECT DISTINCT agency_name FROM dim_report "
                "WHERE file_name LIKE '%charset%' OR file_name = 'undeclared.html'"
            ).fetchall()
        }
    assert names == set(GOOD) | {"undeclared.html", "wrong-charset.html", "twice-a.html"}
    assert organs == {"盐城市盐都区财政局"}  # decoded right whatever the declaration says
    counts = run["run"]
    assert isinstance(counts, dict)
    assert (counts["parsed"], counts["quarantined"], counts["skipped_duplicates"]) == (
        len(GOOD) + 3,
        len(bad_files()) + 1,
        1,
    )


def test_a_huge_file_is_rejected_from_stat_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = tmp_path / "huge.pdf"
    with open(huge, "wb") as f:
        f.truncate(HUGE)

    def no_read(self: Path) -> bytes:
        raise AssertionError(f"{self} was read into memory")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    result = pipeline.parse_one(huge, "huge.pdf", seen={})
    assert isinstance(result, Rejected)
    assert result.reason == parse.size_problem(HUGE) and result.medium_guess == "pdf"
    assert len(result.content_hash) == 64  # a real content hash, streamed
    with pytest.raises(parse.UnreadableInput, match="too large"):
        parse.parse_file(huge)


def test_one_size_limit() -> None:
    assert parse.size_problem(parse.MAX_BYTES) is None
    assert parse.size_problem(parse.MAX_BYTES + 1)
    with pytest.raises(parse.UnreadableInput, match="too large"):
        parse.read_document(b"x" * (parse.MAX_BYTES + 1), "big.txt")


def test_an_unreadable_file_is_quarantined_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text("x")
    real_read = Path.read_bytes

    def denied(self: Path) -> bytes:  # chmod 000 would not stop root, who runs CI containers
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    result = pipeline.parse_one(locked, "locked.txt", seen={})
    assert isinstance(result, Rejected)
    assert result.reason == "cannot read file: Permission denied"
    assert result.content_hash.startswith("unread:")
