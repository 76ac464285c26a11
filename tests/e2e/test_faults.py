"""Faults beyond the judges (issue 11), each with real processes — the local gateway and
`codearena judge` — against servers of the test's own, so stopping them disturbs nobody:
PostgreSQL restarted mid-contest, Redis restarted (not flushed) mid-judging, a judge host
whose disk fills, and a job whose submission cannot be found."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from codearena import contests, keys
from codearena.config import Settings
from codearena.core import Core
from judge_host.instances import sandbox_options
from tests.conftest import JWT_SECRET
from tests.e2e.common import register_and_login
from tests.e2e.faultkit import (
    SOURCES,
    Arena,
    admin_token,
    gateway_process,
    judge_process,
    language_of,
    open_arena,
    small_disks,
    wait_for_host,
)
from tests.e2e.servers import PrivatePostgres, PrivateRedis, private_postgres, private_redis
from tests.e2e.test_chaos import check_boards, check_standings
from tests.e2e.test_live import Viewer

BEFORE = ["SLOW", "SLOW", "SLOW", "SLOW", "AC", "WA", "AC", "WA"]
AFTER = ["AC", "WA", "SLOW", "AC", "WA", "AC"]
DOWN_SECONDS = 4.0  # longer than a lease: held jobs run out while the server is away


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    with private_postgres() as server:
        yield server


def test_postgres_restart_mid_contest(postgres: PrivatePostgres, redis_url: str) -> None:
    settings = Settings(database_url=postgres.url, redis_url=redis_url, jwt_secret=JWT_SECRET)
    core = Core.from_settings(settings)
    try:
        with gateway_process(settings, "faults-gateway-pg") as (base, gateway):
            with judge_process(settings, instance=7) as judge:
                arena = open_arena(core, base)
                wait_for_host(core, judge)
                admin = admin_token(core)
                arena.submit_all("before", BEFORE)
                wait_some_judged(arena)
                postgres.stop()
                try:
                    check_intake_unavailable(arena, "pg-down")
                    check_routes_unavailable(arena, admin)
                    time.sleep(DOWN_SECONDS)
                finally:
                    postgres.start()
                arena.submit_all("after", AFTER)
                arena.wait_judged(60, [judge, gateway])
                arena.check_one_result_each()
                arena.check_judged_once()  # the judge host kept its judgements until it could store them
    finally:
        core.close()


@pytest.fixture
def redis_server() -> Iterator[PrivateRedis]:
    with private_redis() as server:
        yield server


def test_redis_restart_mid_judging(redis_server: PrivateRedis, database_url: str) -> None:
    settings = Settings(database_url=database_url, redis_url=redis_server.url, jwt_secret=JWT_SECRET)
    core = Core.from_settings(settings)
    try:
        with gateway_process(settings, "faults-gateway-redis") as (base, gateway):
            with judge_process(settings, instance=8) as judge:
                arena = open_arena(core, base)
                host = wait_for_host(core, judge)
                arena.submit_all("before", BEFORE)
                wait_some_judged(arena)
                redis_server.stop()
                try:
                    check_intake_refuses_or_keeps(arena, "redis-down")
                    time.sleep(DOWN_SECONDS)
                finally:
                    redis_server.start()
                back_at = time.time()
                viewer = Viewer(base)
                try:
                    viewer.send(action="subscribe", topic=f"contest:{arena.cid}")
                    arena.submit_all("after", AFTER)
                    # Someone new on the public board: a change the public topic must carry
                    # (a later attempt of a contestant who solved A changes no public row).
                    with httpx.Client(base_url=base, timeout=30) as client:
                        arena.heads.append(register_and_login(client, "latecomer"))
                    assert arena.submit("after", len(arena.heads) - 1, "WA").status_code == 202
                    viewer.until(lambda message: message["type"] == "leaderboard", timeout=30)
                finally:
                    viewer.close()
                arena.wait_judged(60, [judge, gateway])
                arena.check_one_result_each()
                assert float(core.redis.zscore(keys.JUDGE_HOSTS, host) or 0) > back_at, arena.report(
                    "no beat"
                )
                check_standings(core, arena.cid)
                check_boards(core, arena.cid, base)
    finally:
        core.close()


def check_intake_refuses_or_keeps(arena: Arena, phase: str) -> None:
    """With Redis down, intake answers 503 + Retry-After, or 202 for a submission it could
    still store (the sweeper enqueues it from PostgreSQL); which is checked at the end."""
    for user in range(3):
        response = arena.submit(phase, user, "AC")
        if response.status_code != 202:
            assert_unavailable(response, arena)


def wait_some_judged(arena: Arena, timeout: float = 30) -> None:
    """Until judging is under way: the first submission judged (the slow ones take longer)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with arena.core.db.transaction() as cur:
            cur.execute("SELECT count(*) AS n FROM submissions WHERE status = 'judged'")
            if cur.fetchone()["n"] > 0:
                return
        time.sleep(0.1)
    raise AssertionError(arena.report("nothing was judged"))


def check_intake_unavailable(arena: Arena, phase: str) -> None:
    """While a server is down, intake answers 503 with Retry-After and the JSON error."""
    for user in range(3):
        response = arena.submit(phase, user, "AC")
        assert_unavailable(response, arena)


def assert_unavailable(response: httpx.Response, arena: Arena) -> None:
    what = f"{response.request.method} {response.request.url.path}"
    assert response.status_code == 503, arena.report(
        f"{what} answered {response.status_code}: {response.text}"
    )
    assert int(response.headers.get("Retry-After", "0")) >= 1, f"{what}: no Retry-After in {response.headers}"
    error = response.json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str), response.text


def check_routes_unavailable(arena: Arena, admin: dict[str, str]) -> None:
    """Every route answers 503 + Retry-After with PostgreSQL down, but the few that answer
    without it, which may answer otherwise; none answers another 5xx. The routes, their
    bodies (each body's example) and required query parameters come from /openapi.json, so
    a new route is checked too (and one whose body has no example fails here)."""
    with httpx.Client(base_url=arena.base, timeout=30) as client:
        described = client.get("/openapi.json").json()
        operations = [
            (method.upper(), path, operation)
            for path, methods in described["paths"].items()
            for method, operation in methods.items()
        ]
        assert ANSWER_WITHOUT_POSTGRES <= {(method, path) for method, path, _ in operations}
        parameters = described["components"]["parameters"]
        for method, path, operation in operations:
            response = call(client, arena, admin, method, path, operation, parameters)
            if (method, path) not in ANSWER_WITHOUT_POSTGRES or response.status_code >= 500:
                assert_unavailable(response, arena)


def call(
    client: httpx.Client,
    arena: Arena,
    admin: dict[str, str],
    method: str,
    path: str,
    operation: dict[str, Any],
    parameters: dict[str, Any],
) -> httpx.Response:
    """`method path` as its description says to call it: an admin's token where it names the
    admin role (a contestant's elsewhere), the example body, the required query parameters."""
    ids = {"cid": arena.cid, "pid": arena.problem_id, "sid": min(arena.accepted), "uid": 1, "oid": "1"}
    headers = admin if "admin" in operation.get("x-roles", []) else arena.heads[0]
    described = [parameters[p["$ref"].rsplit("/", 1)[1]] for p in operation["parameters"]]
    query = {p["name"]: p["example"] for p in described if p["in"] == "query" and p.get("required")}
    url = path.format(**ids)
    content = operation.get("requestBody", {}).get("content", {})
    if "application/zip" in content:  # a problem package: a good one, so that only storing it fails
        headers = {**headers, "Content-Type": "application/zip"}
        return client.request(method, url, headers=headers, params=query, content=package_zip("anycase"))
    body = content["application/json"]["schema"]["example"] if content else None
    return client.request(method, url, headers=headers, params=query, json=body)


def package_zip(name: str) -> bytes:
    """tests/packages/<name> as a zip archive."""
    root = Path(__file__).resolve().parents[1] / "packages" / name
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in sorted(root.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(root).as_posix())
    return buffer.getvalue()


# The routes that answer without PostgreSQL (static, Redis only, a contestant's own token):
# every other route needs it.
ANSWER_WITHOUT_POSTGRES = {
    ("GET", "/openapi.json"),
    ("GET", "/languages"),
    ("GET", "/auth/me"),
    ("GET", "/api"),  # the Contest API's version
    ("GET", "/contests/{cid}/invocations/{oid}"),  # a custom invocation lives in Redis only
}


BIG_LINE_BYTES = 3 * 1024 * 1024  # a test's input and answer: more than a 2 MiB disk holds
MIB = 1024 * 1024


def test_full_disks_are_the_contestants_fault_or_the_hosts(settings: Settings, core: Core) -> None:
    """A program that fills its own /tmp or floods its output gets RTE / OLE; the judge
    host's own working space (where it writes a test's input and collects the output) full
    is not the contestant's fault: JE after the retries, then judged normally once freed."""
    with gateway_process(settings, "faults-gateway-disk") as (base, gateway):
        with judge_process(settings, instance=6, lease_seconds=2) as judge:
            arena = open_arena(core, base)
            big = add_problem(arena, "B", "x" * BIG_LINE_BYTES)
            wait_for_host(core, judge)
            expect = {}
            for kind, verdict in (("FILL_TMP", "RTE"), ("FLOOD_STDOUT", "OLE"), ("FILL_TMP_THEN_SUM", "AC")):
                expect[submitted(arena, kind)] = verdict
            arena.wait_judged(40, [judge])
            with small_disks(box_io_dirs(6), 2 * MIB) as disks:
                # The input does not fit: writing it fails.
                expect[submitted(arena, "ECHO", big)] = "JE"
                arena.wait_judged(40, [judge])
                # The input fits, the output does not: the run fails for want of space.
                for disk in disks:
                    disk.resize(5 * MIB)
                expect[submitted(arena, "ECHO", big)] = "JE"
                arena.wait_judged(40, [judge])
                # Full before the judging starts.
                for disk in disks:
                    disk.fill()
                expect[submitted(arena, "AC")] = "JE"
                arena.wait_judged(40, [judge])
                for disk in disks:
                    disk.empty()
                    disk.resize(16 * MIB)
                expect[submitted(arena, "ECHO", big)] = "AC"
                expect[submitted(arena, "AC")] = "AC"
                arena.wait_judged(40, [judge])
            check_verdicts(arena, expect)


def add_problem(arena: Arena, label: str, line: str) -> int:
    """A problem whose one test's input and answer are `line`."""
    test = {"input": line + "\n", "answer": line + "\n"}
    problem = contests.create_problem(
        arena.core, {"title": label, "time_limit_ms": 2000, "memory_limit_kb": 131072, "tests": [test]}
    )
    contests.attach_problem(arena.core, arena.cid, {"problem_id": problem["id"], "label": label})
    return int(problem["id"])


def submitted(arena: Arena, kind: str, problem_id: int | None = None) -> int:
    response = arena.submit(kind, 0, kind, problem_id)
    assert response.status_code == 202, arena.report(f"intake refused {kind}")
    return int(response.json()["id"])


def box_io_dirs(instance: int) -> list[Path]:
    """Where the judge host of `instance` writes each box's input and output files."""
    root = Path(sandbox_options(instance)["root_dir"])
    return sorted(path / "io" for path in root.glob("box*"))


def check_verdicts(arena: Arena, expect: dict[int, str]) -> None:
    """Each submission has one result, of the expected verdict; a JE says why."""
    with arena.core.db.transaction() as cur:
        cur.execute(
            "SELECT s.id, r.verdict, r.compile_output, count(*) OVER (PARTITION BY s.id) AS results"
            " FROM submissions s JOIN submission_results r ON r.submission_id = s.id WHERE s.id = ANY(%s)",
            (list(expect),),
        )
        found = {row["id"]: row for row in cur.fetchall()}
    verdicts = {sid: (row["verdict"], row["results"]) for sid, row in found.items()}
    assert verdicts == {sid: (verdict, 1) for sid, verdict in expect.items()}, arena.report(str(found))
    for sid, verdict in expect.items():
        if verdict == "JE":
            reason = found[sid]["compile_output"]
            assert "failed 3 times" in reason and ("full" in reason or "No space" in reason), reason


def test_a_job_whose_submission_is_missing_is_kept_then_dropped(settings: Settings, core: Core) -> None:
    """A job naming no submission is neither judged nor acknowledged blindly: the host counts
    and logs it and keeps the job for one lease. A row that shows up meanwhile (a commit seen
    late) is then judged from that job; one that never does is dropped (the sweeper, far
    off here, reads PostgreSQL and would enqueue it should it ever appear)."""
    with gateway_process(settings, "faults-gateway-missing") as (base, gateway):
        with judge_process(settings, instance=5, sweep_seconds=600, lease_seconds=4) as judge:
            arena = open_arena(core, base)
            host = wait_for_host(core, judge)
            with core.db.transaction() as cur:
                cur.execute("SELECT nextval('submissions_id_seq') AS id")
                late = int(cur.fetchone()["id"])
            never = late + 1000
            core.queue.ensure_group()
            for sid in (late, never):
                core.redis.xadd(keys.QUEUE, {"submission_id": sid})
            wait_for_state(arena, host, lambda state: int(state.get("missing", 0)) >= 2)
            kept = core.redis.xlen(keys.QUEUE)
            assert kept == 2, arena.report("a missing submission's job was dropped at once")
            insert_submission(arena, late)
            arena.accepted[late] = "AC"
            arena.wait_judged(30, [judge])
            wait_for_state(arena, host, lambda state: int(state["missing"]) == 3)
            deadline = time.monotonic() + 10
            while core.redis.xlen(keys.QUEUE) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert core.redis.xlen(keys.QUEUE) == 0, arena.report("the job of a submission never found stays")
            arena.check_one_result_each()
    assert f"submission {never}: still not found" in judge.output()


def wait_for_state(arena: Arena, host: str, done: Any, timeout: float = 20) -> None:
    """Until the judge host's heartbeat state satisfies `done`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done(arena.core.redis.hgetall(keys.judge_host(host))):
            return
        time.sleep(0.1)
    raise AssertionError(arena.report(f"the state of {host} never got there"))


def insert_submission(arena: Arena, sid: int) -> None:
    with arena.core.db.transaction() as cur:
        cur.execute("SELECT id FROM users ORDER BY id LIMIT 1")
        user = cur.fetchone()["id"]
        cur.execute(
            "INSERT INTO submissions (id, contest_id, problem_id, user_id, language, source)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (sid, arena.cid, arena.problem_id, user, language_of("AC"), SOURCES["AC"]),
        )
