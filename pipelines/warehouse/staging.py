"""Build the warehouse in a staging copy and publish it atomically.

A nightly run never writes the published warehouse file. Its first step copies the published file to
`<warehouse>.staging` (same folder, so the final rename stays on one filesystem), every step writes
that copy, and the last step checkpoints it, fsyncs it and `os.replace`s it onto the published path.
So analysts and the site see last night's complete warehouse until the new one is complete, and a
run killed at any point leaves the published file as it was.

Readers are never blocked and never broken: a DuckDB connection holds the file it opened (its inode),
which the rename does not touch, so an analyst's open connection keeps answering from the previous
warehouse and a new connection sees the new one. And since the run only reads the published file
(with plain file reads, not DuckDB), a read-only DuckDB connection on it cannot lock the run out.

The staging copy has an owner file (`<warehouse>.staging.owner`: run id, pid, host): a step of run
B refuses staging that a live run A owns, and a killed run's staging is recognised as stale and
deleted by the next run.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.pause import pause_point
from pipelines.warehouse.db import connect

STAGING_SUFFIX = ".staging"


class StagingError(RuntimeError):
    """The staging copy cannot be used by this run (owned by another live run, or gone)."""


@dataclass(frozen=True)
class Owner:
    run_id: str
    pid: int
    host: str
    started_at: str

    @classmethod
    def me(cls, run_id: str) -> Owner:
        return cls(run_id, os.getpid(), socket.gethostname(), datetime.now(UTC).isoformat())


def staging_path(published: str | Path) -> Path:
    p = Path(published)
    return p.with_name(p.name + STAGING_SUFFIX)


def owner_path(published: str | Path) -> Path:
    s = staging_path(published)
    return s.with_name(s.name + ".owner")


def wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def read_owner(published: str | Path) -> Owner | None:
    try:
        data = json.loads(owner_path(published).read_text(encoding="utf-8"))
        return Owner(str(data["run_id"]), int(data["pid"]), str(data["host"]), str(data["started_at"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        # unreadable or half-written by a killed run: nobody can be said to own it
        return Owner("?", -1, "?", "")


def pid_alive(owner: Owner) -> bool:
    """Whether the owner's process runs on this host (for owners that Dagster does not know: a
    `gongkai run` in another process has its own ephemeral Dagster instance)."""
    if owner.host != socket.gethostname() or owner.pid <= 0:
        return False
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, under another user
        return True
    return True


def prepare(published: str | Path, run_id: str, *, is_live: Callable[[Owner], bool] = pid_alive) -> Path:
    """Claim the staging copy for run_id and fill it with the published warehouse; returns its path.

    Raises StagingError when a live run owns the staging copy. A stale one (its run was killed) is
    deleted first, with its WAL: DuckDB would replay a stale WAL onto the fresh copy.
    """
    published = Path(published)
    staging = staging_path(published)
    holder = read_owner(published)
    if holder is not None and holder.run_id != run_id and is_live(holder):
        raise StagingError(
            f"run {holder.run_id} (pid {holder.pid} on {holder.host}, since {holder.started_at}) "
            f"is building {staging}; not starting a second build"
        )
    staging.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(owner_path(published), json.dumps(asdict(Owner.me(run_id))))
    tmp = staging.with_name(staging.name + ".tmp")
    _remove(staging, wal(staging), tmp, wal(tmp))
    if published.exists():
        # Copy to a temporary name, then rename: a kill mid-copy never leaves a truncated file
        # under the staging name. A WAL left by an interrupted in-place write goes along, and
        # DuckDB replays it when the copy is first opened.
        shutil.copyfile(published, tmp)
        if wal(published).exists():
            shutil.copyfile(wal(published), wal(staging))
        os.replace(tmp, staging)
    # Creates the file for a first run, and replays a copied WAL into the copy now.
    con = connect(staging)
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    pause_point("staging")
    return staging


def working_path(published: str | Path, run_ids: Iterable[str]) -> Path:
    """The staging copy, when one of run_ids (a run and the runs it re-executes) owns it."""
    holder = read_owner(published)
    ids = set(run_ids)
    staging = staging_path(published)
    if holder is None or holder.run_id not in ids:
        mine = sorted(ids)[0] if ids else "?"
        raise StagingError(
            f"run {mine} does not own {staging} (owner: {holder.run_id if holder else 'none'}); "
            "a nightly run starts at its staging_warehouse step"
        )
    if not staging.exists():
        raise StagingError(f"{staging} is gone")
    return staging


def publish(
    published: str | Path,
    run_ids: Iterable[str],
    *,
    finish: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> int:
    """Checkpoint the staging copy, make it durable and rename it onto the published path; returns
    its size in bytes. finish(con) writes last words into the copy (the run's log row) first.

    Ends with no WAL: DuckDB would replay a WAL file beside the published path onto the new file.
    """
    published = Path(published)
    staging = working_path(published, run_ids)
    con = duckdb.connect(str(staging))
    try:
        if finish is not None:
            finish(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if wal(staging).exists():
        # The checkpoint did not take every write into the file (DuckDB refuses one while another
        # transaction is open): renaming now would leave the last writes behind in the WAL.
        raise StagingError(f"{staging} still has a WAL after checkpoint; not publishing")
    _fsync(staging)
    pause_point("publish")
    # The published file's own WAL (an interrupted in-place write) was replayed into the copy.
    _remove(wal(published))
    os.replace(staging, published)
    _fsync_dir(published.parent)
    pause_point("published")
    _remove(owner_path(published))
    return published.stat().st_size


def discard(published: str | Path) -> None:
    """Delete a staging copy and its owner file (tests, operators)."""
    staging = staging_path(published)
    _remove(staging, wal(staging), owner_path(published))


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _remove(*paths: Path) -> None:
    for p in paths:
        p.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    # The rename is durable only once the directory entry is: without this a power cut could bring
    # back the previous warehouse after a run reported success.
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
