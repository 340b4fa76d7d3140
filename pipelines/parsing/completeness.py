"""Telling a report cut short from a complete one that prints less.

A download or a copy cut part-way leaves the statutory tables unfinished: every cell after the cut
is missing, and the mapper would fill them with blanks, which the marts count as zeros (a blank in
a printed table is 0). A complete report can also lack cells (a table printed as an image, rows
left out), but its text goes on past the tables to sections 五 and 六, which every report has.
So a report is taken as truncated when cells the mapper looked for are missing (never printed,
not printed empty) and nothing of sections 五/六 follows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pipelines import layout
from pipelines.model import ParsedCell

_TABLES = {"t2.": "表二", "t3.": "表三", "t4.": "表四"}
# The heading of section 五 or 六: its number (五、 （五） 5.) shortly before one of its keywords. Not
# the keywords alone: an introduction often lists all six sections by name.
_LATER = re.compile(
    r"[五六56][、.．)）]?[^，,。；;、]{0,12}?(?:"
    + "|".join(re.escape(k) for key, _, keywords in layout.SECTIONS if key in ("s5", "s6") for k in keywords)
    + ")"
)


def truncation_problem(cells: Mapping[str, ParsedCell], text: str) -> str | None:
    """Why the report looks cut short, or None."""
    missing = [cid for cid, c in cells.items() if c.raw is None]
    if not missing or _LATER.search(re.sub(r"\s+", "", text)):
        return None
    tables = [name for prefix, name in _TABLES.items() if any(cid.startswith(prefix) for cid in missing)]
    return (
        f"truncated report: its tables stop part-way ({len(missing)} of {len(cells)} cells missing, in "
        f"{'、'.join(tables)}) and no section 五/六 follows them"
    )
