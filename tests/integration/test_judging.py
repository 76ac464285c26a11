"""The judge host on real PostgreSQL and Redis (DESIGN §4): leases, duplicates, poison,
the sweeper, rejudge, freeze and heartbeats. The sandbox is a fake behind its own interface
(the real one is exercised by tests/e2e and tests/sandbox)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis

from codearena import boards, contests, freeze, judgements, keys, rejudge, standings, submissions, users
from codearena.auth import Principal
from codearena.core import Core
from codearena.errors import Conflict
from codearena.events import submission_topic
from codearena.models import Role
from judge_host import tasks
from judge_host.daemon import HostConfig, JudgeHost
from judge_host.instances import sandbox_options
from judge_host.sweeper import sweep
from sandbox import CompileResult, Limits, RunResult, SandboxError, Status
from tests.conftest import delete_session_keys
from tests.integration.conftest import ONE_TEST, contest_with_problem

# Sources the fake box understands: the first word says what the "program" does.
RIGHT, WRONG, SLOW, BROKEN, CRASH, PRINT = "right", "wrong", "slow", "broken", "crash", "print "


class FakeBox:
    """Prints each test's answer ("right"), only one test's ("only <input>"), garbage
    ("wrong"), sleeps first ("slow <s>"), fails to compile ("broken") or breaks the sandbox
    ("crash")."""

    def __init__(self, directory: Path, answers: dict[bytes, bytes]) -> None:
        self.directory = directory
        self.io_dir = directory  # where the judge host checks for free space
        self.answers = answers
        self.source = ""

    def compile(self, language: str, source: str, run_limits: Limits | None = None) -> CompileResult:
        self.source = source
        return CompileResult(
            not source.startswith(BROKEN), "syntax error" if source.startswith(BROKEN) else "", 1
        )

    def run(self, stdin: bytes, limits: Limits) -> RunResult:
        if self.source.startswith(CRASH):
            raise SandboxError("the keeper died")
        if self.source.startswith(SLOW):
            time.sleep(float(self.source.split()[1]))
        right = self.source.startswith((RIGHT, SLOW)) or self.source == f"only {stdin.decode().strip()}"
        output = self.answers[stdin] if right else b"nope\n"
        if self.source.startswith(PRINT):  # "print <text>": that text, whatever the test
            output = self.source.removeprefix(PRINT).encode() + b"\n"
        path = self.directory / "stdout"
        path.write_bytes(output)
        return RunResult(Status.OK, 5, 6, 1024, 0, None, output, b"", path)


class FakeSandbox:
    def __init__(self, directory: Path, answers: dict[bytes, bytes], boxes: int = 2) -> None:
        self.directory = directory
        self.answers = answers
        self.free = threading.Semaphore(boxes)

    @staticmethod
    def available_languages() -> list[str]:
        return ["python"]

    @contextmanager
    def box(self) -> Iterator[FakeBox]:
        with self.free:
            directory = self.directory / f"box{threading.get_ident()}"
            directory.mkdir(exist_ok=True)
            yield FakeBox(directory, self.answers)


@pytest.fixture
def world(core: Core) -> dict[str, Any]:
    echo = {
        "title": "Echo",
        "time_limit_ms": 1000,
        "memory_limit_kb": 65536,
        "tests": [{"input": "1\n", "answer": "1\n"}, {"input": "2\n", "answer": "2\n"}],
    }
    contest = contest_with_problem(
        core, echo, start=-timedelta(minutes=30), end=timedelta(hours=2), title="Judging"
    )
    user = users.create_user(core, "ann", "password-ann")
    return {"contest": contest["id"], "problem": contest["problem_id"], "user": user["id"]}


@pytest.fixture
def host(core: Core, tmp_path: Path) -> JudgeHost:
    answers = {b"1\n": b"1\n", b"2\n": b"2\n"}
    return JudgeHost(
        core, FakeSandbox(tmp_path, answers), "host-a", HostConfig(lease_seconds=1, sweep_seconds=0.5)
    )


def submit(core: Core, world: dict[str, Any], source: str, username: str = "ann") -> int:
    user_id = (
        world["user"]
        if username == "ann"
        else users.create_user(core, username, "password-" + username)["id"]
    )
    principal = Principal(user_id, username, Role.CONTESTANT)
    body = {"problem_id": world["problem"], "language": "python", "source": source}
    return int(submissions.submit(core, principal, world["contest"], body)["id"])


def results(core: Core, sid: int) -> list[dict[str, Any]]:
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT judgement, verdict, is_current, compile_output FROM submission_results"
            " WHERE submission_id = %s ORDER BY judgement",
            (sid,),
        )
        return [dict(row) for row in cur.fetchall()]


def status(core: Core, sid: int) -> str:
    with core.db.transaction() as cur:
        cur.execute("SELECT status FROM submissions WHERE id = %s", (sid,))
        return str(cur.fetchone()["status"])


def jury_row(core: Core, world: dict[str, Any]) -> dict[str, Any]:
    rows = boards.page(core, world["contest"], "jury", 0, 10)["rows"]
    return next(row for row in rows if row["username"] == "ann")


def test_a_queued_submission_is_judged_once(core: Core, world: dict[str, Any], host: JudgeHost) -> None:
    sid = submit(core, world, RIGHT)
    assert jury_row(core, world)["problems"]["A"]["pending"] == 1  # shown at intake
    host.run(workers=1, once=True)
    assert [(r["judgement"], r["verdict"], r["is_current"]) for r in results(core, sid)] == [(1, "AC", True)]
    assert jury_row(core, world)["problems"]["A"] == {
        "attempts": 1,
        "pending": 0,
        "solved": True,
        "time_minutes": 30,
        "score": 1.0,
    }
    assert core.queue.depth() == 0 and not core.redis.exists(keys.queued(sid), keys.processing(sid))
    assert core.redis.exists(keys.processed(sid, 1))


def test_duplicate_deliveries_make_one_result(core: Core, world: dict[str, Any], host: JudgeHost) -> None:
    sid = submit(core, world, WRONG)
    for _ in range(3):
        core.queue.enqueue(sid)
    host.run(workers=2, once=True)
    assert [r["verdict"] for r in results(core, sid)] == ["WA"]
    with core.db.transaction() as cur:
        cur.execute("SELECT count(*) AS n FROM leaderboard_events WHERE submission_id = %s", (sid,))
        assert cur.fetchone()["n"] == 2  # intake (pending) and the judgement, nothing twice
    assert core.queue.depth() == 0
    assert jury_row(core, world)["problems"]["A"]["attempts"] == 1


def test_a_held_job_keeps_its_lease_while_judging(core: Core, world: dict[str, Any], host: JudgeHost) -> None:
    sid = submit(core, world, f"{SLOW} 1.5")  # two tests: three lease lengths in all
    worker = threading.Thread(target=host.run, kwargs={"workers": 1, "once": True})
    worker.start()
    time.sleep(0.3)
    stolen = []
    while worker.is_alive():
        stolen.append(core.queue.claim("thief", block_ms=10, lease_ms=1000))
        holder = core.redis.get(keys.processing(sid))
        assert holder == "host-a" or results(core, sid), "the lease lapsed while judging"
        time.sleep(0.2)
    worker.join()
    assert stolen and not any(stolen), "another host reclaimed a job that was being judged"
    assert [r["verdict"] for r in results(core, sid)] == ["AC"]


def test_a_beat_never_takes_back_a_lease_released_meanwhile(
    core: Core, world: dict[str, Any], host: JudgeHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker finishes between the beat's look at what is held and its renewal: the
    released lease stays released (else a rejudge's job right after is dropped as held)."""
    sid = submit(core, world, RIGHT)
    core.queue.ensure_group()
    job = core.queue.claim("host-a-0", block_ms=10, lease_ms=60_000)
    assert job is not None and core.queue.take_lease(sid, "host-a", 60)
    host._hold("host-a-0", job)
    renew = core.queue.renew

    def finishing_meanwhile(consumer: str, jobs: Any) -> None:
        finisher.start()
        finisher.join(0.5)  # done at once unless the beat holds the worker's lock
        renew(consumer, jobs)

    def finish() -> None:
        host._hold("host-a-0", None)
        host._release(sid)

    finisher = threading.Thread(target=finish)
    monkeypatch.setattr(core.queue, "renew", finishing_meanwhile)
    host.beat()
    finisher.join()
    assert core.redis.get(keys.processing(sid)) is None


def test_a_dead_hosts_job_is_reclaimed_after_its_lease(
    core: Core, world: dict[str, Any], host: JudgeHost
) -> None:
    sid = submit(core, world, RIGHT)
    core.queue.ensure_group()
    dead = core.queue.claim("dead-host", block_ms=10, lease_ms=1000)
    assert dead is not None and dead.submission_id == sid
    assert core.queue.claim("other", block_ms=10, lease_ms=1000) is None
    time.sleep(1.1)
    host.run(workers=1, once=True)
    assert [r["verdict"] for r in results(core, sid)] == ["AC"]


def test_a_result_committed_but_not_announced_is_announced_on_the_next_delivery(
    core: Core, world: dict[str, Any], host: JudgeHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = submit(core, world, RIGHT)
    publish = standings.publish
    calls = []

    def redis_drops_once(core: Core, update: standings.BoardUpdate) -> None:
        calls.append(update.event_id)
        if len(calls) == 1:
            raise redis.ConnectionError("Redis went away after the commit")
        publish(core, update)

    monkeypatch.setattr(standings, "publish", redis_drops_once)
    host.run(workers=1, once=True)  # stored in PostgreSQL, then the board update failed
    assert [r["verdict"] for r in results(core, sid)] == ["AC"] and status(core, sid) == "judged"
    assert jury_row(core, world)["problems"]["A"]["pending"] == 1
    time.sleep(1.1)  # the unacknowledged job's lease runs out
    host.run(workers=1, once=True)  # delivered again: already judged, so only announced
    assert len(calls) == 2 and calls[0] == calls[1]  # the same leaderboard event, applied once
    assert jury_row(core, world)["problems"]["A"]["solved"] is True
    finished = [e for e in core.events.since(submission_topic(sid), "0-0") if e["type"] == "finished"]
    assert [(e["verdict"], e["score"]) for e in finished] == [("AC", 1.0)]
    assert core.redis.exists(keys.processed(sid, 1)) and core.queue.depth() == 0
    assert [r["verdict"] for r in results(core, sid)] == ["AC"]  # judged once, not twice
    host.run(workers=1, once=True)
    core.queue.enqueue(sid)  # a later duplicate: the tombstone says all was announced
    host.run(workers=1, once=True)
    assert len(calls) == 2


def test_a_poisoned_job_ends_as_je_with_its_reason(
    core: Core, world: dict[str, Any], host: JudgeHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = submit(core, world, RIGHT)
    core.queue.ensure_group()
    job = core.queue.claim("host-a-0", block_ms=10, lease_ms=60_000)
    assert job is not None

    def broken_record(core: Core, judgement: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(judgements, "record", broken_record)
    for _ in range(tasks.MAX_DELIVERIES):
        host.handle(job, "host-a-0")
    assert results(core, sid) == [] and core.queue.depth() == 1  # kept for redelivery
    monkeypatch.undo()
    host.handle(job, "host-a-0")
    [result] = results(core, sid)
    assert result["verdict"] == "JE" and result["is_current"]
    assert "failed 3 times" in result["compile_output"] and "disk full" in result["compile_output"]
    assert core.queue.depth() == 0  # acknowledged: it never loops
    host.handle(job, "host-a-0")
    assert len(results(core, sid)) == 1


def test_a_host_killed_three_times_poisons_the_job(
    core: Core, world: dict[str, Any], host: JudgeHost
) -> None:
    sid = submit(core, world, RIGHT)
    for _ in range(tasks.MAX_DELIVERIES):  # three judgings started and never finished
        with core.db.transaction() as cur:
            assert tasks.start(cur, sid, host.cache) is not None
    host.run(workers=1, once=True)
    [result] = results(core, sid)
    assert result["verdict"] == "JE" and "died or lost its lease" in result["compile_output"]
    assert jury_row(core, world)["problems"]["A"]["attempts"] == 0  # JE costs nothing


def test_sandbox_faults_are_retried_then_je(core: Core, world: dict[str, Any], host: JudgeHost) -> None:
    sid = submit(core, world, CRASH)
    host.run(workers=1, once=True)
    [result] = results(core, sid)
    assert result["verdict"] == "JE" and "keeper died" in result["compile_output"]


def test_the_sweeper_refills_an_emptied_redis_without_duplicates(
    core: Core, world: dict[str, Any], host: JudgeHost
) -> None:
    sids = [submit(core, world, RIGHT if n % 2 else WRONG) for n in range(6)]
    assert sweep(core, grace_seconds=0) == 0  # all queued already: no flood
    delete_session_keys(core.redis)  # Redis lost its data
    assert core.queue.depth() == 0
    core.queue.take_lease(sids[0], "someone", 30)  # being judged right now
    assert sweep(core, grace_seconds=0) == 5
    assert sweep(core, grace_seconds=0) == 0
    assert sweep(core, grace_seconds=3600) == 0  # too young: intake may still be enqueueing
    core.queue.release_lease(sids[0], "someone")
    assert sweep(core, grace_seconds=0) == 1
    host.run(workers=2, once=True)
    assert all(len(results(core, sid)) == 1 for sid in sids)
    assert sweep(core, grace_seconds=0) == 0


def test_rejudge_supersedes_and_corrects_the_board_downwards(
    core: Core, world: dict[str, Any], host: JudgeHost
) -> None:
    sid = submit(core, world, RIGHT)
    host.run(workers=1, once=True)
    assert jury_row(core, world)["solved"] == 1
    with core.db.transaction() as cur:  # the jury fixes a wrong answer in the test data
        cur.execute(
            "UPDATE test_cases SET answer = '3\n' WHERE problem_id = %s AND ordinal = 2", (world["problem"],)
        )
        cur.execute(
            "UPDATE problems SET test_data_hash = test_data_hash(id) WHERE id = %s", (world["problem"],)
        )
    assert rejudge.rejudge_submission(core, sid) == {"id": sid, "judgement": 2, "status": "queued"}
    host.run(workers=1, once=True)
    assert [(r["judgement"], r["verdict"], r["is_current"]) for r in results(core, sid)] == [
        (1, "AC", False),
        (2, "WA", True),
    ]
    row = jury_row(core, world)
    assert row["solved"] == 0 and row["problems"]["A"]["attempts"] == 1
    public = boards.page(core, world["contest"], "public", 0, 10)["rows"]
    assert public[0]["solved"] == 0


def test_problem_rejudge_reruns_every_submission(core: Core, world: dict[str, Any], host: JudgeHost) -> None:
    sids = [submit(core, world, source) for source in (WRONG, RIGHT, BROKEN)]
    host.run(workers=2, once=True)
    answer = rejudge.rejudge_problem(core, world["contest"], world["problem"])
    assert answer == {"contest_id": world["contest"], "problem_id": world["problem"], "submissions": 3}
    host.run(workers=2, once=True)
    for sid, verdict in zip(sids, ["WA", "AC", "CE"], strict=True):
        assert [(r["verdict"], r["is_current"]) for r in results(core, sid)] == [
            (verdict, False),
            (verdict, True),
        ]


def test_rejudge_during_judging_runs_again_after_it(
    core: Core, world: dict[str, Any], host: JudgeHost
) -> None:
    sid = submit(core, world, f"{SLOW} 0.4")
    worker = threading.Thread(target=host.run, kwargs={"workers": 1, "once": True})
    worker.start()
    # The judging has begun once PostgreSQL says so, which is what a rejudge reads; the lease
    # comes a moment earlier, and a rejudge in between is simply judged by this judging.
    while status(core, sid) != "judging":
        time.sleep(0.01)
    rejudge.rejudge_submission(core, sid)
    worker.join()
    host.run(workers=1, once=True)
    assert [(r["judgement"], r["is_current"]) for r in results(core, sid)] == [(1, False), (2, True)]


def test_rejudge_just_before_the_lease_goes_is_not_dropped(
    core: Core, world: dict[str, Any], host: JudgeHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = submit(core, world, RIGHT)
    release = JudgeHost._release
    other = JudgeHost(core, host.sandbox, "host-b")

    def rejudged_meanwhile(self: JudgeHost, submission_id: int) -> None:
        if self is host and len(results(core, submission_id)) == 1:
            rejudge.rejudge_submission(core, submission_id)
            job = core.queue.claim("host-b-0", block_ms=10, lease_ms=60_000)
            assert job is not None
            other.handle(job, "host-b-0")  # the lease is still ours: host-b drops its entry
        release(self, submission_id)

    monkeypatch.setattr(JudgeHost, "_release", rejudged_meanwhile)
    host.run(workers=1, once=True)  # sees the rejudge once the lease is gone, and requeues
    assert [(r["judgement"], r["is_current"]) for r in results(core, sid)] == [(1, False), (2, True)]


def test_rejudge_between_lease_and_start_is_judged_by_that_judging(
    core: Core, world: dict[str, Any], host: JudgeHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = submit(core, world, RIGHT)
    start = JudgeHost._start

    def rejudged_first(self: JudgeHost, submission_id: int) -> tasks.Started | None:
        if not results(core, submission_id):  # the first judging, its lease taken
            assert core.redis.exists(keys.processing(submission_id))
            rejudge.rejudge_submission(core, submission_id)
        return start(self, submission_id)

    monkeypatch.setattr(JudgeHost, "_start", rejudged_first)
    host.run(workers=1, once=True)  # also takes the rejudge's own entry: already judged, dropped
    assert [(r["judgement"], r["is_current"]) for r in results(core, sid)] == [(1, True)]
    assert status(core, sid) == "judged"


def test_freeze_shows_pending_and_unfreeze_reveals(core: Core, tmp_path: Path) -> None:
    one_test = {**ONE_TEST, "tests": [{"input": "1\n", "answer": "1\n"}]}
    contest = contest_with_problem(
        core,
        one_test,
        start=-timedelta(minutes=60),
        end=timedelta(minutes=60),
        freeze=-timedelta(minutes=1),
        title="Frozen",
    )
    world = {
        "contest": contest["id"],
        "problem": contest["problem_id"],
        "user": users.create_user(core, "ann", "password-ann")["id"],
    }
    submit(core, world, WRONG)
    submit(core, world, RIGHT)
    public = boards.page(core, contest["id"], "public", 0, 10)
    assert public["frozen"] and public["rows"][0]["problems"]["A"]["pending"] == 2  # before judging
    JudgeHost(core, FakeSandbox(tmp_path, {b"1\n": b"1\n"}), "h").run(workers=1, once=True)
    public = boards.page(core, contest["id"], "public", 0, 10)
    assert public["rows"][0]["problems"]["A"]["pending"] == 2 and public["rows"][0]["solved"] == 0
    assert jury_row(core, world)["solved"] == 1
    answer = freeze.unfreeze(core, contest["id"])
    assert answer["state"] == "running" and answer["rows"] == 1
    public = boards.page(core, contest["id"], "public", 0, 10)
    assert not public["frozen"]
    assert public["rows"] == boards.page(core, contest["id"], "jury", 0, 10)["rows"]
    assert public["rows"][0]["penalty"] == 60 + 20  # AC in minute 60 after one WA
    assert freeze.unfreeze(core, contest["id"])["rows"] == 1  # idempotent
    assert core.events.since(f"contest:{contest['id']}", "0-0")[-1]["type"] == "contest_state"


def test_unfreeze_needs_a_freeze_that_has_begun(core: Core, world: dict[str, Any]) -> None:
    with pytest.raises(Conflict):
        freeze.unfreeze(core, world["contest"])
    later = (core.clock() + timedelta(minutes=30)).isoformat()
    contests.update_contest(core, world["contest"], {"freeze_at": later})
    with pytest.raises(Conflict):
        freeze.unfreeze(core, world["contest"])


def test_points_keep_the_best_of_each_subtask(core: Core, tmp_path: Path) -> None:
    now = core.clock()
    contest = contests.create_contest(
        core,
        {
            "title": "IOI",
            "scoring": "points",
            "start_at": (now - timedelta(minutes=10)).isoformat(),
            "end_at": (now + timedelta(minutes=60)).isoformat(),
        },
    )
    tests = [
        {"input": "1\n", "answer": "1\n", "group": "easy", "points": 30},
        {"input": "2\n", "answer": "2\n", "group": "hard", "points": 70},
    ]
    problem = contests.create_problem(
        core, {"title": "P", "time_limit_ms": 1000, "memory_limit_kb": 65536, "tests": tests}
    )
    contests.attach_problem(core, contest["id"], {"problem_id": problem["id"], "label": "A"})
    user = users.create_user(core, "ann", "password-ann")
    world = {"contest": contest["id"], "problem": problem["id"], "user": user["id"]}
    host = JudgeHost(core, FakeSandbox(tmp_path, {b"1\n": b"1\n", b"2\n": b"2\n"}), "h")
    easy, hard = submit(core, world, "only 1"), submit(core, world, "only 2")
    host.run(workers=1, once=True)
    with core.db.transaction() as cur:
        cur.execute("SELECT submission_id, score, subtask_scores FROM submission_results ORDER BY 1")
        stored = [(r["submission_id"], float(r["score"]), r["subtask_scores"]) for r in cur.fetchall()]
    assert stored == [(easy, 30.0, {"easy": 30.0, "hard": 0.0}), (hard, 70.0, {"easy": 0.0, "hard": 70.0})]
    row = jury_row(core, world)  # no submission passed everything, yet every subtask is solved
    assert row["score"] == 100.0 and row["problems"]["A"]["score"] == 100.0
    assert row["penalty"] == 2  # both were wrong answers overall


def test_heartbeat_announces_the_host_until_it_leaves(
    core: Core, world: dict[str, Any], host: JudgeHost
) -> None:
    host.beat()
    state = core.redis.hgetall(keys.judge_host("host-a"))
    assert state["busy"] == "0" and float(state["beat_at"]) > 0
    assert core.redis.ttl(keys.judge_host("host-a")) > 0
    assert core.redis.zscore(keys.JUDGE_HOSTS, "host-a") is not None
    host.run(workers=1, once=True)
    assert not core.redis.exists(keys.judge_host("host-a"))


def test_test_data_is_cached_by_content_hash(core: Core, world: dict[str, Any], host: JudgeHost) -> None:
    for _ in range(3):
        submit(core, world, RIGHT)
    host.run(workers=1, once=True)
    assert host.cache.hits == 2
    with core.db.transaction() as cur:
        cur.execute("SELECT test_data_hash FROM problems WHERE id = %s", (world["problem"],))
        assert len(cur.fetchone()["test_data_hash"]) == 64


def test_a_test_data_edit_while_starting_is_not_cached_under_the_old_hash(
    core: Core, world: dict[str, Any]
) -> None:
    sid = submit(core, world, RIGHT)

    def edit() -> None:  # the jury changes an answer between the judging's two statements
        with core.db.transaction() as cur:
            cur.execute("UPDATE test_cases SET answer = 'edited' WHERE problem_id = %s", (world["problem"],))
            cur.execute(
                "UPDATE problems SET test_data_hash = test_data_hash(id) WHERE id = %s", (world["problem"],)
            )

    class EditAfterFirst:
        def __init__(self, cur: Any) -> None:
            self.cur, self.edited = cur, False

        def execute(self, *args: Any) -> None:
            self.cur.execute(*args)
            if not self.edited:
                self.edited = True
                edit()

        def __getattr__(self, name: str) -> Any:
            return getattr(self.cur, name)

    cache = tasks.TestDataCache()
    with core.db.transaction() as cur:
        cur.execute("SELECT test_data_hash FROM problems WHERE id = %s", (world["problem"],))
        old_hash = cur.fetchone()["test_data_hash"]
        started = tasks.start(EditAfterFirst(cur), sid, cache)  # type: ignore[arg-type]
    assert started is not None
    with core.db.transaction() as cur:
        cur.execute("SELECT test_data_hash FROM problems WHERE id = %s", (world["problem"],))
        new_hash = cur.fetchone()["test_data_hash"]
    assert new_hash != old_hash
    assert {t.answer for t in started.task.tests} == {b"edited"}
    assert cache.get(old_hash) is None  # the old hash never names the new tests
    assert cache.get(new_hash) == started.task.tests


def test_each_problem_judges_with_its_own_checker(core: Core, world: dict[str, Any], host: JudgeHost) -> None:
    # Echo (tokens, the default) wants "1"; a float problem takes "1.0004" within 1e-3.
    near = contests.create_problem(
        core,
        {
            "title": "Near",
            "time_limit_ms": 1000,
            "memory_limit_kb": 65536,
            "checker": "float:1e-3",
            "tests": [{"input": "1\n", "answer": "1\n"}],
        },
    )
    assert near["checker"] == "float:1e-3"
    contests.attach_problem(core, world["contest"], {"problem_id": near["id"], "label": "B"})
    on_echo = submit(core, world, f"{PRINT}1.0004")
    principal = Principal(world["user"], "ann", Role.CONTESTANT)
    body = {"problem_id": near["id"], "language": "python", "source": f"{PRINT}1.0004"}
    on_near = int(submissions.submit(core, principal, world["contest"], body)["id"])
    far = int(submissions.submit(core, principal, world["contest"], {**body, "source": f"{PRINT}1.01"})["id"])
    host.run(workers=1, once=True)
    verdicts = {sid: [r["verdict"] for r in results(core, sid)] for sid in (on_echo, on_near, far)}
    assert verdicts == {on_echo: ["WA"], on_near: ["AC"], far: ["WA"]}


def test_practice_after_the_end_is_judged_and_never_ranked(
    core: Core, world: dict[str, Any], host: JudgeHost
) -> None:
    during = submit(core, world, RIGHT)
    host.run(workers=1, once=True)
    with core.db.transaction() as cur:  # the contest ends and opens for practice
        cur.execute(
            "UPDATE contests SET end_at = now() - interval '1 minute', practice = true WHERE id = %s",
            (world["contest"],),
        )
    shown = {view: boards.page(core, world["contest"], view, 0, 10)["rows"] for view in ("jury", "public")}
    with core.db.transaction() as cur:
        cur.execute("SELECT count(*) AS n FROM leaderboard_events WHERE contest_id = %s", (world["contest"],))
        events = cur.fetchone()["n"]
    after = [submit(core, world, source) for source in (WRONG, RIGHT)]
    host.run(workers=1, once=True)
    assert [results(core, sid)[0]["verdict"] for sid in (during, *after)] == ["AC", "WA", "AC"]
    with core.db.transaction() as cur:
        cur.execute("SELECT count(*) AS n FROM leaderboard_events WHERE contest_id = %s", (world["contest"],))
        assert cur.fetchone()["n"] == events  # no pending, no result: nothing ranked
    for view, rows in shown.items():
        assert boards.page(core, world["contest"], view, 0, 10)["rows"] == rows
    finished = [e for e in core.events.since(submission_topic(after[1]), "0-0") if e["type"] == "finished"]
    assert [e["verdict"] for e in finished] == ["AC"]  # the contestant still sees his verdict live


def test_sigterm_drains_running_judgings(core: Core, world: dict[str, Any], host: JudgeHost) -> None:
    sid = submit(core, world, f"{SLOW} 0.3")
    worker = threading.Thread(target=host.run, kwargs={"workers": 1})
    worker.start()
    while not core.redis.exists(keys.processing(sid)):
        time.sleep(0.01)
    host.stop()
    worker.join(10)
    assert not worker.is_alive()
    assert [r["verdict"] for r in results(core, sid)] == ["AC"]


def test_judge_host_instances_get_distinct_sandboxes() -> None:
    options = [sandbox_options(n, environ={}) for n in range(14)]
    assert options[0] == {}
    extra = options[1:]
    assert len({o["root_dir"] for o in extra}) == len({o["name"] for o in extra}) == 13
    spans = sorted((range(o["uid_base"], o["uid_base"] + 256) for o in extra), key=lambda r: r.start)
    assert all(a.stop <= b.start for a, b in zip(spans, spans[1:], strict=False))
    assert all(61256 < s.start and s.stop <= 65534 for s in spans)
    with pytest.raises(ValueError):
        sandbox_options(14, environ={})


def test_a_second_set_of_judge_hosts_moves_every_instance_elsewhere() -> None:
    moved = {
        "CODEARENA_SANDBOX_ROOT": "/tmp/elsewhere/judge",
        "CODEARENA_SANDBOX_NAME": "elsewhere",
        "CODEARENA_SANDBOX_UID_BASE": "400001",
    }
    assert sandbox_options(0, moved) == {
        "root_dir": Path("/tmp/elsewhere/judge"),
        "name": "elsewhere",
        "uid_base": 400001,
    }
    assert sandbox_options(13, moved) == {
        "root_dir": Path("/tmp/elsewhere/judge-13"),
        "name": "elsewhere-13",
        "uid_base": 400001 + 13 * 256,
    }
    for broken in ({"CODEARENA_SANDBOX_ROOT": "/tmp/x"}, moved | {"CODEARENA_SANDBOX_UID_BASE": "many"}):
        with pytest.raises(ValueError, match="go together"):
            sandbox_options(1, broken)
    with pytest.raises(ValueError):
        sandbox_options(14, moved)
