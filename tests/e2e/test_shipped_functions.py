"""The functions as shipped: the layer and deployment.zip that `make package` builds, run with
Lambda's import path only (bundle, layer, boto3), invoked with API Gateway's REST and WebSocket
events against the real PostgreSQL and Redis. The JWT secret comes from Secrets Manager and the
WebSocket replies go to an @connections endpoint, both moto's server on loopback.

A layer missing a dependency, a function importing the CLI or the dev servers, or sql/ left out
of the layer fails here, not in AWS."""

from __future__ import annotations

import secrets
import sysconfig
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends

from codearena import keys, users
from codearena.config import Settings, project_root
from codearena.core import Core
from codearena.models import Role
from codearena_cli.devservers import create_database
from tests.conftest import drop_database, with_database
from tests.e2e.common import A_PLUS_B, SUM
from tests.e2e.conftest import LOGS, free_port
from tests.e2e.lambda_host import LambdaContainer, Shipped, build, websocket_event

LAMBDA_LIMIT_BYTES = 250 * 1000 * 1000  # function + layers, unzipped
ADMIN_PASSWORD = "staple-battery-horse-correct-41"


@pytest.fixture(scope="session")
def shipped() -> Shipped:
    return build(project_root())


@pytest.fixture
def container(
    shipped: Shipped, settings: Settings, moto_endpoint: str, tmp_path: Path
) -> Iterator[LambdaContainer]:
    """A warm container of the functions, configured as the template configures them."""
    aws = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}
    client = boto3.client("secretsmanager", endpoint_url=moto_endpoint, region_name="us-east-1", **_keys(aws))
    jwt_arn = client.create_secret(Name=f"codearena/jwt-{free_port()}", SecretString=secrets.token_hex(32))[
        "ARN"
    ]
    env = aws | {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(tmp_path),  # no ~/.aws of this machine's
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_LAMBDA_FUNCTION_NAME": "codearena-test",
        "CODEARENA_ENV": "production",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "CODEARENA_REDIS_PREFIX": keys.PREFIX,
        "CODEARENA_JWT_SECRET_ARN": jwt_arn,
        "CODEARENA_WS_ENDPOINT": moto_endpoint,
    }
    LOGS.mkdir(parents=True, exist_ok=True)
    running = LambdaContainer(shipped, env, LOGS / f"lambda-{free_port()}.log")
    yield running
    running.close()


def _keys(aws: dict[str, str]) -> dict[str, str]:
    return {
        "aws_access_key_id": aws["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": aws["AWS_SECRET_ACCESS_KEY"],
    }


def posted(connection_id: str) -> bytes:
    """What the functions posted to a connection through the @connections API (moto's store)."""
    connection = apigatewaymanagementapi_backends["123456789012"]["us-east-1"].connections.get(connection_id)
    return connection.data if connection else b""


def test_the_layer_is_the_core_alone_and_fits_in_lambda(shipped: Shipped, container: LambdaContainer) -> None:
    site = shipped.layer / "python"
    assert (site / "codearena" / "core.py").exists() and (shipped.layer / "sql" / "schema.sql").exists()
    assert not (site / "codearena_cli").exists() and not (site / "codearena" / "cli").exists()
    container.request({"import_all": "app"})  # what each function's handler imports
    loaded = container.request({"import_all": "codearena"})
    assert {"codearena.core", "codearena.secret_store", "codearena.fanout"} <= set(loaded["modules"])
    origins = {name: file for name, file in loaded["files"].items() if file}
    allowed = (str(shipped.task), str(shipped.layer), str(shipped.runtime), sysconfig.get_paths()["stdlib"])
    assert [f"{name}: {file}" for name, file in origins.items() if not file.startswith(allowed)] == []
    assert origins["codearena"].startswith(str(site)) and origins["chalice"].startswith(str(shipped.task))
    assert shipped.size_bytes() < LAMBDA_LIMIT_BYTES


def test_the_migrate_function_applies_the_schema_from_the_layer(
    container: LambdaContainer, server_url: str
) -> None:
    name = "codearena_test_fresh_" + secrets.token_hex(6)
    create_database(server_url, name)
    try:
        url = with_database(server_url, name)
        assert container.request({"call": "codearena.db.migrate", "args": [url]}) == ["schema.sql"]
        assert container.request({"call": "codearena.db.migrate", "args": [url]}) == []
    finally:
        drop_database(server_url, name)


def test_the_rest_handler_runs_a_contest_day(container: LambdaContainer, core: Core) -> None:
    day = _contest_day(container, core)
    status, submission = container.rest("GET", "/submissions/{sid}", day["alice"], sid=day["submission"])
    assert (status, submission["status"]) == (200, "queued")
    status, board = container.rest("GET", "/contests/{cid}/leaderboard", cid=day["contest"])
    assert status == 200 and board["frozen"] is False and isinstance(board["rows"], list)
    core.queue.ensure_group()
    job = core.queue.claim("test-judge", block_ms=1000, lease_ms=60_000)
    assert job is not None and job.submission_id == day["submission"]  # the real Redis, as judges see it
    status, refused = container.rest("POST", "/admin/contests", day["alice"], {"title": "mine"})
    assert status == 403 and set(refused["error"]) == {"code", "message"}


def test_the_websocket_handlers_subscribe_and_reply_through_connections(
    container: LambdaContainer, core: Core
) -> None:
    day = _contest_day(container, core)
    connection = f"alice-{secrets.token_hex(4)}"  # moto keeps every connection's posts for the session
    connect = websocket_event("$connect", connection, token=day["alice"])
    assert container.invoke("app.ws_connect", connect)["statusCode"] == 200
    subscribe = {"action": "subscribe", "topic": f"submission:{day['submission']}"}
    assert container.invoke("app.ws_message", websocket_event("$default", connection, subscribe)) == {
        "statusCode": 200
    }
    assert b'"type": "subscribed"' in posted(connection)
    jury = {"action": "subscribe", "topic": f"jury:{day['contest']}"}
    container.invoke("app.ws_message", websocket_event("$default", connection, jury))
    assert b'"forbidden_topic"' in posted(connection)
    assert (
        container.invoke("app.ws_disconnect", websocket_event("$disconnect", connection))["statusCode"] == 200
    )
    container.invoke("app.ws_message", websocket_event("$default", connection, subscribe))
    assert b'"unknown_connection"' in posted(connection)
    forged = websocket_event("$connect", connection + "forged", token=day["alice"] + "x")
    assert container.invoke("app.ws_connect", forged)["statusCode"] == 401


def _contest_day(container: LambdaContainer, core: Core) -> dict[str, Any]:
    """Sign-up, log-in, an admin's contest and problem, one submission: the ids and tokens."""
    users.create_user(core, "boss", ADMIN_PASSWORD, Role.ADMIN)
    admin = _log_in(container, "boss", ADMIN_PASSWORD)
    alice_password = "alice-" + secrets.token_hex(8)
    status, created = container.rest(
        "POST", "/auth/register", body={"username": "alice", "password": alice_password}
    )
    assert status == 201 and created["username"] == "alice", created
    alice = _log_in(container, "alice", alice_password)
    now = core.clock()
    times = {
        "start_at": (now - timedelta(minutes=5)).isoformat(),
        "end_at": (now + timedelta(hours=2)).isoformat(),
    }
    status, contest = container.rest("POST", "/admin/contests", admin, {"title": "Shipped", **times})
    assert status == 201, contest
    status, problem = container.rest("POST", "/admin/problems", admin, A_PLUS_B)
    assert status == 201, problem
    attach = {"problem_id": problem["id"], "label": "A"}
    assert (
        container.rest("POST", "/admin/contests/{cid}/problems", admin, attach, cid=contest["id"])[0] == 201
    )
    body = {"problem_id": problem["id"], "language": "python", "source": SUM}
    status, queued = container.rest("POST", "/contests/{cid}/submissions", alice, body, cid=contest["id"])
    assert status == 202 and queued["status"] == "queued", queued
    return {"admin": admin, "alice": alice, "contest": contest["id"], "submission": queued["id"]}


def _log_in(container: LambdaContainer, username: str, password: str) -> str:
    status, answer = container.rest("POST", "/auth/login", body={"username": username, "password": password})
    assert status == 200, answer
    return str(answer["token"])
