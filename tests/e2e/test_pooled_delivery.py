"""`codearena fanout`'s delivery (PooledDelivery) against a recording @connections endpoint on
loopback: posts run concurrently over kept-alive connections, a failing connection does not
stop the others, connections the endpoint closed are reopened, gone connections are dropped
once (issue 13)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from botocore.credentials import Credentials

from codearena.core import Core
from codearena.delivery import PooledDelivery
from codearena.fanout import Fanout
from codearena.keepalive import WATCH_SECONDS
from codearena.realtime import Connections
from tests.e2e.connections_endpoint import ConnectionsEndpoint, running_endpoint

DELAY_S = 0.02
CREDENTIALS = Credentials("AKIDEXAMPLE", "secret-for-tests")


@pytest.fixture
def endpoint() -> Iterator[tuple[ConnectionsEndpoint, asyncio.AbstractEventLoop]]:
    with running_endpoint(DELAY_S) as running:
        yield running


def delivery_to(endpoint: ConnectionsEndpoint, concurrency: int) -> PooledDelivery:
    return PooledDelivery(endpoint.url, concurrency=concurrency, credentials=CREDENTIALS, region="eu-west-1")


def test_posts_run_concurrently_over_kept_alive_connections(
    endpoint: tuple[ConnectionsEndpoint, asyncio.AbstractEventLoop],
) -> None:
    server, _ = endpoint
    posts, concurrency = 400, 40
    delivery = delivery_to(server, concurrency)
    ids = [f"viewer-{n}" for n in range(posts)]
    try:
        assert delivery.send_many(ids, b'{"n": 1}') == []  # opens the connections
        started = time.monotonic()
        assert delivery.send_many(ids, b'{"n": 2}') == []
        elapsed_s = time.monotonic() - started
    finally:
        delivery.close()
    # 0.2 s at best; one at a time would take 8 s. The bound leaves room for a loaded machine
    # (other pytest-xdist workers, another session): the endpoint's count of posts in flight
    # at once is what says the concurrency is `concurrency`.
    one_at_a_time_s = posts * DELAY_S
    assert elapsed_s < one_at_a_time_s / 4, f"{posts} posts took {elapsed_s:.2f} s (one at a time: 8 s)"
    assert server.recorded.most_in_flight == concurrency
    assert server.recorded.connections_opened == concurrency  # the second call reused them all
    assert all(server.events(cid) == [{"n": 1}, {"n": 2}] for cid in ids)


def test_a_failing_connection_does_not_stop_the_others(
    endpoint: tuple[ConnectionsEndpoint, asyncio.AbstractEventLoop],
) -> None:
    server, _ = endpoint
    server.gone, server.failing, server.dropping = {"gone-1", "gone-2"}, {"broken"}, {"hangs-up"}
    alive = [f"alive-{n}" for n in range(30)]
    delivery = delivery_to(server, 4)
    try:
        gone = delivery.send_many(["gone-1", "broken", *alive, "hangs-up", "gone-2"], b'{"n": 1}')
    finally:
        delivery.close()
    assert sorted(gone) == ["gone-1", "gone-2"]  # failures are not gone: the next event tries again
    assert all(server.events(cid) == [{"n": 1}] for cid in alive)
    assert server.attempts("broken") == 2  # a 5xx is tried once more
    assert server.attempts("gone-1") == server.attempts("gone-2") == 1


def test_a_post_without_an_answer_is_given_up_after_the_timeout(
    endpoint: tuple[ConnectionsEndpoint, asyncio.AbstractEventLoop],
) -> None:
    server, _ = endpoint
    server.silent = {"asleep"}
    alive = [f"alive-{n}" for n in range(10)]
    delivery = PooledDelivery(server.url, concurrency=2, credentials=CREDENTIALS, timeout_seconds=0.5)
    try:
        started = time.monotonic()
        assert delivery.send_many(["asleep", *alive], b'{"n": 1}') == []
        elapsed_s = time.monotonic() - started
        assert delivery.send_many(alive, b'{"n": 2}') == []  # the pool still works
    finally:
        delivery.close()
    assert elapsed_s < 0.5 + 2 * WATCH_SECONDS + 1.0
    assert server.attempts("asleep") == 1  # a late answer is not tried again
    assert all(server.events(cid) == [{"n": 1}, {"n": 2}] for cid in alive)


def test_connections_the_endpoint_closed_are_reopened(
    endpoint: tuple[ConnectionsEndpoint, asyncio.AbstractEventLoop],
) -> None:
    server, loop = endpoint
    ids = [f"viewer-{n}" for n in range(20)]
    delivery = delivery_to(server, 5)
    try:
        delivery.send_many(ids, b'{"n": 1}')
        asyncio.run_coroutine_threadsafe(server.close_idle_connections(), loop).result(timeout=10)
        assert delivery.send_many(ids, b'{"n": 2}') == []
    finally:
        delivery.close()
    assert all(server.events(cid) == [{"n": 1}, {"n": 2}] for cid in ids)


def test_gone_connections_are_posted_to_once_and_leave_the_registry(
    core: Core, endpoint: tuple[ConnectionsEndpoint, asyncio.AbstractEventLoop]
) -> None:
    server, _ = endpoint
    server.gone = {"closed-1", "closed-2"}
    registry = Connections(core.redis)
    for connection_id in ("open-1", "open-2", "closed-1", "closed-2"):
        registry.add(connection_id, None)
        registry.subscribe(connection_id, "contest:7")
    registry.subscribe("closed-1", "contest:8")
    delivery = delivery_to(server, 8)
    fanout = Fanout(core, delivery, name="gone-test")
    try:
        for n in range(3):
            assert fanout.deliver("contest:7", b'{"n": %d}' % n) == (4 if n == 0 else 2)
        assert fanout.deliver("contest:8", b'{"n": 3}') == 0
    finally:
        delivery.close()
    assert server.attempts("closed-1") == server.attempts("closed-2") == 1
    assert registry.get("closed-1") is None and registry.get("closed-2") is None
    assert registry.subscribers("contest:7") == ["open-1", "open-2"]
    assert registry.subscribers("contest:8") == []
    assert server.events("open-1") == server.events("open-2") == [{"n": 0}, {"n": 1}, {"n": 2}]
