"""API Gateway's `@connections` management API over the local connections, so that
`codearena fanout --endpoint http://127.0.0.1:PORT` can be tried against a local gateway.

The gateway delivers to its own connections in-process; this API is served only when
CODEARENA_CONNECTIONS_SECRET is set, and then only to loopback peers whose requests are signed
(AWS SigV4) with that secret as the secret access key: anyone else could post fake events into
other people's sockets or close them."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from local_gateway.addresses import is_loopback
from local_gateway.errors import json_error
from local_gateway.sigv4 import SignedRequest, verify
from local_gateway.websockets import ConnectionHub

PATH = "/@connections/{connection_id}"
METHODS = ("POST", "GET", "DELETE")


class ConnectionsApi:
    def __init__(self, hub: ConnectionHub, secret_key: str) -> None:
        self.hub = hub
        self._secret_key = secret_key

    async def __call__(self, request: Request) -> Response:
        body = await request.body()
        if not self._allowed(request, body):
            return json_error(
                403,
                "forbidden",
                "the @connections API takes only requests signed with the gateway's secret",
                headers={"x-amzn-ErrorType": "ForbiddenException"},
            )
        return self._answer(request.method, request.path_params["connection_id"], body)

    def _answer(self, method: str, connection_id: str, body: bytes) -> Response:
        if method == "POST":
            return _gone() if self.hub.send_many([connection_id], body) else Response(status_code=200)
        if method == "GET":
            info = self.hub.info(connection_id)
            return JSONResponse(info) if info else _gone()
        if method == "DELETE":
            return Response(status_code=204) if self.hub.close(connection_id) else _gone()
        allow = {"Allow": ", ".join(METHODS)}
        return json_error(405, "method_not_allowed", f"Unsupported method: {method}", headers=allow)

    def _allowed(self, request: Request, body: bytes) -> bool:
        peer = request.client.host if request.client else ""
        return is_loopback(peer) and verify(_signed(request, body), self._secret_key, datetime.now(UTC))


def _signed(request: Request, body: bytes) -> SignedRequest:
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string") or b""
    target = raw_path.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")
    host = request.headers.get("host", "")
    return SignedRequest(request.method, f"http://{host}{target}", dict(request.headers), body)


def _gone() -> Response:
    return JSONResponse(
        {"message": "GoneException"}, status_code=410, headers={"x-amzn-ErrorType": "GoneException"}
    )
