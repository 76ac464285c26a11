"""The judge fleet's scaling: its signal, its target and its warm-ups before a contest.

The signal is the queue's depth (waiting and in flight) and the age of its oldest waiting job,
and the custom invocations' queue's depth (RunQueueDepth: a host runs them on workers of its
own, so a flood of "Run" clicks needs hosts too, and a contestant waits on each one),
published to CloudWatch at high resolution by the judge hosts' metrics leader
(judge_host.fleet) and by the scheduled function (functions/chalicelib/judge_scaling.py).
Target tracking holds QueueDepth / GroupInServiceInstances at `backlog_target`, and
RunQueueDepth / GroupInServiceInstances at the same arithmetic for the invocation workers
(infra/stack/scaling.yaml: Auto Scaling adds hosts when either policy asks and removes them
only when both agree); `contest_warmups` raises the group's minimum before a start.
bench/autoscale.py runs these same functions against AWS's documented behaviour.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from codearena import keys
from codearena.config import ConfigError
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
    return stream_stats(core, core.queue.stream, core.queue.group)


def run_queue_stats(core: Core) -> QueueStats:
    """The custom invocations' queue as its consumer group sees it now."""
    return stream_stats(core, keys.INVOCATION_QUEUE, keys.INVOCATION_GROUP)


def stream_stats(core: Core, stream: str, group: str) -> QueueStats:
    """A work stream read by consumer group `group` (whose consumers delete what they
    acknowledge) as that group sees it now."""
    try:
        info = next((g for g in core.redis.xinfo_groups(stream) if g["name"] == group), None)
    except redis.ResponseError:  # no stream yet
        return QueueStats(0, 0, 0.0)
    length = int(core.redis.xlen(stream))
    if info is None:  # no judge host has read it yet: everything waits
        return QueueStats(length, 0, _age_seconds(core, _first_id(core, stream, "-")))
    in_flight = int(info["pending"])
    lag = info.get("lag")
    # Acknowledged entries are deleted, so the length counts waiting and in-flight entries.
    waiting = int(lag) if lag is not None else max(length - in_flight, 0)
    oldest = _first_id(core, stream, "(" + str(info["last-delivered-id"])) if waiting else None
    if oldest is None and in_flight:
        oldest = str(core.redis.xpending(stream, group)["min"])
    return QueueStats(waiting, in_flight, _age_seconds(core, oldest))


def _first_id(core: Core, stream: str, start: str) -> str | None:
    entries = core.redis.xrange(stream, min=start, max="+", count=1)
    return str(entries[0][0]) if entries else None


def _age_seconds(core: Core, entry_id: str | None) -> float:
    """Age of a stream entry by Redis's own clock (its id starts with its creation time in ms)."""
    if entry_id is None:
        return 0.0
    seconds, micros = core.redis.time()
    return max(seconds + micros / 1e6 - int(entry_id.split("-")[0]) / 1000, 0.0)


def put_queue_metrics(
    cloudwatch: Any, stats: QueueStats, runs: QueueStats, now: datetime | None = None
) -> None:
    """PutMetricData, namespace CodeArena, no dimensions, StorageResolution 1 (high resolution):
    QueueDepth, QueueWaiting, QueueInFlight (Count), OldestQueuedJobAgeSeconds (Seconds) of the
    judging queue; RunQueueDepth (Count) of the custom invocations' queue (`runs`)."""
    timestamp = now or datetime.now(UTC)
    values = [
        ("QueueDepth", stats.depth, "Count"),
        ("QueueWaiting", stats.waiting, "Count"),
        ("QueueInFlight", stats.in_flight, "Count"),
        ("OldestQueuedJobAgeSeconds", stats.oldest_age_seconds, "Seconds"),
        ("RunQueueDepth", runs.depth, "Count"),
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
    """Target of the target-tracking policy: QueueDepth (waiting and in flight) per in-service
    host with every box busy and the last waiting submission starting within the acceptable wait.
    A host's boxes start boxes ÷ mean judging time submissions a second, so it clears
    wait × boxes ÷ mean waiting ones in the acceptable wait, beside the boxes it judges:
    boxes × (1 + acceptable wait ÷ mean judging time). (AWS's "backlog per instance" counts
    waiting messages only, hence its wait ÷ mean × boxes; our depth counts in-flight ones too.)"""
    return boxes_per_host * (1 + acceptable_wait_seconds / mean_judging_seconds)


@dataclass(frozen=True)
class Sizing:
    """What the template's scaling parameters say (infra/stack/scaling.yaml): the judge hosts'
    boxes, the mean judging time of a submission (every test, with compiling) and the wait a
    contestant should accept before judging starts."""

    boxes_per_host: int
    mean_judging_seconds: float
    acceptable_wait_seconds: float
    # Submissions per contestant per minute at the peak of a contest's first 30 minutes: 0.103
    # at NWERC 2017 (bench/autoscale.py reads it from the contest's submissions).
    start_rate_per_contestant: float = 0.1

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
    contest_id: int


WARMUP_PREFIX = "contest-"
WARMUP_LEAD = timedelta(minutes=15)  # boot (90–180 s) and self-test, well before the start
WARMUP_HOLD = timedelta(minutes=30)  # the start burst; target tracking takes over after it
RUSH = timedelta(minutes=60)  # the last hour (under the freeze) brings the day's busiest minutes


@dataclass(frozen=True)
class Coming:
    """A contest the fleet warms up for, with the hosts its start burst needs."""

    contest_id: int
    start_at: datetime
    end_at: datetime
    hosts: int

    def windows(self) -> list[tuple[datetime, datetime]]:
        """When the group holds at least `hosts`: around the start, and through the last hour
        (its rush is predictable; the policy adds hosts beyond the floor as the queue says)."""
        return [
            (self.start_at - WARMUP_LEAD, self.start_at + WARMUP_HOLD),
            (max(self.end_at - RUSH, self.start_at), self.end_at),
        ]

    def actions(self) -> list[tuple[str, datetime]]:
        name = f"{WARMUP_PREFIX}{self.contest_id}"
        (start, settle), (rush, end) = self.windows()
        return [
            (f"{name}-start", start),
            (f"{name}-settle", settle),
            (f"{name}-rush", rush),
            (f"{name}-end", end),
        ]


def contest_warmups(
    contest_id: int, start_at: datetime, hosts: int, base_min: int, end_at: datetime
) -> list[Warmup]:
    """One contest's scheduled actions: `hosts` from WARMUP_LEAD before its start until
    WARMUP_HOLD after it and through its last hour (RUSH), the group's own minimum in between
    and after."""
    return warmup_plan([Coming(contest_id, start_at, end_at, hosts)], base_min)


def warmup_plan(contests: list[Coming], base_min: int) -> list[Warmup]:
    """Every contest's warm-up actions, each with the largest minimum in force at its time: a
    contest settling never shrinks the fleet another one needs."""

    def needed(at: datetime) -> int:
        inside = [c.hosts for c in contests for begin, end in c.windows() if begin <= at < end]
        return max([base_min, *inside])

    return [
        Warmup(name, at, needed(at), contest.contest_id)
        for contest in contests
        for name, at in contest.actions()
    ]


@dataclass(frozen=True)
class FleetScaling:
    """The scheduled function's settings: the group and the template's scaling parameters."""

    group: str
    min_size: int
    max_size: int
    sizing: Sizing
    expected_contestants: int  # an open-registration contest's warm-up size

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> FleetScaling:
        def number(name: str) -> float:
            raw = env.get(name, "")
            try:
                value = float(raw)
            except ValueError:
                raise ConfigError(f"{name} must be a number, not {raw!r}") from None
            if not (value >= 0 and math.isfinite(value)):
                raise ConfigError(f"{name} must be a number of 0 or more, not {raw!r}")
            return value

        group = env.get("CODEARENA_ASG_NAME", "").strip()
        if not group:
            raise ConfigError("CODEARENA_ASG_NAME must name the judge hosts' Auto Scaling group")
        return cls(
            group=group,
            min_size=int(number("CODEARENA_JUDGE_MIN_SIZE")),
            max_size=int(number("CODEARENA_JUDGE_MAX_SIZE")),
            sizing=Sizing(
                boxes_per_host=max(1, int(number("CODEARENA_JUDGE_BOXES_PER_HOST"))),
                mean_judging_seconds=max(0.1, number("CODEARENA_JUDGE_MEAN_SECONDS")),
                acceptable_wait_seconds=max(1.0, number("CODEARENA_ACCEPTABLE_WAIT_SECONDS")),
            ),
            expected_contestants=int(number("CODEARENA_EXPECTED_CONTESTANTS")),
        )


HORIZON = timedelta(days=2)  # contests further out are scheduled on a later run


def coming_contests(core: Core, fleet: FleetScaling, now: datetime) -> list[Coming]:
    """Each contest that starts within HORIZON and has not ended, with the hosts its start
    needs: its contestants are its invited and approved participants, or
    `expected_contestants` when registration is open."""
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT c.id, c.start_at, c.end_at, c.registration, count(p.user_id) FILTER"
            " (WHERE p.status IN ('invited', 'approved')) AS participants FROM contests c"
            " LEFT JOIN contest_participants p ON p.contest_id = c.id"
            " WHERE NOT c.practice AND c.end_at > %s AND c.start_at <= %s GROUP BY c.id ORDER BY c.id",
            (now, now + HORIZON),
        )
        rows = cur.fetchall()
    coming = []
    for row in rows:
        contestants = fleet.expected_contestants if row["registration"] == "open" else row["participants"]
        hosts = fleet.sizing.start_hosts(contestants, fleet.min_size, fleet.max_size)
        coming.append(Coming(int(row["id"]), row["start_at"], row["end_at"], hosts))
    return coming


@dataclass(frozen=True)
class Tick:
    """What one run of the scheduled function did."""

    stats: QueueStats
    put: list[str]
    deleted: list[str]


def tick(core: Core, cloudwatch: Any, autoscaling: Any, fleet: FleetScaling, now: datetime) -> Tick:
    """One run of the scheduled function: the queue metrics to CloudWatch (the judge hosts'
    leader sends them every 10 s; this keeps them coming with no host up), then the group's
    scheduled actions made to match the coming contests (put or deleted only on change)."""
    stats = queue_stats(core)
    put_queue_metrics(cloudwatch, stats, run_queue_stats(core), now)
    plan = warmup_plan(coming_contests(core, fleet, now), fleet.min_size)
    put, deleted = sync_warmups(autoscaling, fleet.group, plan, now)
    return Tick(stats, put, deleted)


def sync_warmups(
    autoscaling: Any, group: str, plan: list[Warmup], now: datetime
) -> tuple[list[str], list[str]]:
    """Make the group's `contest-…` scheduled actions the plan's future ones (put or deleted
    only on change). A minimum that should hold already (a contest created late, or a missed
    run) is set on the group at once: Auto Scaling refuses a scheduled time in the past.
    Returns the names put (or applied) and deleted."""
    existing: dict[str, tuple[datetime, int]] = {}
    for page in autoscaling.get_paginator("describe_scheduled_actions").paginate(AutoScalingGroupName=group):
        for action in page["ScheduledUpdateGroupActions"]:
            if action["ScheduledActionName"].startswith(WARMUP_PREFIX):
                existing[action["ScheduledActionName"]] = (action["StartTime"], action.get("MinSize", -1))
    future = [w for w in plan if w.at > now]
    put = []
    for warmup in future:
        if existing.get(warmup.name) != (warmup.at, warmup.min_size):
            autoscaling.put_scheduled_update_group_action(
                AutoScalingGroupName=group,
                ScheduledActionName=warmup.name,
                StartTime=warmup.at,
                MinSize=warmup.min_size,
            )
            put.append(warmup.name)
    holding = _holding(plan, now)
    if holding is not None and _apply_min(autoscaling, group, holding.min_size):
        put.append(holding.name)
    names = {w.name for w in future}
    deleted = sorted(name for name in existing if name not in names)
    for name in deleted:
        autoscaling.delete_scheduled_action(AutoScalingGroupName=group, ScheduledActionName=name)
    return put, deleted


def _holding(plan: list[Warmup], now: datetime) -> Warmup | None:
    """The latest action due by now whose contest has an action still to come: its minimum
    should be in force (after a contest's last action, the group is left as it is)."""
    pending = {w.contest_id for w in plan if w.at > now}
    past = [w for w in plan if w.at <= now and w.contest_id in pending]
    return max(past, key=lambda w: (w.at, w.min_size), default=None)


def _apply_min(autoscaling: Any, group: str, min_size: int) -> bool:
    """Set the group's minimum (and its desired capacity up to it) unless it is that already."""
    described = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"]
    if not described or described[0]["MinSize"] == min_size:
        return False
    desired = max(described[0]["DesiredCapacity"], min_size)
    autoscaling.update_auto_scaling_group(
        AutoScalingGroupName=group, MinSize=min_size, DesiredCapacity=min(desired, described[0]["MaxSize"])
    )
    return True
