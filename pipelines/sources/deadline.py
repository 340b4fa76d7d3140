"""An overall deadline for one fetch, however the server behaves.

A socket timeout bounds each read, not a request: a server that sends one byte every second
answers every read in time and can hold a request for ever, while it sends headers as well as
while it sends the body. So each request runs under a watchdog that shuts its connection down
when the fetch's deadline passes (the blocked read then fails, and the fetch says why), and the
body is read in pieces of whatever has arrived, the deadline checked between them.

The urllib handlers here record the connection a request opens, so the watchdog can reach it
(proxies, TLS and the rest of urllib work as before).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import urllib.request
from collections.abc import Callable
from typing import Any


class Deadline:
    """The time by which a fetch must be done, on the client's clock (injectable for tests)."""

    def __init__(self, clock: Callable[[], float], seconds: float) -> None:
        self.clock = clock
        self.seconds = seconds
        self.at = clock() + seconds

    def left(self) -> float:
        return self.at - self.clock()

    def extend(self, seconds: float) -> None:
        """Time the client spent waiting on its own account (the pause between two requests to a
        host) is not the server's: it does not count against the deadline."""
        self.at += seconds


class Watch:
    """Shuts the request's connection down after `seconds` (real time), unless cancelled."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self.connection: http.client.HTTPConnection | None = None
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> Watch:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def _fire(self) -> None:
        self.fired = True
        conn = self.connection
        sock = conn.sock if conn is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)


def watched(request: urllib.request.Request, watch: Watch) -> urllib.request.Request:
    request.gongkai_watch = watch  # type: ignore[attr-defined]
    return request


def _factory(cls: type[http.client.HTTPConnection], req: Any) -> Callable[..., http.client.HTTPConnection]:
    def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
        conn = cls(host, **kwargs)
        watch = getattr(req, "gongkai_watch", None)
        if watch is not None:
            watch.connection = conn
        return conn

    return make


class WatchedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: Any) -> Any:
        return self.do_open(_factory(http.client.HTTPConnection, req), req)


class WatchedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: Any) -> Any:
        kwargs: dict[str, Any] = {"context": getattr(self, "_context", None)}
        if getattr(self, "_check_hostname", None) is not None:  # Python 3.11
            kwargs["check_hostname"] = self._check_hostname  # type: ignore[attr-defined]
        return self.do_open(_factory(http.client.HTTPSConnection, req), req, **kwargs)
