"""Custom invocations over HTTP on the real PostgreSQL and Redis, run by a judge host's
invocation worker on a fake sandbox (the real one: tests/e2e/test_invocations.py): the result
and its live events, who may run and read, the rate limit and the cap on pending runs, bad
input, and that no table, board or list ever shows one."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from codearena import keys, participants, submissions
from codearena.auth import Principal
from codearena.core import Core
from codearena.events import participant_topic
from codearena.invocations import InvocationQueue
from codearena.models import Role
from judge_host.daemon import HostConfig, JudgeHost
from judge_host.invocations import InvocationWorker
from tests.integration.conftest import ONE_TEST, Caller, contest_with_problem, error_of, login
from tests.integration.test_judging import FakeSandbox

PRINT_HELLO = "print hello"  # the fake box prints "hello" (tests/integration/test_judging.py)


@pytest.fixture
def people(core: Core) -> dict[str, dict[str, str]]:
    return {"ann": login(core, "ann"), "bob": login(core, "bob"), "jury": login(core, "judy", Role.JURY)}


def worker(core: Core, tmp_path: Path, name: str = "host-run0", lease_ms: int = 60_000) -> InvocationWorker:
    return InvocationWorker(core, FakeSandbox(tmp_path, {}), name, threading.Event(), lease_ms)


def invoke(call: Caller, cid: int, headers: dict[str, str], source: str = PRINT_HELLO, **extra: Any) -> Any:
    body = {"language": "python", "source": source, "input": "1 2\n", **extra}
    return call("POST", f"/contests/{cid}/problems/A/invocations", body, headers)


def user_id(core: Core, username: str) -> int:
    with core.db.transaction() as cur:
        cur.execute("SELECT id FROM users WHERE username = %s", (username,))
        return int(cur.fetchone()["id"])


def test_a_run_is_queued_run_once_read_and_announced_on_the_private_topic(
    call: Caller,
    core: Core,
    running_contest: dict[str, Any],
    people: dict[str, dict[str, str]],
    tmp_path: Path,
) -> None:
    cid = running_contest["id"]
    queued = invoke(call, cid, people["ann"])
    assert queued.status_code == 202, queued.body
    run = queued.json_body
    assert (
        run["status"] == "queued"
        and run["label"] == "A"
        and run["problem_id"] == running_contest["problem_id"]
    )
    assert (run["time_limit_ms"], run["memory_limit_kb"], run["input_bytes"]) == (1000, 262144, 4)
    assert "source" not in run and "input" not in run
    path = f"/contests/{cid}/invocations/{run['id']}"
    assert call("GET", path, None, people["ann"]).json_body == run

    worker(core, tmp_path).run(once=True)
    done = call("GET", path, None, people["ann"]).json_body
    assert done["status"] == "done" and done["outcome"] == "OK", done
    assert (done["stdout"], done["time_ms"], done["memory_kb"], done["exit_code"]) == ("hello\n", 5, 1024, 0)
    assert done["stdout_truncated"] is False and done["compile_output"] == ""
    assert "source" not in done and "input" not in done
    # live, on the participant's private topic: running, then the result as GET reads it
    events = [
        e
        for e in core.events.since(participant_topic(cid, user_id(core, "ann")), "0")
        if e["type"] == "invocation"
    ]
    assert [e["invocation"]["status"] for e in events] == ["running", "done"]
    assert events[-1]["invocation"] == done and events[-1]["contest_id"] == cid
    # staff read anyone's; another contestant, another contest or a made-up id read nothing
    assert call("GET", path, None, people["jury"]).json_body == done
    error_of(call("GET", path, None, people["bob"]), 404, "invocation_not_found")
    error_of(call("GET", f"/contests/{cid + 1}/invocations/{run['id']}", None, people["ann"]), 404)
    for bad in ("0123456789abcdef", "x", "ABCDEF0123456789", "0" * 40):
        error_of(
            call("GET", f"/contests/{cid}/invocations/{bad}", None, people["ann"]),
            404,
            "invocation_not_found",
        )
    error_of(call("GET", path), 401)


def test_compile_errors_limits_and_sandbox_faults(
    call: Caller,
    core: Core,
    running_contest: dict[str, Any],
    people: dict[str, dict[str, str]],
    tmp_path: Path,
) -> None:
    cid = running_contest["id"]
    broken = invoke(call, cid, people["ann"], "broken (").json_body
    crash = invoke(call, cid, people["ann"], "crash").json_body
    worker(core, tmp_path).run(once=True)
    compile_error = call("GET", f"/contests/{cid}/invocations/{broken['id']}", None, people["ann"]).json_body
    assert (compile_error["outcome"], compile_error["compile_output"], compile_error["time_ms"]) == (
        "CE",
        "syntax error",
        None,
    )
    fault = call("GET", f"/contests/{cid}/invocations/{crash['id']}", None, people["ann"]).json_body
    assert fault["status"] == "done" and fault["outcome"] == "JE"
    # nothing left pending: two more may wait
    assert core.redis.zcard(keys.invocations_pending(user_id(core, "ann"))) == 0


def test_the_cap_on_pending_runs_and_the_rate_limit_answer_429(
    call: Caller,
    core: Core,
    running_contest: dict[str, Any],
    people: dict[str, dict[str, str]],
    tmp_path: Path,
) -> None:
    cid = running_contest["id"]
    most, per_minute = core.settings.max_pending_invocations, core.settings.invocations_per_minute
    for _ in range(most):
        assert invoke(call, cid, people["ann"]).status_code == 202
    depth = core.redis.xlen(keys.INVOCATION_QUEUE)
    refused = invoke(call, cid, people["ann"])
    error_of(refused, 429, "too_many_pending_runs")
    assert refused.headers.get("Retry-After")
    assert core.redis.xlen(keys.INVOCATION_QUEUE) == depth  # nothing queued
    assert invoke(call, cid, people["bob"]).status_code == 202  # the cap is per participant
    worker(core, tmp_path).run(once=True)
    started = most  # the refused one was given back
    while started < per_minute:
        assert invoke(call, cid, people["ann"]).status_code == 202
        started += 1
        worker(core, tmp_path).run(once=True)
    limited = invoke(call, cid, people["ann"])
    error_of(limited, 429, "rate_limited")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


def test_bad_input_gets_a_4xx_and_queues_nothing(
    call: Caller, core: Core, running_contest: dict[str, Any], people: dict[str, dict[str, str]]
) -> None:
    cid = running_contest["id"]
    path = f"/contests/{cid}/problems/A/invocations"
    good = {"language": "python", "source": "print(1)", "input": ""}
    ann = people["ann"]
    for body, status, code in [
        ([1], 400, "invalid_body"),
        ({**good, "language": "cobol"}, 400, "unknown_language"),
        ({**good, "source": "  \n"}, 400, "invalid_field"),
        ({**good, "source": 5}, 400, "invalid_field"),
        ({**good, "source": "x" * (core.settings.max_source_bytes + 1)}, 413, "source_too_large"),
        ({**good, "input": 12}, 400, "invalid_field"),
        ({**good, "input": "a\x00b"}, 400, "invalid_field"),
        ({**good, "input": "1" * (64 * 1024 + 1)}, 413, "input_too_large"),
    ]:
        error_of(call("POST", path, body, ann), status, code)
    error_of(call("POST", path, "not json", ann), 400)
    error_of(call("POST", f"/contests/{cid}/problems/Z/invocations", good, ann), 404, "problem_not_found")
    error_of(call("POST", f"/contests/{cid}/problems/12x/invocations", good, ann), 400)
    error_of(call("POST", "/contests/424242/problems/A/invocations", good, ann), 404, "contest_not_found")
    error_of(call("POST", path, good), 401)
    assert (
        call("POST", path, {**good, "input": "1" * (64 * 1024)}, ann).status_code == 202
    )  # the limit itself
    assert core.redis.xlen(keys.INVOCATION_QUEUE) == 1
    assert not core.redis.exists(keys.invocation_rate(user_id(core, "bob")))


def test_only_participants_while_it_runs_and_staff_at_any_time(
    call: Caller, core: Core, people: dict[str, dict[str, str]]
) -> None:
    body = {"language": "python", "source": "print(1)"}
    later = contest_with_problem(
        core, ONE_TEST, start=timedelta(hours=1), end=timedelta(hours=2), title="Later"
    )
    over = contest_with_problem(
        core, ONE_TEST, start=-timedelta(hours=2), end=-timedelta(hours=1), title="Over"
    )
    for contest in (later, over):
        path = f"/contests/{contest['id']}/problems/A/invocations"
        error_of(call("POST", path, body, people["ann"]), 409, "contest_not_running")
        assert call("POST", path, body, people["jury"]).status_code == 202
    invited = contest_with_problem(
        core, ONE_TEST, start=-timedelta(hours=1), end=timedelta(hours=1), title="Inv"
    )
    with core.db.transaction() as cur:
        cur.execute("UPDATE contests SET registration = 'invite' WHERE id = %s", (invited["id"],))
    path = f"/contests/{invited['id']}/problems/A/invocations"
    error_of(call("POST", path, body, people["ann"]), 403, "not_registered")
    participants.set_status(core, invited["id"], user_id(core, "ann"), {"status": "approved"})
    assert call("POST", path, body, people["ann"]).status_code == 202


def row_counts(core: Core) -> dict[str, int]:
    with core.db.transaction() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row["tablename"] for row in cur.fetchall()]
        counts = {}
        for table in tables:
            cur.execute(f'SELECT count(*) AS n FROM "{table}"')
            counts[table] = int(cur.fetchone()["n"])
    return counts


def test_runs_touch_no_table_board_submission_list_or_contest_api(
    call: Caller,
    core: Core,
    running_contest: dict[str, Any],
    people: dict[str, dict[str, str]],
    admin: dict[str, str],
    tmp_path: Path,
) -> None:
    cid = running_contest["id"]
    before = row_counts(core)
    for source in ("print 3", "broken", "print 4"):
        assert invoke(call, cid, people["ann"], source).status_code == 202
        worker(core, tmp_path).run(once=True)
    assert row_counts(core) == before  # not one row anywhere in PostgreSQL
    ann = user_id(core, "ann")
    for path, headers in [
        (f"/contests/{cid}/leaderboard", people["ann"]),
        (f"/admin/contests/{cid}/leaderboard", people["jury"]),
    ]:
        rows = call("GET", path, None, headers).json_body["rows"]
        assert all(
            row["user_id"] != ann or not any(p["attempts"] for p in row["problems"].values()) for row in rows
        )
    assert call("GET", f"/contests/{cid}/submissions", None, people["ann"]).json_body["submissions"] == []
    assert (
        call("GET", f"/admin/contests/{cid}/submissions", None, people["jury"]).json_body["submissions"] == []
    )
    for kind in ("submissions", "judgements", "runs"):
        assert call("GET", f"/api/contests/{cid}/{kind}", None, admin).json_body == [], kind
    feed = call("GET", f"/api/contests/{cid}/event-feed?stream=false", None, admin)
    assert feed.status_code == 200 and b'"submissions"' not in feed.body and b"invocation" not in feed.body
    scoreboard = call("GET", f"/api/contests/{cid}/scoreboard", None, admin).json_body
    assert all(not p.get("num_judged") for row in scoreboard["rows"] for p in row["problems"])


def test_a_slow_run_never_holds_up_judging(
    call: Caller,
    core: Core,
    running_contest: dict[str, Any],
    people: dict[str, dict[str, str]],
    tmp_path: Path,
) -> None:
    """One judging worker and one invocation worker, each with its own box: a submission queued
    behind a long run is judged while the run is still going."""
    cid = running_contest["id"]
    slow = invoke(call, cid, people["ann"], "slow 3").json_body
    ann = Principal(user_id(core, "ann"), "ann", Role.CONTESTANT)
    body = {"problem_id": running_contest["problem_id"], "language": "python", "source": "right"}
    sid = submissions.submit(core, ann, cid, body)["id"]
    answers = {b"1 2\n": b"3\n", b"5 7\n": b"12\n"}
    host = JudgeHost(
        core,
        FakeSandbox(tmp_path, answers, boxes=2),
        "host-a",
        HostConfig(lease_seconds=5),
        invocation_workers=1,
    )
    started = time.monotonic()
    running = threading.Thread(target=host.run, kwargs={"workers": 1, "once": True})
    running.start()
    path = f"/contests/{cid}/invocations/{slow['id']}"
    try:
        while call("GET", f"/submissions/{sid}", None, people["ann"]).json_body["status"] != "judged":
            assert time.monotonic() - started < 20, "the submission was not judged"
            time.sleep(0.05)
        assert call("GET", path, None, people["ann"]).json_body["status"] == "running"  # still
        assert call("GET", f"/submissions/{sid}", None, people["ann"]).json_body["verdict"] == "AC"
    finally:
        running.join(30)
    done = call("GET", path, None, people["ann"]).json_body
    assert (done["status"], done["outcome"], done["stdout"]) == ("done", "OK", "3\n")
    assert time.monotonic() - started >= 3


def test_a_run_a_dead_host_held_is_taken_over_and_an_expired_one_dropped(
    call: Caller,
    core: Core,
    running_contest: dict[str, Any],
    people: dict[str, dict[str, str]],
    tmp_path: Path,
) -> None:
    cid = running_contest["id"]
    orphan = invoke(call, cid, people["ann"], "print taken over").json_body
    ttl = core.redis.ttl(keys.invocation(orphan["id"]))
    assert 0 < ttl <= 15 * 60  # kept a short while, never for good
    dead = InvocationQueue(core.redis)
    dead.ensure_group()
    job = dead.claim("dead-host-run0", block_ms=None, lease_ms=60_000)
    assert job is not None and job.id == orphan["id"]
    # the dead host had announced it running; a live one takes it over once the lease is over
    with_lease = InvocationWorker(
        core, FakeSandbox(tmp_path, {}), "host-run0", threading.Event(), lease_ms=60_000
    )
    with_lease.run(once=True)
    assert (
        call("GET", f"/contests/{cid}/invocations/{orphan['id']}", None, people["ann"]).json_body["status"]
        == "queued"
    )
    after_lease = InvocationWorker(
        core, FakeSandbox(tmp_path, {}), "host-run0", threading.Event(), lease_ms=0
    )
    after_lease.run(once=True)
    taken = call("GET", f"/contests/{cid}/invocations/{orphan['id']}", None, people["ann"]).json_body
    assert (taken["status"], taken["stdout"]) == ("done", "taken over\n")

    expired = invoke(call, cid, people["ann"], "print too late").json_body
    core.redis.delete(keys.invocation(expired["id"]))  # its TTL ran out while queued
    topic = participant_topic(cid, user_id(core, "ann"))
    heard = len(core.events.since(topic, "0"))
    after_lease.run(once=True)
    assert len(core.events.since(topic, "0")) == heard  # nothing run, nothing told
    assert core.redis.xlen(keys.INVOCATION_QUEUE) == 0
    error_of(call("GET", f"/contests/{cid}/invocations/{expired['id']}", None, people["ann"]), 404)
