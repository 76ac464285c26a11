"""The judge fleet's scaling signal: queue depth and the age of the oldest waiting job.

A minimal version with the signatures issue 13's helpers agreed on (notes/fleet-contract.md);
the judge hosts' metrics leader (judge_host.fleet) publishes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
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
