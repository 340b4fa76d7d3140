"""sources.yaml: which report URLs and listing pages to fetch, and how politely.

settings:                 # all optional; the defaults below
  timeout: 30             # seconds for one request (connect and each read)
  deadline: 120           # seconds one URL may take in all: its redirects, retries and their waits
  retries: 3              # further attempts after a 5xx answer, a timeout or a dropped connection
  backoff: 2              # seconds before the first retry, doubled for each further one
                          # (or the server's Retry-After, up to 30 s and within the deadline)
  host_failures: 3        # URLs failing in a row on one host before it is given up for the run
  min_interval: 2         # seconds between two requests to the same host
  max_bytes: 52428800     # a larger download is abandoned (the parser's own limit)
  max_links: 50           # report links followed per listing page
  respect_robots: true    # false only for sites that allowed you to fetch regardless
  user_agent: "gongkai/0.1 (government information disclosure research)"
sources:
  - url: https://www.example.gov.cn/zwgk/2024ndbg.html      # one report
  - listing: https://www.example.gov.cn/zwgk/ndbg/           # a 政府信息公开年报 column
    name: 某市政府信息公开年报栏目                             # optional, for people
    division: "320904"        # optional: the division (six-digit code) its reports belong to
  - url: https://www.example.gov.cn/zwgk/zqz2024.html
    division: "320904"
    organ: 中桥镇人民政府      # optional: the organ, for a report that does not name it

A fetched file is filed under fetched/<division>/ when its entry names a division, so that the
identity stage places an organ whose name does not say where it is (a town's report fetched from its
county's portal); an entry's organ is the name of a report that names none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from pipelines.parsing.parse import MAX_BYTES


class SourcesError(ValueError):
    """sources.yaml cannot be used; the message says where."""


@dataclass(frozen=True)
class Settings:
    timeout: float = 30.0
    deadline: float = 120.0
    retries: int = 3
    backoff: float = 2.0
    min_interval: float = 2.0
    max_bytes: int = MAX_BYTES
    max_links: int = 50
    host_failures: int = 3
    respect_robots: bool = True
    user_agent: str = "gongkai/0.1 (government information disclosure research)"


@dataclass(frozen=True)
class Source:
    url: str
    listing: bool = False
    name: str | None = None
    division: str | None = None  # six-digit division code its reports belong to
    organ: str | None = None  # the organ, for reports that do not name it


_DIVISION = re.compile(r"\d{6}")
# Characters an organ's name may not carry into a file name.
_UNSAFE = re.compile(r'[\\/:*?"<>|\s\x00-\x1f.]+')


def load_sources(path: str | Path) -> tuple[Settings, list[Source]]:
    """Read sources.yaml; raises SourcesError with the reason when it is malformed."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise SourcesError(f"{path}: cannot read: {e}") from None
    if not isinstance(data, dict):
        raise SourcesError(f"{path}: expected a mapping with 'sources' (and optionally 'settings')")
    unknown_keys = set(data) - {"sources", "settings"}
    if unknown_keys:
        # most likely not a sources file at all: fetching nothing from it would be silent
        raise SourcesError(
            f"{path}: not a sources file: unknown keys {', '.join(sorted(map(str, unknown_keys)))}"
            " (expected 'sources' and optionally 'settings')"
        )
    settings = _settings(path, data.get("settings") or {})
    entries = data.get("sources") or []
    if not isinstance(entries, list):
        raise SourcesError(f"{path}: 'sources' must be a list")
    sources = [_source(path, i, e) for i, e in enumerate(entries, 1)]
    return settings, sources


def _settings(path: str | Path, raw: Any) -> Settings:
    if not isinstance(raw, dict):
        raise SourcesError(f"{path}: 'settings' must be a mapping")
    known = {f.name: f for f in fields(Settings)}
    unknown = set(raw) - set(known)
    if unknown:
        raise SourcesError(f"{path}: unknown settings: {', '.join(sorted(map(str, unknown)))}")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        kind = type(getattr(Settings(), key))
        if kind is bool:
            if not isinstance(value, bool):  # bool("false") is True
                raise SourcesError(f"{path}: settings.{key} must be true or false")
            values[key] = value
            continue
        try:
            values[key] = kind(value)
        except (TypeError, ValueError):
            raise SourcesError(f"{path}: settings.{key} must be a {kind.__name__}") from None
        if kind in (int, float) and values[key] < 0:
            raise SourcesError(f"{path}: settings.{key} must not be negative")
    return Settings(**values)


def _source(path: str | Path, i: int, raw: Any) -> Source:
    if isinstance(raw, str):
        raw = {"url": raw}
    if not isinstance(raw, dict) or len({"url", "listing"} & set(raw)) != 1:
        raise SourcesError(f"{path}: source {i} needs exactly one of 'url' or 'listing'")
    url = str(raw.get("url") or raw.get("listing"))
    check_url(url, f"{path}: source {i}")
    name = raw.get("name")
    division = raw.get("division")
    if division is not None:
        division = str(division).strip()
        if not _DIVISION.fullmatch(division):
            raise SourcesError(
                f"{path}: source {i}: division must be a six-digit division code such as 320904, not {division!r}"
            )
    organ = raw.get("organ")
    if organ is not None:
        organ = _UNSAFE.sub("", str(organ))[:60]
        if not organ:
            raise SourcesError(f"{path}: source {i}: organ is empty")
    return Source(
        url,
        listing="listing" in raw,
        name=None if name is None else str(name),
        division=division,
        organ=organ or None,
    )


def check_url(url: str, where: str) -> None:
    """Only absolute http(s) URLs: never file://, ftp:// or a bare path."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourcesError(f"{where}: not an http(s) URL: {url!r}")
