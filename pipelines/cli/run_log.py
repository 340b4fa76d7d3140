"""What `gongkai run` says when a run fails: one line per failed step, its root cause; Dagster's
event log, traces included, goes to `<warehouse>.log` (the console gets it with -v)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dagster import ExecuteInProcessResult

_DAGSTER_FAILURE = re.compile(r"^dagster\.[\w.]*\.Failure: ")


def console_config(verbose: bool) -> dict[str, Any]:
    """Dagster's console logger: everything from INFO with -v, else nothing (the summary or the
    failure lines are printed by the command)."""
    return {"loggers": {"console": {"config": {"log_level": "INFO" if verbose else "CRITICAL"}}}}


def log_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".log")


def write(result: ExecuteInProcessResult, warehouse: Path) -> Path | None:
    """The run's events, one per line, and the full trace of every failed step, into
    `<warehouse>.log` (replacing the previous run's); None when it cannot be written."""
    lines = [f"run {result.run_id}: {'succeeded' if result.success else 'failed'}"]
    for event in result.all_events:
        step = f" {event.step_key}" if event.step_key else ""
        lines.append(f"{event.event_type_value}{step}: {event.message or ''}".rstrip())
        if event.is_step_failure:
            err = event.step_failure_data.error
            if err is not None:
                lines.append(err.to_string().rstrip())
    path = log_path(warehouse)
    try:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError:
        return None
    return path


def failure_lines(
    result: ExecuteInProcessResult, warehouse: Path, log: Path | None, *, published: bool
) -> list[str]:
    where = f"the full trace is in {log}" if log is not None else "run with -v for the full trace"
    kept = "" if published else f"{warehouse} was left as it was; "
    out = []
    for event in result.get_step_failure_events():
        err = event.step_failure_data.error
        while err is not None and err.cause is not None:
            err = err.cause
        message = " ".join(err.message.split()) if err is not None else "unknown error"
        message = _DAGSTER_FAILURE.sub("", message)  # a Failure's message is the asset's own words
        out.append(f"gongkai: run failed in {event.step_key}: {message} ({kept}{where})")
    if not out:
        out.append(f"gongkai: run failed ({kept}{where})")
    return out
