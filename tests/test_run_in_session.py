"""A converter that hangs is killed with everything it started (soffice runs soffice.bin as a child)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from conftest import process_alive

from pipelines.parsing.readers.legacy import run_in_session

HANG = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
open(sys.argv[1], "w").write(str(child.pid))
time.sleep(600)
"""


def test_a_hanging_converter_and_its_child_are_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "child"
    # 8 s: room for a loaded machine to start the converter before the timeout
    assert run_in_session([sys.executable, "-c", HANG, str(pid_file)], timeout=8) is False
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 30
    while process_alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_alive(child)


def test_a_converter_that_finishes_in_time(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_in_session([sys.executable, "-c", f"open({str(out)!r}, 'w').write('ok')"], timeout=60)
    assert out.read_text() == "ok"
