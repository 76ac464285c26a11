"""A recording `@connections` endpoint on loopback, standing in for API Gateway's management
API: POST /@connections/{id} answers 200 after `delay_s` (410 GoneException for the ids in
`gone`, 500 for those in `failing`, a dropped connection for those in `dropping`, an answer a
minute late for those in `silent`), and keeps
what each connection was sent, how many posts were in flight at most, how many TCP
connections were opened. It runs an asyncio loop on a thread of the test process."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote


@dataclass
class Recorded:
    posts: dict[str, list[bytes]] = field(default_factory=lambda: defaultdict(list))  # answered 200
    attempts: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # every POST
    headers: list[dict[str, str]] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    connections_opened: int = 0


class ConnectionsEndpoint:
    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.gone: set[str] = set()
        self.failing: set[str] = set()
        self.dropping: set[str] = set()
        self.silent: set[str] = set()
        self.recorded = Recorded()
        self._lock = threading.Lock()
        self._writers: set[asyncio.StreamWriter] = set()
        self.url = ""

    def events(self, connection_id: str) -> list[dict[str, Any]]:
        """The JSON messages a connection was sent, in order."""
        with self._lock:
            return [json.loads(body) for body in self.recorded.posts.get(connection_id, [])]

    def attempts(self, connection_id: str) -> int:
        """How many POSTs reached the endpoint for a connection, whatever the answer."""
        with self._lock:
            return self.recorded.attempts.get(connection_id, 0)

    async def close_idle_connections(self) -> None:
        for writer in list(self._writers):
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.recorded.connections_opened += 1
        self._writers.add(writer)
        try:
            while await self._answer_one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _answer_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.lower().split(": ", 1) for line in lines[1:] if line)
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        connection_id = unquote(lines[0].split(" ")[1].rsplit("/", 1)[-1])
        with self._lock:
            self.recorded.attempts[connection_id] += 1
        self._enter()
        try:
            await asyncio.sleep(60 if connection_id in self.silent else self.delay_s)
        finally:
            self.recorded.in_flight -= 1
        if connection_id in self.dropping:
            return False
        writer.write(self._respond(connection_id, headers, body))
        return True

    def _enter(self) -> None:
        recorded = self.recorded
        recorded.in_flight += 1
        recorded.most_in_flight = max(recorded.most_in_flight, recorded.in_flight)

    def _respond(self, connection_id: str, headers: dict[str, str], body: bytes) -> bytes:
        if connection_id in self.gone:
            head = b"HTTP/1.1 410 Gone\r\nx-amzn-ErrorType: GoneException\r\nContent-Length: 17\r\n\r\n"
            return head + b'{"message": null}'
        if connection_id in self.failing:
            return b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"
        with self._lock:
            self.recorded.posts[connection_id].append(body)
            self.recorded.headers.append(headers)
        return b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


@contextlib.contextmanager
def running_endpoint(delay_s: float = 0.0) -> Iterator[tuple[ConnectionsEndpoint, asyncio.AbstractEventLoop]]:
    """The endpoint serving on a free loopback port (its `url`), and its loop."""
    endpoint = ConnectionsEndpoint(delay_s)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="connections-endpoint", daemon=True)
    thread.start()

    async def start() -> asyncio.Server:
        return await asyncio.start_server(endpoint._serve, "127.0.0.1", 0, backlog=1024)

    server = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
    endpoint.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield endpoint, loop
    finally:

        async def stop() -> None:  # in the loop's thread: asyncio.Server is not thread-safe
            server.close()
            await endpoint.close_idle_connections()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
