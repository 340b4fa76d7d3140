"""Legacy Word (.doc) and WPS (.wps) files: OLE2 compound documents, converted to .docx with
LibreOffice when it is installed, then read by the .docx reader.

No pure-Python reader recovers Word 97 tables reliably, and WPS is undocumented; LibreOffice reads
both. Each conversion runs in its own temporary directory with its own LibreOffice profile, so
parallel conversions do not collide on LibreOffice's single-instance lock.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from pipelines.model import UnreadableInput

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TIMEOUT_S = 60
_MAX_OUTPUT = 100 * 1024 * 1024


# Directory entry names are UTF-16LE: Word 97 and WPS keep the text in "WordDocument", MS Works
# .wps in "CONTENTS".
_WORD_STREAMS = tuple(name.encode("utf-16-le") for name in ("WordDocument", "CONTENTS"))


def not_a_word_file(data: bytes) -> str | None:
    """Why OLE2-looking bytes are not a Word or WPS document, or None. Checked before LibreOffice is
    started: a damaged header or an Excel/PowerPoint file would cost a conversion attempt (about a
    second) to learn the same."""
    if not data.startswith(OLE2_MAGIC) or len(data) < 512:
        return "legacy Word/WPS file: damaged OLE2 header"
    if not any(stream in data for stream in _WORD_STREAMS):
        return "OLE2 file without a Word document stream (Excel, PowerPoint or other): not a report"
    return None


def soffice_path() -> str | None:
    """The LibreOffice executable on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_legacy(data: bytes, timeout: float = TIMEOUT_S) -> bytes | None:
    """.doc/.wps bytes -> .docx bytes, or None when LibreOffice is not installed.

    Raises UnreadableInput when the bytes are not a Word/WPS document, or when LibreOffice cannot
    convert them (corrupt, password-protected, or not finished within `timeout` seconds).
    """
    problem = not_a_word_file(data)
    if problem:
        raise UnreadableInput(problem)
    exe = soffice_path()
    if exe is None:
        return None
    with tempfile.TemporaryDirectory(prefix="gongkai-legacy-") as tmp:
        work = Path(tmp)
        source = work / "report.doc"  # LibreOffice detects Word vs WPS by content, not by name
        source.write_bytes(data)
        out_dir = work / "out"
        cmd = soffice_command(exe, work / "profile", "docx:MS Word 2007 XML", out_dir, [source])
        if not run_in_session(cmd, timeout):
            raise UnreadableInput(
                f"legacy Word/WPS file: LibreOffice conversion timed out after {timeout:g} s"
            )
        produced = out_dir / "report.docx"
        if not produced.is_file() or produced.stat().st_size == 0:
            raise UnreadableInput(
                "legacy Word/WPS file: LibreOffice could not convert it (corrupt or protected)"
            )
        if produced.stat().st_size > _MAX_OUTPUT:
            raise UnreadableInput("legacy Word/WPS file: converted document too large")
        return produced.read_bytes()


def soffice_command(
    exe: str, profile: Path, filter_name: str, out_dir: Path, sources: Sequence[Path]
) -> list[str]:
    """LibreOffice converting `sources` into `out_dir` with `filter_name`, headless, with a profile of
    its own (a shared profile is locked by another running LibreOffice)."""
    return [
        exe,
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--nodefault",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        filter_name,
        "--outdir",
        str(out_dir),
        *map(str, sources),
    ]


def run_in_session(cmd: list[str], timeout: float, env: Mapping[str, str] | None = None) -> bool:
    """Run a converter in a session of its own; False when it did not finish within `timeout`, in
    which case its whole process tree has been killed (soffice starts soffice.bin as a child)."""
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=dict(env) if env is not None else None,
    )
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return False
    return True
