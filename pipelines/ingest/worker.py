"""The parser process: `python -m pipelines.ingest.worker`, started and watched by pool.Pool.

It reads jobs (pipelines.ingest.job.Job) and answers each with the file's outcome, a report already
turned into the loader's Arrow frames (pipelines/subprocs.py carries the messages). It holds no
warehouse state, so killing it at any moment harms nothing.
"""

from __future__ import annotations

import hashlib
import sys
from typing import Any

from pipelines import subprocs
from pipelines.ingest.job import Job, Parsed, parse_job, to_frames, unread


def handle(job: Job) -> tuple[Any, ...]:
    """One job's answer: ("parsed", name, hash, frames as Arrow IPC) or ("rejected", name, hash,
    reason, medium guess)."""
    try:
        out = to_frames(parse_job(job))
    except MemoryError:
        return ("rejected", *unread(job.name, "out of memory while parsing"))
    except Exception as e:  # a bug outside the parser proper: still one file
        digest = job.digest or (hashlib.sha256(job.data).hexdigest() if job.data is not None else None)
        reason = f"parser error: {type(e).__name__}: {' '.join(str(e).split())}"
        return ("rejected", job.name, digest or unread(job.name, "").content_hash, reason, None)
    if isinstance(out, Parsed):
        return ("parsed", out.file_name, out.content_hash, out.frames.to_ipc())
    return ("rejected", *out)


if __name__ == "__main__":
    sys.exit(subprocs.serve(handle))
