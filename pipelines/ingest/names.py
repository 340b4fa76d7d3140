"""File names as stored in the warehouse: text that any tool can show, whatever bytes the name was.

Linux file names are bytes. Most are UTF-8; a name out of a Windows zip is often GBK, which Python
hands over with the undecodable bytes as lone surrogates that no database or terminal accepts. Such
a name is stored as the text its bytes make in GB18030 (the superset of GBK that Chinese Windows
writes: 盐都区商务局2019年报.txt reads as that), or failing that with the bytes that are not UTF-8
written as \\xNN; and its exact bytes are kept beside it (source_file.raw_path), so nothing is lost.
"""

from __future__ import annotations

import hashlib
import os


def raw(name: str) -> bytes:
    """The bytes of a name as the operating system gave it."""
    return os.fsencode(name)


def is_text(name: str) -> bool:
    """Whether a name from the operating system is valid UTF-8 (then it is stored as it is)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def readable(name: str) -> str:
    """The stored text of a relative path: each part that is not UTF-8 decoded as GB18030, or with
    its bytes escaped."""
    if is_text(name):
        return name
    return "/".join(_part(p) for p in raw(name).split(b"/"))


def _part(b: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return b.decode(encoding)
        except UnicodeDecodeError:
            continue
    return b.decode("utf-8", "backslashreplace")


def disambiguated(text: str, name: str) -> str:
    """The stored text of a name whose readable form another file already has (the same folder
    unpacked twice, once with UTF-8 names and once with GBK ones): marked with a digest of its bytes."""
    return f"{text} [name bytes {hashlib.sha256(raw(name)).hexdigest()[:8]}]"
