"""Serve the Chalice app and web/ over real HTTP with uvicorn (ASGI, concurrent).

Requests become the API Gateway events Chalice handles in AWS (through chalice.local's
LocalGateway, pinned with the Chalice version in pyproject.toml); each runs in a worker
thread, with Chalice's `current_request` made thread-local as `chalice local` does.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from chalice import Chalice
from chalice.config import Config
from chalice.local import LocalChalice, LocalGateway, LocalGatewayException
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route, WebSocketRoute

from codearena.fanout import Fanout
from local_gateway.websockets import ConnectionHub, WebSocketBridge

FUNCTIONS_DIR = Path(__file__).resolve().parents[1]
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]


def load_chalice_app(functions_dir: Path = FUNCTIONS_DIR) -> Chalice:
    """Import functions/app.py the way Lambda does (app.py and chalicelib/ on the path)."""
    if str(functions_dir) not in sys.path:
        sys.path.insert(0, str(functions_dir))
    app: Chalice = importlib.import_module("app").app
    if not isinstance(app, LocalChalice):
        app.__class__ = type("ThreadLocalChalice", (LocalChalice, app.__class__), {})
    return app


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode()


class ChaliceBridge:
    def __init__(self, app: Chalice) -> None:
        config = Config.create(chalice_app=app, lambda_timeout=30, lambda_memory_size=512)
        self._gateway = LocalGateway(app, config)

    def __call__(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Response:
        try:
            result = self._gateway.handle_request(method, path, headers, body or None)
        except LocalGatewayException:
            # API Gateway answers an unknown route with 403 "Missing Authentication Token";
            # infra/ maps that gateway response to this same 404 JSON in AWS.
            return Response(
                error_body("route_not_found", f"no route {method} {path.split('?')[0]}"),
                status_code=404,
                media_type="application/json",
            )
        return Response(
            _body(result),
            status_code=result["statusCode"],
            headers={k: v for k, v in result["headers"].items() if k.lower() != "content-length"},
        )


def _body(result: dict[str, Any]) -> bytes:
    body = result.get("body") or b""
    return body.encode() if isinstance(body, str) else body


def build(web_dir: Path | None = None, app: Chalice | None = None, fanout: bool = True) -> Starlette:
    """The gateway: REST (the Chalice app), WebSocket at /ws, @connections, and web/.

    With `fanout`, the process also runs the fan-out, delivering to its own connections."""
    app = app or load_chalice_app()
    bridge = ChaliceBridge(app)
    hub = ConnectionHub()
    module = importlib.import_module("app")
    sockets = WebSocketBridge(app, module, hub)
    realtime = module.realtime
    realtime.delivery = hub
    web = (web_dir or FUNCTIONS_DIR.parent / "web").resolve()

    async def handle(request: Request) -> Response:
        static = _static_file(web, request)
        if static is not None:
            return FileResponse(static)
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        headers = {k: v for k, v in request.headers.items()}
        return await run_in_threadpool(bridge, request.method, path, headers, await request.body())

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
        routes=[
            WebSocketRoute("/ws", sockets.endpoint),
            Route("/@connections/{connection_id}", sockets.manage, methods=["POST", "GET", "DELETE"]),
            Route("/{path:path}", handle, methods=_METHODS),
        ],
        lifespan=lifespan,
    )


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
    )
