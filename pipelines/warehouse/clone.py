"""Copy a file by reflink where the filesystem can, else byte by byte.

A night's staging copy of the warehouse (staging.py) is a full copy of a file that reaches ~15 GB at
national size: on ext4, minutes of reading and writing before the night's work starts. On a
filesystem with reflinks (XFS made with reflink=1, btrfs) the FICLONE ioctl makes a copy that shares
the original's blocks, in about the time of a rename whatever the size; DuckDB's writes to the copy
then allocate new blocks, and the original is untouched. Elsewhere the ioctl fails and the file is
copied as before.
"""

from __future__ import annotations

import fcntl
import shutil
from pathlib import Path

FICLONE = 0x40049409  # _IOW(0x94, 9, int), linux/fs.h


def copy_file(src: str | Path, dst: str | Path) -> bool:
    """Copy src to dst (replacing dst); True when it was a reflink, False when bytes were copied."""
    if clone(src, dst):
        return True
    shutil.copyfile(src, dst)
    return False


def clone(src: str | Path, dst: str | Path) -> bool:
    """Make dst a reflink of src; False (and dst possibly created empty) where the filesystem, the
    platform or the pair of folders does not allow it."""
    try:
        with open(src, "rb") as s, open(dst, "wb") as d:
            fcntl.ioctl(d.fileno(), FICLONE, s.fileno())
    except OSError:  # EOPNOTSUPP (ext4, tmpfs), EXDEV (another filesystem), EINVAL, ENOTTY …
        return False
    return True
