"""What the command line says: a failed run is one line (the trace in WAREHOUSE.log, on the console
with -v), `gongkai parse FILE | head` ends quietly, and the workers setting is checked."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SAMPLES

from pipelines.cli.main import EXIT_PIPE, main
from pipelines.settings import Settings
from pipelines.warehouse import staging


def _busy(wh: Path) -> None:
    """A live run (pid 1, always there) holds the staging copy: the next run fails at its first step."""
    owner = {"run_id": "other", "pid": 1, "host": socket.gethostname(), "started_at": "now"}
    staging.owner_path(wh).write_text(json.dumps(owner), encoding="utf-8")


@pytest.mark.parametrize("verbose", [False, True])
def test_a_failed_run_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], verbose: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GONGKAI_SOURCES", raising=False)
    inbox, wh = tmp_path / "inbox", tmp_path / "wh.duckdb"
    inbox.mkdir()
    _busy(wh)
    code = main(["run", "--inbox", str(inbox), "--warehouse", str(wh), *(["-v"] if verbose else [])])
    err = capsys.readouterr().err
    assert code == 1
    last = err.rstrip("\n").splitlines()[-1]
    assert last == (
        f"gongkai: run failed in ingest: run other (pid 1 on {socket.gethostname()}, since now) is building "
        f"{wh}.staging; not starting a second build ({wh} was left as it was; the full trace is in {wh}.log)"
    )
    log = Path(f"{wh}.log").read_text(encoding="utf-8")
    assert "STEP_FAILURE ingest" in log and "Stack Trace:" in log
    if verbose:
        assert "Stack Trace:" in err and "STEP_FAILURE" in err
    else:
        assert err.count("\n") == 1


def test_parse_into_a_closed_pipe_ends_quietly() -> None:
    # the JSON (76 KB) is more than the pipe holds, so the writer meets the closed pipe
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli.main", "parse", str(SAMPLES / "320903-gov_2024.pdf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10) == b'{\n  "agenc'
    proc.stdout.close()  # `| head -c 10`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == EXIT_PIPE
    assert err == ""


def test_workers_setting(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("GONGKAI_WORKERS", raising=False)
    assert Settings.load().workers is None
    assert Settings.load(workers=3).workers == 3
    monkeypatch.setenv("GONGKAI_WORKERS", "2")
    monkeypatch.setenv("GONGKAI_SCHEDULER", "tcp://10.0.0.5:8786")
    assert (Settings.load().workers, Settings.load().scheduler) == (2, "tcp://10.0.0.5:8786")
    assert Settings.load(workers=0).workers == 0  # an argument wins
    monkeypatch.setenv("GONGKAI_WORKERS", "many")
    with pytest.raises(ValueError, match="workers must be a whole number"):
        Settings.load()
    assert main(["run", "--workers", "-1"]) == 2
    assert "--workers: must be 0 or more" in capsys.readouterr().err
