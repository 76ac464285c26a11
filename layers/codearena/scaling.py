"""The judge fleet's scaling: its signal, its target and its warm-ups before a contest.

The signal is the queue's depth (waiting and in flight) and the age of its oldest waiting job,
published to CloudWatch at high resolution by the judge hosts' metrics leader
(judge_host.fleet) and by the scheduled function (functions/chalicelib/judge_scaling.py).
Target tracking holds QueueDepth / GroupInServiceInstances at `backlog_target`
(infra/stack/scaling.yaml); `contest_warmups` raises the group's minimum before a start.
bench/autoscale.py runs these same functions against AWS's documented behaviour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from codearena.core import Core

NAMESPACE = "CodeArena"


@dataclass(frozen=True)
class QueueStats:
    waiting: int  # entries not yet delivered to any consumer (XINFO GROUPS lag, Redis 7)
    in_flight: int  # delivered, not acknowledged (XPENDING count)
    oldest_age_seconds: float  # age of the oldest waiting (else in-flight) entry; 0 when empty

    @property
    def depth(self) -> int:
        return self.waiting + self.in_flight


def queue_stats(core: Core) -> QueueStats:
    """The judging queue as its consumer group sees it now."""
    stream, group = core.queue.stream, core.queue.group
    try:
        info = next((g for g in core.redis.xinfo_groups(stream) if g["name"] == group), None)
    except redis.ResponseError:  # no stream yet
        return QueueStats(0, 0, 0.0)
    length = int(core.redis.xlen(stream))
    if info is None:  # no judge host has read it yet: everything waits
        return QueueStats(length, 0, _age_seconds(core, _first_id(core, "-")))
    in_flight = int(info["pending"])
    lag = info.get("lag")
    # Acknowledged entries are deleted, so the length counts waiting and in-flight entries.
    waiting = int(lag) if lag is not None else max(length - in_flight, 0)
    oldest = _first_id(core, "(" + str(info["last-delivered-id"])) if waiting else None
    if oldest is None and in_flight:
        oldest = str(core.redis.xpending(stream, group)["min"])
    return QueueStats(waiting, in_flight, _age_seconds(core, oldest))


def _first_id(core: Core, start: str) -> str | None:
    entries = core.redis.xrange(core.queue.stream, min=start, max="+", count=1)
    return str(entries[0][0]) if entries else None


def _age_seconds(core: Core, entry_id: str | None) -> float:
    """Age of a stream entry by Redis's own clock (its id starts with its creation time in ms)."""
    if entry_id is None:
        return 0.0
    seconds, micros = core.redis.time()
    return max(seconds + micros / 1e6 - int(entry_id.split("-")[0]) / 1000, 0.0)


def put_queue_metrics(cloudwatch: Any, stats: QueueStats, now: datetime | None = None) -> None:
    """PutMetricData, namespace CodeArena, no dimensions, StorageResolution 1 (high resolution):
    QueueDepth, QueueWaiting, QueueInFlight (Count), OldestQueuedJobAgeSeconds (Seconds)."""
    timestamp = now or datetime.now(UTC)
    values = [
        ("QueueDepth", stats.depth, "Count"),
        ("QueueWaiting", stats.waiting, "Count"),
        ("QueueInFlight", stats.in_flight, "Count"),
        ("OldestQueuedJobAgeSeconds", stats.oldest_age_seconds, "Seconds"),
    ]
    data = [
        {
            "MetricName": name,
            "Value": float(value),
            "Unit": unit,
            "Timestamp": timestamp,
            "StorageResolution": 1,
        }
        for name, value, unit in values
    ]
    cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=data)


def backlog_target(boxes_per_host: int, mean_judging_seconds: float, acceptable_wait_seconds: float) -> float:
    """Target of the target-tracking policy: submissions per in-service host the fleet can hold
    and still start each within the acceptable wait (acceptable wait ÷ mean judging time × boxes)."""
    return acceptable_wait_seconds / mean_judging_seconds * boxes_per_host


@dataclass(frozen=True)
class Sizing:
    """What the template's scaling parameters say (infra/stack/scaling.yaml): the judge hosts'
    boxes, the mean judging time of a submission (every test, with compiling) and the wait a
    contestant should accept before judging starts."""

    boxes_per_host: int
    mean_judging_seconds: float
    acceptable_wait_seconds: float
    # Submissions per contestant per minute in a contest's first 30 minutes (the start burst).
    start_rate_per_contestant: float = 0.05

    @property
    def backlog_per_host(self) -> float:
        return backlog_target(self.boxes_per_host, self.mean_judging_seconds, self.acceptable_wait_seconds)

    def start_hosts(self, contestants: int, min_size: int, max_size: int) -> int:
        """Hosts that judge a contest's start burst as it arrives: arrivals per second × mean
        judging time = busy boxes, over the boxes per host, within the group's bounds."""
        busy_boxes = contestants * self.start_rate_per_contestant / 60 * self.mean_judging_seconds
        return max(min_size, min(max_size, math.ceil(busy_boxes / self.boxes_per_host)))


@dataclass(frozen=True)
class Warmup:
    """A scheduled action on the judges' group: from `at`, at least `min_size` hosts."""

    name: str
    at: datetime
    min_size: int


WARMUP_PREFIX = "contest-"
WARMUP_LEAD = timedelta(minutes=15)  # boot (90–180 s) and self-test, well before the start
WARMUP_HOLD = timedelta(minutes=30)  # the start burst; target tracking takes over after it


def contest_warmups(contest_id: int, start_at: datetime, hosts: int, base_min: int) -> list[Warmup]:
    """The two scheduled actions of one contest: `hosts` from WARMUP_LEAD before its start,
    back to the group's own minimum WARMUP_HOLD after it."""
    return [
        Warmup(f"{WARMUP_PREFIX}{contest_id}-start", start_at - WARMUP_LEAD, hosts),
        Warmup(f"{WARMUP_PREFIX}{contest_id}-settle", start_at + WARMUP_HOLD, base_min),
    ]
