"""The parser process: `python -m pipelines.ingest.worker`, started and watched by pool.Pool.

It reads jobs (pipelines.ingest.job.Job) from stdin and answers each on stdout with the file's
outcome, a report already turned into the loader's Arrow frames. Messages are length-prefixed
pickles; the process writes nothing else to that stream (anything a library prints goes to stderr).
It holds no warehouse state, so killing it at any moment harms nothing; it exits when stdin closes
or its parent goes away.
"""

from __future__ import annotations

import logging
import os
import pickle
import struct
import sys
import threading
import time
import warnings
from typing import IO, Any

_HEADER = struct.Struct("<Q")
# How often the process checks that the run that started it is still there.
_WATCH_SECONDS = 0.5


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


def handle(job: Any) -> tuple[Any, ...]:
    """One job's answer: ("parsed", name, hash, frames as Arrow IPC) or ("rejected", name, hash,
    reason, medium guess)."""
    from pipelines.ingest.job import Parsed, parse_data, parse_path, to_frames, unread

    try:
        item = parse_data(job.data, job.name) if job.data is not None else parse_path(job.path, job.name)
        out = to_frames(item)
    except MemoryError:
        return ("rejected", *unread(job.name, "out of memory while parsing"))
    except Exception as e:  # a bug outside the parser proper: still one file
        reason = f"parser error: {type(e).__name__}: {' '.join(str(e).split())}"
        return ("rejected", job.name, job.digest or unread(job.name, "").content_hash, reason, None)
    if isinstance(out, Parsed):
        return ("parsed", out.file_name, out.content_hash, out.frames.to_ipc())
    return ("rejected", *out)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(_WATCH_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def main() -> int:
    # The protocol gets private copies of stdin and stdout; fd 1 then points at stderr, so that a
    # library printing something cannot corrupt a message.
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    # Reports are hostile input: the libraries' warnings about them are noise, each file's outcome
    # is its answer.
    logging.basicConfig(level=logging.CRITICAL)
    warnings.simplefilter("ignore")
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    import pipelines.ingest.job  # noqa: F401  (the parser's imports, before saying ready)

    send(proto_out, ("ready", os.getpid()))
    while True:
        job = recv(proto_in)
        if job is None:
            return 0
        send(proto_out, handle(job))


if __name__ == "__main__":
    sys.exit(main())
