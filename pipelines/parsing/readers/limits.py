"""How much of a file the readers will consider.

A report is a few hundred KB: about a hundred kilobytes of text, a few thousand tags, two or three
hundred table cells. A file far beyond that is not a report, and reading it whole would cost
memory many times its size (a parsed tree, a Python object per cell), so the readers refuse it
early, before building anything large, with a one-line reason naming the limit. Each limit is
far above any real report (see README, "Inputs").
"""

from __future__ import annotations

from pipelines.model import UnreadableInput

MB = 1024 * 1024
# A text report (pipe text, markdown, crawler dump): its bytes.
MAX_TEXT_BYTES = 4 * MB
# An HTML page or a Word body: tags, counted before parsing ("<" signs, so an upper bound).
MAX_TAGS = 200_000
# A Word body (word/document.xml) uncompressed.
MAX_DOCX_XML = 16 * MB
# Table cells one document's grids may hold, spanned copies included.
MAX_CELLS = 100_000
# Columns one table row may span (statutory tables have at most 15).
MAX_COLUMNS = 256


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{n / 1024:.0f} KB"


def check_text_bytes(n: int) -> None:
    if n > MAX_TEXT_BYTES:
        raise UnreadableInput(
            f"text file too large for a report ({_size(n)}; limit {_size(MAX_TEXT_BYTES)} of text)"
        )


def check_tags(data: bytes, what: str) -> None:
    """`what` is "HTML page" or "Word document"."""
    n = data.count(b"<")
    if n > MAX_TAGS:
        raise UnreadableInput(f"{what} has too many tags for a report ({n:,}; limit {MAX_TAGS:,})")


class CellCount:
    """Counts the cells a reader creates for one document; raises past MAX_CELLS."""

    def __init__(self) -> None:
        self.n = 0

    def add(self, k: int) -> None:
        self.n += k
        if self.n > MAX_CELLS:
            raise UnreadableInput(f"too many table cells for a report (more than {MAX_CELLS:,}; the limit)")
