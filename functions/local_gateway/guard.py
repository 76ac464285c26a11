"""Refusals made before routing, where API Gateway makes them: a path whose decoded form
holds a control character (400), and a request body over API Gateway's limit (413), whether
Content-Length declares it or a chunked body grows past it while it is read."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from local_gateway.config import MAX_BODY_BYTES
from local_gateway.errors import deny, json_error

# Starlette's {path:path} does not match a newline and Chalice's URL parsing drops one: such a
# path would reach another route than the one it names, or a plain-text 404.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


class BodyTooLarge(Exception):
    """The request body went past `max_bytes` while it was read."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"the request body is over {max_bytes} bytes")
        self.max_bytes = max_bytes


def too_large(max_bytes: int) -> Response:
    return json_error(413, "payload_too_large", f"the request body is over {max_bytes} bytes")


async def body_too_large(_: Request, exc: Exception) -> Response:
    """Starlette's handler for BodyTooLarge raised by a route reading its body."""
    return too_large(exc.max_bytes if isinstance(exc, BodyTooLarge) else MAX_BODY_BYTES)


class EdgeGuard:
    """ASGI middleware in front of the router. A body is never read here: the route reads it
    through a `receive` that counts, and raises BodyTooLarge past the limit."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is None:
            counted = _limited(receive, self.max_body_bytes) if scope["type"] == "http" else receive
            await self.app(scope, counted, send)
        elif scope["type"] == "http":
            await refusal(scope, receive, send)
        else:
            await deny(WebSocket(scope, receive, send), refusal)

    def _refusal(self, scope: Scope) -> Response | None:
        if _CONTROL_CHARACTER.search(scope["path"]):
            return json_error(400, "invalid_path", "the path holds a control character")
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            return too_large(self.max_body_bytes)
        return None


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit():
            return int(value)
    return None


def _limited(receive: Receive, max_bytes: int) -> Receive:
    received_bytes = 0

    async def counting() -> Message:
        nonlocal received_bytes
        message = await receive()
        if message["type"] == "http.request":
            received_bytes += len(message.get("body", b""))
            if received_bytes > max_bytes:
                raise BodyTooLarge(max_bytes)
        return message

    return counting
