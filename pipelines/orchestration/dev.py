"""`make dev`: the Dagster UI and daemon (`dagster dev`), stopped as a whole and promptly.

`dagster dev` runs a webserver, a daemon and code servers. Given SIGTERM together (a process
manager, or `kill -TERM -PGID` of `make dev`), each starts its own shutdown and the parent then
waits up to a minute per child, so the group outlived the signal by over 60 s. Here `dagster dev`
runs in a process group of its own: a SIGTERM, SIGINT or SIGHUP to this process is passed on as
one SIGINT to `dagster dev` (Dagster's own clean shutdown, a few seconds), and whatever of its group
is still there after that, or after GRACE_SECONDS, is killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

GRACE_SECONDS = 10.0


def main(argv: Sequence[str] | None = None, *, grace: float = GRACE_SECONDS) -> int:
    command = list(argv) if argv else [str(Path(sys.executable).with_name("dagster")), "dev"]
    # A plain flag: a handler that took a lock (threading.Event.set) could deadlock on the lock
    # the interrupted main thread holds inside Event.wait, and the group would never be stopped.
    asked_to_stop: list[int] = []

    def asked(signum: int, frame: object) -> None:
        asked_to_stop.append(signum)

    # Caught before the start, so that the child starts with the default actions (a signal ignored
    # here, as SIGINT is in a background job of a script, would stay ignored in dagster dev).
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, asked)
    proc = subprocess.Popen(command, start_new_session=True)
    while proc.poll() is None and not asked_to_stop:
        time.sleep(0.2)
    if proc.poll() is None:
        with suppress(ProcessLookupError):
            proc.send_signal(signal.SIGINT)
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    # The group outlives its leader when a child did not stop with it: end it.
    _signal_group(proc.pid, signal.SIGKILL)
    code = proc.wait()
    return 0 if asked_to_stop else code


def _signal_group(pgid: int, sig: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
