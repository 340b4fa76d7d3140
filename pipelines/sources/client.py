"""A polite HTTP GET for government sites: one request at a time, a minimum interval per host,
timeouts, retries with exponential backoff on 5xx and network errors, conditional requests
(If-None-Match / If-Modified-Since), a size limit enforced while downloading, and robots.txt.

robots.txt (RFC 9309) is read once per site and client: a path it disallows for our user agent is
not fetched, and its Crawl-delay lengthens the interval to that host. A robots.txt that does not
exist (any 4xx) allows everything; one that cannot be read (5xx, network error, over 512 KB) disallows
the whole site for this run, as the RFC asks, with that reason on every URL of the site.

stdlib urllib only; redirects are followed to http(s) URLs only.
"""

from __future__ import annotations

import email.utils
import http.client
import os
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from pipelines.sources.config import Settings

CHUNK = 64 * 1024
# A server may ask for a pause (Retry-After); longer asks are capped so one host cannot stall a night.
MAX_RETRY_AFTER = 60.0
# Likewise a site's Crawl-delay; and a robots.txt beyond the RFC's minimum parsing limit is not read.
MAX_CRAWL_DELAY = 60.0
ROBOTS_MAX_BYTES = 512 * 1024


class FetchError(Exception):
    """A URL that could not be fetched; the message is the one-line reason."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status that ended it, if any


class TooLarge(FetchError):
    pass


class Disallowed(FetchError):
    """robots.txt asks us not to fetch this URL (or could not be read)."""


@dataclass(frozen=True)
class Response:
    status: int  # 200, or 304 when the conditional request found the copy current
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    size: int = 0  # bytes written to the target file (200 only)


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.HTTPError(
                newurl, code, f"redirect to a non-http URL refused: {newurl}", headers, fp
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class PoliteClient:
    """GETs with the settings' manners. `sleep` and `clock` are injectable for tests."""

    def __init__(
        self,
        settings: Settings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._clock = clock
        self._last: dict[str, float] = {}
        self._interval: dict[str, float] = {}  # host -> seconds between requests, from Crawl-delay
        self._robots: dict[str, RobotFileParser | str] = {}  # site -> its rules, or why it is not fetched
        self._opener = urllib.request.build_opener(_HttpOnlyRedirects())
        self.requests = 0

    def get(
        self, url: str, target: Path, *, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        """Download url into target (created or replaced only on a 200), retrying what is worth
        retrying. Raises FetchError (TooLarge for the size limit, Disallowed for robots.txt) with a
        one-line reason."""
        if self.settings.respect_robots:
            self._check_robots(url)
        return self._get(url, target, etag, last_modified, self.settings.max_bytes)

    def _get(
        self, url: str, target: Path, etag: str | None, last_modified: str | None, limit: int
    ) -> Response:
        attempts = self.settings.retries + 1
        for attempt in range(attempts):
            try:
                return self._once(url, target, etag, last_modified, limit)
            except _Retryable as e:
                if attempt == attempts - 1:
                    raise FetchError(f"{e} (gave up after {attempts} attempts)") from None
                wait = self.settings.backoff * (2**attempt)
                self._sleep(max(wait, min(e.retry_after or 0.0, MAX_RETRY_AFTER)))
        raise AssertionError("unreachable")

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self._robots:
            self._robots[site] = self._read_robots(site, (parts.hostname or "").lower())
        rules = self._robots[site]
        if isinstance(rules, str):
            raise Disallowed(rules)
        if not rules.can_fetch(self.settings.user_agent, url):
            raise Disallowed(f"disallowed by {site}/robots.txt")

    def _read_robots(self, site: str, host: str) -> RobotFileParser | str:
        rules = RobotFileParser(site + "/robots.txt")
        with tempfile.TemporaryDirectory(prefix="gongkai-robots-") as tmp:
            target = Path(tmp) / "robots.txt"
            try:
                self._get(site + "/robots.txt", target, None, None, ROBOTS_MAX_BYTES)
            except FetchError as e:
                if e.status is not None and 400 <= e.status < 500:
                    rules.parse([])  # no rules: everything allowed
                    return rules
                return f"{site}/robots.txt could not be read ({e}): the site is not fetched this run"
            rules.parse(target.read_text(encoding="utf-8", errors="replace").splitlines())
        delay = rules.crawl_delay(self.settings.user_agent)
        if delay is not None:
            self._interval[host] = max(self.settings.min_interval, min(float(delay), MAX_CRAWL_DELAY))
        return rules

    def _once(
        self, url: str, target: Path, etag: str | None, last_modified: str | None, limit: int
    ) -> Response:
        headers = {"User-Agent": self.settings.user_agent, "Accept-Encoding": "identity"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        self._wait_for_host(url)
        self.requests += 1
        try:
            with self._opener.open(
                urllib.request.Request(url, headers=headers), timeout=self.settings.timeout
            ) as resp:
                return self._save(resp, target, limit)
        except urllib.error.HTTPError as e:
            if e.code == 304:
                return Response(
                    304,
                    etag=e.headers.get("ETag") or etag,
                    last_modified=e.headers.get("Last-Modified") or last_modified,
                )
            if e.code >= 500 or e.code == 429:
                raise _Retryable(f"HTTP {e.code}", _retry_after(e.headers.get("Retry-After"))) from None
            raise FetchError(f"HTTP {e.code} {e.reason}", e.code) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException) as e:
            reason = getattr(e, "reason", None) or f"{type(e).__name__}: {e}"
            raise _Retryable(f"network error: {reason}") from None

    def _save(self, resp: Any, target: Path, limit: int) -> Response:
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise TooLarge(f"too large: {int(declared)} bytes announced, limit {limit}")
        tmp = target.with_name(target.name + ".part")
        size = 0
        try:
            with open(tmp, "wb") as out:
                size = _copy_limited(resp, out, limit)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return Response(
            200,
            etag=resp.headers.get("ETag"),
            last_modified=resp.headers.get("Last-Modified"),
            content_type=resp.headers.get("Content-Type"),
            size=size,
        )

    def _wait_for_host(self, url: str) -> None:
        host = (urlsplit(url).hostname or "").lower()
        last = self._last.get(host)
        if last is not None:
            wait = self._interval.get(host, self.settings.min_interval) - (self._clock() - last)
            if wait > 0:
                self._sleep(wait)
        self._last[host] = self._clock()


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _copy_limited(src: Any, out: IO[bytes], limit: int) -> int:
    size = 0
    while True:
        try:
            chunk = src.read(CHUNK)
        except (TimeoutError, ConnectionError, http.client.HTTPException) as e:
            raise _Retryable(f"network error while downloading: {type(e).__name__}: {e}") from None
        if not chunk:
            return size
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"too large: over {limit} bytes, download abandoned")
        out.write(chunk)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
