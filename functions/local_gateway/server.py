"""Serve the Chalice app and web/ over real HTTP with uvicorn (ASGI, concurrent).

Requests become the API Gateway events Chalice handles in AWS (through chalice.local's
LocalGateway, pinned with the Chalice version in pyproject.toml); each runs in a worker
thread, with Chalice's `current_request` made thread-local as `chalice local` does.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from chalice import Chalice
from chalice.config import Config
from chalice.local import (
    LambdaEventConverter,
    LocalChalice,
    LocalGateway,
    LocalGatewayException,
    RouteMatcher,
)
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute, request_response
from starlette.types import Receive, Scope, Send

from codearena.fanout import Fanout
from local_gateway import feed
from local_gateway.addresses import source_ip
from local_gateway.config import MAX_WS_MESSAGE_BYTES, GatewayConfig
from local_gateway.errors import json_error
from local_gateway.guard import BodyTooLarge, EdgeGuard, body_too_large
from local_gateway.management import PATH as CONNECTIONS_PATH
from local_gateway.management import ConnectionsApi
from local_gateway.websockets import ConnectionHub, WebSocketBridge

FUNCTIONS_DIR = Path(__file__).resolve().parents[1]


def load_chalice_app(functions_dir: Path = FUNCTIONS_DIR) -> Chalice:
    """Import functions/app.py the way Lambda does (app.py and chalicelib/ on the path)."""
    if str(functions_dir) not in sys.path:
        sys.path.insert(0, str(functions_dir))
    app: Chalice = importlib.import_module("app").app
    if not isinstance(app, LocalChalice):
        app.__class__ = type("ThreadLocalChalice", (LocalChalice, app.__class__), {})
    return app


class _CallerEvents(LambdaEventConverter):
    """Chalice's event converter with the caller's address as `identity.sourceIp` instead of
    its fixed 127.0.0.1. The address is the calling thread's: each request runs in a worker
    thread of its own, which sets it just before the event is built."""

    def __init__(self, app: Chalice) -> None:
        super().__init__(RouteMatcher(list(app.routes)), app.api.binary_types)
        self.caller = threading.local()

    def create_lambda_event(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> dict[str, Any]:
        event: dict[str, Any] = super().create_lambda_event(method, path, headers, body)
        event["requestContext"]["identity"]["sourceIp"] = getattr(self.caller, "address", "")
        return event


class ChaliceBridge:
    def __init__(self, app: Chalice) -> None:
        config = Config.create(chalice_app=app, lambda_timeout=30, lambda_memory_size=512)
        self._gateway = LocalGateway(app, config)
        self._events = _CallerEvents(app)
        self._gateway.event_converter = self._events

    def __call__(
        self, method: str, path: str, headers: dict[str, str], body: bytes, address: str = ""
    ) -> Response:
        self._events.caller.address = address
        try:
            result = self._gateway.handle_request(method, path, headers, body or None)
        except LocalGatewayException:
            # API Gateway answers an unknown route with 403 "Missing Authentication Token";
            # infra/ maps that gateway response to this same 404 JSON in AWS.
            return json_error(404, "route_not_found", f"no route {method} {path.split('?')[0]}")
        return Response(
            _body(result),
            status_code=result["statusCode"],
            headers={k: v for k, v in result["headers"].items() if k.lower() != "content-length"},
        )


def _body(result: dict[str, Any]) -> bytes:
    body = result.get("body") or b""
    return body.encode() if isinstance(body, str) else body


def build(
    web_dir: Path | None = None,
    app: Chalice | None = None,
    fanout: bool = True,
    config: GatewayConfig | None = None,
) -> Starlette:
    """The gateway: REST (the Chalice app), WebSocket at /ws, web/, and, when configured,
    @connections. With `fanout`, the process also runs the fan-out, delivering to its own
    connections."""
    config = config or GatewayConfig.from_env()
    app = app or load_chalice_app()
    bridge = ChaliceBridge(app)
    hub = ConnectionHub()
    module = importlib.import_module("app")
    sockets = WebSocketBridge(app, module, hub, config.trusted_proxy_hops)
    realtime = module.realtime
    realtime.delivery = hub
    web = (web_dir or FUNCTIONS_DIR.parent / "web").resolve()

    async def handle(request: Request) -> Response:
        static = _static_file(web, request)
        if static is not None:
            return FileResponse(static)
        address = _caller(request, config)
        if feed.streams(request):

            async def ask(path: str, headers: dict[str, str]) -> Response:
                return await run_in_threadpool(bridge, "GET", path, headers, b"", address)

            return await feed.stream(request, ask)
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        headers = {k: v for k, v in request.headers.items()}
        body = await request.body()  # at most MAX_BODY_BYTES: EdgeGuard counts while it is read
        return await run_in_threadpool(bridge, request.method, path, headers, body, address)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        stop = threading.Event()
        thread = None
        if fanout:
            worker = Fanout(realtime.api.core, hub, name=f"gateway-{os.getpid()}")
            thread = threading.Thread(target=worker.run, args=(stop,), name="fanout", daemon=True)
            thread.start()
        yield
        stop.set()
        if thread is not None:
            thread.join(timeout=5)

    return Starlette(
        routes=_routes(sockets, hub, handle, config),
        middleware=[Middleware(EdgeGuard)],
        exception_handlers={BodyTooLarge: body_too_large},
        lifespan=lifespan,
    )


def _routes(
    sockets: WebSocketBridge,
    hub: ConnectionHub,
    handle: Callable[[Request], Awaitable[Response]],
    config: GatewayConfig,
) -> list[BaseRoute]:
    """/ws, @connections when a secret is configured, and everything else (the app, web/)."""
    routes: list[BaseRoute] = [WebSocketRoute("/ws", sockets.endpoint)]
    if config.connections_secret:
        routes.append(Route(CONNECTIONS_PATH, AnyMethod(ConnectionsApi(hub, config.connections_secret))))
    routes.append(Route("/{path:path}", AnyMethod(handle)))
    return routes


class AnyMethod:
    """A request handler Starlette routes every method to (it routes a plain function for GET
    only and answers the others with a plain-text 405): the handler answers them itself, and
    the Chalice app answers a method a route lacks with the JSON 405 and Allow."""

    def __init__(self, handler: Callable[[Request], Awaitable[Response]]) -> None:
        self._app = request_response(handler)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)


def _caller(request: Request, config: GatewayConfig) -> str:
    peer = request.client.host if request.client else None
    return source_ip(peer, request.headers.getlist("x-forwarded-for"), config.trusted_proxy_hops)


def _static_file(web: Path, request: Request) -> Path | None:
    if request.method not in ("GET", "HEAD"):
        return None
    relative = request.url.path.lstrip("/") or "index.html"
    try:
        candidate = (web / relative).resolve()
        if candidate.is_relative_to(web) and candidate.is_file():
            return candidate
    except (ValueError, OSError):  # a NUL byte, a name too long: not a file of ours
        pass
    return None


def serve(host: str, port: int, web_dir: Path | None = None) -> None:
    import uvicorn

    from local_gateway.frames import FrameWriter

    # No per-message deflate: a broadcast is framed once for all connections (frames.py).
    app = build(web_dir)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        ws=FrameWriter,
        ws_per_message_deflate=False,
        ws_max_size=MAX_WS_MESSAGE_BYTES,
    )
