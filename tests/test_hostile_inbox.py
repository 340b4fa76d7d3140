"""One night with every kind of file that once stopped, sank or distorted a run (issue 11), in one
inbox: `gongkai run` exits 0, the good files are loaded, each bad one is quarantined with its
reason, and nothing loaded before changes.

A folder nobody may list is listable by root, who runs CI: there the listing is made to fail as it
would for anyone else, and a second test checks the real chmod 000 as another user.
"""

from __future__ import annotations

import io
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import REPO, SAMPLES
from test_bounded_parse import _dump
from test_truncation import _cut
from test_years import _as_year

GBK_NAME = "盐都区商务局2019年报.txt".encode("gbk")
NOT_GB18030 = b"\xff\xfe-report.txt"
FIRST = [
    "320903-finance_2021.txt",
    "320903-finance_2024.html",
    "320903-gov_2019.pdf",
    "320903-gov_2023.docx",
    "320903-hrss_2019.md",
]


def _unlistable(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """chmod 000 on folder; as root (CI), who lists it anyway, listing it fails as it would for
    anyone else (test_unlistable_folder_as_another_user checks the real thing)."""
    folder.chmod(0)
    if os.geteuid() != 0:
        return
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if not isinstance(path, int) and os.fsdecode(path) == str(folder):
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def _docx_with_body(size: int) -> bytes:
    """A Word file whose document.xml is `size` bytes uncompressed (a few hundred KB zipped)."""
    src = zipfile.ZipFile(SAMPLES / "320903-gov_2023.docx")
    xml = src.read("word/document.xml")
    at = xml.index(b"<w:body>") + len(b"<w:body>")
    para = "<w:p><w:r><w:t>正文</w:t></w:r></w:p>".encode()
    body = xml[:at] + para * ((size - len(xml)) // len(para) + 1) + xml[at:]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item, body if item.filename == "word/document.xml" else src.read(item.filename))
    return out.getvalue()


def _nested_html(depth: int) -> bytes:
    page = (SAMPLES / "320903-finance_2024.html").read_bytes()
    at = page.index(b">", page.index(b"<body")) + 1
    end = page.index(b"</body")
    return page[:at] + b"<div>" * depth + page[at:end] + b"</div>" * depth + page[end:]


def _hostile(inbox: Path) -> dict[str, str]:
    """Write the night's files; returns each bad one's stored name -> a part of its reason."""
    dump = "320903-finance_2025.txt"
    (inbox / "glued").mkdir()
    # glued digits: a plausible 30-digit 表四 with one total off by one, 30 random digits, a 60-digit row
    (inbox / "glued" / "t4-plausible.txt").write_bytes(_dump(t4="121314155421111310551112131451"))
    (inbox / "glued" / "t4-random.txt").write_bytes(_dump(t4="887789328792174218096792908100"))
    (inbox / "glued" / "t3-60-digits.txt").write_bytes(
        _dump(t3="439075793834701746814538401916146100330766619345145061231007")
    )
    # a GBK file name out of a Windows zip: a good report
    os.makedirs(os.fsencode(inbox / "zip"), exist_ok=True)
    with open(os.fsencode(inbox / "zip") + b"/" + GBK_NAME, "wb") as f:
        f.write((SAMPLES / "320903-commerce_2019.txt").read_bytes() + "\n（转自Windows压缩包）\n".encode())
    with open(os.fsencode(inbox / "zip") + b"/" + NOT_GB18030, "wb") as f:
        f.write(b"\x00\x01\x02 not a report")
    # large for its kind, under the 50 MB file limit
    line = "本机关认真贯彻落实政府信息公开条例，主动公开政府信息。\n".encode()
    (inbox / "large-text.txt").write_bytes((SAMPLES / dump).read_bytes() + line * (45 * 2**20 // len(line)))
    (inbox / "large-body.docx").write_bytes(_docx_with_body(20 * 2**20))
    (inbox / "large-table.html").write_bytes(
        b"<html><body><table>" + b"<tr><td>1</td><td>2</td></tr>" * 150_000 + b"</table></body></html>"
    )
    # impossible year, a text report cut at 60%, an empty file, binary junk
    (inbox / "year-2031.txt").write_bytes(_as_year(2031))
    (inbox / "cut-at-60.txt").write_bytes(_cut("320903-finance_2021.txt", 0.6))
    (inbox / "empty.pdf").write_bytes(b"")
    (inbox / "junk.bin").write_bytes(bytes(range(256)) * 64)
    # deep markup: a good report inside 300 nested <div>s
    (inbox / "nested-300.html").write_bytes(_nested_html(300))
    # a link out of the inbox, and a folder nobody may list
    os.symlink("/etc/passwd", inbox / "passwd.txt")
    (inbox / "locked").mkdir()
    shutil.copy(SAMPLES / "320903-hrss_2020.txt", inbox / "locked" / "hrss_2020.txt")
    return {
        "zip/\\xff\\xfe-report.txt": "binary data of unknown type, not a report",
        "large-text.txt": "text file too large for a report",
        "large-body.docx": "Word document body too large for a report",
        "large-table.html": "HTML page has too many tags for a report",
        "year-2031.txt": "report for 2031: a statistics year after the current year",
        "cut-at-60.txt": "truncated report: its tables stop part-way",
        "empty.pdf": "empty file",
        "junk.bin": "binary data of unknown type, not a report",
        "passwd.txt": "symbolic link to a file outside the inbox: not followed",
        "locked/": "cannot read folder: Permission denied",
    }


def _rows(wh: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute(sql).fetchall()


def _run(capsys: pytest.CaptureFixture[str], inbox: Path, wh: Path, site: Path) -> tuple[int, str, str]:
    from pipelines.cli.main import main

    code = main(["run", "--inbox", str(inbox), "--warehouse", str(wh), "--site", str(site)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_every_hostile_file_in_one_night(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for var in ("GONGKAI_SOURCES", "GONGKAI_WORKERS", "GONGKAI_SCHEDULER"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # no sources.yaml here: nothing is fetched
    inbox, wh, site = tmp_path / "inbox", tmp_path / "wh.duckdb", tmp_path / "site"
    inbox.mkdir()
    for name in FIRST:
        shutil.copy(SAMPLES / name, inbox / name)
    code, _, err = _run(capsys, inbox, wh, site)
    assert code == 0, err
    before = _rows(wh, "SELECT * FROM dim_report ORDER BY report_id")
    cells_before = _rows(wh, "SELECT * FROM fact_cell ORDER BY report_id, cell_id")
    assert len(before) == len(FIRST)

    bad = _hostile(inbox)
    _unlistable(monkeypatch, inbox / "locked")
    # a site build killed part-way left its folder beside the site
    stale = tmp_path / ".site.building-999999999-abcd1234"
    (stale / "organ").mkdir(parents=True)
    try:
        code, out, err = _run(capsys, inbox, wh, site)
    finally:
        (inbox / "locked").chmod(0o755)
    assert code == 0, err
    assert err == ""

    # nothing loaded before changed
    ids = {r[0] for r in before}
    assert [r for r in _rows(wh, "SELECT * FROM dim_report ORDER BY report_id") if r[0] in ids] == before
    cells = _rows(wh, "SELECT * FROM fact_cell ORDER BY report_id, cell_id")
    assert [r for r in cells if r[0] in ids] == cells_before

    # the good files are loaded, the GBK name readable and its bytes kept
    loaded = {name for (name,) in _rows(wh, "SELECT file_name FROM dim_report")}
    gbk = "zip/盐都区商务局2019年报.txt"
    good = {gbk, "glued/t4-plausible.txt", "glued/t4-random.txt", "glued/t3-60-digits.txt", "nested-300.html"}
    assert good <= loaded, loaded
    assert len(loaded) == len(FIRST) + len(good)
    assert _rows(wh, f"SELECT raw_path FROM source_file WHERE path = '{gbk}'") == [(b"zip/" + GBK_NAME,)]
    uncertain = _rows(
        wh,
        "SELECT count(*) FROM fact_cell JOIN dim_report USING (report_id) "
        "WHERE file_name = 'glued/t4-random.txt' AND cell_id LIKE 't4.%' AND uncertain",
    )
    assert uncertain == [(15,)]

    # each bad one quarantined with its reason, and named in the run's summary
    reasons = dict(_rows(wh, "SELECT file_name, reason FROM quarantine"))
    assert set(reasons) == set(bad), reasons
    for name, why in bad.items():
        assert why in reasons[name] and reasons[name].count("cannot read") <= 1, (name, reasons[name])
        assert name in out
    assert not _rows(wh, "SELECT * FROM fact_section WHERE text LIKE '%root:%:0:0:%'")  # /etc/passwd unread
    assert not stale.exists()

    # the folder readable again: its report loads and its quarantine row goes
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, inbox, wh, site)
    assert code == 0, err
    assert "locked/hrss_2020.txt" in {name for (name,) in _rows(wh, "SELECT file_name FROM dim_report")}
    assert "locked/" not in dict(_rows(wh, "SELECT file_name, reason FROM quarantine"))
    assert "locked/" not in out


def test_unlistable_folder_as_another_user(tmp_path: Path) -> None:
    """The real chmod 000, seen by a user who may not list it (root may; CI runs as root)."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root (to become another user) and setpriv")
    place = Path(tempfile.mkdtemp(prefix="gongkai-locked-", dir="/tmp"))
    try:
        place.chmod(0o755)
        (place / "inbox" / "locked").mkdir(parents=True)
        (place / "inbox" / "a.txt").write_text("x")
        (place / "inbox" / "locked" / "b.txt").write_text("x")
        (place / "inbox" / "locked").chmod(0)
        nobody = pwd.getpwnam("nobody")
        code = (
            "import sys; from pathlib import Path; from pipelines.ingest import scan; "
            "files, problems = scan.walk(Path(sys.argv[1])); "
            "print([p.name for p in files], [(p.name, why) for p, why in problems])"
        )
        done = subprocess.run(
            [setpriv, f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
             sys.executable, "-c", code, str(place / "inbox")],
            capture_output=True, text=True, cwd=REPO,
        )  # fmt: skip
        if done.returncode != 0 and "Permission denied" in done.stderr and "python" in done.stderr:
            pytest.skip("nobody cannot run the project's Python here")
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "['a.txt'] [('locked', 'cannot read folder: Permission denied')]"
    finally:
        (place / "inbox" / "locked").chmod(0o755)
        shutil.rmtree(place, ignore_errors=True)
