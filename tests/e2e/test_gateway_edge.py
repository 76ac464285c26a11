"""What the local gateway refuses before the app sees it, as API Gateway does (issue 11):
paths holding control characters, bodies over 10 MB (declared or streamed, never held in
memory), WebSocket messages over 128 KiB; and a 405 says which methods the path allows."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from codearena import users
from codearena.config import Settings
from codearena.core import Core
from codearena.models import Role
from codearena_cli.devservers import Services
from tests.conftest import JWT_SECRET, ScratchDatabase
from tests.e2e.gateways import Gateway, configured_gateway, open_socket

MAX_BODY_BYTES = 10 * 1024 * 1024
MIB = 1024 * 1024
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def edge(module_database: ScratchDatabase, services: Services) -> Iterator[Gateway]:
    """One gateway for the module (a start costs 0.8 CPU-seconds): what it refuses at its edge
    does not depend on the rows and Redis keys each test empties and deletes under it."""
    settings = Settings(module_database.url, services.redis_url, JWT_SECRET)
    with configured_gateway(settings) as gateway:
        yield gateway


def error_code(answer: httpx.Response, status: int) -> str:
    assert answer.status_code == status, (answer.status_code, answer.text[:300])
    assert answer.headers["content-type"].startswith("application/json"), answer.headers
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    return str(body["error"]["code"])


def test_paths_with_control_characters_are_400(edge: Gateway, core: Core) -> None:
    user = users.create_user(core, "pathuser", "pathuser-password", Role.CONTESTANT)
    token, _ = core.tokens.issue(user["id"], "pathuser", Role.CONTESTANT)
    auth = {"Authorization": f"Bearer {token}"}
    assert httpx.get(edge.base + "/auth/me", headers=auth, timeout=10).status_code == 200
    for path in [
        "/auth/me%0A",
        "/auth/me%0D",
        "/contests/%0A/problems",
        "/auth%09/me",
        "/contests%7F",
        "/%1B",
    ]:
        answer = httpx.get(edge.base + path, headers=auth, timeout=10)
        assert error_code(answer, 400) == "invalid_path", path
    answer = httpx.post(edge.base + "/auth/login%0A", json={"username": "a", "password": "b"}, timeout=10)
    assert error_code(answer, 400) == "invalid_path"


def test_a_websocket_path_with_a_control_character_is_refused(edge: Gateway) -> None:
    with pytest.raises(InvalidStatus) as refused:
        with connect(edge.base.replace("http://", "ws://") + "/ws%0A"):
            pass
    assert refused.value.response.status_code == 400


def test_a_declared_body_over_10_mb_is_413_before_it_is_read(edge: Gateway) -> None:
    before_kb = edge.rss_kb()
    body = b"{" + b" " * (100 * MIB) + b"}"
    answer = httpx.post(edge.base + "/auth/login", content=body, timeout=60)
    assert error_code(answer, 413) == "payload_too_large"
    assert edge.rss_kb() - before_kb < 30 * 1024, "the gateway held the body in memory"
    at_limit = b'{"username": "x' + b"y" * (MAX_BODY_BYTES - 40) + b'", "password": "p"}'
    assert len(at_limit) <= MAX_BODY_BYTES
    answer = httpx.post(edge.base + "/auth/login", content=at_limit, headers=JSON, timeout=60)
    assert error_code(answer, 400) == "invalid_field"  # read and parsed: the username is too long


def test_a_streamed_body_over_10_mb_is_413_while_it_is_read(edge: Gateway) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"username": "'
        for _ in range(100):
            yield b"x" * MIB
        yield b'", "password": "p"}'

    before_kb = edge.rss_kb()
    answer = httpx.post(edge.base + "/auth/login", content=chunks(), timeout=60)  # chunked: no length
    assert answer.request.headers.get("transfer-encoding") == "chunked"
    assert error_code(answer, 413) == "payload_too_large"
    assert edge.rss_kb() - before_kb < 30 * 1024, "the gateway held the body in memory"


def test_a_websocket_message_over_128_kib_closes_the_connection(edge: Gateway) -> None:
    with open_socket(edge.base) as socket:
        socket.send('{"action": "subscribe", "topic": "' + "x" * (128 * 1024 - 40) + '"}')
        assert '"invalid_topic"' in str(socket.recv(timeout=10))  # at the limit: answered
        socket.send("x" * (128 * 1024 + 1))
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # message too big


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("DELETE", "/contests", {"GET"}),
        ("PUT", "/auth/login", {"POST"}),
        ("DELETE", "/contests/1/submissions", {"GET", "POST"}),
        ("TRACE", "/contests/1", {"GET"}),
        ("DELETE", "/admin/problems", {"GET", "POST"}),
    ],
)
def test_405_says_which_methods_the_path_allows(
    edge: Gateway, method: str, path: str, allowed: set[str]
) -> None:
    answer = httpx.request(method, edge.base + path, timeout=10)
    assert error_code(answer, 405) == "method_not_allowed"
    assert {name.strip() for name in answer.headers["allow"].split(",")} == allowed
