"""A polite HTTP GET for government sites: one request at a time, a minimum interval per host,
timeouts, retries with exponential backoff on 5xx and network errors, conditional requests
(If-None-Match / If-Modified-Since), a size limit enforced while downloading, and robots.txt.

robots.txt (RFC 9309) is read once per site (scheme, host and port) and client: a path it disallows
for our user agent is not fetched, and its Crawl-delay lengthens the interval to that host. A
robots.txt that does not exist (any 4xx) allows everything; one that cannot be read (5xx, network
error, over 512 KB) disallows the whole site for this run, as the RFC asks, with that reason on
every URL of the site.

Redirects are followed by the client itself, at most MAX_REDIRECTS, to http(s) URLs only, and each
hop is a request like the first: robots.txt of its site is checked and its host's interval kept.

Every fetch (one URL: its redirects, retries and the waits between them) has an overall deadline
(settings.deadline), enforced while headers and body arrive (deadline.py). A Retry-After is obeyed up
to MAX_RETRY_AFTER and never past the deadline. A host whose URLs keep failing (settings.host_failures
in a row, after their retries: 5xx, 429, network errors, deadlines) is given up for the rest of the
run: its remaining URLs fail at once with that reason, and wait for the next night.

stdlib urllib only.
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
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from pipelines.sources.config import Settings
from pipelines.sources.deadline import Deadline, Watch, WatchedHTTPHandler, WatchedHTTPSHandler, watched

CHUNK = 64 * 1024
# A server may ask for a pause (Retry-After); longer asks are capped so one host cannot stall a night.
MAX_RETRY_AFTER = 30.0
MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)
# Likewise a site's Crawl-delay; and a robots.txt beyond the RFC's minimum parsing limit is not read.
MAX_CRAWL_DELAY = 60.0
ROBOTS_MAX_BYTES = 512 * 1024


class FetchError(Exception):
    """A URL that could not be fetched; the message is the one-line reason."""

    def __init__(self, message: str, status: int | None = None, *, host_trouble: str | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status that ended it, if any
        # the host whose trouble it was (5xx, 429, network, deadline), counted towards giving it up
        self.host_trouble = host_trouble


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


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects come back as HTTPError: the client follows them itself, hop by hop."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        return None


class _Redirect(Exception):
    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


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
        self._failures: dict[str, int] = {}  # host -> URLs failed in a row
        self._given_up: dict[str, str] = {}  # host -> why it is not asked again this run
        self._opener = urllib.request.build_opener(
            _NoRedirects(), WatchedHTTPHandler(), WatchedHTTPSHandler()
        )
        self.requests = 0

    def get(
        self, url: str, target: Path, *, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        """Download url into target (created or replaced only on a 200), following redirects and
        retrying what is worth retrying, within the deadline. Raises FetchError (TooLarge for the
        size limit, Disallowed for robots.txt) with a one-line reason."""
        given_up = self._given_up.get(_host(url))
        if given_up:
            raise FetchError(given_up)
        try:
            resp = self._get(
                url, target, etag, last_modified, self.settings.max_bytes, self.settings.respect_robots
            )
        except FetchError as e:
            if e.host_trouble:
                self._host_failed(e.host_trouble, e)
            raise
        self._failures.pop(_host(url), None)
        return resp

    def _host_failed(self, host: str, error: FetchError) -> None:
        self._failures[host] = self._failures.get(host, 0) + 1
        if self._failures[host] >= max(self.settings.host_failures, 1):
            self._given_up[host] = (
                f"{host} given up for this run after {self._failures[host]} failed URLs in a row "
                f"(the last: {error})"
            )

    def _get(
        self,
        url: str,
        target: Path,
        etag: str | None,
        last_modified: str | None,
        limit: int,
        check_robots: bool = False,
    ) -> Response:
        """One fetch: its redirects, each checked against its site's robots.txt when asked, and
        each hop's retries, all within one deadline."""
        deadline = Deadline(self._clock, self.settings.deadline)
        for hop in range(MAX_REDIRECTS + 1):
            if check_robots:
                started = self._clock()
                try:
                    self._check_robots(url)
                except Disallowed as e:
                    raise Disallowed(f"redirected to {url}, which is {e}" if hop else str(e)) from None
                deadline.extend(self._clock() - started)  # reading robots.txt is a fetch of its own
            try:
                return self._retrying(url, target, etag, last_modified, limit, deadline)
            except _Redirect as r:
                new = urljoin(url, r.location)
                if urlsplit(new).scheme not in ("http", "https"):
                    raise FetchError(f"redirect to a non-http URL refused: {new}") from None
                url = new
        raise FetchError(f"more than {MAX_REDIRECTS} redirects (the last to {url})")

    def _retrying(
        self,
        url: str,
        target: Path,
        etag: str | None,
        last_modified: str | None,
        limit: int,
        deadline: Deadline,
    ) -> Response:
        attempts = self.settings.retries + 1
        for attempt in range(attempts):
            try:
                return self._once(url, target, etag, last_modified, limit, deadline)
            except _Retryable as e:
                if attempt == attempts - 1:
                    raise FetchError(
                        f"{e} (gave up after {attempts} attempts)", host_trouble=_host(url)
                    ) from None
                wait = max(self.settings.backoff * (2**attempt), min(e.retry_after or 0.0, MAX_RETRY_AFTER))
                if wait >= deadline.left():
                    raise FetchError(
                        f"{e} (gave up after {attempt + 1} attempts: waiting {wait:g} s more would pass "
                        f"the {self.settings.deadline:g} s deadline)",
                        host_trouble=_host(url),
                    ) from None
                self._sleep(wait)
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
        self,
        url: str,
        target: Path,
        etag: str | None,
        last_modified: str | None,
        limit: int,
        deadline: Deadline,
    ) -> Response:
        headers = {"User-Agent": self.settings.user_agent, "Accept-Encoding": "identity"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        deadline.extend(self._wait_for_host(url))
        left = deadline.left()
        if left <= 0:
            raise self._too_slow(url)
        self.requests += 1
        watch = Watch(left)
        try:
            with (
                watch,
                self._opener.open(
                    watched(urllib.request.Request(url, headers=headers), watch),
                    timeout=min(self.settings.timeout, left),
                ) as resp,
            ):
                return self._save(resp, target, limit, deadline, watch)
        except urllib.error.HTTPError as e:
            if e.code in _REDIRECTS and e.headers.get("Location"):
                e.close()
                raise _Redirect(e.headers["Location"]) from None
            if e.code == 304:
                return Response(
                    304,
                    etag=e.headers.get("ETag") or etag,
                    last_modified=e.headers.get("Last-Modified") or last_modified,
                )
            if e.code >= 500 or e.code == 429:
                raise _Retryable(f"HTTP {e.code}", _retry_after(e.headers.get("Retry-After"))) from None
            raise FetchError(f"HTTP {e.code} {e.reason}", e.code) from None
        except (
            urllib.error.URLError,
            TimeoutError,
            ConnectionError,
            http.client.HTTPException,
            _Retryable,
        ) as e:
            if watch.fired or deadline.left() <= 0:
                raise self._too_slow(url) from None
            if isinstance(e, _Retryable):
                raise
            reason = getattr(e, "reason", None) or f"{type(e).__name__}: {e}"
            raise _Retryable(f"network error: {reason}") from None

    def _too_slow(self, url: str) -> FetchError:
        return FetchError(
            f"deadline: the fetch took longer than {self.settings.deadline:g} s (server too slow)",
            host_trouble=_host(url),
        )

    def _save(self, resp: Any, target: Path, limit: int, deadline: Deadline, watch: Watch) -> Response:
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise TooLarge(f"too large: {int(declared)} bytes announced, limit {limit}")
        tmp = target.with_name(target.name + ".part")
        size = 0
        try:
            with open(tmp, "wb") as out:
                size = _copy_limited(resp, out, limit, deadline, watch)
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

    def _wait_for_host(self, url: str) -> float:
        """Keep the host's interval; returns the seconds waited."""
        host = _host(url)
        last = self._last.get(host)
        wait = 0.0
        if last is not None:
            wait = self._interval.get(host, self.settings.min_interval) - (self._clock() - last)
            if wait > 0:
                self._sleep(wait)
        self._last[host] = self._clock()
        return max(wait, 0.0)


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _copy_limited(src: Any, out: IO[bytes], limit: int, deadline: Deadline, watch: Watch) -> int:
    size = 0
    while True:
        if deadline.left() <= 0:
            raise _Retryable("deadline passed while downloading")  # _once says why
        try:
            # whatever has arrived, up to CHUNK: read() would wait for all of it
            chunk = src.read1(CHUNK)
        except (OSError, http.client.HTTPException) as e:
            raise _Retryable(f"network error while downloading: {type(e).__name__}: {e}") from None
        if not chunk:
            if watch.fired:  # the watchdog closed the connection: not the end of the file
                raise _Retryable("deadline passed while downloading")
            missing = getattr(src, "length", None)
            if missing:  # read1 does not raise IncompleteRead as read() does
                raise _Retryable(f"connection closed {missing} bytes before the end of the download")
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
