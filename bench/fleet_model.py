"""AWS's side of bench/autoscale.py: CloudWatch as PutMetricData fills it, a target-tracking
policy's two alarms, and an EC2 Auto Scaling group with its warm pool, as documented. Times are
seconds since the simulated day began. Each rule, with its source, is in bench/autoscale.py's
docstring; what AWS does not document is marked there as this model's choice.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class MetricStore:
    """CloudWatch for PutMetricData: every datum as it was put, by namespace and name."""

    def __init__(self) -> None:
        self._series: dict[tuple[str, str], tuple[list[datetime], list[float]]] = {}

    def put_metric_data(self, Namespace: str, MetricData: list[dict[str, Any]]) -> None:
        for datum in MetricData:
            times, values = self._series.setdefault((Namespace, datum["MetricName"]), ([], []))
            at = bisect.bisect_right(times, datum["Timestamp"])
            times.insert(at, datum["Timestamp"])
            values.insert(at, float(datum["Value"]))

    def average(self, namespace: str, name: str, start: datetime, end: datetime) -> float | None:
        """The Average statistic over [start, end); None when no datum fell in it (missing data)."""
        times, values = self._series.get((namespace, name), ([], []))
        low, high = bisect.bisect_left(times, start), bisect.bisect_left(times, end)
        return sum(values[low:high]) / (high - low) if high > low else None


@dataclass
class TargetTracking:
    """The policy's two alarms and its capacity arithmetic. `observe` one datapoint per period
    (None for a missing one), then ask `desired` what the group's desired capacity becomes."""

    target: float
    out_points: int = 3  # AlarmHigh: this many consecutive datapoints above the target
    in_points: int = 15  # AlarmLow: this many consecutive datapoints below in_ratio × target
    in_ratio: float = 0.9
    in_step: float = 0.1  # the most of the desired capacity one scale-in removes (this model's)
    history: list[float | None] = field(default_factory=list)

    def observe(self, value: float | None) -> None:
        self.history = [*self.history[-(self.in_points - 1) :], value]

    def alarm_high(self) -> bool:
        return self._all(self.out_points, lambda value: value > self.target)

    def alarm_low(self) -> bool:
        return self._all(self.in_points, lambda value: value < self.in_ratio * self.target)

    def desired(self, in_service: int, desired: int, scale_in_blocked: bool) -> int:
        """Desired capacity after this period: proportional scale-out that counts pending and
        warming instances as capacity already there; scale-in by at most `in_step`, and none
        while an instance warms up. The group applies its min and max."""
        value = self.history[-1] if self.history else None
        if value is None:
            return desired
        wanted = math.ceil(round(in_service * value / self.target, 6))
        if self.alarm_high():
            return max(desired, wanted)
        if self.alarm_low() and not scale_in_blocked:
            return min(desired, max(wanted, desired - max(1, math.floor(desired * self.in_step))))
        return desired

    def _all(self, points: int, breaching: Callable[[float], bool]) -> bool:
        recent = self.history[-points:]
        return len(recent) == points and all(value is not None and breaching(value) for value in recent)


@dataclass(frozen=True)
class Timings:
    """Seconds an instance takes, and the group's settings that are durations."""

    cold_boot: tuple[float, float] = (90.0, 180.0)  # launch request → InService, uniform
    warm_start: tuple[float, float] = (20.0, 40.0)  # Warmed:Stopped → InService, uniform
    warmup: float = 60.0  # DefaultInstanceWarmup: after InService, scale-in stays blocked
    idle_protection: float = 10.0  # judge_host.fleet.FleetSettings.idle_seconds
    lifecycle_poll: float = 5.0  # judge_host.fleet.FleetSettings.poll_seconds


@dataclass(eq=False)
class Host:
    """One instance of the group, from its launch request until it is gone."""

    launched_at: float
    ready_at: float  # InService: it claims jobs from then
    boxes: int
    held: int = 0  # jobs it is judging
    last_busy_at: float = -math.inf  # when it last let go of a job (scale-in protection)
    leaving_at: float | None = None  # when it stops claiming (it has seen its lifecycle state)
    gone_at: float | None = None

    def claiming(self, now: float) -> bool:
        return self.ready_at <= now and (self.leaving_at is None or now < self.leaving_at)

    def protected(self, now: float, idle_seconds: float) -> bool:
        return self.held > 0 or now < self.last_busy_at + idle_seconds


@dataclass
class WarmPool:
    """Instances prepared ahead and kept Stopped: MaxGroupPreparedCapacity − desired of them,
    refilled by cold launches that boot and stop; ReuseOnScaleIn takes scaled-in ones back."""

    max_prepared: int
    stopped: int = 0
    preparing: list[float] = field(default_factory=list)  # when each will be Warmed:Stopped
    running_seconds: float = 0.0  # instance time spent preparing

    def take(self, now: float) -> bool:
        self._settle(now)
        if self.stopped == 0:
            return False
        self.stopped -= 1
        return True

    def missing(self, now: float, desired: int) -> int:
        """Instances to launch into the pool for its size at this desired capacity."""
        self._settle(now)
        return max(0, self.max_prepared - desired - self.stopped - len(self.preparing))

    def prepare(self, now: float, boots: list[float]) -> None:
        """Launch instances that boot (`boots` seconds each, running) and then stop."""
        self.preparing += [now + boot for boot in boots]
        self.running_seconds += sum(boots)

    def give_back(self) -> None:
        self.stopped += 1

    def _settle(self, now: float) -> None:
        ready = [at for at in self.preparing if at <= now]
        self.stopped += len(ready)
        self.preparing = [at for at in self.preparing if at > now]


class Group:
    """The Auto Scaling group: desired capacity within min and max, launches (from the warm
    pool first), and scale-in that only takes unprotected instances in service."""

    def __init__(
        self,
        min_size: int,
        max_size: int,
        boxes: int,
        timings: Timings,
        rng: random.Random,
        pool: WarmPool | None = None,
    ) -> None:
        self.min_size, self.max_size, self.desired = min_size, max_size, min_size
        self.boxes, self.timings, self.rng, self.pool = boxes, timings, rng, pool
        self.hosts: list[Host] = []  # launched and not gone
        self.gone: list[Host] = []
        self.peak_hosts = 0

    def start_with(self, hosts: int) -> list[Host]:
        """`hosts` instances already in service when the day begins."""
        self.desired = max(self.desired, hosts)
        self.hosts = [Host(0.0, 0.0, self.boxes) for _ in range(hosts)]
        self.peak_hosts = hosts
        return list(self.hosts)

    def set_min(self, size: int) -> None:
        """A scheduled action's MinSize; a desired capacity below it is raised to it."""
        self.min_size = size
        self.desired = max(self.desired, size)

    def set_desired(self, desired: int) -> None:
        self.desired = max(self.min_size, min(self.max_size, desired))

    def in_service(self, now: float) -> int:
        return sum(1 for host in self.hosts if host.ready_at <= now and host.leaving_at is None)

    def warming(self, now: float) -> bool:
        return any(now < host.ready_at + self.timings.warmup for host in self.hosts)

    def reconcile(self, now: float) -> tuple[list[Host], list[Host]]:
        """Launch or pick instances to leave towards the desired capacity: (launched, leaving)."""
        staying = [host for host in self.hosts if host.leaving_at is None]
        launched = [self._launch(now) for _ in range(self.desired - len(staying))]
        leaving = self._pick_leaving(now, staying, len(staying) - self.desired)
        if self.pool is not None:
            boots = self.pool.missing(now, self.desired)
            self.pool.prepare(now, [self._uniform(self.timings.cold_boot) for _ in range(boots)])
        self.peak_hosts = max(self.peak_hosts, len(self.hosts))
        return launched, leaving

    def retire(self, host: Host, now: float) -> None:
        """A leaving host that holds nothing more: back to the warm pool, or terminated."""
        host.gone_at = now
        self.hosts.remove(host)
        self.gone.append(host)
        if self.pool is not None:
            self.pool.give_back()

    def instance_seconds(self, end: float) -> float:
        """Running time, from each launch request until gone (or `end`), with warm-pool preparing."""
        hosts = self.hosts + self.gone
        running = sum(
            (host.gone_at if host.gone_at is not None else end) - host.launched_at for host in hosts
        )
        return running + (self.pool.running_seconds if self.pool is not None else 0.0)

    def _launch(self, now: float) -> Host:
        warm = self.pool is not None and self.pool.take(now)
        start = self._uniform(self.timings.warm_start if warm else self.timings.cold_boot)
        host = Host(now, now + start, self.boxes)
        self.hosts.append(host)
        return host

    def _pick_leaving(self, now: float, staying: list[Host], excess: int) -> list[Host]:
        idle = self.timings.idle_protection
        free = [host for host in staying if host.ready_at <= now and not host.protected(now, idle)]
        free.sort(key=lambda host: host.last_busy_at)
        for host in free[: max(excess, 0)]:
            host.leaving_at = now + self.rng.uniform(0.0, self.timings.lifecycle_poll)
        return free[: max(excess, 0)]

    def _uniform(self, bounds: tuple[float, float]) -> float:
        return self.rng.uniform(*bounds)
