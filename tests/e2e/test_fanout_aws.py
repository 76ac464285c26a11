"""`codearena fanout` as AWS runs it: a real process posting through the @connections API
(moto's server standing in for API Gateway's management endpoint)."""

from __future__ import annotations

import subprocess
import sys
import time

from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends

from codearena.config import Settings
from codearena.core import Core
from codearena.realtime import Connections
from tests.conftest import service_env


def received(connection_id: str) -> bytes:
    backend = apigatewaymanagementapi_backends["123456789012"]["us-east-1"]
    connection = backend.connections.get(connection_id)
    return connection.data if connection else b""


def test_fanout_process_posts_events_to_subscribed_connections(
    core: Core, settings: Settings, moto_endpoint: str
) -> None:
    registry = Connections(core.redis)
    registry.add("viewer-1", None)
    registry.subscribe("viewer-1", "contest:4")
    registry.add("elsewhere", None)
    registry.subscribe("elsewhere", "contest:5")
    env = service_env(settings) | {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "codearena_cli", "fanout", "--endpoint", moto_endpoint],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while b"frozen" not in received("viewer-1"):
            assert time.monotonic() < deadline, "the fan-out never posted the event"
            core.events.publish("contest:4", "contest_state", contest_id=4, state="frozen")
            time.sleep(0.5)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    assert b'"type": "contest_state"' in received("viewer-1")
    assert received("elsewhere") == b""
