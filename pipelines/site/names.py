"""File names of the site's pages: the one rule that turns an id (an organ, a rule) into a page name."""

from __future__ import annotations

import hashlib
import re

_SLUG = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,63}")


def slug(text: str) -> str:
    """A file name for an id: the id itself when it is plain, else a hash of it."""
    if _SLUG.fullmatch(text):
        return text
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
