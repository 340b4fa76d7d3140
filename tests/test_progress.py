"""The progress bar: drawn on a terminal for long loops, silent otherwise, items passed through."""

from __future__ import annotations

import io

from pipelines.progress import progress, render


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_render() -> None:
    assert render("parsing", 50, 200, 2.0) == "parsing [#######                       ] 50/200 25/s"
    assert render("parsing", 200, 200, 0.0).startswith("parsing [" + "#" * 30 + "] 200/200")


def test_drawn_on_a_terminal_for_long_loops() -> None:
    out = Tty()
    assert list(progress(range(500), 500, "hashing", stream=out)) == list(range(500))
    text = out.getvalue()
    last = text.rstrip("\n").rsplit("\r", 1)[-1]  # each redraw returns to the line start
    assert last.startswith("hashing [" + "#" * 30 + "] 500/500")
    assert text.endswith("\n") and text.count("\n") == 1


def test_silent_in_logs_and_for_short_loops() -> None:
    log = io.StringIO()  # not a terminal: the Dagster daemon, CI, a redirected run
    assert list(progress(range(500), 500, "parsing", stream=log)) == list(range(500))
    short = Tty()
    assert list(progress(range(10), 10, "parsing", stream=short)) == list(range(10))
    assert log.getvalue() == short.getvalue() == ""
