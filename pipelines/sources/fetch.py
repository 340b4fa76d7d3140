"""Fetch the sources of sources.yaml into the inbox, where the nightly scan finds them.

Where files go, whatever the URL says: `<inbox>/fetched/<sha256(url)[:32]><ext>`, the extension
from a short whitelist; under `fetched/<division>/` when the sources.yaml entry names the division
its reports belong to (the identity stage reads the code from the folder), and `<hash>_<organ><ext>`
when it names the organ. No part of a URL's path ever becomes part of a file path, so a URL like
`/../../etc/passwd` cannot write outside the inbox. The fetcher's own state (ETag and Last-Modified
per URL, listing pages, partial downloads) lives in `<inbox>/.gongkai-fetch/`, which the scan skips
as a hidden folder.

A file whose bytes did not change keeps its modification time, so the scan does not even re-read
it; a changed one replaces the old file atomically and becomes a new report version.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from pipelines.sources.client import FetchError, PoliteClient, Response
from pipelines.sources.config import Settings, Source
from pipelines.sources.links import report_links

STATE_DIR = ".gongkai-fetch"
FETCHED_DIR = "fetched"
STATE_FILE = "state.json"
# Extensions a fetched file may get; anything else is named .html or by its content type.
EXTENSIONS = {".html", ".htm", ".shtml", ".pdf", ".doc", ".docx", ".wps", ".txt", ".md"}
CONTENT_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "text/plain": ".txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}

NEW, CHANGED, UNCHANGED, NOT_MODIFIED, FAILED = "new", "changed", "unchanged", "not_modified", "failed"


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: str  # new | changed | unchanged | not_modified | failed
    file: str | None = None  # relative to the inbox
    reason: str | None = None  # why it failed
    listing: str | None = None  # the listing page the link was found on


def url_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]


def fetch_sources(
    settings: Settings, sources: Sequence[Source], inbox: str | Path, *, client: PoliteClient | None = None
) -> list[FetchResult]:
    """Fetch every source (a listing page: each report link on it). One failure never stops the
    others; the state is saved after each source, so a killed run keeps what it fetched."""
    inbox = Path(inbox).resolve()
    inbox.mkdir(parents=True, exist_ok=True)
    state = _State(inbox)
    client = client or PoliteClient(settings)
    results: list[FetchResult] = []
    for source in sources:
        if source.listing:
            try:
                urls = _listing_links(client, source.url, state, settings.max_links)
            except FetchError as e:
                results.append(FetchResult(source.url, FAILED, reason=f"listing page: {e}"))
            else:
                results += [
                    _fetch_file(client, url, state, listing=source.url, source=source) for url in urls
                ]
        else:
            results.append(_fetch_file(client, source.url, state, source=source))
        state.save()
    return results


def _fetch_file(
    client: PoliteClient, url: str, state: _State, *, listing: str | None = None, source: Source | None = None
) -> FetchResult:
    known = state.urls.get(url, {})
    where = {
        "found_on": listing,
        "division": source.division if source else None,
        "organ": source.organ if source else None,
    }
    if known.get("file") and str(PurePosixPath(known["file"]).with_suffix("")) != _file_name(url, "", where):
        known = _move(state, url, known, where)  # the entry's division changed: file it anew
    known = {**known, **where}
    final = state.inbox / known["file"] if known.get("file") else None
    present = final is not None and final.is_file()
    tmp = state.tmp_dir() / url_key(url)
    try:
        # Conditional only while our copy is there: a file deleted from the inbox is fetched again.
        resp = client.get(
            url,
            tmp,
            etag=known.get("etag") if present else None,
            last_modified=known.get("last_modified") if present else None,
        )
    except FetchError as e:  # TooLarge included: the limit is the parser's, so it would be quarantined
        return FetchResult(url, FAILED, known.get("file"), str(e), listing)
    if resp.status == 304:
        state.remember(url, known, resp)
        return FetchResult(url, NOT_MODIFIED, known.get("file"), listing=listing)
    digest = _sha256(tmp)
    if present and known.get("sha256") == digest:
        tmp.unlink()  # same bytes: the inbox copy keeps its mtime, so the scan skips it unread
        state.remember(url, known, resp)
        return FetchResult(url, UNCHANGED, known.get("file"), listing=listing)
    rel = known.get("file") or _file_name(url, _extension(url, resp), where)
    target = _inside(state.inbox, rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, target)
    state.remember(url, {**known, "file": rel, "sha256": digest}, resp)
    return FetchResult(url, CHANGED if present else NEW, rel, listing=listing)


def _file_name(url: str, ext: str, where: dict[str, str | None]) -> str:
    """Where a fetched URL's file goes, relative to the inbox: fetched/[<division>/]<hash>[_<organ>]<ext>."""
    folder = f"{FETCHED_DIR}/{where['division']}" if where.get("division") else FETCHED_DIR
    organ = f"_{where['organ']}" if where.get("organ") else ""
    return f"{folder}/{url_key(url)}{organ}{ext}"


def _move(state: _State, url: str, known: dict[str, Any], where: dict[str, str | None]) -> dict[str, Any]:
    """A file fetched before its entry named a division or organ (or other ones): moved to where it belongs
    now, keeping its bytes and modification time (the scan then sees the same report under its new
    path); a file no longer there is simply fetched again."""
    old = _inside(state.inbox, known["file"])
    rel = _file_name(url, PurePosixPath(known["file"]).suffix, where)
    if not old.is_file():
        return {k: v for k, v in known.items() if k != "file"}
    new = _inside(state.inbox, rel)
    new.parent.mkdir(parents=True, exist_ok=True)
    os.replace(old, new)
    return {**known, "file": rel}


def fetched_files(inbox: str | Path) -> list[dict[str, str | None]]:
    """What the fetcher put in the inbox, from its state: per file (path relative to the inbox) the URL
    it came from, the listing page it was found on, and the division and organ its sources.yaml entry
    names. Nothing when nothing was fetched (or the state cannot be read)."""
    state = _State(Path(inbox).resolve())
    out = []
    for url, entry in sorted(state.urls.items()):
        if not isinstance(entry, dict) or not entry.get("file") or entry.get("listing") is True:
            continue
        out.append(
            {
                "path": str(entry["file"]),
                "url": url,
                "listing_url": entry.get("found_on"),
                "division_code": entry.get("division"),
                "organ": entry.get("organ"),
            }
        )
    return out


def _listing_links(client: PoliteClient, url: str, state: _State, limit: int) -> list[str]:
    known = state.urls.get(url, {})
    page = state.dir / "listings" / f"{url_key(url)}.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    present = page.is_file()
    resp = client.get(
        url,
        page,
        etag=known.get("etag") if present else None,
        last_modified=known.get("last_modified") if present else None,
    )
    state.remember(url, {**known, "listing": True}, resp)
    return report_links(page.read_bytes(), url, limit)


def _extension(url: str, resp: Response) -> str:
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    if suffix in EXTENSIONS:
        return suffix
    ctype = (resp.content_type or "").split(";")[0].strip().lower()
    return CONTENT_TYPES.get(ctype, ".html")


def _inside(inbox: Path, rel: str) -> Path:
    """inbox/rel, refusing anything that would land outside the inbox (a tampered state file)."""
    target = (inbox / rel).resolve()
    if not target.is_relative_to(inbox) or target == inbox:
        raise ValueError(f"refusing to write outside the inbox: {rel!r}")
    return target


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


class _State:
    """<inbox>/.gongkai-fetch/state.json: per URL its ETag, Last-Modified, file and hash."""

    def __init__(self, inbox: Path) -> None:
        self.inbox = inbox
        self.dir = inbox / STATE_DIR
        self.urls: dict[str, dict[str, Any]] = {}
        try:
            data = json.loads((self.dir / STATE_FILE).read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("urls"), dict):
                self.urls = data["urls"]
        except (OSError, ValueError):
            pass  # no state (first run) or a damaged file: fetch unconditionally

    def tmp_dir(self) -> Path:
        d = self.dir / "tmp"
        d.mkdir(parents=True, exist_ok=True)
        return d

    def remember(self, url: str, entry: dict[str, Any], resp: Response) -> None:
        self.urls[url] = {
            **entry,
            "etag": resp.etag or entry.get("etag"),
            "last_modified": resp.last_modified or entry.get("last_modified"),
            "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }

    def save(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / STATE_FILE
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(
            json.dumps({"version": 1, "urls": self.urls}, ensure_ascii=False, indent=1, sort_keys=True),
            encoding="utf-8",
        )
        os.replace(tmp, path)
