"""judge_host.fleet in process, on the real Redis and PostgreSQL: the metrics leader's lease,
the IMDSv2 client, and the target lifecycle states a host follows beside its workers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from moto import mock_aws

from codearena import keys
from codearena.config import ConfigError
from codearena.core import Core
from codearena.invocations import InvocationQueue
from judge_host import fleet
from judge_host.daemon import HostConfig, JudgeHost
from tests.e2e.conftest import moto_endpoint  # noqa: F401  (a fixture)
from tests.e2e.fleet_aws import AwsFront, FakeImds, aws_client, create_group

METRICS = ("QueueDepth", "QueueWaiting", "QueueInFlight", "OldestQueuedJobAgeSeconds", "RunQueueDepth")


def published(cloudwatch: Any) -> dict[str, list[float]]:
    """Every value of each queue metric, one a second."""
    now = datetime.now(UTC)
    queries = [
        {
            "Id": name.lower(),
            "MetricStat": {
                "Metric": {"Namespace": "CodeArena", "MetricName": name},
                "Period": 1,
                "Stat": "Maximum",
            },
        }
        for name in METRICS
    ]
    window = {"StartTime": now - timedelta(minutes=5), "EndTime": now + timedelta(minutes=1)}
    results = cloudwatch.get_metric_data(MetricDataQueries=queries, **window)["MetricDataResults"]
    return {name: list(result["Values"]) for name, result in zip(METRICS, results, strict=True)}


def test_one_judge_host_leads_the_queue_metrics_and_another_takes_over(core: Core) -> None:
    core.queue.ensure_group()
    for sid in (1, 2, 3):
        core.queue.enqueue(sid)
    assert core.queue.claim("host-a-0", block_ms=10, lease_ms=60_000) is not None
    runs = InvocationQueue(core.redis)
    runs.ensure_group()
    for run in ("r1", "r2"):
        core.redis.xadd(runs.stream, {runs.field: run})
    assert runs.claim("host-a-run0", block_ms=None, lease_ms=60_000) is not None
    with mock_aws():
        cloudwatch = aws_client("cloudwatch", "https://monitoring.eu-west-1.amazonaws.com")
        first = fleet.MetricsLeader(core, "host-a", cloudwatch)
        second = fleet.MetricsLeader(core, "host-b", cloudwatch)
        assert first.publish_if_leading()
        assert not second.publish_if_leading()
        assert first.publish_if_leading()  # renewed
        assert core.redis.get(keys.METRICS_LEADER) == "host-a"
        assert 0 < core.redis.ttl(keys.METRICS_LEADER) <= fleet.LEADER_TTL_SECONDS
        first.resign()
        assert second.publish_if_leading() and not first.publish_if_leading()
        values = published(cloudwatch)
    ages = values.pop("OldestQueuedJobAgeSeconds")
    assert {name: set(found) for name, found in values.items()} == {
        "QueueDepth": {3.0},
        "QueueWaiting": {2.0},
        "QueueInFlight": {1.0},
        "RunQueueDepth": {2.0},  # custom invocations: one waiting, one running
    }
    assert ages and all(0 <= age < 60 for age in ages)


def test_the_imds_client_keeps_one_token_and_takes_a_new_one_when_refused() -> None:
    with FakeImds("i-0123456789abcdef0", state=None).serving() as imds:
        client = fleet.Imds(imds.url)
        assert client.instance_id() == "i-0123456789abcdef0"
        assert client.target_lifecycle_state() is None  # no such item: not in a group
        imds.state = "InService"
        assert client.target_lifecycle_state() == "InService"
        assert len(imds.tokens) == 1 and imds.refused == 0
        imds.forget_tokens()  # as after an IMDS restart
        assert client.target_lifecycle_state() == "InService"
        assert len(imds.tokens) == 1 and imds.refused == 1


def test_a_host_in_a_group_with_no_reachable_imds_says_so() -> None:
    settings = fleet.FleetSettings("judges", imds_endpoint="http://127.0.0.1:9")
    with pytest.raises(ConfigError, match="instance metadata at http://127.0.0.1:9 cannot be read"):
        fleet.join(settings)


def wait_for(done: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_standby_pauses_claiming_and_a_scale_in_to_the_warm_pool_drains(
    core: Core,
    moto_endpoint: str,  # noqa: F811
) -> None:
    """Standby: no claims, the host stays. Back to the warm pool (ReuseOnScaleIn) after being in
    service: a drain like a termination's, then the terminating lifecycle action is completed."""
    group = create_group(moto_endpoint)
    with FakeImds(group.instance_ids[0]).serving() as imds, AwsFront(moto_endpoint, group).serving() as front:
        timing = {"poll_seconds": 0.1, "heartbeat_seconds": 0.2, "idle_seconds": 0.5}
        settings = fleet.FleetSettings(group.name, imds_endpoint=imds.url, **timing)
        instance = fleet.join(settings, clients=lambda service: aws_client(service, front.url))
        # Nothing reaches the sandbox: no job is queued.
        host = JudgeHost(core, cast(Any, None), "host-a", HostConfig(lease_seconds=5), ["python"])
        membership = fleet.Membership(host, instance)
        membership.start()
        worker = threading.Thread(target=host.run, args=(1,))
        worker.start()
        try:
            assert host.claiming.is_set()
            imds.state = "Standby"
            wait_for(lambda: not host.claiming.is_set())
            imds.state = "InService"
            wait_for(host.claiming.is_set)
            assert worker.is_alive() and not membership.draining.is_set()
            imds.state = "Warmed:Stopped"
            worker.join(10)
            assert not worker.is_alive()
        finally:
            host.stop()
            worker.join()
            membership.finish()
    completions = front.of("CompleteLifecycleAction", LifecycleHookName="codearena-terminating")
    assert [call.params["LifecycleActionResult"] for call in completions] == ["CONTINUE"]
    assert front.of("RecordLifecycleActionHeartbeat")
    assert all(call.at < completions[0].at for call in front.of("RecordLifecycleActionHeartbeat"))
