"""A one-line progress bar on stderr for the long loops (hashing and parsing thousands of files).

Only when stderr is a terminal: under Dagster's daemon, in CI and in logs a bar is noise (and
carriage returns garble files), so it stays silent there and the counts go to the run's metadata.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")
# Below this many items a loop ends before a bar would be readable.
MIN_ITEMS = 200
# Redraw at most this often: a bar must not cost measurable time in a loop of fast items.
INTERVAL = 0.2
WIDTH = 30


def progress(
    items: Iterable[T], total: int, label: str, *, stream: TextIO | None = None, force: bool = False
) -> Iterator[T]:
    """Yield items unchanged, drawing `label [####    ] n/total  rate/s` on stream (default stderr)
    when it is a terminal and the loop is long (or when forced, for tests)."""
    out = stream if stream is not None else sys.stderr
    if not force and (total < MIN_ITEMS or not _is_tty(out)):
        yield from items
        return
    start = last = time.monotonic()
    done = 0
    try:
        for item in items:
            yield item
            done += 1
            now = time.monotonic()
            if now - last >= INTERVAL or done == total:
                last = now
                out.write("\r" + render(label, done, total, now - start))
                out.flush()
    finally:
        if done:
            out.write("\n")
            out.flush()


def render(label: str, done: int, total: int, seconds: float) -> str:
    share = done / total if total else 1.0
    filled = min(WIDTH, int(share * WIDTH))
    rate = f"{done / seconds:.0f}/s" if seconds > 0 else ""
    return f"{label} [{'#' * filled}{' ' * (WIDTH - filled)}] {done}/{total} {rate}".rstrip()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams (pytest capture, Dagster)
        return False
