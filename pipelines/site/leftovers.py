"""What a killed site build leaves beside the site folder, and its removal by the next build.

A build writes `.<site>.building-<pid>-<random>` and swaps it into place, moving the old site to
`.<site>.old-<pid>-<random>` for the moment of the swap. A build killed part-way leaves either
behind; the next build removes those whose process is gone (a build of this very process is known
by its folder, so two builds in one process do not remove each other's).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

_MINE: set[str] = set()  # folders of builds running in this process


def building_prefix(out_dir: Path) -> str:
    return f".{out_dir.name}.building-{os.getpid()}-"


def old_name(target: Path, building: Path) -> str:
    return f".{target.name}.old-{building.name.split('.building-', 1)[-1]}"


def claim(folder: Path) -> None:
    _MINE.add(folder.name)


def done(folder: Path) -> None:
    _MINE.discard(folder.name)


def remove_stale(out_dir: Path) -> list[Path]:
    """Remove the building and old folders of dead builds of out_dir; returns them."""
    removed = []
    for kind in ("building", "old"):
        for p in out_dir.parent.glob(f".{out_dir.name}.{kind}-*"):
            if p.is_dir() and not p.is_symlink() and not _alive(p.name.split(f".{kind}-", 1)[-1]):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


def _alive(tag: str) -> bool:
    """Whether the build that named a folder `...-<tag>` still runs (tag: pid-random; a folder of
    an older release, without a pid, is a dead build's)."""
    pid_text = tag.split("-", 1)[0]
    if not pid_text.isdigit() or "-" not in tag:
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return any(tag in name for name in _MINE)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
