"""The API Gateway event the local gateway builds for a REST request carries the caller's
address as `requestContext.identity.sourceIp` (what login throttling reads), not 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from chalice import Chalice
from starlette.applications import Starlette

from local_gateway.config import GatewayConfig
from local_gateway.server import build

PEER = ("192.0.2.10", 50000)


def echo_app() -> Chalice:
    """A Chalice app answering the event's source address."""
    echo = Chalice(app_name="echo")

    @echo.route("/whoami", methods=["GET"])
    def whoami() -> dict[str, str]:
        assert echo.current_request is not None
        return {"sourceIp": echo.current_request.context["identity"]["sourceIp"]}

    return echo


@pytest.fixture
def gateway_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[int], Starlette]:
    import app as app_module

    # build() points the app's live updates at its own hub: give them back afterwards.
    monkeypatch.setattr(app_module.realtime, "delivery", app_module.realtime.delivery)
    return lambda hops: build(
        tmp_path, echo_app(), fanout=False, config=GatewayConfig(trusted_proxy_hops=hops)
    )


def get(gateway: Starlette, path: str, headers: dict[str, str]) -> httpx.Response:
    """One request from PEER, through the ASGI app in this process."""

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=gateway, client=PEER)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            return await client.get(path, headers=headers)

    return asyncio.run(call())


@pytest.mark.parametrize(
    "hops, forwarded_for, expected",
    [
        (0, None, "192.0.2.10"),
        (0, "203.0.113.9", "192.0.2.10"),  # forged: nobody is trusted to add it
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.1, 203.0.113.9", "198.51.100.1"),
    ],
)
def test_the_event_carries_the_callers_address(
    gateway_with: Callable[[int], Starlette], hops: int, forwarded_for: str | None, expected: str
) -> None:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    answer = get(gateway_with(hops), "/whoami", headers)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"sourceIp": expected}
