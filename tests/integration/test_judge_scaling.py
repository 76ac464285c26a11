"""The scheduled `judge_scaling` function (codearena.scaling.tick) against the real PostgreSQL
and Redis, with moto for CloudWatch and the Auto Scaling group: the queue metrics go out, each
coming contest's warm-up becomes the group's scheduled actions, changed only on change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from codearena import contests, keys, scaling
from codearena.config import ConfigError
from codearena.core import Core
from functions.chalicelib import judge_scaling

GROUP = "codearena-judges"
IMAGE = "ami-12c6146b"
REGION = "eu-west-1"
ENV = {
    "CODEARENA_ASG_NAME": GROUP,
    "CODEARENA_JUDGE_MIN_SIZE": "1",
    "CODEARENA_JUDGE_MAX_SIZE": "40",
    "CODEARENA_JUDGE_BOXES_PER_HOST": "2",
    "CODEARENA_JUDGE_MEAN_SECONDS": "5",
    "CODEARENA_ACCEPTABLE_WAIT_SECONDS": "20",
    "CODEARENA_EXPECTED_CONTESTANTS": "500",
}
FLEET = scaling.FleetScaling.from_env(ENV)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "t",
        "AWS_SECRET_ACCESS_KEY": "t",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        ec2, autoscaling = boto3.client("ec2"), boto3.client("autoscaling")
        # Any image id will do: describe_images would load moto's whole catalogue (~1.5 s).
        template = ec2.create_launch_template(
            LaunchTemplateName="judge", LaunchTemplateData={"ImageId": IMAGE, "InstanceType": "c7i.large"}
        )["LaunchTemplate"]["LaunchTemplateId"]
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=GROUP,
            LaunchTemplate={"LaunchTemplateId": template},
            MinSize=1,
            MaxSize=40,
            AvailabilityZones=[f"{REGION}a"],
        )
        yield {"autoscaling": autoscaling, "cloudwatch": boto3.client("cloudwatch")}


def contest(core: Core, start: timedelta, registration: str = "open", practice: bool = False) -> int:
    now = core.clock()
    fields = {
        "title": "Day",
        "start_at": (now + start).isoformat(),
        "end_at": (now + start + timedelta(hours=5)).isoformat(),
        "registration": registration,
        "practice": practice,
    }
    return int(contests.create_contest(core, fields)["id"])


def participants(core: Core, contest_id: int, count: int, status: str = "approved") -> None:
    with core.db.transaction() as cur:
        cur.execute(
            "WITH made AS (INSERT INTO users (username, password_hash)"
            " SELECT %(prefix)s || n, 'x' FROM generate_series(1, %(count)s) AS n RETURNING id)"
            " INSERT INTO contest_participants (contest_id, user_id, status)"
            " SELECT %(contest)s, id, %(status)s FROM made",
            {"prefix": f"c{contest_id}-{status}-", "count": count, "contest": contest_id, "status": status},
        )


def actions(autoscaling: Any) -> dict[str, tuple[datetime, int]]:
    found = autoscaling.describe_scheduled_actions(AutoScalingGroupName=GROUP)["ScheduledUpdateGroupActions"]
    return {a["ScheduledActionName"]: (a["StartTime"], a["MinSize"]) for a in found}


def group_sizes(autoscaling: Any) -> tuple[int, int]:
    group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[GROUP])["AutoScalingGroups"][0]
    return group["MinSize"], group["DesiredCapacity"]


def test_coming_contests_get_warm_ups_sized_by_their_contestants(core: Core, aws: dict[str, Any]) -> None:
    now = core.clock()
    open_day = contest(core, timedelta(hours=3))
    invited = contest(core, timedelta(hours=30), registration="invite")
    participants(core, invited, 3000)
    participants(core, invited, 40, status="pending")  # not yet in: not counted
    contest(core, timedelta(days=3))  # beyond the horizon: a later run schedules it
    contest(core, timedelta(hours=2), practice=True)  # nobody races in a practice contest
    done = scaling.tick(core, aws["cloudwatch"], aws["autoscaling"], FLEET, now)
    start_at = {cid: contests_start(core, cid) for cid in (open_day, invited)}
    expected_hosts = {
        open_day: FLEET.sizing.start_hosts(500, 1, 40),
        invited: FLEET.sizing.start_hosts(3000, 1, 40),
    }
    assert expected_hosts[invited] > expected_hosts[open_day] > 1
    assert actions(aws["autoscaling"]) == {
        f"contest-{cid}-{kind}": (at, size)
        for cid in (open_day, invited)
        for kind, at, size in (
            ("start", start_at[cid] - scaling.WARMUP_LEAD, expected_hosts[cid]),
            ("settle", start_at[cid] + scaling.WARMUP_HOLD, 1),
            ("rush", start_at[cid] + timedelta(hours=5) - scaling.RUSH, expected_hosts[cid]),
            ("end", start_at[cid] + timedelta(hours=5), 1),
        )
    }
    assert sorted(done.put) == sorted(actions(aws["autoscaling"])) and done.deleted == []
    again = scaling.tick(core, aws["cloudwatch"], aws["autoscaling"], FLEET, now + timedelta(minutes=1))
    assert (again.put, again.deleted) == ([], [])  # nothing changed: no call

    # The organizer moves one contest and deletes the other: the actions follow.
    contests.update_contest(core, open_day, {"start_at": (now + timedelta(hours=4)).isoformat()})
    with core.db.transaction() as cur:
        cur.execute("DELETE FROM contests WHERE id = %s", (invited,))
    moved = scaling.tick(core, aws["cloudwatch"], aws["autoscaling"], FLEET, now + timedelta(minutes=2))
    # Only its start moved (its end, hence its last hour, stays): two actions change.
    assert sorted(moved.put) == [f"contest-{open_day}-settle", f"contest-{open_day}-start"]
    assert moved.deleted == [f"contest-{invited}-{kind}" for kind in ("end", "rush", "settle", "start")]
    assert (
        actions(aws["autoscaling"])[f"contest-{open_day}-start"][0]
        == now + timedelta(hours=4) - scaling.WARMUP_LEAD
    )


def contests_start(core: Core, contest_id: int) -> datetime:
    with core.db.transaction() as cur:
        start: datetime = contests.load(cur, contest_id).start_at
    return start.astimezone(UTC)


def test_a_contest_created_inside_its_warm_up_gets_its_hosts_at_once(core: Core, aws: dict[str, Any]) -> None:
    now = core.clock()
    soon = contest(core, timedelta(minutes=5))  # its start action would be 10 minutes ago
    hosts = FLEET.sizing.start_hosts(500, 1, 40)
    done = scaling.tick(core, aws["cloudwatch"], aws["autoscaling"], FLEET, now)
    assert group_sizes(aws["autoscaling"]) == (hosts, hosts)
    assert f"contest-{soon}-start" in done.put
    # AWS refuses past times: the start's minimum is set on the group, the rest scheduled.
    scheduled = {f"contest-{soon}-{kind}" for kind in ("settle", "rush", "end")}
    assert set(actions(aws["autoscaling"])) == scheduled
    again = scaling.tick(core, aws["cloudwatch"], aws["autoscaling"], FLEET, now + timedelta(minutes=1))
    assert again.put == [] and group_sizes(aws["autoscaling"]) == (hosts, hosts)


def test_overlapping_contests_never_shrink_what_the_other_needs() -> None:
    start = datetime(2026, 12, 5, 10, tzinfo=UTC)
    day = timedelta(hours=5)
    first = scaling.Coming(1, start, start + day, 8)
    second = scaling.Coming(2, start + timedelta(minutes=20), start + timedelta(minutes=20) + day, 3)
    plan = {w.name: (w.at.strftime("%H:%M"), w.min_size) for w in scaling.warmup_plan([first, second], 1)}
    # The second contest starts (and warms up) while the first one's start burst holds 8 hosts;
    # each one's last hour holds the larger of the two floors in force.
    assert plan == {
        "contest-1-start": ("09:45", 8),
        "contest-1-settle": ("10:30", 3),
        "contest-1-rush": ("14:00", 8),
        "contest-1-end": ("15:00", 3),
        "contest-2-start": ("10:05", 8),
        "contest-2-settle": ("10:50", 1),
        "contest-2-rush": ("14:20", 8),
        "contest-2-end": ("15:20", 1),
    }
    # A contest shorter than its start's hold: its last hour begins at its start.
    short = scaling.contest_warmups(3, start, 4, 1, start + timedelta(minutes=40))
    assert [(w.name, w.at - start, w.min_size) for w in short] == [
        ("contest-3-start", -scaling.WARMUP_LEAD, 4),
        ("contest-3-settle", scaling.WARMUP_HOLD, 4),
        ("contest-3-rush", timedelta(0), 4),
        ("contest-3-end", timedelta(minutes=40), 1),
    ]


def test_the_queue_metrics_go_out_at_high_resolution(core: Core, aws: dict[str, Any]) -> None:
    core.queue.ensure_group()
    for sid in (1, 2, 3, 4):
        core.queue.enqueue(sid)
    assert core.queue.claim("host-0", block_ms=10, lease_ms=60_000) is not None
    core.redis.xadd(keys.INVOCATION_QUEUE, {"invocation_id": "r1"})  # no host has read runs yet
    now = datetime.now(UTC)
    done = scaling.tick(core, aws["cloudwatch"], aws["autoscaling"], FLEET, now)
    assert (done.stats.waiting, done.stats.in_flight) == (3, 1)
    assert scaling.run_queue_stats(core).waiting == 1

    def maximum(name: str) -> list[float]:
        found = aws["cloudwatch"].get_metric_statistics(
            Namespace=scaling.NAMESPACE,
            MetricName=name,
            StartTime=now - timedelta(minutes=1),
            EndTime=now + timedelta(minutes=1),
            Period=60,
            Statistics=["Maximum"],
        )["Datapoints"]
        return [point["Maximum"] for point in found]

    assert (maximum("QueueDepth"), maximum("RunQueueDepth")) == ([4.0], [1.0])


def test_the_function_reads_its_settings_and_refuses_bad_ones(
    core: Core, aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(judge_scaling, "_core", core)
    contest(core, timedelta(hours=1))
    answer = judge_scaling.handler({"source": "aws.events"}, None)
    assert answer["depth"] == 0 and len(answer["put"]) == 4 and answer["deleted"] == []
    monkeypatch.setenv("CODEARENA_JUDGE_MEAN_SECONDS", "fast")
    with pytest.raises(ConfigError, match="CODEARENA_JUDGE_MEAN_SECONDS must be a number, not 'fast'"):
        judge_scaling.handler({}, None)
    monkeypatch.delenv("CODEARENA_ASG_NAME")
    with pytest.raises(ConfigError, match="CODEARENA_ASG_NAME"):
        scaling.FleetScaling.from_env({})
