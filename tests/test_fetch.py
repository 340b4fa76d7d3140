"""Fetching sources.yaml into the inbox (pipelines/sources), against a local HTTP server on 127.0.0.1
only: conditional requests and 304, retries after 503, the size limit, per-host spacing, robots.txt,
listing pages, and URLs that try to write outside the inbox."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
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


@dataclass
class Server:
    base: str
    routes: dict[str, Route]
    log: list[tuple[str, float, dict[str, str]]] = field(default_factory=list)

    def hits(self, path: str) -> list[dict[str, str]]:
        return [h for p, _, h in self.log if p == path]


@pytest.fixture
def server() -> Iterator[Server]:
    routes: dict[str, Route] = {}
    log: list[tuple[str, float, dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            log.append((self.path, time.monotonic(), dict(self.headers)))
            route = routes.get(self.path, Route(body=b"not found", status=404))
            if route.fail_first > 0:
                route.fail_first -= 1
                self.send_response(503)
                self.send_header("Retry-After", "0")
                self.end_headers()
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
            self.send_header("Content-Length", str(route.declared_length or len(route.body)))
            self.end_headers()
            if route.declared_length is None:
                self.wfile.write(route.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", routes, log)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def file_of(result: FetchResult) -> str:
    assert result.file is not None, result
    return result.file


def fetch(
    server: Server, inbox: Path, *paths: str, settings: Settings = FAST, listing: bool = False
) -> list[FetchResult]:
    return fetch_sources(settings, [Source(server.base + p, listing=listing) for p in paths], inbox)


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
    fetch(server, tmp_path / "inbox", *(f"/r{i}.html" for i in range(4)), settings=polite)
    paths = [p for p, _, _ in server.log]
    assert paths == ["/robots.txt", "/r0.html", "/r1.html", "/r2.html", "/r3.html"]  # robots.txt read once
    times = [t for _, t, _ in server.log]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(gaps) == 4 and min(gaps) >= 0.24, gaps


def test_robots_txt_disallow_and_crawl_delay(server: Server, tmp_path: Path) -> None:
    server.routes["/robots.txt"] = Route(
        body=b"User-agent: *\nDisallow: /private/\nCrawl-delay: 1\n\nUser-agent: BadBot\nDisallow: /\n",
        content_type="text/plain",
    )
    server.routes["/private/2023.html"] = Route(body=REPORT)
    for i in range(2):
        server.routes[f"/ndbg/{i}.html"] = Route(body=REPORT + bytes([i]))
    hidden, *shown = fetch(
        server, tmp_path / "inbox", "/private/2023.html", *(f"/ndbg/{i}.html" for i in range(2))
    )
    assert hidden.status == FAILED and "robots.txt" in (hidden.reason or "")
    assert server.hits("/private/2023.html") == []
    assert [r.status for r in shown] == ["new"] * 2
    assert len(server.hits("/robots.txt")) == 1
    times = [t for p, t, _ in server.log if p.startswith("/ndbg/")]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.99, gaps  # Crawl-delay (whole seconds, as robotparser reads it) over min_interval 0


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
    ]:
        with pytest.raises(SourcesError, match=why):
            load(bad)()


def test_asset_without_sources_yaml_fetches_nothing(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = RunSettings.load(inbox=inbox, warehouse=tmp_path / "wh.duckdb").with_(
        sources=tmp_path / "missing.yaml"
    )
    result = materialize([fetched_sources], resources=make_resources(settings))
    assert result.success
    meta = result.asset_materializations_for_node("fetched_sources")[0].metadata
    assert "nothing to fetch" in str(meta["sources"].value)
    assert files_under(inbox) == set()


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
