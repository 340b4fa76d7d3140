"""A converter that hangs is killed with everything it started (soffice runs soffice.bin as a child)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from pipelines.parsing.readers.legacy import run_in_session

HANG = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
open(sys.argv[1], "w").write(str(child.pid))
time.sleep(600)
"""


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:  # a zombie has ended; its parent (init, once the group is killed) collects it later
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] == "Z"
    except (OSError, IndexError):
        return True


def test_a_hanging_converter_and_its_child_are_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "child"
    assert (
        run_in_session([sys.executable, "-c", HANG, str(pid_file)], timeout=8) is False
    )  # room to start under load
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 30
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(child)


def test_a_converter_that_finishes_in_time(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_in_session([sys.executable, "-c", f"open({str(out)!r}, 'w').write('ok')"], timeout=60)
    assert out.read_text() == "ok"
