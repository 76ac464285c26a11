"""WebSocket handlers through chalice.test.Client, delivery through moto and botocore's Stubber."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from chalice.test import Client
from moto import mock_aws
from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends

from codearena import users
from codearena.core import Core
from codearena.delivery import ApiGatewayDelivery
from codearena.fanout import Fanout
from codearena.models import Role
from codearena.realtime import Connections
from tests.integration.conftest import login

API_ID = "abc123"
REGION = "us-east-1"


@pytest.fixture
def ws(core: Core, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    import app as app_module

    from chalicelib.api import Api
    from chalicelib.realtime import Realtime

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CODEARENA_WS_ENDPOINT", raising=False)
    monkeypatch.setattr(app_module, "realtime", Realtime(Api(core)))
    with mock_aws(), Client(app_module.app) as client:
        yield client


def event(connection_id: str, route: str, body: Any = None, token: str | None = None) -> dict[str, Any]:
    kind = {"$connect": "CONNECT", "$default": "MESSAGE", "$disconnect": "DISCONNECT"}[route]
    context = {
        "routeKey": route,
        "eventType": kind,
        "connectionId": connection_id,
        "apiId": API_ID,
        "stage": "api",
        "domainName": f"{API_ID}.execute-api.{REGION}.amazonaws.com",
        "requestId": "r1",
        "connectedAt": 0,
    }
    data: dict[str, Any] = {
        "requestContext": context,
        "isBase64Encoded": False,
        "body": json.dumps(body) if isinstance(body, dict) else body,
    }
    if route == "$connect":
        data["queryStringParameters"] = {"token": token} if token else None
        data["headers"] = {}
    return data


def invoke(ws: Client, name: str, payload: dict[str, Any]) -> dict[str, Any]:
    return dict(ws.lambda_.invoke(name, payload).payload)


def posted(connection_id: str) -> list[dict[str, Any]]:
    """Messages moto received for a connection (it concatenates the bodies)."""
    backend = apigatewaymanagementapi_backends["123456789012"][REGION]
    connection = backend.connections.get(connection_id)
    if connection is None:
        return []
    decoder, text, messages, position = json.JSONDecoder(), connection.data.decode(), [], 0
    while position < len(text):
        message, position = decoder.raw_decode(text, position)
        messages.append(message)
    return messages


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].split()[1]


def test_connect_accepts_good_and_anonymous_and_refuses_bad_tokens(ws: Client, core: Core) -> None:
    good = token_of(login(core, "ann"))
    assert invoke(ws, "ws_connect", event("c-good", "$connect", token=good))["statusCode"] == 200
    assert invoke(ws, "ws_connect", event("c-anon", "$connect"))["statusCode"] == 200
    assert invoke(ws, "ws_connect", event("c-bad", "$connect", token="not-a-jwt"))["statusCode"] == 401
    expired, _ = core.tokens.issue(1, "ann", Role.CONTESTANT, now=0)
    assert invoke(ws, "ws_connect", event("c-old", "$connect", token=expired))["statusCode"] == 401
    registry = Connections(core.redis)
    assert registry.get("c-good").principal.username == "ann"
    assert registry.get("c-anon").principal is None
    assert registry.get("c-bad") is None and registry.get("c-old") is None


def test_forbidden_subscriptions_are_refused(ws: Client, core: Core, running_contest: dict[str, Any]) -> None:
    cid = running_contest["id"]
    owner = login(core, "owner")
    with core.db.transaction() as cur:
        cur.execute(
            "INSERT INTO submissions (contest_id, problem_id, user_id, language, source)"
            " SELECT %s, %s, id, 'python', 'print(1)' FROM users WHERE username = 'owner' RETURNING id",
            (cid, running_contest["problem_id"]),
        )
        sid = cur.fetchone()["id"]
    invoke(ws, "ws_connect", event("anon", "$connect"))
    invoke(ws, "ws_connect", event("other", "$connect", token=token_of(login(core, "other"))))
    invoke(ws, "ws_connect", event("mine", "$connect", token=token_of(owner)))
    for connection_id, topic in [
        ("anon", f"jury:{cid}"),
        ("anon", f"submission:{sid}"),
        ("other", f"submission:{sid}"),
        ("other", f"jury:{cid}"),
    ]:
        invoke(ws, "ws_message", event(connection_id, "$default", {"action": "subscribe", "topic": topic}))
        assert posted(connection_id)[-1]["error"]["code"] == "forbidden_topic"
        assert connection_id not in Connections(core.redis).subscribers(topic)
    invoke(ws, "ws_message", event("mine", "$default", {"action": "subscribe", "topic": f"submission:{sid}"}))
    assert posted("mine")[-1] == {"type": "subscribed", "topic": f"submission:{sid}"}
    invoke(ws, "ws_message", event("anon", "$default", {"action": "subscribe", "topic": f"contest:{cid}"}))
    assert Connections(core.redis).subscribers(f"contest:{cid}") == ["anon"]
    invoke(ws, "ws_message", event("anon", "$default", "not json"))
    assert posted("anon")[-1]["error"]["code"] == "invalid_message"


def test_subscribe_with_since_replays_what_was_missed(
    ws: Client, core: Core, running_contest: dict[str, Any]
) -> None:
    topic = f"contest:{running_contest['id']}"
    first = core.events.publish(topic, "contest_state", contest_id=running_contest["id"], state="running")
    second = core.events.publish(topic, "contest_state", contest_id=running_contest["id"], state="frozen")
    invoke(ws, "ws_connect", event("back", "$connect"))
    invoke(
        ws,
        "ws_message",
        event("back", "$default", {"action": "subscribe", "topic": topic, "since": first["id"]}),
    )
    assert posted("back") == [{"type": "subscribed", "topic": topic}, second]


def test_out_of_range_ids_are_refused_without_subscribing(
    ws: Client, core: Core, running_contest: dict[str, Any]
) -> None:
    topic = f"contest:{running_contest['id']}"
    invoke(ws, "ws_connect", event("odd", "$connect"))
    for message, code in [
        ({"action": "subscribe", "topic": "submission:" + "9" * 5000}, "invalid_topic"),
        ({"action": "subscribe", "topic": "contest:" + "9" * 19}, "invalid_topic"),
        ({"action": "subscribe", "topic": topic, "since": "9" * 30}, "invalid_message"),
        ({"action": "subscribe", "topic": topic, "since": f"1-{2**64}"}, "invalid_message"),
    ]:
        invoke(ws, "ws_message", event("odd", "$default", message))
        assert posted("odd")[-1]["error"]["code"] == code, message
    assert Connections(core.redis).subscribers(topic) == []
    invoke(
        ws, "ws_message", event("odd", "$default", {"action": "subscribe", "topic": topic, "since": "0-0"})
    )
    assert posted("odd")[-1] == {"type": "subscribed", "topic": topic}


def test_a_jury_member_demoted_after_connecting_loses_jury_topics(
    ws: Client, core: Core, running_contest: dict[str, Any]
) -> None:
    topic = f"jury:{running_contest['id']}"
    token = token_of(login(core, "judy", Role.JURY))
    invoke(ws, "ws_connect", event("judge", "$connect", token=token))
    invoke(ws, "ws_message", event("judge", "$default", {"action": "subscribe", "topic": topic}))
    assert posted("judge")[-1] == {"type": "subscribed", "topic": topic}
    users.set_role(core, core.tokens.verify(token).user_id, {"role": "contestant"})
    invoke(ws, "ws_message", event("judge", "$default", {"action": "subscribe", "topic": topic}))
    assert posted("judge")[-1]["error"]["code"] == "forbidden_topic"


def test_a_connection_whose_token_expired_is_anonymous_for_new_subscriptions(
    ws: Client, core: Core, running_contest: dict[str, Any]
) -> None:
    login(core, "joan", Role.JURY)
    with core.db.transaction() as cur:
        cur.execute("SELECT id FROM users WHERE username = 'joan'")
        jo = cur.fetchone()["id"]
    soon = time.time() - core.tokens.ttl_seconds + 1  # issued so that it expires in a second
    token, _ = core.tokens.issue(jo, "joan", Role.JURY, now=soon)
    topic = f"jury:{running_contest['id']}"
    invoke(ws, "ws_connect", event("short", "$connect", token=token))
    invoke(ws, "ws_message", event("short", "$default", {"action": "subscribe", "topic": topic}))
    assert posted("short")[-1] == {"type": "subscribed", "topic": topic}
    time.sleep(1.5)
    invoke(ws, "ws_message", event("short", "$default", {"action": "subscribe", "topic": topic}))
    assert posted("short")[-1]["error"]["code"] == "forbidden_topic"
    public = f"contest:{running_contest['id']}"
    invoke(ws, "ws_message", event("short", "$default", {"action": "subscribe", "topic": public}))
    assert posted("short")[-1] == {"type": "subscribed", "topic": public}


def test_disconnect_forgets_every_subscription(
    ws: Client, core: Core, running_contest: dict[str, Any]
) -> None:
    topic = f"contest:{running_contest['id']}"
    invoke(ws, "ws_connect", event("leaver", "$connect"))
    invoke(ws, "ws_message", event("leaver", "$default", {"action": "subscribe", "topic": topic}))
    assert Connections(core.redis).subscribers(topic) == ["leaver"]
    invoke(ws, "ws_disconnect", event("leaver", "$disconnect"))
    assert Connections(core.redis).subscribers(topic) == []
    assert Connections(core.redis).get("leaver") is None


def test_fanout_posts_through_api_gateway(core: Core, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        endpoint = f"https://{API_ID}.execute-api.{REGION}.amazonaws.com/api"
        delivery = ApiGatewayDelivery(endpoint)
        registry = Connections(core.redis)
        for connection_id in ("v1", "v2"):
            registry.add(connection_id, None)
            registry.subscribe(connection_id, "contest:5")
        fanout = Fanout(core, delivery, name="test")
        assert fanout.deliver("contest:5", b'{"type": "contest_state", "state": "frozen"}') == 2
        assert posted("v1") == posted("v2") == [{"type": "contest_state", "state": "frozen"}]


def test_gone_connections_are_removed(core: Core) -> None:
    client = boto3.client(
        "apigatewaymanagementapi",
        endpoint_url="https://x.execute-api.us-east-1.amazonaws.com/api",
        region_name=REGION,
        aws_access_key_id="a",
        aws_secret_access_key="b",
    )
    stubber = Stubber(client)
    stubber.add_response("post_to_connection", {}, {"ConnectionId": "alive", "Data": b"hello"})
    stubber.add_client_error(
        "post_to_connection",
        service_error_code="GoneException",
        http_status_code=410,
        expected_params={"ConnectionId": "gone", "Data": b"hello"},
    )
    registry = Connections(core.redis)
    for connection_id in ("alive", "gone"):
        registry.add(connection_id, None)
        registry.subscribe(connection_id, "contest:9")
    with stubber:
        fanout = Fanout(core, ApiGatewayDelivery("unused", workers=1, client=client), name="test")
        fanout.deliver("contest:9", b"hello")
    stubber.assert_no_pending_responses()
    assert registry.subscribers("contest:9") == ["alive"]
    assert registry.get("gone") is None
