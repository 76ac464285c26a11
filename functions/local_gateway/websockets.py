"""The local WebSocket endpoint: browser connections become the API Gateway events the
Chalice handlers receive, and messages reach connections through `ConnectionHub`, the
in-process implementation of the delivery interface (management.py serves it as
`@connections` when configured)."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from chalice import Chalice
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect

from local_gateway.addresses import source_ip
from local_gateway.errors import deny, json_error
from local_gateway.frames import FrameWriter, frame_writer, text_frame

log = logging.getLogger("codearena.gateway.ws")
STAGE = "api"
BACKLOG_LIMIT_BYTES = 8 * 1024 * 1024  # unsent bytes for one client before it counts as gone
WRITE_TIMEOUT_SECONDS = 10.0  # how long send_many waits for the event loop to write


@dataclass
class _Client:
    connection_id: str
    socket: WebSocket
    writer: FrameWriter
    loop: asyncio.AbstractEventLoop
    source_ip: str
    connected_at: float = field(default_factory=time.time)


class ConnectionHub:
    """Open local connections; `send_many` may be called from any thread, order is kept.

    A message is framed once (in the caller's thread) and its bytes are written to every
    connection in one turn of the event loop: no task or ASGI send per connection."""

    def __init__(self) -> None:
        self._clients: dict[str, _Client] = {}
        self._closing: set[asyncio.Task[None]] = set()  # strong references while they run

    def __len__(self) -> int:
        return len(self._clients)

    def send_many(self, connection_ids: list[str], data: bytes) -> list[str]:
        """Returns once `data` is written to every open connection (as API Gateway's
        delivery does, so the fan-out can time a broadcast); the ids that are gone."""
        gone, ready = [], []
        for connection_id in connection_ids:
            client = self._clients.get(connection_id)
            if client is None:
                gone.append(connection_id)
            elif client.writer.backlog_bytes() >= BACKLOG_LIMIT_BYTES:
                gone.append(connection_id)
                self.close(connection_id)
            else:
                ready.append(client)
        if ready:
            gone += _write_all_on_loop(ready, text_frame(data))
        return gone

    def info(self, connection_id: str) -> dict[str, Any] | None:
        client = self._clients.get(connection_id)
        if client is None:
            return None
        # GetConnection's answer as API Gateway sends it (boto3 reads these wire names).
        connected_at = datetime.fromtimestamp(client.connected_at, UTC).isoformat()
        user_agent = client.socket.headers.get("user-agent", "")
        return {
            "connectedAt": connected_at,
            "identity": {"sourceIp": client.source_ip, "userAgent": user_agent},
        }

    def close(self, connection_id: str) -> bool:
        """Close after the messages already sent to it (the writes queued before this)."""
        client = self._clients.get(connection_id)
        if client is not None:
            client.loop.call_soon_threadsafe(self._close_soon, client.socket)
        return client is not None

    def _close_soon(self, socket: WebSocket) -> None:
        task = asyncio.create_task(_close_quietly(socket))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def add(self, connection_id: str, socket: WebSocket, writer: FrameWriter, address: str) -> None:
        loop = asyncio.get_running_loop()
        self._clients[connection_id] = _Client(connection_id, socket, writer, loop, address)

    def forget(self, connection_id: str) -> None:
        self._clients.pop(connection_id, None)


def _write_all_on_loop(clients: list[_Client], frame: bytes) -> list[str]:
    loop = clients[0].loop
    if _running_loop() is loop:
        return _write_all(clients, frame)
    written: Future[list[str]] = Future()
    loop.call_soon_threadsafe(_settle, written, clients, frame)  # one wake-up for the batch
    try:
        return written.result(timeout=WRITE_TIMEOUT_SECONDS)
    except TimeoutError:  # the loop is stopping: what is queued may not go out
        log.warning("writing to %d connections took over %ss", len(clients), WRITE_TIMEOUT_SECONDS)
        return []


def _settle(written: Future[list[str]], clients: list[_Client], frame: bytes) -> None:
    try:
        written.set_result(_write_all(clients, frame))
    except Exception as exc:  # a bug: the caller raises it rather than waiting out the timeout
        written.set_exception(exc)


def _write_all(clients: list[_Client], frame: bytes) -> list[str]:
    return [client.connection_id for client in clients if not client.writer.write_frame(frame)]


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


async def _close_quietly(socket: WebSocket) -> None:
    try:
        await socket.close()
    except Exception:  # already closed by the peer
        log.debug("closing an already closed socket")


def _event(
    socket: WebSocket, connection_id: str, address: str, route: str, kind: str, body: str | None = None
) -> dict[str, Any]:
    context = {
        "routeKey": route,
        "eventType": kind,
        "connectionId": connection_id,
        "apiId": "local",
        "stage": STAGE,
        "domainName": socket.headers.get("host", "127.0.0.1"),
        "requestId": secrets.token_hex(8),
        "connectedAt": int(time.time() * 1000),
        "identity": {"sourceIp": address},
    }
    event: dict[str, Any] = {"requestContext": context, "isBase64Encoded": False, "body": body}
    if kind == "CONNECT":
        event["headers"] = dict(socket.headers)
        event["queryStringParameters"] = dict(socket.query_params) or None
    return event


class WebSocketBridge:
    def __init__(
        self, app: Chalice, module: ModuleType, hub: ConnectionHub, trusted_proxy_hops: int = 0
    ) -> None:
        # The module attributes are the Lambda entry points Chalice wraps around each handler.
        handlers = app.websocket_handlers.items()
        self._handlers = {route: getattr(module, config.name) for route, config in handlers}
        self.hub = hub
        self._trusted_proxy_hops = trusted_proxy_hops

    def _call(self, route: str, event: dict[str, Any]) -> dict[str, Any]:
        return dict(self._handlers[route](event, None) or {})

    async def endpoint(self, socket: WebSocket) -> None:
        writer = frame_writer(socket.scope)
        if writer is None:
            log.error("no raw frame writer: serve the gateway with serve() (uvicorn ws=FrameWriter)")
            await socket.close(code=1011)
            return
        connection_id = secrets.token_urlsafe(12)
        address = self._source_ip(socket)
        answer = await run_in_threadpool(
            self._call, "$connect", _event(socket, connection_id, address, "$connect", "CONNECT")
        )
        status = int(answer.get("statusCode", 200))
        if status != 200:
            await deny(socket, json_error(status, "unauthorized", "the token is invalid or expired"))
            return
        await socket.accept()
        self.hub.add(connection_id, socket, writer, address)
        try:
            while True:
                body = await socket.receive_text()
                event = _event(socket, connection_id, address, "$default", "MESSAGE", body)
                await run_in_threadpool(self._call, "$default", event)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self.hub.forget(connection_id)
            await _close_quietly(socket)
            event = _event(socket, connection_id, address, "$disconnect", "DISCONNECT")
            await run_in_threadpool(self._call, "$disconnect", event)

    def _source_ip(self, socket: WebSocket) -> str:
        peer = socket.client.host if socket.client else None
        return source_ip(peer, socket.headers.getlist("x-forwarded-for"), self._trusted_proxy_hops)
