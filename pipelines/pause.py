"""A test hook: `GONGKAI_TEST_PAUSE_AT=<stage>` makes a run stop at that stage and wait to be killed.

The kill tests (tests/test_kill.py) start `gongkai run` with it, wait for the file named by
`GONGKAI_TEST_PAUSE_FILE` to appear (so they know where the run is), and SIGKILL it. Without the
variable, pause_point does nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ENV_STAGE = "GONGKAI_TEST_PAUSE_AT"
ENV_FILE = "GONGKAI_TEST_PAUSE_FILE"
# Long enough for any test to kill the process, short enough that a forgotten variable ends.
PAUSE_SECONDS = 600


def pause_point(stage: str) -> None:
    if os.environ.get(ENV_STAGE) != stage:
        return
    marker = os.environ.get(ENV_FILE)
    if marker:
        Path(marker).write_text(f"{stage} {os.getpid()}\n", encoding="utf-8")
    time.sleep(PAUSE_SECONDS)
