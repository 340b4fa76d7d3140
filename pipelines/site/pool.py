"""Draw pages in parallel processes: organ pages are most of a site build.

`Renderer(w, render, shared, workers)` takes work one piece at a time (`add(key, args, pages)`: a
page, or a batch of `pages` pages under one key) and has each drawn by `render(writer, shared, args)`,
which writes its pages through the writer. With one worker each piece is drawn at once in this
process; with more, a build of fewer than PARALLEL_FROM pages is too (starting processes would cost
more than it saves), and a larger one by `workers` processes
(`python -m pipelines.site.render_worker`, pipelines/subprocs.py), each with a Writer onto the same
build folder and the `shared` data sent once. A page is the same bytes whichever process draws it:
the same code, templates and data.
"""

from __future__ import annotations

import os
import select
from collections import deque
from collections.abc import Callable
from typing import Any

from pipelines import subprocs
from pipelines.site.render import Writer

# Pages to draw before processes are worth their start (about a second).
PARALLEL_FROM = 64
# Single pages handed to one process ahead of the one it is drawing. A batch of pages goes only to a
# process with nothing pending, and nothing more goes to it until it answers: its answer (the sizes of
# its pages) may fill the pipe, and a process blocked writing it reads nothing, so a second piece
# written to it would block this process too.
AHEAD = 4

Render = Callable[[Writer, Any, Any], None]


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class RenderError(RuntimeError):
    """A page could not be drawn (the trace of the process that drew it is the message)."""


class _Proc(subprocs.Worker):
    def __init__(self) -> None:
        super().__init__("pipelines.site.render_worker")
        self.pages: deque[tuple[str, int]] = deque()  # (key, pages) handed out, not answered yet

    def takes(self, pages: int) -> bool:
        """Whether a piece of `pages` pages may be written to it now."""
        if not self.pages:
            return True
        return pages == 1 and len(self.pages) < AHEAD and all(n == 1 for _, n in self.pages)


class Renderer:
    def __init__(self, w: Writer, render: Render, shared: Any, workers: int | None = None) -> None:
        self.w = w
        self.render = render
        self.shared = shared
        self.workers = default_workers() if workers is None else max(1, workers)  # 0: this process
        self.waiting: list[tuple[str, Any, int]] = []
        self.waiting_pages = 0
        self.procs: list[_Proc] = []

    def add(self, key: str, args: Any, pages: int = 1) -> None:
        if self.workers == 1:
            self.render(self.w, self.shared, args)
        elif self.procs:
            self._hand_out(key, args, pages)
        else:
            self.waiting.append((key, args, pages))
            self.waiting_pages += pages
            if self.waiting_pages >= PARALLEL_FROM:
                self._start()

    def finish(self) -> None:
        """Draw what is left and wait for every page; a page that failed raises RenderError."""
        try:
            for _, args, _ in self.waiting:
                self.render(self.w, self.shared, args)
            self.waiting.clear()
            self.waiting_pages = 0
            while any(p.pages for p in self.procs):
                self._collect()
        finally:
            self.close()

    def close(self) -> None:
        while self.procs:
            self.procs.pop().close()

    def _start(self) -> None:
        self.procs = [_Proc() for _ in range(self.workers)]
        for p in self.procs:
            ready = p.recv()
            if not (isinstance(ready, tuple) and ready[0] == subprocs.READY):
                self.close()
                raise RenderError("a page renderer process did not start")
            p.send(("init", str(self.w.root), self.w.common, self.render, self.shared))
        for p in self.procs:
            if p.recv() != ("ok",):
                self.close()
                raise RenderError("a page renderer process could not take the build's shared data")
        waiting, self.waiting = self.waiting, []
        for key, args, pages in waiting:
            self._hand_out(key, args, pages)

    def _hand_out(self, key: str, args: Any, pages: int) -> None:
        while True:
            p = min(self.procs, key=lambda q: len(q.pages))
            if p.takes(pages):
                break
            self._collect()
        p.pages.append((key, pages))
        p.send(("draw", key, args))

    def _collect(self) -> None:
        """Wait for at least one answer and take every answer there is."""
        busy = [p for p in self.procs if p.pages]
        readable, _, _ = select.select(busy, [], [])
        for p in readable:
            answer = p.recv()
            path, _ = p.pages.popleft()
            if answer is None:
                raise RenderError(f"the process drawing {path} died ({p.death()})")
            kind, *rest = answer
            if kind == "error":
                trace = str(rest[0]).rstrip()
                error = RenderError(f"{path}: {trace.splitlines()[-1]}")
                error.add_note(f"in the process that drew it:\n{trace}")
                raise error
            self.w.sizes.update(rest[0])
