"""Fetching sources.yaml into the inbox (pipelines/sources), against a local HTTP server on 127.0.0.1
only: conditional requests and 304, retries after 503, the size limit, per-host spacing, robots.txt,
listing pages, and URLs that try to write outside the inbox."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from dagster import materialize
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.orchestration.assets import fetched_sources
from pipelines.orchestration.resources import make_resources
from pipelines.settings import Settings as RunSettings
from pipelines.sources import FetchResult, Settings, Source, SourcesError, fetch_sources, load_sources
from pipelines.sources.client import MAX_REDIRECTS, MAX_RETRY_AFTER, PoliteClient
from pipelines.sources.fetch import FAILED, FETCHED_DIR, STATE_DIR
from pipelines.sources.links import is_report_link, report_links

REPORT = "某局2023年政府信息公开工作年度报告".encode()
FAST = Settings(timeout=5, retries=2, backoff=0.01, min_interval=0.0, max_bytes=10_000)


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    etag: str | None = None
    content_type: str = "text/html; charset=utf-8"
    fail_first: int = 0  # answer 503 this many times first
    chunked_bytes: int = 0  # stream this many bytes without a Content-Length
    declared_length: int | None = None
    location: str | None = None  # a redirect's target (status 301/302/...)
    retry_after: str = "0"  # the Retry-After of the fail_first 503s
    drip: float = 0.0  # send the body one byte at a time, this many seconds apart
    drip_headers: float = 0.0  # likewise the headers
    short_by: int = 0  # announce this many bytes more than the body, then hang up


@dataclass
class Server:
    base: str
    routes: dict[str, Route]
    log: list[tuple[str, float, dict[str, str]]] = field(default_factory=list)
    # what the log's times are read from: the fetcher's fake clock in the deterministic tests
    clock: list[Callable[[], float]] = field(default_factory=lambda: [time.monotonic])

    def hits(self, path: str) -> list[dict[str, str]]:
        return [h for p, _, h in self.log if p == path]


@contextmanager
def serve() -> Iterator[Server]:
    routes: dict[str, Route] = {}
    log: list[tuple[str, float, dict[str, str]]] = []
    clock: list[Callable[[], float]] = [time.monotonic]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            log.append((self.path, clock[0](), dict(self.headers)))
            route = routes.get(self.path, Route(body=b"not found", status=404))
            if route.fail_first > 0:
                route.fail_first -= 1
                self.send_response(503)
                self.send_header("Retry-After", route.retry_after)
                self.end_headers()
                return
            if route.location is not None:
                self.send_response(route.status if route.status != 200 else 302)
                self.send_header("Location", route.location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if route.drip_headers:
                try:
                    self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                    for i in range(10_000):
                        self.wfile.write(b"X-Slow-%d: 1\r\n" % i)
                        self.wfile.flush()
                        time.sleep(route.drip_headers)
                except OSError:
                    pass  # the client hung up
                return
            if route.drip:
                self.send_response(200)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                try:
                    for b in route.body:
                        self.wfile.write(bytes([b]))
                        self.wfile.flush()
                        time.sleep(route.drip)
                except OSError:
                    pass
                return
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.chunked_bytes:
                self.end_headers()
                for _ in range(route.chunked_bytes // 1000):
                    self.wfile.write(b"x" * 1000)
                return
            self.send_header("Content-Length", str(route.declared_length or len(route.body) + route.short_by))
            self.end_headers()
            if route.declared_length is None:
                self.wfile.write(route.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", routes, log, clock)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture
def server() -> Iterator[Server]:
    with serve() as s:
        yield s


@pytest.fixture
def other_server() -> Iterator[Server]:
    """A second site on another port of the same machine."""
    with serve() as s:
        yield s


class FakeTime:
    """The fetcher's clock and sleep: sleeping advances the clock, nothing waits for real."""

    def __init__(self, tick: float = 0.0) -> None:
        self.now = 0.0
        self.tick = tick  # added at every reading: time passing while the fetcher works
        self.sleeps: list[float] = []

    def clock(self) -> float:
        self.now += self.tick
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def client(self, settings: Settings) -> PoliteClient:
        return PoliteClient(settings, sleep=self.sleep, clock=self.clock)


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def file_of(result: FetchResult) -> str:
    assert result.file is not None, result
    return result.file


def fetch(
    server: Server,
    inbox: Path,
    *paths: str,
    settings: Settings = FAST,
    listing: bool = False,
    client: PoliteClient | None = None,
) -> list[FetchResult]:
    return fetch_sources(
        settings, [Source(server.base + p, listing=listing) for p in paths], inbox, client=client
    )


def test_fetch_then_not_modified_then_changed(server: Server, tmp_path: Path) -> None:
    server.routes["/ndbg/2023.html"] = Route(body=REPORT, etag='"v1"')
    inbox = tmp_path / "inbox"
    [first] = fetch(server, inbox, "/ndbg/2023.html")
    assert (
        first.status == "new"
        and file_of(first).startswith(f"{FETCHED_DIR}/")
        and file_of(first).endswith(".html")
    )
    saved = inbox / file_of(first)
    assert saved.read_bytes() == REPORT
    mtime = saved.stat().st_mtime_ns

    [second] = fetch(server, inbox, "/ndbg/2023.html")
    assert second.status == "not_modified" and second.file == first.file
    assert server.hits("/ndbg/2023.html")[-1].get("If-None-Match") == '"v1"'
    assert saved.stat().st_mtime_ns == mtime  # untouched: the scan will not even re-read it

    server.routes["/ndbg/2023.html"] = Route(body=REPORT + "（更正）".encode(), etag='"v2"')
    [third] = fetch(server, inbox, "/ndbg/2023.html")
    assert third.status == "changed" and third.file == first.file  # same path: a new version of it
    assert saved.read_bytes().endswith("（更正）".encode())


def test_a_file_deleted_from_the_inbox_is_fetched_again(server: Server, tmp_path: Path) -> None:
    server.routes["/r.html"] = Route(body=REPORT, etag='"v1"')
    inbox = tmp_path / "inbox"
    [first] = fetch(server, inbox, "/r.html")
    (inbox / file_of(first)).unlink()
    [again] = fetch(server, inbox, "/r.html")
    assert again.status == "new" and (inbox / file_of(first)).exists()
    assert "If-None-Match" not in server.hits("/r.html")[-1]


def test_retries_after_503_with_backoff(server: Server, tmp_path: Path) -> None:
    server.routes["/flaky.pdf"] = Route(body=b"%PDF-1.4 ...", content_type="application/pdf", fail_first=2)
    server.routes["/down.html"] = Route(fail_first=100)
    sleeps: list[float] = []
    from pipelines.sources.client import PoliteClient

    client = PoliteClient(FAST, sleep=sleeps.append)
    results = fetch_sources(
        FAST,
        [Source(server.base + "/down.html"), Source(server.base + "/flaky.pdf")],
        tmp_path / "inbox",
        client=client,
    )
    down, flaky = results
    assert down.status == FAILED and "HTTP 503" in (down.reason or "") and "3 attempts" in (down.reason or "")
    assert flaky.status == "new" and (flaky.file or "").endswith(
        ".pdf"
    )  # one failure does not stop the others
    assert len(server.hits("/flaky.pdf")) == 3
    assert sleeps[:2] == [0.01, 0.02]  # exponential


def test_size_limit_declared_and_streamed(server: Server, tmp_path: Path) -> None:
    server.routes["/declared.pdf"] = Route(declared_length=FAST.max_bytes + 1)
    server.routes["/streamed.pdf"] = Route(chunked_bytes=FAST.max_bytes * 3)
    inbox = tmp_path / "inbox"
    declared, streamed = fetch(server, inbox, "/declared.pdf", "/streamed.pdf")
    assert declared.status == streamed.status == FAILED
    assert "announced" in (declared.reason or "") and "abandoned" in (streamed.reason or "")
    assert not (inbox / FETCHED_DIR).exists()
    assert not [p for p in (inbox / STATE_DIR).rglob("*") if p.is_file() and p.name != "state.json"]


def test_requests_to_one_host_are_spaced(server: Server, tmp_path: Path) -> None:
    for i in range(4):
        server.routes[f"/r{i}.html"] = Route(body=REPORT + bytes([i]))
    polite = Settings(timeout=5, retries=0, backoff=0, min_interval=0.25, max_bytes=10_000)
    fake = FakeTime()
    server.clock[0] = fake.clock  # requests are logged at the fetcher's time
    fetch(
        server,
        tmp_path / "inbox",
        *(f"/r{i}.html" for i in range(4)),
        settings=polite,
        client=fake.client(polite),
    )
    paths = [p for p, _, _ in server.log]
    assert paths == ["/robots.txt", "/r0.html", "/r1.html", "/r2.html", "/r3.html"]  # robots.txt read once
    times = [t for _, t, _ in server.log]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert gaps == [0.25] * 4


def test_robots_txt_disallow_and_crawl_delay(server: Server, tmp_path: Path) -> None:
    server.routes["/robots.txt"] = Route(
        body=b"User-agent: *\nDisallow: /private/\nCrawl-delay: 1\n\nUser-agent: BadBot\nDisallow: /\n",
        content_type="text/plain",
    )
    server.routes["/private/2023.html"] = Route(body=REPORT)
    for i in range(2):
        server.routes[f"/ndbg/{i}.html"] = Route(body=REPORT + bytes([i]))
    fake = FakeTime()
    server.clock[0] = fake.clock
    hidden, *shown = fetch(
        server,
        tmp_path / "inbox",
        "/private/2023.html",
        *(f"/ndbg/{i}.html" for i in range(2)),
        client=fake.client(FAST),
    )
    assert hidden.status == FAILED and "robots.txt" in (hidden.reason or "")
    assert server.hits("/private/2023.html") == []
    assert [r.status for r in shown] == ["new"] * 2
    assert len(server.hits("/robots.txt")) == 1
    times = [t for p, t, _ in server.log if p.startswith("/ndbg/")]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert gaps == [1.0], gaps  # Crawl-delay (whole seconds, as robotparser reads it) over min_interval 0
    assert fake.sleeps == [1.0, 1.0]  # after robots.txt, and between the two reports


def test_unreadable_robots_txt_keeps_us_off_the_site(server: Server, tmp_path: Path) -> None:
    server.routes["/robots.txt"] = Route(fail_first=100)
    server.routes["/ndbg/2023.html"] = Route(body=REPORT)
    [result] = fetch(server, tmp_path / "inbox", "/ndbg/2023.html")
    assert result.status == FAILED and "robots.txt could not be read" in (result.reason or "")
    assert server.hits("/ndbg/2023.html") == []
    # an operator with the site's permission can switch robots.txt off for a sources.yaml
    careless = Settings(
        timeout=5, retries=0, backoff=0, min_interval=0.0, max_bytes=10_000, respect_robots=False
    )
    [result] = fetch(server, tmp_path / "inbox", "/ndbg/2023.html", settings=careless)
    assert result.status == "new"


def test_listing_page_follows_report_links_only(server: Server, tmp_path: Path) -> None:
    server.routes["/ndbg/index.html"] = Route(
        body="""<html><body><ul>
        <li><a href="2023.html">某区财政局2023年政府信息公开工作年度报告</a></li>
        <li><a href="/ndbg/2022.html" title="2022年度政府信息公开年报">2022年</a></li>
        <li><a href="2023.html#top">某区财政局2023年政府信息公开工作年度报告（重复）</a></li>
        <li><a href="/news/1.html">区政府召开常务会议</a></li>
        <li><a href="javascript:void(0)">政府信息公开年度报告（脚本）</a></li>
        <li><a href="file:///etc/passwd">政府信息公开年度报告</a></li>
        </ul></body></html>""".encode()
    )
    server.routes["/ndbg/2023.html"] = Route(body=REPORT)
    server.routes["/ndbg/2022.html"] = Route(body=REPORT + b"2022")
    results = fetch(server, tmp_path / "inbox", "/ndbg/index.html", listing=True)
    assert [r.url for r in results] == [server.base + "/ndbg/2023.html", server.base + "/ndbg/2022.html"]
    assert all(r.status == "new" and r.listing == server.base + "/ndbg/index.html" for r in results)
    assert server.hits("/news/1.html") == []
    # the listing page itself is state, not a report: the scan never sees it
    assert len(files_under(tmp_path / "inbox" / FETCHED_DIR)) == 2


def test_urls_cannot_write_outside_the_inbox(server: Server, tmp_path: Path) -> None:
    server.routes["/../../etc/passwd"] = Route(body=b"root:x:0:0")
    server.routes["/a/%2e%2e/%2e%2e/x.html"] = Route(body=b"<html>")
    inbox = tmp_path / "deep" / "inbox"
    before = files_under(tmp_path)
    results = fetch(server, inbox, "/../../etc/passwd", "/a/%2e%2e/%2e%2e/x.html")
    assert [r.status for r in results] == ["new", "new"]
    written = files_under(tmp_path) - before
    assert all(w.startswith("deep/inbox/") for w in written), written
    assert {Path(file_of(r)).parent.as_posix() for r in results} == {FETCHED_DIR}
    assert all(".." not in file_of(r) and "passwd" not in file_of(r) for r in results)


def test_sources_yaml_is_checked(tmp_path: Path) -> None:
    def load(text: str) -> Callable[[], tuple[Settings, list[Source]]]:
        path = tmp_path / "sources.yaml"
        path.write_text(text, encoding="utf-8")
        return lambda: load_sources(path)

    settings, sources = load(
        "settings: {min_interval: 5}\nsources:\n  - url: https://a.gov.cn/r.html\n"
        "  - listing: https://a.gov.cn/ndbg/\n    name: 年报栏目\n"
    )()
    assert (
        settings.min_interval == 5 and settings.max_bytes == Settings().max_bytes and settings.respect_robots
    )
    assert not load("settings: {respect_robots: false}\n")()[0].respect_robots
    assert sources == [Source("https://a.gov.cn/r.html"), Source("https://a.gov.cn/ndbg/", True, "年报栏目")]
    for bad, why in [
        ("sources:\n  - url: file:///etc/passwd\n", "not an http"),
        ("sources:\n  - {url: 'https://a', listing: 'https://b'}\n", "exactly one"),
        ("settings: {speed: 3}\n", "unknown settings"),
        ("settings: {retries: -1}\n", "negative"),
        ("settings: {respect_robots: 'no'}\n", "true or false"),
        ("- just a list\n", "mapping"),
        ("sources: [\n", "cannot read"),
        # another YAML file named by mistake (here a docker-compose file) fetches nothing silently no more
        ("services:\n  web: {image: nginx}\n", "not a sources file: unknown keys services"),
    ]:
        with pytest.raises(SourcesError, match=why):
            load(bad)()


def test_asset_without_sources_yaml_fetches_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    monkeypatch.chdir(tmp_path)  # the default sources.yaml, here absent
    monkeypatch.delenv("GONGKAI_SOURCES", raising=False)
    settings = RunSettings.load(inbox=inbox, warehouse=tmp_path / "wh.duckdb")
    result = materialize([fetched_sources], resources=make_resources(settings))
    assert result.success
    meta = result.asset_materializations_for_node("fetched_sources")[0].metadata
    assert "nothing to fetch" in str(meta["sources"].value)
    assert files_under(inbox) == set()


def test_a_named_sources_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    missing = tmp_path / "missing.yaml"
    settings = RunSettings.load(inbox=inbox, warehouse=tmp_path / "wh.duckdb", sources=missing)
    result = materialize([fetched_sources], resources=make_resources(settings))
    assert result.success  # the inbox still loads tonight; the operator reads why in the log
    meta = result.asset_materializations_for_node("fetched_sources")[0].metadata
    assert "not found" in str(meta["error"].value) and "nothing to fetch" not in str(meta["sources"].value)
    # gongkai run --sources: refused before anything runs
    from pipelines.cli.main import main

    code = main(
        ["run", "--inbox", str(inbox), "--warehouse", str(tmp_path / "wh.duckdb"), "--sources", str(missing)]
    )
    assert code == 2 and not (tmp_path / "wh.duckdb").exists()


def test_gongkai_run_refuses_a_sources_file_it_cannot_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipelines.cli.main import main

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    wrong = tmp_path / "compose.yaml"
    wrong.write_text("services:\n  web: {image: nginx}\n", encoding="utf-8")
    code = main(
        ["run", "--inbox", str(inbox), "--warehouse", str(tmp_path / "wh.duckdb"), "--sources", str(wrong)]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and not (tmp_path / "wh.duckdb").exists()
    assert (
        err
        == f"gongkai: {wrong}: not a sources file: unknown keys services (expected 'sources' and optionally 'settings')"
    )


def test_asset_fetches_into_the_inbox_and_survives_failures(server: Server, tmp_path: Path) -> None:
    server.routes["/r.html"] = Route(body=REPORT)
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f"settings: {{min_interval: 0, backoff: 0, retries: 0}}\nsources:\n"
        f"  - url: {server.base}/r.html\n  - url: {server.base}/missing.html\n",
        encoding="utf-8",
    )
    inbox = tmp_path / "inbox"
    settings = RunSettings.load(inbox=inbox, warehouse=tmp_path / "wh.duckdb", sources=sources)
    result = materialize([fetched_sources], resources=make_resources(settings))
    assert result.success  # a 404 is reported, not a failed run
    meta = result.asset_materializations_for_node("fetched_sources")[0].metadata
    assert (meta["new"].value, meta["failed"].value) == (1, 1)
    assert "HTTP 404" in str(meta["failures"].value)
    assert len(files_under(inbox / FETCHED_DIR)) == 1


def test_report_links_on_xhtml_and_garbage() -> None:
    page = (
        '<?xml version="1.0" encoding="gb2312"?><html><body>'
        '<a href="r.html">2024年政府信息公开工作年度报告</a></body></html>'
    ).encode("gb18030")
    assert report_links(page, "https://a.gov.cn/ndbg/", 10) == ["https://a.gov.cn/ndbg/r.html"]
    assert is_report_link("某局 2023 年政府信息公开\n年报") and not is_report_link("政府信息公开指南")


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(
    st.binary(max_size=2048)
    | st.text(max_size=500).map(lambda s: f"<a href='{s}'>政府信息公开年报{s}</a>".encode())
)
def test_report_links_never_raise(page: bytes) -> None:
    links = report_links(page, "https://a.gov.cn/x/", 5)
    assert len(links) <= 5 and all(u.startswith(("http://", "https://")) for u in links)


# --------------------------------------------------------------------------------------------
# redirects: robots.txt on every hop, every host and port


ROBOTS_PRIVATE = Route(body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")


def test_redirect_into_a_disallowed_path_is_not_followed(server: Server, tmp_path: Path) -> None:
    server.routes["/robots.txt"] = ROBOTS_PRIVATE
    server.routes["/r.html"] = Route(location="/private/2023.html")
    server.routes["/private/2023.html"] = Route(body=REPORT)
    [result] = fetch(server, tmp_path / "inbox", "/r.html")
    assert result.status == FAILED
    assert "redirected to" in (result.reason or "") and "robots.txt" in (result.reason or "")
    assert server.hits("/private/2023.html") == []


def test_redirect_to_another_port_obeys_that_sites_robots(
    server: Server, other_server: Server, tmp_path: Path
) -> None:
    other_server.routes["/robots.txt"] = ROBOTS_PRIVATE
    other_server.routes["/ok.html"] = Route(body=REPORT)
    other_server.routes["/private/2023.html"] = Route(body=REPORT + b"!")
    server.routes["/a.html"] = Route(location=other_server.base + "/ok.html", status=301)
    server.routes["/b.html"] = Route(location=other_server.base + "/private/2023.html", status=307)
    inbox = tmp_path / "inbox"
    followed, refused = fetch(server, inbox, "/a.html", "/b.html")
    assert followed.status == "new" and (inbox / file_of(followed)).read_bytes() == REPORT
    assert refused.status == FAILED and f"{other_server.base}/robots.txt" in (refused.reason or "")
    assert other_server.hits("/private/2023.html") == []
    assert len(other_server.hits("/robots.txt")) == 1  # read once for both hops
    assert len(server.hits("/robots.txt")) == 1


def test_a_site_that_disallows_everything_on_another_port(
    server: Server, other_server: Server, tmp_path: Path
) -> None:
    other_server.routes["/robots.txt"] = Route(
        body=b"User-agent: *\nDisallow: /\n", content_type="text/plain"
    )
    other_server.routes["/x.html"] = Route(body=REPORT)
    server.routes["/r.html"] = Route(location=other_server.base + "/x.html")
    [result] = fetch(server, tmp_path / "inbox", "/r.html")
    assert result.status == FAILED and other_server.hits("/x.html") == []


def test_redirect_loops_end(server: Server, tmp_path: Path) -> None:
    server.routes["/loop.html"] = Route(location="/loop.html")
    [result] = fetch(server, tmp_path / "inbox", "/loop.html")
    assert result.status == FAILED and f"more than {MAX_REDIRECTS} redirects" in (result.reason or "")
    assert len(server.hits("/loop.html")) == MAX_REDIRECTS + 1


def test_redirect_to_a_non_http_url_is_refused(server: Server, tmp_path: Path) -> None:
    server.routes["/r.html"] = Route(location="file:///etc/passwd")
    [result] = fetch(server, tmp_path / "inbox", "/r.html")
    assert result.status == FAILED and "non-http" in (result.reason or "")


# --------------------------------------------------------------------------------------------
# an overall deadline per fetch


def test_a_dripping_body_hits_the_deadline(server: Server, tmp_path: Path) -> None:
    # one byte at a time: each read is in time, the fetch as a whole is not. The fetcher's clock
    # advances a second at every reading, so the deadline passes after a few dozen bytes.
    server.routes["/slow.html"] = Route(body=REPORT * 40, drip=0.001)
    settings = Settings(timeout=5, retries=2, backoff=0, min_interval=0.0, max_bytes=10_000, deadline=30)
    fake = FakeTime(tick=1.0)
    inbox = tmp_path / "inbox"
    [result] = fetch(server, inbox, "/slow.html", settings=settings, client=fake.client(settings))
    assert result.status == FAILED and "deadline" in (result.reason or "") and "30 s" in (result.reason or "")
    assert len(server.hits("/slow.html")) == 1  # a deadline is not retried
    assert not (inbox / FETCHED_DIR).exists()


def test_dripping_headers_hit_the_deadline(server: Server, tmp_path: Path) -> None:
    # headers one line every 50 ms for minutes: the watchdog ends the request at the deadline
    server.routes["/slow.html"] = Route(drip_headers=0.05)
    settings = Settings(timeout=5, retries=0, backoff=0, min_interval=0.0, max_bytes=10_000, deadline=0.5)
    [result] = fetch(server, tmp_path / "inbox", "/slow.html", settings=settings)
    assert result.status == FAILED and "deadline" in (result.reason or "")


def test_a_truncated_body_is_not_a_download(server: Server, tmp_path: Path) -> None:
    # the connection closes 100 bytes before the announced end: not a file, a failure
    server.routes["/cut.html"] = Route(body=REPORT, short_by=100)
    [result] = fetch(server, tmp_path / "inbox", "/cut.html")
    assert result.status == FAILED and "before the end" in (result.reason or "")
    assert not (tmp_path / "inbox" / FETCHED_DIR).exists()


# --------------------------------------------------------------------------------------------
# Retry-After capped, a failing host given up for the night


def test_retry_after_is_capped_and_a_failing_host_given_up(
    server: Server, other_server: Server, tmp_path: Path
) -> None:
    for i in range(50):
        server.routes[f"/ndbg/{i}.html"] = Route(fail_first=100, retry_after="60")
    other_server.routes["/r.html"] = Route(body=REPORT)
    settings = Settings(timeout=5, retries=3, backoff=2, min_interval=0.0, max_bytes=10_000, host_failures=3)
    fake = FakeTime()
    sources = [Source(f"{server.base}/ndbg/{i}.html") for i in range(50)]
    # the other site, under another host name for the same machine, is not given up with it
    sources.append(Source(other_server.base.replace("127.0.0.1", "localhost") + "/r.html"))
    results = fetch_sources(settings, sources, tmp_path / "inbox", client=fake.client(settings))
    *slow, other = results
    assert all(r.status == FAILED for r in slow) and other.status == "new"
    assert all("HTTP 503" in (r.reason or "") for r in slow[:3])
    assert all("given up for this run after 3 failed URLs" in (r.reason or "") for r in slow[3:])
    hit = [p for p, _, _ in server.log if p.startswith("/ndbg/")]
    assert len(hit) == 3 * 4  # three URLs, four attempts each; the other 47 never asked
    assert max(fake.sleeps) == MAX_RETRY_AFTER  # Retry-After: 60 waited 30 s
    assert sum(fake.sleeps) == 3 * 3 * MAX_RETRY_AFTER  # 4.5 minutes for the night, not 2.5 hours


def test_retry_after_never_waits_past_the_deadline(server: Server, tmp_path: Path) -> None:
    server.routes["/r.html"] = Route(fail_first=100, retry_after="60")
    settings = Settings(timeout=5, retries=5, backoff=2, min_interval=0.0, max_bytes=10_000, deadline=50)
    fake = FakeTime()
    [result] = fetch(server, tmp_path / "inbox", "/r.html", settings=settings, client=fake.client(settings))
    assert result.status == FAILED and "would pass the 50 s deadline" in (result.reason or "")
    assert fake.sleeps == [MAX_RETRY_AFTER]  # a second wait of 30 s would end after the deadline
    assert len(server.hits("/r.html")) == 2


def test_a_host_that_recovers_is_not_given_up(server: Server, tmp_path: Path) -> None:
    # failures must come in a row: a success in between resets the count
    settings = Settings(timeout=5, retries=0, backoff=0, min_interval=0.0, max_bytes=10_000, host_failures=2)
    paths = []
    for i in range(6):
        ok = i % 2 == 1
        server.routes[f"/{i}.html"] = Route(body=REPORT + bytes([i])) if ok else Route(fail_first=1)
        paths.append(f"/{i}.html")
    results = fetch(server, tmp_path / "inbox", *paths, settings=settings)
    assert [r.status for r in results] == [FAILED, "new"] * 3
    assert not any("given up" in (r.reason or "") for r in results)
