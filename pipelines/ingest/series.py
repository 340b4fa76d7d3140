"""An image series of the inbox (the page images of one report, grouped into one entry by the scan)
parsed as one report."""

from __future__ import annotations

from pipelines.ingest.scan import Duplicate, FileEntry
from pipelines.model import UnreadableInput
from pipelines.parsing.ocr.series import parse_series, series_hash
from pipelines.warehouse.load import LoadItem, Rejected


def parse_entry(entry: FileEntry, seen: dict[str, str]) -> LoadItem | Rejected | Duplicate:
    """A series' scan entry -> its report, a quarantine row or a duplicate (as parse_one for one
    file). Never raises for bad input."""
    digest = entry.content_hash or series_hash([])
    if digest in seen:
        return Duplicate(entry.name, digest, seen[digest])
    seen[digest] = entry.name
    try:
        return LoadItem(entry.name, digest, parse_series(entry.pages))
    except UnreadableInput as e:
        return Rejected(entry.name, digest, " ".join(str(e).split()), "image")
    except Exception as e:  # a parser bug must cost one report, not the night's batch
        return Rejected(
            entry.name, digest, f"parser error: {type(e).__name__}: {' '.join(str(e).split())}", "image"
        )
