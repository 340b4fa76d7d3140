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

import errno
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
from pipelines.warehouse.clone import copy_file
from pipelines.warehouse.db import connect

STAGING_SUFFIX = ".staging"
MB = 1024 * 1024
# Room a run needs beyond the copy of the warehouse: this share of its size, at least HEADROOM_MIN.
HEADROOM_SHARE = 0.25
HEADROOM_MIN = 32 * MB


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
    `gongkai run` in another process has its own ephemeral Dagster instance). An owner that is this
    very process is alive while its run is (a run in-process, e.g. the tests: see `release`)."""
    if owner.host != socket.gethostname() or owner.pid <= 0:
        return False
    if owner.pid == os.getpid():
        return owner.run_id in _RUNNING
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, under another user
        return True
    return True


# Runs of this process that have claimed a staging copy and not ended (published or released).
_RUNNING: set[str] = set()


def release(run_id: str) -> None:
    """Say that a run of this process has ended, published or not: its staging copy, if any, is now
    a dead run's, for the next run to delete."""
    _RUNNING.discard(run_id)


def room_needed(published: str | Path) -> tuple[int, int]:
    """(bytes, of which headroom) a run needs free beside the warehouse: a copy of it (and of its
    WAL), plus headroom for the night's writes (new reports, the rules' and marts' tables rebuilt
    before a checkpoint frees the old ones)."""
    published = Path(published)
    size = sum(p.stat().st_size for p in (published, wal(published)) if p.exists())
    headroom = max(HEADROOM_MIN, int(size * HEADROOM_SHARE))
    return size + headroom, headroom


def prepare(published: str | Path, run_id: str, *, is_live: Callable[[Owner], bool] = pid_alive) -> Path:
    """Claim the staging copy for run_id and fill it with the published warehouse; returns its path.

    Raises StagingError when a live run owns the staging copy, or when there is not room for the
    copy (saying how much is needed). What a dead run left (its copy, WAL, half-copied file and
    owner file) is deleted first, before this run writes anything: on a full disk it is what frees
    the room, and a stale WAL would be replayed onto the fresh copy. A run that fails for lack of
    room leaves nothing behind, so once space is freed the next run goes through.
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
    tmp = staging.with_name(staging.name + ".tmp")
    owner = owner_path(published)
    _remove(staging, wal(staging), tmp, wal(tmp), owner, _tmp_of(owner))
    need, headroom = room_needed(published)
    free = shutil.disk_usage(staging.parent).free
    if free < need:
        raise StagingError(_no_room(staging.parent, need, headroom, free))
    _RUNNING.add(run_id)
    try:
        _write_atomic(owner, json.dumps(asdict(Owner.me(run_id))))
        if published.exists():
            # Copy to a temporary name, then rename: a kill mid-copy never leaves a truncated file
            # under the staging name. A WAL left by an interrupted in-place write goes along, and
            # DuckDB replays it when the copy is first opened.
            copy_file(published, tmp)
            if wal(published).exists():
                copy_file(wal(published), wal(staging))
            os.replace(tmp, staging)
        # Creates the file for a first run, and replays a copied WAL into the copy now.
        con = connect(staging)
        try:
            con.execute("CHECKPOINT")
        finally:
            con.close()
    except (OSError, duckdb.Error) as e:
        # nothing half-made stays behind to fill the disk: the next run starts clean
        _RUNNING.discard(run_id)
        _remove(staging, wal(staging), tmp, wal(tmp), owner, _tmp_of(owner))
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
            free = shutil.disk_usage(staging.parent).free
            raise StagingError(_no_room(staging.parent, need, headroom, free)) from e
        raise
    pause_point("staging")
    return staging


def _no_room(folder: Path, need: int, headroom: int, free: int) -> str:
    return (
        f"not enough free space in {folder}: the run needs {_mb(need)} "
        f"(a copy of the warehouse and {_mb(headroom)} for the night's writes), {_mb(free)} free"
    )


def _mb(n: int) -> str:
    return f"{n / MB:,.0f} MB" if n >= MB else f"{n / 1024:,.0f} KB"


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
    con = connect(staging)
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
    owner = read_owner(published)
    if owner is not None:
        release(owner.run_id)
    _remove(owner_path(published))
    return published.stat().st_size


def discard(published: str | Path) -> None:
    """Delete a staging copy and its owner file (tests, operators)."""
    staging = staging_path(published)
    _remove(staging, wal(staging), owner_path(published))


def _tmp_of(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")


def _write_atomic(path: Path, text: str) -> None:
    tmp = _tmp_of(path)
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
