"""The one error shape of the API, {"error": {"code", "message"}}, for answers the gateway
gives itself (before or instead of the Chalice app)."""

from __future__ import annotations

import json

from starlette.responses import Response
from starlette.websockets import WebSocket


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode()


def json_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        error_body(code, message), status_code=status, headers=headers, media_type="application/json"
    )


async def deny(socket: WebSocket, response: Response) -> None:
    """Answer a WebSocket upgrade with `response` instead of accepting it."""
    try:
        await socket.send_denial_response(response)
    except RuntimeError:  # the server cannot send an HTTP answer to the upgrade: close instead
        await socket.close(code=4000 + response.status_code)
