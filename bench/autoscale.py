"""Autoscaling on a contest day: queue waits and instance-hours of the judge fleet under EC2 Auto
Scaling target tracking, run by the project's own scaling code, against a fixed fleet sized for
the peak.

The day runs from an hour before the start to an hour after the end (longer only while jobs are
left). Arrivals follow a real contest (bench/contest_curve.py: NWERC 2017, 120 teams, 1,460
submissions in five hours): its submissions per team per minute, smoothed over five minutes,
times --contestants, as a Poisson process with --seed; each submission's judging time is a real
one of its language, the language drawn with the contest's mix (mean 21.35 s). The data does
show both ends of a contest day: 0.054 submissions per team-minute in the first 30 minutes
(peak 0.103 at minute 13; nothing comes in before minute 6) and 0.055 in the last hour (peak
0.200 in the last minute) against 0.034 in between.

What runs is the project's code (codearena.scaling): every 10 s of simulated time the metrics
leader's `put_queue_metrics` publishes the queue's QueueStats into a recording CloudWatch
(bench/fleet_model.MetricStore); the policy reads QueueDepth back from it, the Average over each
period, over GroupInServiceInstances (the metric math of infra/stack/scaling.yaml), against the
target `Sizing.backlog_per_host`; `contest_warmups` are the group's scheduled actions (around the
start and through the last hour), at `Sizing.start_hosts` hosts. Jobs wait in one FIFO queue; a
free box takes the next one, free boxes in the order they came free (Redis serves blocked
XREADGROUP readers first come, first served).

Sizing: 2 boxes per host (c7i.large, the template's default), the data's mean judging time, the
start rate the data's peak in the first 30 minutes, and an acceptable wait of 5 s: the target
boxes × (1 + wait ÷ mean) = 2.47 QueueDepth per host (QueueDepth counts the jobs in flight
too). That wait is the steady state's; the day's p95 adds the reaction time (3 one-minute
datapoints, then a boot): over seeds 1-6 of the 5,000-contestant day, a 5 s setting gave a p95
of 17.6-25.8 s, 10 s gave 25.8-46.4 s, 0 s 11.3-17.9 s (all at 0.31-0.38 of the fixed fleet's
instance-hours). The group's MaxSize is the fixed fleet's size; its MinSize 1.

AWS as documented, with the source of each rule:
- Target tracking makes two alarms: AlarmHigh, 3 consecutive datapoints above the target; and
  AlarmLow, 15 consecutive datapoints below 90 % of it (the alarms target tracking creates and
  manages, EC2 Auto Scaling User Guide "Target tracking scaling policies", as they show in
  CloudWatch). A missing datapoint
  (no QueueDepth, or no instance in service to divide by) breaks a run. Since 2024 AWS also tunes
  these alarms per group on its own; that is not modelled.
- While an alarm is in ALARM its scaling action runs again each period (CloudWatch User Guide,
  "Alarm actions": Auto Scaling actions repeat while the alarm stays in ALARM).
- Scale-out is proportional: new capacity = ceil(in service × metric / target), applied only
  when above the desired capacity, which counts pending and warming instances as capacity
  already there ("Set the default instance warmup": warming instances are part of the current
  capacity on scale-out). Bounded by the group's MinSize and MaxSize.
- Scale-in is "more gradual" (Application Auto Scaling User Guide, "How target tracking scaling
  works") and blocked while any instance warms up ("Set the default instance warmup"). How
  gradual is not documented: this model removes at most 10 % of the desired capacity (at least
  one) per period, down to the proportional capacity.
- DefaultInstanceWarmup 60 s: a host runs its language self-test in the launching lifecycle
  hook, before InService, so it judges at full speed from InService on.
- Periods of 60 s by default; --period 10 or 30 is target tracking's high-resolution option
  ("Create a target tracking policy using high-resolution metrics for faster response";
  TargetTrackingMetricStat.Period accepts 10, 30, 60). Group metrics such as
  GroupInServiceInstances are 1-minute: the divisor is the count at the last whole minute (what
  FILL(…, REPEAT) gives in the metric math); the alarms keep 3 and 15 datapoints (an assumption:
  their evaluation periods at high resolution are not documented).
- Instances boot 90–180 s (uniform) from a launch request to InService; from the warm pool
  (Warmed:Stopped) 20–40 s. The pool ("Warm pools for Amazon EC2 Auto Scaling") holds
  MaxGroupPreparedCapacity − desired instances (--warm-pool, 0 for none; default the group's
  MaxSize, AWS's default), prepared by cold boots at the start of the day that count as instance
  time; ReuseOnScaleIn returns scaled-in instances to it. Only Stopped ones are taken; a launch
  when none is ready boots cold.
- Scale-in takes only instances that are unprotected ("Use instance scale-in protection": a
  protected instance is not terminated; the group waits): judge_host.fleet.ScaleInGuard protects
  a host while it holds jobs and for 10 s after. The host sees its lifecycle state within its
  5 s poll, until then it may still claim; then it claims nothing and finishes what it holds
  (the terminating hook's drain) before it goes.
- Scheduled actions set MinSize; a desired capacity below it is raised to it (a group's desired
  capacity always lies within its bounds).
- CloudWatch's ingestion and alarm evaluation delays are not documented: none by default,
  --alarm-delay evaluates each period that many seconds after it ends. Not modelled: failed
  launches, Availability Zone rebalancing, the time a scaled-in instance takes to stop.

Instance-hours run from each launch request (boot included) to termination or return to the
pool. The fixed fleet is ceil(peak one-minute arrivals per second × mean judging time ÷ boxes
per host) hosts, the peak taken from that day's own arrivals, in service all day.

The last line is the goal's (p95 wait ≤ 30 s at ≤ 0.5 of the fixed fleet's instance-hours) for
the 5,000-contestant day, else for the largest day run.

    .venv/bin/python bench/autoscale.py [--contestants 500 5000] [--seed 1] [--acceptable-wait 5]
                                        [--period 60] [--alarm-delay 0] [--warm-pool -1]
                                        [--smooth-minutes 5] [--contest DIR]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

# The checkout, not bench/ (where bench/sandbox.py would shadow the sandbox package).
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench import contest_curve  # noqa: E402
from bench.common import report  # noqa: E402
from bench.contest_curve import Contest  # noqa: E402
from bench.fleet_model import Group, TargetTracking, Timings, WarmPool  # noqa: E402
from bench.judging_day import Autoscaling, Day, Jobs  # noqa: E402
from codearena.scaling import Sizing, contest_warmups  # noqa: E402

CONTEST = Path(__file__).resolve().parents[2] / "shared" / "data" / "clics" / "nwerc2017"
BOXES_PER_HOST = 2  # c7i.large, the template's default JudgeInstanceType: one box per vCPU
BASE_MIN = 1  # the group's own MinSize
HOUR = 3600.0


@dataclass(frozen=True)
class Plan:
    """One autoscaled day: its size, the group's MaxSize (the fixed fleet's size) and the knobs."""

    contestants: int
    max_size: int
    seed: int
    period: int  # seconds per datapoint: 60, or 10 or 30 (high resolution)
    alarm_delay: int  # seconds from a period's end to its evaluation
    warm_pool: int  # MaxGroupPreparedCapacity; -1 the group's MaxSize, 0 no warm pool


@dataclass(frozen=True)
class Outcome:
    label: str
    waits: list[float]  # seconds from submission to the start of its judging, per started job
    judged: int  # jobs judged to the end
    instance_hours: float
    max_hosts: int

    def quantile(self, share: float) -> float:
        """The nearest-rank quantile of the waits."""
        ordered = sorted(self.waits)
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)]

    def figures(self) -> dict[str, float]:
        return {
            "p50_wait_s": round(self.quantile(0.50), 1),
            "p95_wait_s": round(self.quantile(0.95), 1),
            "max_wait_s": round(max(self.waits), 1),
            "instance_hours": round(self.instance_hours, 2),
            "max_hosts": self.max_hosts,
            "judged": self.judged,
        }


def day_jobs(contest: Contest, rate: list[float], contestants: int, seed: int) -> Jobs:
    """The day's submissions (seconds since the day began) and their judging times."""
    rng = random.Random(f"{seed}:{contestants}")
    arrivals = [HOUR + at for at in contest_curve.arrivals(rate, contestants, rng)]
    return Jobs(arrivals, contest_curve.judging_times(contest, len(arrivals), rng))


def fixed_hosts(jobs: Jobs, sizing: Sizing) -> int:
    """Hosts for the peak: the busiest minute's arrivals per second × mean judging ÷ boxes."""
    peak_per_second = max(Counter(int(at // 60) for at in jobs.arrivals).values()) / 60
    return math.ceil(peak_per_second * sizing.mean_judging_seconds / sizing.boxes_per_host)


def run_fixed(jobs: Jobs, contest: Contest, hosts: int, seed: int) -> Outcome:
    group = Group(hosts, hosts, BOXES_PER_HOST, Timings(), random.Random(seed))
    group.start_with(hosts)
    return run_day(jobs, contest, group, f"fixed, {hosts} hosts", None)


def run_autoscaled(jobs: Jobs, contest: Contest, sizing: Sizing, plan: Plan) -> Outcome:
    pool = WarmPool(plan.max_size if plan.warm_pool < 0 else plan.warm_pool) if plan.warm_pool else None
    group = Group(BASE_MIN, plan.max_size, BOXES_PER_HOST, Timings(), random.Random(plan.seed), pool)
    group.start_with(BASE_MIN)
    start_hosts = sizing.start_hosts(plan.contestants, BASE_MIN, plan.max_size)
    end_at = contest.start + timedelta(seconds=contest.duration_seconds)
    warmups = contest_warmups(1, contest.start, start_hosts, BASE_MIN, end_at)
    day_start = contest.start - timedelta(hours=1)
    scaling = Autoscaling(
        TargetTracking(sizing.backlog_per_host),
        plan.period,
        plan.alarm_delay,
        [((w.at - day_start).total_seconds(), w.min_size) for w in warmups],
    )
    return run_day(jobs, contest, group, "autoscaled", scaling)


def run_day(jobs: Jobs, contest: Contest, group: Group, label: str, scaling: Autoscaling | None) -> Outcome:
    """From an hour before the start to an hour after the end (longer while jobs are left)."""
    end = HOUR + contest.duration_seconds + HOUR
    day = Day(
        jobs,
        group,
        end,
        f"{len(jobs.arrivals):,} submissions, {label}",
        scaling,
        contest.start - timedelta(hours=1),
    )
    day.run()
    return Outcome(label, day.waits(), day.finished, day.instance_seconds() / HOUR, group.peak_hosts)


def print_day(plan: Plan, jobs: Jobs, start_hosts: int, outcomes: list[Outcome]) -> None:
    print(
        f"\n{plan.contestants:,} contestants: {len(jobs.arrivals):,} submissions; the group: MinSize "
        f"{BASE_MIN}, {start_hosts} from 15 min before the start to 30 min after it and in the last hour,"
        f" MaxSize {plan.max_size}"
    )
    waits = "".join(f"{name:>10}" for name in ("p50 wait", "p95 wait", "max wait"))
    print(f"  {'fleet':<20}{waits}{'instance-hours':>16}{'max hosts':>11}")
    for o in outcomes:
        f = o.figures()
        print(
            f"  {o.label:<20}{f['p50_wait_s']:>8.1f} s{f['p95_wait_s']:>8.1f} s{f['max_wait_s']:>8.1f} s"
            f"{o.instance_hours:>16.1f}{o.max_hosts:>11}"
        )
    judged = ", ".join(f"{o.judged:,} {o.label.split(',')[0]}" for o in outcomes)
    print(f"  judged: {judged}, of {len(jobs.arrivals):,} submitted")


def print_setup(contest: Contest, rate: list[float], sizing: Sizing, args: argparse.Namespace) -> None:
    s = contest_curve.shape(rate)
    by_count = sorted(contest.judging_seconds.items(), key=lambda item: -len(item[1]))
    mix = ", ".join(
        f"{language} {len(times)} × {statistics.fmean(times):.1f} s" for language, times in by_count
    )
    print(f"contest: {contest.name}, {contest.teams} teams, {len(contest.submitted_at):,} submissions")
    print(
        f"curve, per team-minute ({args.smooth_minutes}-minute average): first 30 min {s.first_30:.3f} "
        f"(peak {s.start_peak[1]:.3f} at minute {s.start_peak[0]}), middle {s.middle:.3f}, last hour "
        f"{s.last_60:.3f} (peak {s.end_peak[1]:.3f} at minute {s.end_peak[0]}); start burst "
        f"{_yes(s.burst)}, end rush {_yes(s.rush)}"
    )
    print(f"judging, real: {mix}; mean {sizing.mean_judging_seconds:.2f} s")
    print(
        f"sizing: {sizing.boxes_per_host} boxes per host, mean judging {sizing.mean_judging_seconds:.2f} s, "
        f"acceptable wait {sizing.acceptable_wait_seconds:g} s → target {sizing.backlog_per_host:.2f} "
        f"QueueDepth per host in service; start rate {sizing.start_rate_per_contestant:.3f} "
        "per contestant-minute"
    )
    pool = {0: "none", -1: "MaxSize"}.get(args.warm_pool, str(args.warm_pool))
    print(
        f"aws: {args.period} s datapoints seen {args.alarm_delay} s late; out after 3 above the target, in "
        f"after 15 below 90 % of it; warm-up {Timings().warmup:g} s; boot 90-180 s, from the warm pool "
        f"20-40 s (MaxGroupPreparedCapacity {pool})"
    )


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contestants", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--acceptable-wait", type=float, default=5.0, help="seconds (Sizing)")
    parser.add_argument("--period", type=int, choices=(10, 30, 60), default=60, help="metric period, s")
    parser.add_argument("--alarm-delay", type=int, choices=range(0, 301, 10), default=0, metavar="S")
    parser.add_argument("--warm-pool", type=int, default=-1, help="MaxGroupPreparedCapacity; -1 MaxSize")
    parser.add_argument("--smooth-minutes", type=int, default=5)
    parser.add_argument("--contest", type=Path, default=CONTEST, help="a CLICS contest package")
    args = parser.parse_args()
    contest = contest_curve.load(args.contest)
    rate = contest_curve.rate_per_team(contest, args.smooth_minutes)
    start_rate = contest_curve.shape(rate).start_peak[1]
    sizing = Sizing(BOXES_PER_HOST, contest.mean_judging_seconds, args.acceptable_wait, start_rate)
    print_setup(contest, rate, sizing, args)
    days = {n: simulate(contest, rate, sizing, n, args) for n in args.contestants}
    summarize(args, sizing, days)


def simulate(
    contest: Contest, rate: list[float], sizing: Sizing, contestants: int, args: argparse.Namespace
) -> dict[str, Any]:
    jobs = day_jobs(contest, rate, contestants, args.seed)
    hosts = fixed_hosts(jobs, sizing)
    plan = Plan(contestants, hosts, args.seed, args.period, args.alarm_delay, args.warm_pool)
    scaled = run_autoscaled(jobs, contest, sizing, plan)
    fixed = run_fixed(jobs, contest, hosts, args.seed)
    print_day(plan, jobs, sizing.start_hosts(contestants, BASE_MIN, hosts), [scaled, fixed])
    ratio = scaled.instance_hours / fixed.instance_hours
    print(f"  autoscaled: {ratio:.2f} of the fixed fleet's instance-hours")
    return {"submissions": len(jobs.arrivals), "autoscaled": scaled.figures(), "fixed": fixed.figures()}


def summarize(args: argparse.Namespace, sizing: Sizing, days: dict[int, dict[str, Any]]) -> None:
    report(
        "autoscale",
        seed=args.seed,
        period_s=args.period,
        alarm_delay_s=args.alarm_delay,
        warm_pool=args.warm_pool,
        acceptable_wait_s=args.acceptable_wait,
        mean_judging_s=round(sizing.mean_judging_seconds, 3),
        target_per_host=round(sizing.backlog_per_host, 3),
        days={str(n): figures for n, figures in days.items()},
    )
    last = days[5000] if 5000 in days else days[max(days)]
    ratio = last["autoscaled"]["instance_hours"] / last["fixed"]["instance_hours"]
    print(
        f"autoscale: p95 wait {last['autoscaled']['p95_wait_s']:.1f} s, instance-hours {ratio:.2f} of fixed"
    )


if __name__ == "__main__":
    main()
