"""The CLICS event feed, streamed (GET /api/contests/{cid}/event-feed without stream=false).

API Gateway cannot hold a response open, so the Chalice route answers the notifications so
far and ends. Here the gateway keeps the answer open instead: it asks that same route (same
access rules, same tokens) for what follows the last token it sent, once a second, writes any
new lines as they come, and a newline as keep-alive after KEEPALIVE_SECONDS of quiet, as the
specification asks, until the reader goes away. In AWS, the gateway process (this module)
runs beside the judge hosts for the clients that stream: ICPC tools reach it directly.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

FEED_PATH = re.compile(r"^/api/contests/[^/]+/event-feed$")
POLL_SECONDS = 1.0
KEEPALIVE_SECONDS = 10.0

# (method, path with query, headers) → the Chalice route's answer
Ask = Callable[[str, dict[str, str]], Awaitable[Response]]


def streams(request: Request) -> bool:
    """Whether the request is for the streamed feed."""
    return (
        request.method == "GET"
        and FEED_PATH.match(request.url.path) is not None
        and request.query_params.get("stream", "true").lower() != "false"
    )


async def stream(request: Request, ask: Ask) -> Response:
    """The first answer as the route gives it (an error ends there), then the stream."""
    headers = dict(request.headers.items())
    token = request.query_params.get("since_token")
    first = await ask(_path(request, token), headers)
    if first.status_code != 200:
        return first

    async def lines() -> AsyncIterator[bytes]:
        answer, last = first, token
        quiet = 0.0
        while True:
            body = bytes(answer.body)
            if body:
                quiet = 0.0
                last = json.loads(body.splitlines()[-1])["token"]
                yield body
            elif quiet >= KEEPALIVE_SECONDS:
                quiet = 0.0
                yield b"\n"
            if await request.is_disconnected():
                return
            await asyncio.sleep(POLL_SECONDS)
            quiet += POLL_SECONDS
            answer = await ask(_path(request, last), headers)
            if answer.status_code != 200:
                return

    return StreamingResponse(lines(), media_type="application/x-ndjson")


def _path(request: Request, token: str | None) -> str:
    query = {"stream": "false", **({"since_token": token} if token else {})}
    return f"{request.url.path}?{urlencode(query)}"
