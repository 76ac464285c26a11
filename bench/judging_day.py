"""The event loop of bench/autoscale.py's day: submissions arrive into one FIFO queue, free
boxes take them, and every 10 s the metrics leader publishes the queue with the project's own
`put_queue_metrics`, the target-tracking policy reads it back each period, scheduled actions
fire and the group launches or lets hosts go. Times are seconds since the day began.
"""

from __future__ import annotations

import heapq
import itertools
import math
import sys
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bench.fleet_model import Group, Host, MetricStore, TargetTracking
from codearena.scaling import NAMESPACE, QueueStats, put_queue_metrics

TICK_SECONDS = 10  # how often the judge hosts' metrics leader publishes (FleetSettings.metrics_seconds)
OVERTIME_SECONDS = 6 * 3600.0  # past the day's end, the most the loop waits for jobs left
NO_RUNS = QueueStats(0, 0, 0.0)  # the day is submissions only: no custom invocations queue
TICK, READY, LEAVE, FINISH = range(4)


@dataclass(frozen=True)
class Jobs:
    arrivals: list[float]  # sorted
    durations: list[float]  # judging seconds of each


@dataclass
class Autoscaling:
    """What moves an autoscaled group: target tracking on `period`-second datapoints, each
    evaluated `alarm_delay` seconds after its period ends, and scheduled actions as
    (second, MinSize)."""

    policy: TargetTracking
    period: int = 60
    alarm_delay: int = 0
    warmups: list[tuple[float, int]] = field(default_factory=list)


class Day:
    """One fleet through one day that ends at `end` (later while jobs are left); a fixed
    fleet has no `scaling`. `clock_start` is the wall-clock time of second 0."""

    def __init__(
        self,
        jobs: Jobs,
        group: Group,
        end: float,
        label: str,
        scaling: Autoscaling | None,
        clock_start: datetime,
    ) -> None:
        self.jobs, self.group, self.end, self.label = jobs, group, end, label
        self.scaling, self.clock_start = scaling, clock_start
        self.warmups = sorted(scaling.warmups) if scaling else []
        self.cloudwatch = MetricStore()
        self.queue: deque[int] = deque()
        self.free: deque[Host] = deque()  # a free box each, in the order they came free
        self.running: set[int] = set()
        self.starts = [math.nan] * len(jobs.arrivals)  # when each job's judging began
        self.finished = 0  # jobs judged to the end
        self.events: list[tuple[float, int, int, Host | None, int]] = []
        self._order = itertools.count()
        self._next_arrival = 0
        self._in_service: dict[int, int] = {}  # GroupInServiceInstances by minute of the day
        self.closed_at = end

    def run(self) -> None:
        for ready in self.group.hosts:
            self._push(ready.ready_at, READY, ready)
        self._push(0.0, TICK)
        arrivals = self.jobs.arrivals
        while self.events:
            if self._next_arrival < len(arrivals) and arrivals[self._next_arrival] <= self.events[0][0]:
                self._arrive(arrivals[self._next_arrival])
                continue
            at, _, kind, host, job = heapq.heappop(self.events)
            if kind == TICK and not self._tick(at):
                self.closed_at = at
                return
            if host is not None:
                self._handle(kind, host, job, at)

    def waits(self) -> list[float]:
        """Seconds from submission to the start of judging, for each job judged."""
        pairs = zip(self.jobs.arrivals, self.starts, strict=True)
        return [start - arrival for arrival, start in pairs if not math.isnan(start)]

    def instance_seconds(self) -> float:
        return self.group.instance_seconds(self.closed_at)

    # --- jobs and boxes --------------------------------------------------------------------
    def _arrive(self, now: float) -> None:
        self.queue.append(self._next_arrival)
        self._next_arrival += 1
        self._dispatch(now)

    def _dispatch(self, now: float) -> None:
        while self.queue and self.free:
            host = self.free.popleft()
            if host.gone_at is None and host.claiming(now):
                self._start(host, self.queue.popleft(), now)

    def _start(self, host: Host, job: int, now: float) -> None:
        host.held += 1
        self.starts[job] = now
        self.running.add(job)
        self._push(now + self.jobs.durations[job], FINISH, host, job)

    def _handle(self, kind: int, host: Host, job: int, now: float) -> None:
        if kind == FINISH:
            host.held -= 1
            host.last_busy_at = now
            self.running.discard(job)
            self.finished += 1
        if host.gone_at is not None:
            return
        if host.claiming(now):
            self.free.extend([host] * (host.boxes if kind == READY else 1))
            self._dispatch(now)
        elif host.leaving_at is not None and host.held == 0:
            self.group.retire(host, now)

    # --- every 10 s: metrics, policy, scheduled actions, the group ---------------------------
    def _tick(self, now: float) -> bool:
        second = round(now)
        if second % 60 == 0:
            self._in_service[second // 60] = self.group.in_service(now)
        if self.scaling is not None:
            self._evaluate(self.scaling, second - self.scaling.alarm_delay, now)
        while self.warmups and self.warmups[0][0] <= now:
            self.group.set_min(self.warmups.pop(0)[1])
        launched, leaving = self.group.reconcile(now)
        for host in launched:
            self._push(host.ready_at, READY, host)
        for host in leaving:
            self._push(host.leaving_at or now, LEAVE, host)
        self._publish(now)
        if second % 3600 == 0:
            self._progress(now)
        if now >= self.end and (self._done() or now >= self.end + OVERTIME_SECONDS):
            return False
        self._push(now + TICK_SECONDS, TICK)
        return True

    def _evaluate(self, scaling: Autoscaling, period_end: int, now: float) -> None:
        """At the end of a period (seen `alarm_delay` late): its datapoint, then the policy."""
        if period_end <= 0 or period_end % scaling.period:
            return
        start, end = self._clock(period_end - scaling.period), self._clock(period_end)
        depth = self.cloudwatch.average(NAMESPACE, "QueueDepth", start, end)
        in_service = self._in_service.get(period_end // 60, 0)
        scaling.policy.observe(None if depth is None or in_service == 0 else depth / in_service)
        desired = scaling.policy.desired(in_service, self.group.desired, self.group.warming(now))
        self.group.set_desired(desired)

    def _publish(self, now: float) -> None:
        oldest = self.queue[0] if self.queue else min(self.running, default=None)
        age = now - self.jobs.arrivals[oldest] if oldest is not None else 0.0
        stats = QueueStats(len(self.queue), len(self.running), age)
        put_queue_metrics(self.cloudwatch, stats, NO_RUNS, self._clock(now))

    def _done(self) -> bool:
        return self._next_arrival == len(self.jobs.arrivals) and not self.queue and not self.running

    def _progress(self, now: float) -> None:
        hours = f"{now / 3600:.0f} h of {self.end / 3600:.0f} h"
        print(
            f"{self.label}: {hours}, {self.finished:,} judged, {len(self.group.hosts)} hosts", file=sys.stderr
        )

    def _clock(self, now: float) -> datetime:
        return self.clock_start + timedelta(seconds=now)

    def _push(self, at: float, kind: int, host: Host | None = None, job: int = -1) -> None:
        heapq.heappush(self.events, (at, next(self._order), kind, host, job))
