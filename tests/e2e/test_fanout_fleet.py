"""Several fan-out processes share the audience (issue 13): real `codearena fanout` processes
on the real Redis post to a recording @connections endpoint on loopback, each to the
connections of the shards it leads; one killed with SIGKILL has its connections served by the
others within seconds; every event reaches every connection at most once, and once the
takeover is over, exactly once. The local gateway's own fan-out is one more participant."""

from __future__ import annotations

import contextlib
import json
import signal
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from codearena import contests, keys
from codearena.config import Settings
from codearena.core import Core
from codearena.fanout_leases import LEASE_MS, RENEW_SECONDS, SHARDS
from codearena.realtime import Connections
from tests.e2e.conftest import Process, spawn
from tests.e2e.connections_endpoint import ConnectionsEndpoint, running_endpoint
from tests.e2e.gateways import configured_gateway, open_socket

TOPIC = "contest:3"
VIEWERS = 120
TAKEOVER_S = LEASE_MS / 1000 + 2 * RENEW_SECONDS + 3.0  # lapse, a round, a margin for a busy machine
SECRET = "local-connections-secret-for-fleet-tests"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "codearena-local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@contextlib.contextmanager
def fanouts(settings: Settings, endpoint: str, count: int) -> Iterator[list[Process]]:
    started = [
        spawn(f"fanout-{n}", ["fanout", "--endpoint", endpoint, "--concurrency", "8"], settings)
        for n in range(count)
    ]
    try:
        yield started
    finally:
        for process in started:
            process.stop()


def owners(core: Core) -> dict[str, set[int]]:
    """Owner token → the shards it holds, as Redis has them."""
    held: dict[str, set[int]] = {}
    for shard in range(SHARDS):
        owner = core.redis.get(keys.fanout_shard(shard))
        if owner is not None:
            held.setdefault(owner, set()).add(shard)
    return held


def until(condition: Any, timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout_s} s")


def shared_by(core: Core, count: int) -> dict[str, set[int]]:
    def split() -> dict[str, set[int]] | None:
        held = owners(core)
        fair = -(-SHARDS // count)
        complete = sum(map(len, held.values())) == SHARDS
        fairly = all(len(shards) <= fair for shards in held.values())
        return held if len(held) == count and complete and fairly else None

    return dict(until(split, 30, f"{count} fan-out processes sharing the {SHARDS} shards"))


def publish(core: Core, n: int) -> str:
    return str(core.events.publish(TOPIC, "leaderboard", contest_id=3, version=n, rows=[])["id"])


def received(endpoint: ConnectionsEndpoint, viewer: str) -> Counter[str]:
    return Counter(event["id"] for event in endpoint.events(viewer))


def test_fanout_processes_share_the_audience_and_take_over_from_a_killed_one(
    core: Core, settings: Settings, aws_env: None
) -> None:
    viewers = [f"viewer-{n:03d}" for n in range(VIEWERS)]
    registry = Connections(core.redis)
    for viewer in viewers:
        registry.add(viewer, None)
        registry.subscribe(viewer, TOPIC)
    with running_endpoint() as (endpoint, _), fanouts(settings, endpoint.url, 3) as processes:
        held = shared_by(core, 3)
        before = publish(core, 1)
        until(lambda: all(received(endpoint, v)[before] for v in viewers), 10, "the first event everywhere")

        victim = next(p for p in processes if any(str(p.popen.pid) in owner for owner in held))
        victim.popen.send_signal(signal.SIGKILL)
        victim.popen.wait()
        killed_at, n, after = time.monotonic(), 1, ""
        while not (after and all(received(endpoint, v)[after] for v in viewers)):
            assert time.monotonic() - killed_at < TAKEOVER_S, "the killed process's viewers were left"
            n += 1
            after = publish(core, n)
            time.sleep(0.2)

        shared_by(core, 2)
        last = publish(core, n + 1)
        until(lambda: all(received(endpoint, v)[last] for v in viewers), 10, "the last event everywhere")
        time.sleep(0.5)  # anything late or doubled would arrive by now
        for viewer in viewers:
            counts = received(endpoint, viewer)
            assert counts[before] == counts[last] == 1, viewer
            assert max(counts.values()) == 1, (viewer, counts.most_common(3))
    assert all(process.popen.returncode == 0 for process in processes if process is not victim)


def test_the_gateways_own_fanout_is_one_more_participant(
    core: Core, settings: Settings, aws_env: None
) -> None:
    now = core.clock()
    start, end = (now - timedelta(minutes=5)).isoformat(), (now + timedelta(hours=1)).isoformat()
    contest_id = contests.create_contest(core, {"title": "Shared", "start_at": start, "end_at": end})["id"]
    topic = f"contest:{contest_id}"
    with configured_gateway(settings, CODEARENA_CONNECTIONS_SECRET=SECRET) as gateway:
        with fanouts(settings, gateway.base, 1), contextlib.ExitStack() as stack:
            held = shared_by(core, 2)
            assert sorted(owner.split("-", 1)[0] for owner in held) == ["fanout", "gateway"]
            sockets = [stack.enter_context(open_socket(gateway.base)) for _ in range(16)]
            for socket in sockets:
                socket.send(json.dumps({"action": "subscribe", "topic": topic}))
                assert json.loads(socket.recv(timeout=10))["type"] == "subscribed"
            subscribed = Connections(core.redis).subscribers(topic)
            served_by = {
                owner
                for owner, shards in held.items()
                for c in subscribed
                if keys.connection_shard(c) in shards
            }
            ids = [str(core.events.publish(topic, "leaderboard", version=n)["id"]) for n in range(3)]
            for socket in sockets:
                got = [json.loads(socket.recv(timeout=10))["id"] for _ in ids]
                assert got == ids
                with pytest.raises(TimeoutError):
                    socket.recv(timeout=0.5)  # nothing twice
            assert len(served_by) == 2  # both processes delivered some of them
