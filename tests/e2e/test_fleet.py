"""Judge hosts as members of an EC2 Auto Scaling group: real `codearena judge` processes against
a fake IMDS and moto behind a front that answers the lifecycle actions moto lacks and records
every call (tests/e2e/fleet_aws.py). A launching host completes its lifecycle action after its
self-test (or abandons), a warm-pool host judges nothing, a busy host is protected from scale-in
(one call per change), and a terminating host drains before it completes its lifecycle action.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import pytest

from codearena import contests, keys, submissions, users
from codearena.auth import Principal
from codearena.config import Settings
from codearena.core import Core
from codearena.models import Role
from tests.conftest import service_env
from tests.e2e.common import SUM
from tests.e2e.conftest import LOGS, Process, spawn
from tests.e2e.fleet_aws import AwsFront, FakeImds, Group, aws_client, create_group, instance_ids

SLOW = "import time\ntime.sleep(1.0)\n" + SUM  # three tests: a host holds it for over 3 s
TESTS = [
    {"input": "1 2\n", "answer": "3\n"},
    {"input": "5 7\n", "answer": "12\n"},
    {"input": "-4 10\n", "answer": "6\n"},
]
LAUNCHING, TERMINATING = "codearena-launching", "codearena-terminating"
# Seconds: the state is read twice a second, heartbeats every second, protection dropped after 1 s idle.
TIMING = {
    "CODEARENA_FLEET_POLL_SECONDS": "0.5",
    "CODEARENA_FLEET_HEARTBEAT_SECONDS": "1",
    "CODEARENA_FLEET_IDLE_SECONDS": "1",
}
BROKEN_BWRAP = "#!/bin/sh\necho 'bwrap: broken on this image' >&2\nexit 1\n"


@dataclass
class Fleet:
    """A contest with one problem, an Auto Scaling group in moto, and the instance's IMDS."""

    settings: Settings
    core: Core
    moto: str
    group: Group
    imds: FakeImds
    front: AwsFront
    contest_id: int
    problem_id: int
    contestants: list[Principal]
    processes: list[Process] = field(default_factory=list)  # stopped when the test ends

    @property
    def instance_id(self) -> str:
        return self.imds.instance_id

    def judge(
        self,
        name: str,
        instance: int,
        *args: str,
        env: dict[str, str] | None = None,
        wrapper: tuple[str, ...] = (),
    ) -> Process:
        """`codearena judge` (two boxes) as this instance's judge host; no AWS region in its
        environment, so it takes the instance's from IMDS."""
        environment = {k: v for k, v in service_env(self.settings).items() if not k.startswith("AWS_")}
        environment |= {
            "CODEARENA_ASG_NAME": self.group.name,
            "CODEARENA_IMDS_ENDPOINT": self.imds.url,
            "AWS_ENDPOINT_URL": self.front.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            **TIMING,
            **(env or {}),
        }
        argv = [*wrapper, sys.executable, "-m", "codearena_cli", "judge", "--boxes", "2"]
        LOGS.mkdir(parents=True, exist_ok=True)
        log = LOGS / f"{name}-{int(time.time() * 1000)}.log"
        with log.open("wb") as handle:
            popen = subprocess.Popen(
                [*argv, "--instance", str(instance), *args],
                stdout=handle,
                stderr=subprocess.STDOUT,
                env=environment,
            )
        self.processes.append(Process(name, popen, log))
        return self.processes[-1]

    def submit(self, source: str, count: int = 1) -> list[int]:
        """`count` submissions through intake, one contestant after another."""
        body = {"problem_id": self.problem_id, "language": "python", "source": source}
        return [
            int(submissions.submit(self.core, self.contestants[n % 3], self.contest_id, body)["id"])
            for n in range(count)
        ]

    def rows(self, sids: list[int]) -> dict[int, dict[str, Any]]:
        """Each submission's status, deliveries and results (host, verdict, epoch seconds)."""
        with self.core.db.transaction() as cur:
            cur.execute(
                "SELECT s.id, s.status, s.deliveries, coalesce(json_agg(json_build_object("
                "'host', r.judge_host, 'verdict', r.verdict, 'at', extract(epoch FROM r.created_at)))"
                " FILTER (WHERE r.id IS NOT NULL), '[]') AS results"
                " FROM submissions s LEFT JOIN submission_results r ON r.submission_id = s.id"
                " WHERE s.id = ANY(%s) GROUP BY s.id",
                (sids,),
            )
            return {row["id"]: dict(row) for row in cur.fetchall()}

    def judged(self, sids: list[int]) -> bool:
        return all(row["results"] for row in self.rows(sids).values())

    @cached_property
    def autoscaling(self) -> Any:
        """One client for every poll: making a boto3 client costs more than its call."""
        return aws_client("autoscaling", self.moto)

    def protected(self) -> bool:
        found = self.autoscaling.describe_auto_scaling_instances(InstanceIds=[self.instance_id])
        return bool(found["AutoScalingInstances"][0]["ProtectedFromScaleIn"])

    def protection_calls(self) -> list[str]:
        calls = self.front.of("SetInstanceProtection")
        for call in calls:
            assert call.params == {
                "AutoScalingGroupName": self.group.name,
                "InstanceIds.member.1": self.instance_id,
                "ProtectedFromScaleIn": call.params["ProtectedFromScaleIn"],
            }
        return [call.params["ProtectedFromScaleIn"] for call in calls]

    def lifecycle_params(self, hook: str, result: str | None = None) -> dict[str, str]:
        params = {
            "AutoScalingGroupName": self.group.name,
            "LifecycleHookName": hook,
            "InstanceId": self.instance_id,
        }
        return params | ({"LifecycleActionResult": result} if result else {})

    def stream(self) -> tuple[int, int]:
        """(entries in the queue's stream, entries delivered and not acknowledged)."""
        pending = self.core.redis.xpending(keys.QUEUE, keys.QUEUE_GROUP)["pending"]
        return int(self.core.redis.xlen(keys.QUEUE)), int(pending)


@pytest.fixture
def fleet(settings: Settings, core: Core, moto_endpoint: str) -> Iterator[Fleet]:
    group = create_group(moto_endpoint)
    now = core.clock()
    contest = contests.create_contest(
        core,
        {
            "title": "Fleet Cup",
            "start_at": (now - timedelta(minutes=5)).isoformat(),
            "end_at": (now + timedelta(hours=2)).isoformat(),
        },
    )
    problem = contests.create_problem(
        core, {"title": "A+B", "time_limit_ms": 2000, "memory_limit_kb": 131072, "tests": TESTS}
    )
    contests.attach_problem(core, contest["id"], {"problem_id": problem["id"], "label": "A"})
    people = [users.create_user(core, f"fleet{n}", "fleet-password-1234") for n in range(3)]
    contestants = [Principal(p["id"], p["username"], Role.CONTESTANT) for p in people]
    core.queue.ensure_group()
    # The first instance: the one the group would scale in first were it not protected.
    with FakeImds(group.instance_ids[0]).serving() as imds, AwsFront(moto_endpoint, group).serving() as front:
        ids = contest["id"], problem["id"]
        fleet = Fleet(settings, core, moto_endpoint, group, imds, front, *ids, contestants)
        try:
            yield fleet
        finally:
            for process in fleet.processes:
                process.stop()


def wait_until(what: str, done: Callable[[], bool], process: Process, timeout: float = 60) -> None:
    """Polls `done` five times a second: some polls ask moto (the test's own CPU), and what
    they wait for lasts seconds (a judging holds a host for over 3 s, idle protection 1 s)."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen:\n{process.output()[-4000:]}")
        time.sleep(0.2)


def launched(fleet: Fleet, process: Process) -> None:
    wait_until(
        "the launch lifecycle action",
        lambda: bool(fleet.front.of("CompleteLifecycleAction", LifecycleHookName=LAUNCHING)),
        process,
    )


def test_a_terminating_host_drains_before_it_completes_its_lifecycle_action(fleet: Fleet) -> None:
    """Terminated mid-judging: the host claims nothing more, finishes the two it holds while
    sending heartbeats, then completes the lifecycle action after its last result is committed.
    A replacement judges the rest: every submission gets exactly one result."""
    judge = fleet.judge("fleet-drain", 3)
    launched(fleet, judge)
    sids = fleet.submit(SLOW, 6)
    held: set[int] = set()

    def both_boxes_busy() -> bool:
        held.clear()
        held.update(sid for sid, row in fleet.rows(sids).items() if row["status"] == "judging")
        return len(held) == 2

    wait_until("two judgings", both_boxes_busy, judge)
    fleet.imds.state = "Terminated"
    assert judge.popen.wait(60) == 0, judge.output()[-4000:]
    told = fleet.imds.first_read("Terminated")
    assert told is not None

    rows = fleet.rows(sids)
    judged = {sid for sid, row in rows.items() if row["results"]}
    assert judged == held, judge.output()[-4000:]
    assert all(len(rows[sid]["results"]) == 1 for sid in held)
    # No claim after Terminated: the others were never delivered and wait in the stream.
    assert [rows[sid]["deliveries"] for sid in sorted(set(sids) - held)] == [0] * 4
    assert fleet.stream() == (4, 0)

    completions = fleet.front.of("CompleteLifecycleAction", LifecycleHookName=TERMINATING)
    assert [call.params for call in completions] == [fleet.lifecycle_params(TERMINATING, "CONTINUE")]
    last_commit = max(result["at"] for sid in held for result in rows[sid]["results"])
    assert completions[0].at > float(last_commit)
    beats = fleet.front.of("RecordLifecycleActionHeartbeat")
    assert len(beats) >= 2, beats  # the drain took over 2 s: one at its start, one a second
    assert all(told <= beat.at <= completions[0].at for beat in beats)
    assert all(beat.params == fleet.lifecycle_params(TERMINATING) for beat in beats)

    once = ["judge", "--once", "--boxes", "2", "--instance", "4"]
    replacement = spawn("fleet-replacement", once, fleet.settings)
    fleet.processes.append(replacement)
    assert replacement.popen.wait(90) == 0, replacement.output()[-4000:]
    rows = fleet.rows(sids)
    assert all(len(row["results"]) == 1 and row["results"][0]["verdict"] == "AC" for row in rows.values())
    assert {sid for sid, row in rows.items() if row["results"][0]["host"].endswith("-i3")} == held
    assert fleet.stream() == (0, 0)


@pytest.mark.parametrize("sandbox_works", [True, False], ids=["self-test-passes", "bubblewrap-broken"])
def test_a_launching_host_completes_its_lifecycle_action_after_the_self_test(
    fleet: Fleet, tmp_path: Path, sandbox_works: bool
) -> None:
    """CONTINUE once the languages' self-test has run, then it judges; with a broken sandbox
    (bubblewrap fails on this image) it abandons the launch and judges nothing."""
    [sid] = fleet.submit(SUM)
    cache = tmp_path / "self-test.json"  # a fresh one: the self-test runs for real
    wrapper: tuple[str, ...] = ()
    if not sandbox_works:
        bwrap = tmp_path / "bwrap"
        bwrap.write_text(BROKEN_BWRAP)
        bwrap.chmod(0o755)
        mount = f'mount --bind {bwrap} /usr/bin/bwrap && exec "$@"'
        wrapper = ("unshare", "--mount", "--propagation", "private", "sh", "-c", mount, "sh")
    env = {"CODEARENA_SELF_TEST_CACHE": str(cache)}
    judge = fleet.judge("fleet-launch", 3, "--once", env=env, wrapper=wrapper)
    code = judge.popen.wait(90)
    launches = fleet.front.of("CompleteLifecycleAction", LifecycleHookName=LAUNCHING)
    result = "CONTINUE" if sandbox_works else "ABANDON"
    assert [call.params for call in launches] == [fleet.lifecycle_params(LAUNCHING, result)], judge.output()
    [row] = fleet.rows([sid]).values()
    if sandbox_works:
        assert code == 0, judge.output()[-4000:]
        assert json.loads(cache.read_text())["results"]["python"] is None
        assert cache.stat().st_mtime < launches[0].at  # the self-test's results were in first
        [judged] = row["results"]
        assert judged["verdict"] == "AC" and float(judged["at"]) > launches[0].at
    else:
        assert code != 0
        assert "bwrap failed to start" in judge.output()
        assert (row["status"], row["deliveries"], row["results"]) == ("queued", 0, [])
        assert fleet.stream() == (1, 0)
        assert not fleet.front.of("SetInstanceProtection")


def test_a_warm_pool_host_judges_nothing_until_it_is_in_service(fleet: Fleet) -> None:
    """Warmed:Running: the host completes its launch into the warm pool and publishes the queue
    metrics (it leads them) but claims nothing. Out of the pool, InService: it completes the
    launch again (the hook runs on leaving the pool) and judges. SIGTERM is a plain drain."""
    fleet.imds.state = "Warmed:Running"
    [sid] = fleet.submit(SUM)
    judge = fleet.judge("fleet-warm", 3)
    launched(fleet, judge)
    since = time.time()
    wait_until("four state reads", lambda: fleet.imds.reads_after(since) >= 4, judge)
    cloudwatch = aws_client("cloudwatch", fleet.moto)
    wait_until("the queue metrics", lambda: bool(_maxima(cloudwatch).get("QueueDepth")), judge)
    published = _maxima(cloudwatch)
    age_seconds = published.pop("OldestQueuedJobAgeSeconds")
    assert published == {"QueueDepth": 1.0, "QueueWaiting": 1.0, "QueueInFlight": 0.0}
    assert 0 < age_seconds < time.time() - since + 60
    [row] = fleet.rows([sid]).values()
    assert (row["status"], row["deliveries"]) == ("queued", 0)
    assert fleet.stream() == (1, 0)
    [host] = fleet.core.redis.zrange(keys.JUDGE_HOSTS, 0, -1)
    assert fleet.core.redis.hget(keys.judge_host(host), "claiming") == "0"

    fleet.imds.state = "InService"
    wait_until("the judging", lambda: fleet.judged([sid]), judge, timeout=30)
    in_service = fleet.imds.first_read("InService")
    launches = fleet.front.of("CompleteLifecycleAction", LifecycleHookName=LAUNCHING)
    assert [call.params for call in launches] == [fleet.lifecycle_params(LAUNCHING, "CONTINUE")] * 2
    assert in_service is not None and launches[0].at < in_service <= launches[1].at
    [judged] = fleet.rows([sid])[sid]["results"]
    assert float(judged["at"]) > launches[1].at  # claimed once back in service
    assert judge.stop() == 0
    assert not fleet.front.of("CompleteLifecycleAction", LifecycleHookName=TERMINATING)
    assert not fleet.front.of("RecordLifecycleActionHeartbeat")


def _maxima(cloudwatch: Any) -> dict[str, float]:
    """The largest value of each queue metric published in the last ten minutes."""
    now = time.time()
    found = {}
    for name in ("QueueDepth", "QueueWaiting", "QueueInFlight", "OldestQueuedJobAgeSeconds"):
        points = cloudwatch.get_metric_statistics(
            Namespace="CodeArena",
            MetricName=name,
            StartTime=now - 600,
            EndTime=now + 60,
            Period=60,
            Statistics=["Maximum"],
        )["Datapoints"]
        if points:
            found[name] = max(point["Maximum"] for point in points)
    return found


def test_a_busy_host_is_protected_from_scale_in_and_released_when_idle(fleet: Fleet) -> None:
    """Protected while it judges (so a scale-in takes the other instance), released once idle:
    one SetInstanceProtection call per change, and the first one to learn where it stands."""
    judge = fleet.judge("fleet-protect", 3)
    launched(fleet, judge)
    wait_until("the first protection call", lambda: fleet.protection_calls() == ["false"], judge)
    for burst in range(2):
        judged = partial(fleet.judged, fleet.submit(SLOW, 3))
        wait_until("protection", fleet.protected, judge)
        if burst == 0:  # moto honours protection on scale-in: the idle instance goes
            fleet.autoscaling.set_desired_capacity(AutoScalingGroupName=fleet.group.name, DesiredCapacity=1)
            assert instance_ids(fleet.autoscaling, fleet.group.name) == [fleet.instance_id]
        wait_until("the judgings", judged, judge)
        wait_until("the release", lambda: not fleet.protected(), judge)
    time.sleep(1.5)  # more than the idle time: no more calls come, nor when it stops
    assert judge.stop() == 0
    assert fleet.protection_calls() == ["false", "true", "false", "true", "false"]
