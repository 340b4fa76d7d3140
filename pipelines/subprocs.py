"""Worker processes that take pickled jobs on stdin and answer on stdout: the parser processes of a
run (pipelines/ingest/pool.py) and the page renderers of a site build (pipelines/site/pool.py).

They are started as `python -m MODULE`, not forked and not by multiprocessing: a fork would copy
the DuckDB connection and the threads of the process that starts them, and multiprocessing's
spawn re-imports that process's main script, which breaks under any script without a
`__name__ == "__main__"` guard. Messages are length-prefixed pickles; a worker writes nothing else
on its stdout (what a library prints goes to stderr) and exits when stdin closes or its parent goes
away.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import IO, Any

_HEADER = struct.Struct("<Q")
# How often a worker checks that the process that started it is still there.
_WATCH_SECONDS = 0.5
READY = "ready"


def send(stream: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=5)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def recv(stream: IO[bytes]) -> Any:
    """The next message, or None at the end of the stream."""
    head = _read_exact(stream, _HEADER.size)
    if head is None:
        return None
    (n,) = _HEADER.unpack(head)
    body = _read_exact(stream, n)
    if body is None:
        return None
    return pickle.loads(body)


def _read_exact(stream: IO[bytes], n: int) -> bytes | None:
    chunks = []
    while n:
        chunk = stream.read(n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


class Worker:
    """A worker process, from the side that started it."""

    def __init__(self, module: str) -> None:
        env = dict(os.environ)
        # the package's own folder first: a checkout that is not installed works too
        root = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        # Unbuffered: a buffered reader would take two answers off the pipe at once and the second
        # would wait in its buffer, unseen by select(), for ever.
        self.popen = subprocess.Popen(
            [sys.executable, "-m", module],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
            bufsize=0,
        )
        assert self.popen.stdin is not None and self.popen.stdout is not None
        self.stdin: IO[bytes] = io.BufferedWriter(self.popen.stdin)
        self.stdout: IO[bytes] = self.popen.stdout

    @property
    def pid(self) -> int:
        return self.popen.pid

    def fileno(self) -> int:
        return self.stdout.fileno()

    def send(self, message: Any) -> None:
        send(self.stdin, message)

    def recv(self) -> Any:
        """The next answer, None when the process has ended."""
        try:
            return recv(self.stdout)
        except (OSError, EOFError, ValueError, pickle.UnpicklingError):
            return None

    def close(self) -> None:
        """Let it end (stdin closed), killing it if it does not go at once."""
        with suppress(OSError):
            self.stdin.close()
        try:
            self.popen.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()
        with suppress(OSError):
            self.stdout.close()

    def kill(self) -> None:
        with suppress(OSError):
            self.popen.kill()
        self.popen.wait()
        for stream in (self.stdin, self.stdout):
            with suppress(OSError):
                stream.close()

    def death(self) -> str:
        """How it ended: "exit status N" or "killed by SIGKILL"."""
        import signal

        code = self.popen.wait()
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit status {code}"


def serve(handle: Callable[[Any], Any]) -> int:
    """The worker's side: answer each message with handle(message) until stdin closes. Says READY
    first, once the caller's imports are done."""
    # The protocol gets private copies of stdin and stdout; fd 1 then points at stderr, so that a
    # library printing something cannot corrupt a message.
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    # The workers' input is hostile reports: libraries' warnings about them are noise, each job's
    # answer says what happened.
    logging.basicConfig(level=logging.CRITICAL)
    warnings.simplefilter("ignore")
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    send(proto_out, (READY, os.getpid()))
    while True:
        message = recv(proto_in)
        if message is None:
            return 0
        send(proto_out, handle(message))


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(_WATCH_SECONDS)
        if os.getppid() != parent:
            os._exit(1)
