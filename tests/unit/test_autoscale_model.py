"""bench/autoscale.py's AWS emulation (bench/fleet_model.py) and its day (bench/judging_day.py):
the target-tracking alarms, the group's scale-in and warm pool, and the policy reading what the
project's own put_queue_metrics published."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bench.fleet_model import Group, MetricStore, TargetTracking, Timings, WarmPool
from bench.judging_day import Autoscaling, Day, Jobs
from codearena.scaling import NAMESPACE, QueueStats, put_queue_metrics

T0 = datetime(2017, 11, 26, 9, 15, tzinfo=UTC)


def policy_after(values: Sequence[float | None], target: float = 2.0) -> TargetTracking:
    policy = TargetTracking(target)
    for value in values:
        policy.observe(value)
    return policy


def test_three_datapoints_above_the_target_scale_out_in_proportion() -> None:
    # 10 in service at 3.0 against 2.0: ceil(10 × 3 / 2) = 15.
    assert policy_after([3.0, 3.0, 3.0]).desired(10, 10, scale_in_blocked=False) == 15
    assert policy_after([1.0, 3.0, 3.0]).desired(10, 10, scale_in_blocked=False) == 10
    # Pending and warming instances count: a desired capacity already at 15 stays.
    assert policy_after([3.0, 3.0, 3.0]).desired(10, 15, scale_in_blocked=False) == 15
    # A missing datapoint breaks the run.
    assert policy_after([3.0, None, 3.0, 3.0]).desired(10, 10, scale_in_blocked=False) == 10


def test_fifteen_datapoints_below_ninety_percent_scale_in_gradually() -> None:
    low = [1.0] * 15  # below 0.9 × 2.0
    assert policy_after(low).desired(100, 100, scale_in_blocked=False) == 90  # at most 10 % a period
    assert policy_after(low).desired(10, 10, scale_in_blocked=False) == 9
    assert policy_after([1.0] * 14).desired(100, 100, scale_in_blocked=False) == 100
    assert policy_after([1.85] * 15).desired(100, 100, scale_in_blocked=False) == 100  # 0.9 × 2 = 1.8
    assert policy_after(low).desired(100, 100, scale_in_blocked=True) == 100  # an instance warms up
    # Never below the proportional capacity: 10 × 1.0 / 2.0 = 5 of a desired 6.
    assert policy_after(low).desired(10, 6, scale_in_blocked=False) == 5


def test_the_metric_store_averages_what_put_queue_metrics_published() -> None:
    store = MetricStore()
    for second, depth in ((0, 4), (10, 6), (50, 8), (60, 100)):
        runs = QueueStats(second // 10, 0, 0.0)
        put_queue_metrics(store, QueueStats(depth - 1, 1, 3.0), runs, T0 + timedelta(seconds=second))
    minute = store.average(NAMESPACE, "QueueDepth", T0, T0 + timedelta(seconds=60))
    assert minute == 6.0  # 4, 6, 8; the datum at 60 s belongs to the next period
    assert store.average(NAMESPACE, "QueueWaiting", T0, T0 + timedelta(seconds=20)) == 4.0
    assert store.average(NAMESPACE, "QueueDepth", T0 - timedelta(seconds=60), T0) is None
    assert store.average(NAMESPACE, "RunQueueDepth", T0, T0 + timedelta(seconds=60)) == 2.0  # 0, 1, 5


def test_scale_in_takes_only_idle_unprotected_hosts() -> None:
    group = Group(1, 10, 2, Timings(), random.Random(1))
    busy, recent, idle = group.start_with(3)
    busy.held = 1
    recent.last_busy_at = 95.0  # protected until 105 s
    group.set_desired(1)
    launched, leaving = group.reconcile(100.0)
    assert launched == [] and leaving == [idle]
    assert idle.leaving_at is not None and 100.0 <= idle.leaving_at <= 105.0  # seen within a poll


def test_launches_come_from_the_warm_pool_first_then_boot_cold() -> None:
    group = Group(1, 4, 2, Timings(), random.Random(1), WarmPool(max_prepared=2))
    group.start_with(1)
    group.reconcile(0.0)  # the pool prepares the one instance it lacks: 2 − 1
    group.set_desired(3)
    launched, _ = group.reconcile(200.0)  # prepared by now (a boot takes at most 180 s)
    starts = sorted(host.ready_at - host.launched_at for host in launched)
    assert len(starts) == 2 and 20 <= starts[0] <= 40 and 90 <= starts[1] <= 180


def test_a_scheduled_minimum_raises_the_desired_capacity() -> None:
    group = Group(1, 50, 2, Timings(), random.Random(1))
    group.set_min(12)
    assert group.desired == 12
    group.set_min(1)
    assert group.desired == 12  # lowering MinSize leaves the desired capacity to the policy


def test_a_day_judges_in_order_and_scales_out_on_the_published_queue() -> None:
    # 300 jobs of 60 s at once on one host of two boxes: the queue stays deep, so after three
    # one-minute datapoints the policy adds hosts, and they take the remaining jobs.
    jobs = Jobs([1.0] * 300, [60.0] * 300)
    group = Group(1, 40, 2, Timings(), random.Random(1))
    group.start_with(1)
    scaling = Autoscaling(TargetTracking(4.0), period=60)
    day = Day(jobs, group, 600.0, "test", scaling, T0)
    day.run()
    waits = day.waits()
    assert len(waits) == 300 and waits[:2] == [0.0, 0.0] and waits[2] == 60.0
    first_launch = min(host.launched_at for host in group.hosts + group.gone if host.launched_at > 0)
    assert first_launch == 180.0  # the third datapoint, at the end of minute 3
    assert group.peak_hosts == 40  # ceil(~300 / 4) capped by MaxSize
