"""A full disk recovers by itself: a run deletes a dead run's leftovers before writing anything,
checks that there is room for its copy of the warehouse, says how much it needs, and leaves nothing
behind when there is not; once space is freed the next run goes through with no hand cleaning.

On a small filesystem the test mounts (a tmpfs: needs root, which CI has; skipped elsewhere)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SAMPLES, run_nightly, settings_for

from pipelines.orchestration.nightly import materialize_nightly
from pipelines.warehouse import staging

MB = 1024 * 1024
FILES = ["320903-finance_2021.txt", "320903-gov_2025.md", "320903-hrss_2019.md"]


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "fs"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill(path: Path, leave: int = 0) -> None:
    """Write path until the filesystem has `leave` bytes free (0: until it is full)."""
    chunk = b"\0" * MB
    with open(path, "wb") as f:
        while True:
            free = shutil.disk_usage(path.parent).free
            if free <= leave:
                return
            try:
                f.write(chunk[: min(MB, free - leave)] if leave else chunk)
                f.flush()
            except OSError as e:
                assert e.errno == errno.ENOSPC
                return


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(done.stdout)


def _inbox(tmp: Path) -> Path:
    inbox = tmp / "inbox"
    inbox.mkdir()
    for name in FILES:
        shutil.copy(SAMPLES / name, inbox / name)
    return inbox


def _leftovers(wh: Path) -> list[Path]:
    """What a run left beside the warehouse, less the log of the last `gongkai run`."""
    return sorted(
        p
        for p in wh.parent.iterdir()
        if p.name not in (wh.name, wh.name + ".log") and p.name.startswith(wh.name)
    )


def test_a_dead_runs_leftovers_on_a_full_disk_are_cleared_first(small_fs: Path, tmp_path: Path) -> None:
    inbox, wh = _inbox(tmp_path), small_fs / "wh.duckdb"
    run_nightly(inbox, wh, tmp_path)
    # a run killed while copying: its staging copy, a half-copied file, its owner file; then the
    # disk filled up to the last byte
    owner = {"run_id": "killed", "pid": _dead_pid(), "host": socket.gethostname(), "started_at": ""}
    staging.owner_path(wh).write_text(json.dumps(owner), encoding="utf-8")
    shutil.copy(wh, staging.staging_path(wh))
    _fill(staging.staging_path(wh).with_name(wh.name + ".staging.tmp"), leave=0)
    assert shutil.disk_usage(small_fs).free < 16 * 1024  # not even room for the owner file
    shutil.copy(SAMPLES / "320903-commerce_2019.txt", inbox)
    result = run_nightly(inbox, wh, tmp_path)  # asserts the run succeeded
    assert result.success
    assert _leftovers(wh) == []


def test_no_room_is_one_line_that_says_how_much_and_the_next_run_goes_through(
    small_fs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipelines.cli.main import main

    inbox, wh = _inbox(tmp_path), small_fs / "wh.duckdb"
    run_nightly(inbox, wh, tmp_path)
    published = wh.read_bytes()
    need, headroom = staging.room_needed(wh)
    ballast = small_fs / "someone-elses-file"
    _fill(ballast, leave=need // 2)
    shutil.copy(SAMPLES / "320903-commerce_2019.txt", inbox)
    settings = settings_for(inbox, wh, tmp_path)
    failed = materialize_nightly(settings)
    assert not failed.success
    (event,) = failed.get_step_failure_events()
    message = " ".join(str(event.step_failure_data.error.message).split())
    free = shutil.disk_usage(small_fs).free
    assert f"not enough free space in {small_fs}: the run needs {need / MB:,.0f} MB" in message
    assert f"and {headroom / MB:,.0f} MB for the night's writes), {free / MB:,.0f} MB free" in message
    assert _leftovers(wh) == [] and wh.read_bytes() == published
    # the command says it in one line, the trace is in the log beside the warehouse
    monkeypatch.chdir(tmp_path)  # no sources.yaml here
    monkeypatch.delenv("GONGKAI_SOURCES", raising=False)
    capsys.readouterr()
    code = main(["run", "--inbox", str(inbox), "--warehouse", str(wh), "--site", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("gongkai: run failed in ingest: not enough free space in ")
    assert f"{wh} was left as it was; the full trace is in {wh}.log" in err
    log = Path(f"{wh}.log").read_text(encoding="utf-8")
    assert "STEP_FAILURE ingest" in log and "Stack Trace:" in log
    ballast.unlink()
    assert run_nightly(inbox, wh, tmp_path).success
    assert _leftovers(wh) == [] and wh.read_bytes() != published


def test_a_copy_cut_short_by_a_full_disk_leaves_nothing(
    small_fs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wh = small_fs / "wh.duckdb"
    wh.write_bytes(os.urandom(40 * MB))
    _fill(small_fs / "ballast", leave=20 * MB)
    # the check is fooled (another writer filled the disk after it): the copy itself runs out
    monkeypatch.setattr(staging, "room_needed", lambda published: (0, 0))
    with pytest.raises(staging.StagingError, match=r"not enough free space in .*: the run needs 0 KB"):
        staging.prepare(wh, str(uuid.uuid4()))
    assert _leftovers(wh) == []
