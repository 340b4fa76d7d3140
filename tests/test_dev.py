"""`make dev` stops as a whole when its process group is sent SIGTERM: what it starts is killed
after a short grace even when it ignores the signal (dagster dev's children took over a minute)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, process_alive

# A stand-in for dagster dev: ignores SIGINT and SIGTERM and starts a child that does too.
STUBBORN = """
import os, signal, subprocess, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"])
open(sys.argv[1], "w").write(f"{os.getpid()} {child.pid}")
time.sleep(600)
"""


def _wait(path: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists() or not path.read_text():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_sigterm_to_the_group_ends_everything(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    code = (
        "import sys; from pipelines.orchestration.dev import main; "
        f"sys.exit(main([sys.executable, '-c', {STUBBORN!r}, {str(pids)!r}], grace=1.0))"
    )
    launcher = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, start_new_session=True)
    try:
        _wait(pids)
        stubborn, child = (int(x) for x in pids.read_text().split())
        os.killpg(launcher.pid, signal.SIGTERM)  # what a process manager (or kill -TERM -PGID) does
        os.kill(launcher.pid, signal.SIGTERM)  # and make passes it on once more to its recipe
        assert launcher.wait(timeout=60) == 0
        deadline = time.monotonic() + 30
        while (process_alive(stubborn) or process_alive(child)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not process_alive(stubborn) and not process_alive(child)
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()


@pytest.mark.slow
def test_make_dev_stops_on_sigterm(tmp_path: Path) -> None:
    """The real thing: `make dev` up (webserver serving), then SIGTERM to its process group."""
    log = tmp_path / "dev.log"
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster")}
    with open(log, "wb") as out:
        make = subprocess.Popen(
            ["make", "dev"], cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )
    tree: list[int] = []
    try:
        deadline = time.monotonic() + 180
        while b"Serving dagster-webserver" not in log.read_bytes():
            assert make.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.5)
        tree = _descendants(make.pid)
        assert len(tree) >= 3  # the launcher, dagster dev, its webserver and daemon
        os.killpg(make.pid, signal.SIGTERM)
        try:
            make.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("make dev outlived SIGTERM by 60 s:\n" + log.read_text(errors="replace")[-3000:])
        deadline = time.monotonic() + 30
        while any(process_alive(p) for p in tree) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [p for p in tree if process_alive(p)]
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
        for pid in tree:  # dagster dev runs in a session of its own: never leave it behind
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out
