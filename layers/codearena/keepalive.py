"""Kept-alive HTTP/1.1 connections to one endpoint, for `PooledDelivery` (codearena.delivery).

Just what posting to API Gateway's `@connections` API needs, at a fraction of a general
client's cost per request: one request at a time per connection, answers framed by
Content-Length or chunked, TLS for https. A watchdog aborts a connection whose answer is late,
instead of a timer armed and disarmed around every request.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_HEAD_BYTES = 64 * 1024  # of a response's status line and headers
WATCH_SECONDS = 0.5  # how often the watchdog looks for late answers
_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)")


@dataclass(frozen=True)
class Endpoint:
    """Where the `@connections` API is: https://<api>.execute-api.<region>.amazonaws.com/<stage>
    in AWS, http://127.0.0.1:<port> for a local gateway or moto."""

    tls: bool
    host: str
    port: int
    host_header: str  # the port only when it is not the scheme's own, as botocore signs it
    prefix: str  # the stage's path, "" or "/<stage>"

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the @connections endpoint must be an http(s) URL, not {url!r}")
        tls = parts.scheme == "https"
        port = parts.port or (443 if tls else 80)
        host_header = parts.hostname if port == (443 if tls else 80) else f"{parts.hostname}:{port}"
        return cls(tls, parts.hostname, port, host_header, parts.path.rstrip("/"))


class Connection:
    """One HTTP/1.1 connection, one request at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self.reusable = True
        self.late = False  # the watchdog aborted it
        self.sent_at = 0.0  # time.monotonic() of the request awaiting its answer; 0 when none

    async def exchange(self, request: bytes) -> int:
        """Send `request`, read the whole answer; its status."""
        self.sent_at = time.monotonic()
        self._writer.write(request)
        status, length, chunked, self.reusable = parse_head(await self._reader.readuntil(b"\r\n\r\n"))
        if chunked:
            await _skip_chunks(self._reader)
        elif length is not None:
            await self._reader.readexactly(length)
        elif status not in (204, 304):  # no framing: the body ends with the connection
            await self._reader.read()
            self.reusable = False
        self.sent_at = 0.0
        return status

    def abort_if_late(self, now: float, timeout_seconds: float) -> None:
        if self.sent_at and now - self.sent_at > timeout_seconds:
            self.late = True
            self._writer.transport.abort()  # the pending read fails at once

    @property
    def closed(self) -> bool:
        return self._writer.is_closing()

    def close(self) -> None:
        self._writer.close()


class Pool:
    """Up to `size` connections to `endpoint`, kept open between uses; answers later than
    `timeout_seconds` abort their connection. Used on one event loop."""

    def __init__(self, endpoint: Endpoint, size: int, timeout_seconds: float) -> None:
        self.endpoint = endpoint
        self.size = size
        self.slots = asyncio.Semaphore(size)  # one per connection in use
        self._timeout_seconds = timeout_seconds
        self._idle: list[Connection] = []
        self._open: set[Connection] = set()
        self._watchdog: asyncio.TimerHandle | None = None

    async def open(self) -> Connection:
        endpoint = self.endpoint
        async with asyncio.timeout(self._timeout_seconds):
            reader, writer = await asyncio.open_connection(
                endpoint.host, endpoint.port, ssl=True if endpoint.tls else None, limit=MAX_HEAD_BYTES
            )
        connection = Connection(reader, writer)
        self._open.add(connection)
        if self._watchdog is None:
            self._watch()
        return connection

    def take(self) -> Connection | None:
        """An idle connection, or None (the caller opens one when it first posts)."""
        return self._idle.pop() if self._idle else None

    def give_back(self, connection: Connection | None) -> None:
        if connection is not None:
            self._idle.append(connection)

    def _watch(self) -> None:
        now = time.monotonic()
        for connection in list(self._open):
            if connection.closed:
                self._open.discard(connection)
            else:
                connection.abort_if_late(now, self._timeout_seconds)
        self._watchdog = asyncio.get_running_loop().call_later(WATCH_SECONDS, self._watch)

    async def close(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        for connection in self._open:
            connection.close()
        self._open.clear()
        self._idle.clear()


def parse_head(head: bytes) -> tuple[int, int | None, bool, bool]:
    """(status, Content-Length or None, chunked, connection reusable) of a response head."""
    lower = head.lower()
    length = _LENGTH.search(lower)
    chunked = b"\r\ntransfer-encoding:" in lower and b"chunked" in _header(lower, b"transfer-encoding")
    reusable = b"\r\nconnection:" not in lower or b"close" not in _header(lower, b"connection")
    return int(head[9:12]), int(length.group(1)) if length else None, chunked, reusable


def _header(lower_head: bytes, name: bytes) -> bytes:
    start = lower_head.index(b"\r\n" + name + b":") + len(name) + 3
    return lower_head[start : lower_head.index(b"\r\n", start)]


async def _skip_chunks(reader: asyncio.StreamReader) -> None:
    while size := int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16):
        await reader.readexactly(size + 2)
    while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, then the empty line
        pass
