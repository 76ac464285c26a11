"""The local WebSocket endpoint: browser connections become the API Gateway events the
Chalice handlers receive, and messages reach connections through `ConnectionHub`, the
in-process implementation of the delivery interface (also served as `@connections`)."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from chalice import Chalice
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket, WebSocketDisconnect

log = logging.getLogger("codearena.gateway.ws")
STAGE = "api"
QUEUE_LIMIT = 10_000  # messages waiting for one client before it counts as gone


@dataclass
class _Client:
    socket: WebSocket
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[str | None]
    connected_at: float = field(default_factory=time.time)


class ConnectionHub:
    """Open local connections; `send_many` may be called from any thread, order is kept."""

    def __init__(self) -> None:
        self._clients: dict[str, _Client] = {}

    def __len__(self) -> int:
        return len(self._clients)

    def send_many(self, connection_ids: list[str], data: bytes) -> list[str]:
        text, gone, ready = data.decode(), [], []
        for connection_id in connection_ids:
            client = self._clients.get(connection_id)
            if client is None or client.queue.qsize() >= QUEUE_LIMIT:
                gone.append(connection_id)
            else:
                ready.append(client)
        if ready:  # one wake-up of the event loop for the whole batch
            ready[0].loop.call_soon_threadsafe(_enqueue, ready, text)
        return gone

    def info(self, connection_id: str) -> dict[str, Any] | None:
        client = self._clients.get(connection_id)
        if client is None:
            return None
        return {"ConnectedAt": client.connected_at, "Identity": {"SourceIp": "127.0.0.1"}}

    def close(self, connection_id: str) -> bool:
        client = self._clients.get(connection_id)
        if client is not None:
            client.loop.call_soon_threadsafe(_enqueue, [client], None)
        return client is not None

    async def serve(self, connection_id: str, socket: WebSocket) -> asyncio.Task[None]:
        client = _Client(socket, asyncio.get_running_loop(), asyncio.Queue())
        self._clients[connection_id] = client
        return asyncio.create_task(self._write(connection_id, client))

    def forget(self, connection_id: str) -> None:
        self._clients.pop(connection_id, None)

    async def _write(self, connection_id: str, client: _Client) -> None:
        while (text := await client.queue.get()) is not None:
            try:
                await client.socket.send_text(text)
            except Exception:
                break
        self.forget(connection_id)
        await _close_quietly(client.socket)


def _enqueue(clients: list[_Client], text: str | None) -> None:
    for client in clients:
        client.queue.put_nowait(text)


async def _close_quietly(socket: WebSocket) -> None:
    try:
        await socket.close()
    except Exception:  # already closed by the peer
        log.debug("closing an already closed socket")


def _event(
    socket: WebSocket, connection_id: str, route: str, kind: str, body: str | None = None
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
    }
    event: dict[str, Any] = {"requestContext": context, "isBase64Encoded": False, "body": body}
    if kind == "CONNECT":
        event["headers"] = dict(socket.headers)
        event["queryStringParameters"] = dict(socket.query_params) or None
    return event


class WebSocketBridge:
    def __init__(self, app: Chalice, module: ModuleType, hub: ConnectionHub) -> None:
        # The module attributes are the Lambda entry points Chalice wraps around each handler.
        handlers = app.websocket_handlers.items()
        self._handlers = {route: getattr(module, config.name) for route, config in handlers}
        self.hub = hub

    def _call(self, route: str, event: dict[str, Any]) -> dict[str, Any]:
        return dict(self._handlers[route](event, None) or {})

    async def endpoint(self, socket: WebSocket) -> None:
        connection_id = secrets.token_urlsafe(12)
        answer = await run_in_threadpool(
            self._call, "$connect", _event(socket, connection_id, "$connect", "CONNECT")
        )
        status = int(answer.get("statusCode", 200))
        if status != 200:
            await _deny(socket, status)
            return
        await socket.accept()
        writer = await self.hub.serve(connection_id, socket)
        try:
            while True:
                body = await socket.receive_text()
                event = _event(socket, connection_id, "$default", "MESSAGE", body)
                await run_in_threadpool(self._call, "$default", event)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self.hub.close(connection_id)
            await writer
            await run_in_threadpool(
                self._call, "$disconnect", _event(socket, connection_id, "$disconnect", "DISCONNECT")
            )

    # --- the @connections management API, as API Gateway serves it ----------------------
    async def manage(self, request: Request) -> Response:
        connection_id = request.path_params["connection_id"]
        if request.method == "POST":
            gone = self.hub.send_many([connection_id], await request.body())
            return _gone() if gone else Response(status_code=200)
        if request.method == "GET":
            info = self.hub.info(connection_id)
            return JSONResponse(info) if info else _gone()
        return Response(status_code=204) if self.hub.close(connection_id) else _gone()


def _gone() -> Response:
    return JSONResponse(
        {"message": "GoneException"}, status_code=410, headers={"x-amzn-ErrorType": "GoneException"}
    )


async def _deny(socket: WebSocket, status: int) -> None:
    body = json.dumps({"error": {"code": "unauthorized", "message": "the token is invalid or expired"}})
    try:
        await socket.send_denial_response(Response(body, status_code=status, media_type="application/json"))
    except RuntimeError:  # the server cannot send an HTTP answer to the upgrade: close instead
        await socket.close(code=4000 + status)
