"""The local gateway's @connections API (issue 11): nobody but a loopback caller signing with
the configured secret can post into, read or close someone else's WebSocket; `codearena
fanout`'s delivery (SigV4) works against it with that secret; and a connection's
address is its real peer, X-Forwarded-For counting only behind configured proxies."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from codearena.config import Settings
from codearena.core import Core
from codearena.delivery import PooledDelivery
from tests.e2e.gateways import Gateway, configured_gateway, connection_ids, open_socket

SECRET = "local-connections-secret-for-tests"
FORGED = {"id": "1-0", "topic": "submission:1", "type": "finished", "submission_id": 1, "verdict": "AC"}


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `codearena fanout` reads: the local values, the shared secret as the secret key."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "codearena-local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    # A default session that reads these, not one an earlier test in this process left behind
    # (a make-test run's worker once signed with none: NoCredentialsError).
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


@pytest.fixture(params=["unconfigured", "with a secret"])
def any_gateway(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Gateway]:
    env = {"CODEARENA_CONNECTIONS_SECRET": SECRET} if request.param == "with a secret" else {}
    with configured_gateway(settings, **env) as gateway:
        yield gateway


@pytest.fixture
def signed_gateway(settings: Settings) -> Iterator[Gateway]:
    with configured_gateway(settings, CODEARENA_CONNECTIONS_SECRET=SECRET) as gateway:
        yield gateway


@contextlib.contextmanager
def victim_of(gateway: Gateway, core: Core) -> Iterator[tuple[ClientConnection, str]]:
    with open_socket(gateway.base) as socket:
        [connection_id] = connection_ids(core)
        yield socket, connection_id


def still_answers(socket: ClientConnection) -> dict[str, Any]:
    """The next message the socket receives after asking for something it will refuse."""
    socket.send(json.dumps({"action": "subscribe", "topic": "nonsense"}))
    return dict(json.loads(socket.recv(timeout=10)))


def signed(method: str, url: str, body: bytes, secret: str) -> dict[str, str]:
    request = AWSRequest(method=method, url=url, data=body)
    SigV4Auth(Credentials("codearena-local", secret), "execute-api", "us-east-1").add_auth(request)
    return dict(request.headers)


def test_unsigned_callers_cannot_reach_another_users_socket(any_gateway: Gateway, core: Core) -> None:
    with victim_of(any_gateway, core) as (socket, connection_id):
        url = f"{any_gateway.base}/@connections/{connection_id}"
        body = json.dumps(FORGED).encode()
        attempts = [
            httpx.post(url, content=body, timeout=10),
            httpx.get(url, timeout=10),
            httpx.delete(url, timeout=10),
            httpx.post(url, content=body, headers=signed("POST", url, body, "a-guessed-secret"), timeout=10),
            httpx.delete(url, headers=signed("DELETE", url, b"", "a-guessed-secret"), timeout=10),
        ]
        for answer in attempts:
            assert answer.status_code in (403, 404), (answer.request.method, answer.status_code, answer.text)
            assert set(answer.json()) == {"error"}, answer.text
        # Still open, and nothing forged arrived before this answer.
        assert still_answers(socket)["error"]["code"] == "invalid_topic"


def test_a_signature_cannot_be_reused_for_another_body(signed_gateway: Gateway, core: Core) -> None:
    with victim_of(signed_gateway, core) as (socket, connection_id):
        url = f"{signed_gateway.base}/@connections/{connection_id}"
        headers = signed("POST", url, b'{"type": "hello"}', SECRET)
        answer = httpx.post(url, content=json.dumps(FORGED).encode(), headers=headers, timeout=10)
        assert answer.status_code == 403, answer.text
        assert still_answers(socket)["error"]["code"] == "invalid_topic"


def test_fanout_delivery_signed_with_the_secret_works(
    signed_gateway: Gateway, core: Core, aws_credentials: None
) -> None:
    delivery = PooledDelivery(signed_gateway.base)  # what `codearena fanout --endpoint` posts with
    with victim_of(signed_gateway, core) as (socket, connection_id):
        try:
            gone = delivery.send_many([connection_id, "gone-connection"], b'{"type": "hello"}')
        finally:
            delivery.close()
        assert gone == ["gone-connection"]
        assert json.loads(socket.recv(timeout=10)) == {"type": "hello"}

        client = boto3.client("apigatewaymanagementapi", endpoint_url=signed_gateway.base)
        assert client.get_connection(ConnectionId=connection_id)["Identity"]["SourceIp"] == "127.0.0.1"
        client.delete_connection(ConnectionId=connection_id)
        with pytest.raises(ConnectionClosed):
            socket.recv(timeout=10)


@pytest.mark.parametrize("hops, expected", [("0", "127.0.0.7"), ("1", "203.0.113.9")])
def test_a_connection_has_its_peers_address(
    settings: Settings, core: Core, aws_credentials: None, hops: str, expected: str
) -> None:
    """X-Forwarded-For is forged here (the client sends it itself): ignored by default, taken
    as the address one proxy saw when CODEARENA_TRUSTED_PROXY_HOPS=1."""
    env = {"CODEARENA_CONNECTIONS_SECRET": SECRET, "CODEARENA_TRUSTED_PROXY_HOPS": hops}
    with configured_gateway(settings, **env) as gateway:
        forged = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}
        with open_socket(gateway.base, "127.0.0.7", **forged):
            [connection_id] = connection_ids(core)
            client = boto3.client("apigatewaymanagementapi", endpoint_url=gateway.base)
            assert client.get_connection(ConnectionId=connection_id)["Identity"]["SourceIp"] == expected
