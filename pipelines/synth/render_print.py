"""Reports as archivists save them: a report's web page printed to PDF by a browser (打印 → 另存为
PDF), and the page opened in an office suite and saved as Word (.docx, and .doc from older
desks). Both keep the site's chrome — header, navigation, breadcrumb, column names, the 来源/时间
line, share and print buttons, footer links — around the report.

The page is the synthetic site page of its style (render_html), with the site's stylesheet as the
browser would have loaded it: table borders, the navigation laid out in a row. Headless Chromium
prints it on A4 with the browser's print header and footer (date and time and page title above,
address and page x/y below), here drawn by @page margin boxes so that the date is the report's
and the same seed gives the same bytes; the PDF's creation date is set to it too. LibreOffice
converts a whole batch of pages per call; the .docx's zip entries get the report's date.

Generating takes about a second per printed page and a few seconds per LibreOffice batch, so these
media are opt-in (`gongkai synth --media printed-pdf=1,office-docx=1,office-doc=1`).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from pipelines.parsing.readers.legacy import run_in_session, soffice_command, soffice_path

# medium -> the quirk its reports carry in the expected JSON (what `gongkai bench accuracy` groups)
MEDIA = {"printed-pdf": "browser_print", "office-docx": "office_convert", "office-doc": "office_convert"}
OFFICE = {"office-docx": "docx", "office-doc": "doc"}
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",  # the print header and footer come from the page's @page boxes
)
TIMEOUT_S = 120
# The stylesheet each site style's pages load (the synthetic pages link it; printing uses it inline).
SITE_CSS = {
    "trs": (
        ".header .top_bar a,.nav li{display:inline-block;margin-right:1em}.nav{list-style:none;padding:0}"
        ".crumb{margin:8px 0;font-size:14px}.article_title{font-size:24px;font-weight:bold;text-align:center;"
        "margin:16px 0}.article_extend{text-align:center;font-size:13px;color:#666}.article_content p"
        "{line-height:1.8}.article_btns{text-align:right}.footer{border-top:1px solid #ccc;font-size:12px}"
        ".footer .links a{margin-right:1em}"
    ),
    "word": (
        ".top a{margin-right:.5em}.bt{font-size:22px;font-weight:bold;text-align:center;margin:14px 0}"
        ".info{text-align:center;font-size:12px;color:#666;margin-bottom:10px}.bottom{text-align:center;"
        "font-size:12px;border-top:1px solid #999;margin-top:16px}"
    ),
    "portal": (
        ".g-header nav ul{list-style:none;padding:0}.g-header nav li{display:inline-block;margin-right:1em}"
        ".location{font-size:13px;margin:8px 0}.xxgk-meta{width:100%;border-collapse:collapse;font-size:12px;"
        "background:#f5f8fc}.xxgk-meta td{border:1px solid #dde3ea;padding:4px 6px}.article-title"
        "{font-size:24px;text-align:center}.zwgk-table{border-collapse:collapse;margin:10px auto}"
        ".zwgk-table th,.zwgk-table td{border:1px solid #333;padding:4px 6px;text-align:center}"
        ".share,.g-footer{font-size:12px}.g-footer a{margin-right:1em}"
    ),
    "legacy": (
        "body{font-size:12px}.nav{background:#c00;color:#fff;padding:4px}.nav a{color:#fff}.dqwz{font-size:12px}"
        ".title{padding:12px 0}.date{color:#666;border-bottom:1px dashed #999;padding-bottom:6px}"
        ".content{padding:10px 20px;line-height:1.8}"
    ),
}


@dataclass(frozen=True)
class Page:
    """One page to print or convert: its HTML (in the style's encoding), the page title the browser
    shows, the address it was printed from, when (year, month, day, hour, minute), and whether the
    browser wrote that date the Chinese way (2025/1/27 10:54) or the US way (1/27/25, 10:54 AM)."""

    html: bytes
    title: str
    url: str
    saved: tuple[int, int, int, int, int]
    us_clock: bool = False

    @property
    def printed(self) -> str:
        y, mo, d, h, mi = self.saved
        if self.us_clock:
            return f"{mo}/{d}/{y % 100:02d}, {(h - 1) % 12 + 1}:{mi:02d} {'AM' if h < 12 else 'PM'}"
        return f"{y}/{mo}/{d} {h}:{mi:02d}"


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def missing_tool(media: Collection[str]) -> str | None:
    """Why these media cannot be generated on this machine, or None."""
    if "printed-pdf" in media and chromium_path() is None:
        return "medium printed-pdf needs Chromium (make system-packages installs it)"
    if any(m in OFFICE for m in media) and soffice_path() is None:
        return "media office-docx/office-doc need LibreOffice (make system-packages installs it)"
    return None


def with_print_style(page: Page, style: str) -> bytes:
    """The page with its site stylesheet and the browser's print header and footer."""

    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return _with_css(
        page.html,
        SITE_CSS.get(style, "")
        + "@page{size:A4;margin:12mm 10mm;"
        + f"@top-left{{content:{quoted(page.printed)};font-size:8pt}}"
        + f"@top-center{{content:{quoted(page.title)};font-size:8pt}}"
        + f"@bottom-left{{content:{quoted(page.url)};font-size:8pt}}"
        + '@bottom-right{content:counter(page) "/" counter(pages);font-size:8pt}}',
    )


def for_office(page: Page, style: str) -> Page:
    """The page with its site stylesheet, as an office suite opening the saved page has it."""
    return Page(
        _with_css(page.html, SITE_CSS.get(style, "")), page.title, page.url, page.saved, page.us_clock
    )


def _with_css(html: bytes, css: str) -> bytes:
    tag = f"<style>{css}</style>".encode("ascii", "xmlcharrefreplace")
    # the CSS is ASCII except for the titles: written as CSS escapes, valid in GBK and UTF-8 pages
    tag = re.sub(rb"&#(\d+);", lambda m: f"\\{int(m.group(1)):x} ".encode(), tag)
    head_end = html.lower().find(b"</head>")
    if head_end < 0:
        return tag + html
    return html[:head_end] + tag + html[head_end:]


def print_pdf(page: Page, style: str, timeout: float = TIMEOUT_S) -> bytes:
    """The page printed to PDF by headless Chromium, with a fresh profile."""
    exe = chromium_path()
    if exe is None:
        raise RuntimeError("printed-pdf needs Chromium (make system-packages)")
    with tempfile.TemporaryDirectory(prefix="gongkai-print-") as tmp:
        work = Path(tmp)
        source = work / "page.html"
        source.write_bytes(with_print_style(page, style))
        out = work / "page.pdf"
        _run(
            [
                exe,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={work / 'profile'}",
                f"--print-to-pdf={out}",
                source.as_uri(),
            ],
            timeout,
        )
        if not out.is_file() or out.stat().st_size == 0:
            raise RuntimeError(f"Chromium did not print {page.url}")
        return _pdf_node_ids(_pdf_dates(out.read_bytes(), page.saved))


def print_file(path: Path, timeout: float = TIMEOUT_S) -> bytes:
    """A saved page printed as it is, with the browser's own print header and footer (the time of
    printing, the page title, the file's address, page x/y)."""
    exe = chromium_path()
    if exe is None:
        raise RuntimeError("printing needs Chromium (make system-packages)")
    flags = [f for f in CHROMIUM_FLAGS if f != "--no-pdf-header-footer"]
    with tempfile.TemporaryDirectory(prefix="gongkai-print-") as tmp:
        out = Path(tmp) / "page.pdf"
        profile = Path(tmp) / "profile"
        _run(
            [exe, *flags, f"--user-data-dir={profile}", f"--print-to-pdf={out}", path.resolve().as_uri()],
            timeout,
        )
        if not out.is_file() or out.stat().st_size == 0:
            raise RuntimeError(f"Chromium did not print {path}")
        return out.read_bytes()


def _pdf_dates(pdf: bytes, saved: tuple[int, int, int, int, int]) -> bytes:
    """/CreationDate and /ModDate set to the print date, each keeping its length (the xref table
    holds byte offsets)."""
    stamp = "D:{:04d}{:02d}{:02d}{:02d}{:02d}00".format(*saved).encode()
    return re.sub(rb"(/(?:CreationDate|ModDate) \()D:\d{14}", lambda m: m.group(1) + stamp, pdf)


def _pdf_node_ids(pdf: bytes) -> bytes:
    """The tagged PDF's structure ids (`node00000065`: Chromium's DOM node numbers, which shift when
    the browser is busy) numbered again in the order they first appear, each keeping its length, so
    that the same page prints the same bytes."""
    ids: dict[bytes, bytes] = {}

    def renumber(m: re.Match[bytes]) -> bytes:
        return ids.setdefault(m.group(1), b"%08d" % len(ids))

    return re.sub(rb"(?<=\(node)(\d{8})(?=\))", renumber, pdf)


def office(
    pages: dict[str, Page], fmt: str, dates: dict[str, tuple[int, int, int]], timeout: float = TIMEOUT_S
) -> dict[str, bytes]:
    """Pages (by output name without extension) opened and saved by LibreOffice as `fmt` ("docx" or
    "doc"), all in one LibreOffice run with a fresh profile."""
    exe = soffice_path()
    if exe is None:
        raise RuntimeError(f"office-{fmt} needs LibreOffice (make system-packages)")
    filters = {"docx": "docx:MS Word 2007 XML", "doc": "doc:MS Word 97"}
    if not pages:
        return {}
    with tempfile.TemporaryDirectory(prefix="gongkai-office-") as tmp:
        work = Path(tmp)
        sources = []
        for name, page in pages.items():
            source = work / f"{name}.html"
            source.write_bytes(page.html)
            sources.append(str(source))
        out_dir = work / "out"
        limit = timeout + 5 * len(pages)
        cmd = soffice_command(exe, work / "profile", filters[fmt], out_dir, [Path(x) for x in sources])
        if not run_in_session(cmd, limit, env={**os.environ, "LC_ALL": "C.UTF-8"}):
            raise RuntimeError(f"{Path(exe).name} did not finish within {limit:g} s")
        out: dict[str, bytes] = {}
        for name in pages:
            produced = out_dir / f"{name}.{fmt}"
            if not produced.is_file() or produced.stat().st_size == 0:
                raise RuntimeError(f"LibreOffice did not convert {name} to .{fmt}")
            data = produced.read_bytes()
            out[name] = _zip_dates(data, dates[name]) if fmt == "docx" else data
        return out


def _zip_dates(data: bytes, date: tuple[int, int, int]) -> bytes:
    """The .docx rewritten entry by entry with the report's date (LibreOffice stamps the time of
    conversion)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(*date, 9, 0, 0))
            info.compress_type = item.compress_type
            dst.writestr(info, src.read(item.filename))
    return buf.getvalue()


def _run(cmd: list[str], timeout: float) -> None:
    """Run a converter in a session of its own (so that a timeout kills its whole process tree)."""
    if not run_in_session(cmd, timeout, env={**os.environ, "LC_ALL": "C.UTF-8"}):
        raise RuntimeError(f"{Path(cmd[0]).name} did not finish within {timeout:g} s")
