"""Chaos (issue 4): 500 submissions from 50 users on 3 problems, judged by three judge-host
processes while the test SIGKILLs one at every eighth of the judging, injects duplicate
deliveries and once empties Redis. Afterwards every submission has exactly one current result, the standings
equal a from-scratch recomputation, the live boards equal a rebuild, and nothing got a 5xx."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
import pytest

from codearena import contests, keys, standings
from codearena.config import Settings
from codearena.core import Core
from codearena.leaderboard import VIEWS
from codearena.models import Verdict
from codearena.scoring import Attempt, ContestRules, rule_for, visible
from tests.conftest import delete_session_keys
from tests.e2e.common import TLS, contestant_headers
from tests.e2e.conftest import Process, spawn, start_gateway

USERS, PER_USER, HOSTS = 50, 10, 3
LEASE_SECONDS = 3
KILLS = 7  # judge hosts killed, one at each eighth of the judging
REFUSED: list[str] = []  # bodies of intake answers other than 202 (for a failure message)
INSTANCES = (10, 11, 12)  # judge host sandboxes of their own (tests/e2e/conftest uses 9)
# The programs are AWK and Bash (users alternate): what this test checks is exactly-once
# judging and the standings, not a language, and these start in about a millisecond in the
# box where Python takes 8 ms to run and 30 ms to compile (test_languages_judged judges every
# language). Every verdict kind is there; a box switches languages between submissions.
SOURCES = {
    "awk": {
        "AC": "{ print $1 + $2 }\n",
        "WA": "{ print $1 - $2 }\n",
        "RTE": "BEGIN { exit 3 }\n",
        "CE": "BEGIN {\n",
        "TLE": "BEGIN { while (1) {} }\n",
    },
    "bash": {
        "AC": "read a b\necho $((a + b))\n",
        "WA": "read a b\necho $((a - b))\n",
        "RTE": "exit 3\n",
        "CE": "if then\n",
        "TLE": "while :; do :; done\n",
    },
}
LANGUAGES = tuple(SOURCES)
WEIGHTS = {"AC": 30, "WA": 40, "RTE": 15, "CE": 14, "TLE": 1}
TIME_LIMIT_MS = 100  # of CPU: the programs take 1-2 ms; a TLE burns all of it
TESTS = [{"input": "1 2\n", "answer": "3\n"}, {"input": "5 -7\n", "answer": "-2\n"}]


class Fleet:
    """Three judge hosts; `kill_one` SIGKILLs a random one and starts it again."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.hosts = {instance: self._start(instance) for instance in INSTANCES}
        self.kills = 0

    def _start(self, instance: int) -> Process:
        args = ["judge", "--boxes", "1", "--instance", str(instance)]
        args += ["--lease-seconds", str(LEASE_SECONDS), "--sweep-seconds", "2"]
        return spawn(f"chaos-judge-{instance}", args, self.settings)

    def kill_one(self, rng: random.Random) -> None:
        instance = rng.choice(INSTANCES)
        process = self.hosts[instance]
        process.popen.kill()
        process.popen.wait()
        self.kills += 1
        self.hosts[instance] = self._start(instance)

    def stop(self) -> None:
        for process in self.hosts.values():
            process.stop()


@pytest.fixture
def gateway(settings: Settings) -> Iterator[str]:
    """The local gateway (as tests/e2e/conftest starts it), checked alive at the end."""
    base, process = start_gateway(settings, "chaos-gateway")
    yield base
    assert process.popen.poll() is None, f"the gateway died ({process.popen.returncode}):\n{process.output()}"
    process.stop()


@pytest.fixture
def fleet(settings: Settings) -> Iterator[Fleet]:
    hosts = Fleet(settings)
    yield hosts
    hosts.stop()


def setup_contest(core: Core) -> tuple[int, list[int], list[dict[str, str]]]:
    now = core.clock()
    contest = contests.create_contest(
        core,
        {
            "title": "Chaos Cup",
            "start_at": (now - timedelta(minutes=30)).isoformat(),
            "end_at": (now + timedelta(hours=3)).isoformat(),
        },
    )
    problems = []
    for label in "ABC":
        problem = contests.create_problem(
            core, {"title": label, "time_limit_ms": TIME_LIMIT_MS, "memory_limit_kb": 131072, "tests": TESTS}
        )
        contests.attach_problem(core, contest["id"], {"problem_id": problem["id"], "label": label})
        problems.append(problem["id"])
    return contest["id"], problems, tokens(core)


def tokens(core: Core) -> list[dict[str, str]]:
    return contestant_headers(core, [f"user{n:02d}" for n in range(USERS)], "chaos-password")


def plan(rng: random.Random, problems: list[int]) -> list[tuple[int, int, str]]:
    """(user index, problem id, kind) for every submission, users interleaved."""
    kinds = list(WEIGHTS)
    return [
        (user, rng.choice(problems), rng.choices(kinds, weights=list(WEIGHTS.values()))[0])
        for _ in range(PER_USER)
        for user in range(USERS)
    ]


class Chaos:
    """Kills judge hosts, duplicates deliveries and empties Redis once, in a thread: a kill at
    each eighth of the submissions judged, so that all of it happens mid-judging however fast
    this machine judges (Redis is emptied at the third, near 40 %)."""

    def __init__(self, core: Core, fleet: Fleet, rng: random.Random, total: int) -> None:
        self.core, self.fleet, self.rng = core, fleet, rng
        self.kill_at = [total * n // (KILLS + 1) for n in range(1, KILLS + 1)]
        self.stopping = threading.Event()
        self.flushed = threading.Event()
        self.duplicates = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while self.kill_at and not self.stopping.wait(0.2):
            if judged_count(self.core) < self.kill_at[0]:
                continue
            self.kill_at.pop(0)
            self.fleet.kill_one(self.rng)
            self._duplicate(self.rng.randint(5, 15))
            if self.fleet.kills == 3 and not self.flushed.is_set():
                delete_session_keys(self.core.redis)  # Redis lost its data
                self.flushed.set()

    def _duplicate(self, count: int) -> None:
        with self.core.db.transaction() as cur:
            cur.execute("SELECT id FROM submissions ORDER BY random() LIMIT %s", (count,))
            ids = [row["id"] for row in cur.fetchall()]
        for sid in ids:  # a raw second delivery, as a confused producer would make
            self.core.redis.xadd(keys.QUEUE, {"submission_id": sid})
        self.duplicates += len(ids)


def submit_all(
    gateway: str, cid: int, heads: list[dict[str, str]], work: list[tuple[int, int, str]]
) -> list[int]:
    statuses: list[int] = []
    local = threading.local()  # one client per thread: making one costs ~20 ms of CPU (its SSL context)
    clients: list[httpx.Client] = []

    def one(item: tuple[int, int, str]) -> int:
        user, problem, kind = item
        language = LANGUAGES[user % len(LANGUAGES)]
        body = {"problem_id": problem, "language": language, "source": SOURCES[language][kind]}
        if (client := getattr(local, "client", None)) is None:
            client = local.client = httpx.Client(base_url=gateway, timeout=30)
            clients.append(client)
        response = client.post(f"/contests/{cid}/submissions", headers=heads[user], json=body)
        statuses.append(response.status_code)
        if response.status_code != 202:
            REFUSED.append(response.text[:300])
        return response.status_code

    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(one, work))
    finally:
        for client in clients:
            client.close()
    return statuses


def judged_count(core: Core) -> int:
    with core.db.transaction() as cur:
        cur.execute("SELECT count(*) AS n FROM submissions WHERE status = 'judged'")
        return int(cur.fetchone()["n"])


def wait_until_judged(core: Core, count: int, timeout: float, statuses: list[int]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with core.db.transaction() as cur:
            cur.execute("SELECT status, count(*) AS n FROM submissions GROUP BY status")
            found = {row["status"]: row["n"] for row in cur.fetchall()}
        if found.get("judged") == count:
            return
        time.sleep(0.5)
    answers = {status: statuses.count(status) for status in sorted(set(statuses))}
    answers["refused"] = REFUSED[:3]
    raise AssertionError(
        f"not every submission was judged in {timeout} s: {found} of {count} sent; answers {answers};"
        f" Redis holds {_redis_state(core)}"
    )


def _redis_state(core: Core) -> dict[str, Any]:
    """What the queue looks like (for a failure message)."""
    try:
        groups = core.redis.xinfo_groups(core.queue.stream)
    except Exception as exc:  # the stream may be gone
        groups = [repr(exc)]
    return {"stream": core.redis.xlen(core.queue.stream), "groups": groups}


def test_chaos(gateway: str, fleet: Fleet, core: Core) -> None:
    rng = random.Random(4)
    cid, problems, heads = setup_contest(core)
    work = plan(rng, problems)
    chaos = Chaos(core, fleet, rng, len(work))
    chaos.thread.start()
    statuses = submit_all(gateway, cid, heads, work)
    try:
        wait_until_judged(core, len(work), timeout=180, statuses=statuses)
    finally:
        chaos.stopping.set()
        chaos.thread.join()
    wait_until_judged(core, len(work), timeout=40, statuses=statuses)  # what the last kill interrupted
    assert chaos.flushed.is_set() and fleet.kills >= 3 and chaos.duplicates > 0
    assert statuses.count(202) == len(work) and not [s for s in statuses if s >= 500]
    check_results(core, cid)
    check_standings(core, cid)
    check_boards(core, cid, gateway)


def check_results(core: Core, cid: int) -> None:
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT s.id, count(r.id) AS results, count(r.id) FILTER (WHERE r.is_current) AS current,"
            " min(r.verdict) AS verdict, min(r.compile_output) AS reason FROM submissions s"
            " LEFT JOIN submission_results r ON r.submission_id = s.id"
            " WHERE s.contest_id = %s GROUP BY s.id",
            (cid,),
        )
        rows = cur.fetchall()
    assert len(rows) == USERS * PER_USER
    assert [r["id"] for r in rows if (r["results"], r["current"]) != (1, 1)] == []
    verdicts = {r["verdict"] for r in rows}
    assert {"AC", "WA", "RTE", "CE"} <= verdicts, verdicts
    assert all(r["reason"] for r in rows if r["verdict"] == "JE")  # a poisoned job says why


def recomputed(core: Core, cid: int) -> dict[str, dict[str, Any]]:
    """Every contestant's jury and public rows, from the stored current results alone."""
    with core.db.transaction() as cur:
        contest = contests.load(cur, cid)
        cur.execute(
            "SELECT u.username, s.id, cp.label, s.created_at, r.verdict, r.score FROM submissions s"
            " JOIN users u ON u.id = s.user_id"
            " JOIN contest_problems cp ON cp.contest_id = s.contest_id AND cp.problem_id = s.problem_id"
            " JOIN submission_results r ON r.submission_id = s.id AND r.is_current WHERE s.contest_id = %s",
            (cid,),
        )
        rows = cur.fetchall()
    rule, rules = rule_for(contest.scoring), ContestRules(contest.start_at, contest.penalty_minutes)
    attempts: dict[str, list[Attempt]] = {}
    for row in rows:
        attempt = Attempt(
            row["id"], row["label"], row["created_at"], Verdict(row["verdict"]), float(row["score"])
        )
        attempts.setdefault(row["username"], []).append(attempt)
    expected = {}
    for username, items in attempts.items():
        jury, public = rule.standing(items, rules), rule.standing(visible(items, contest.freeze_at), rules)
        expected[username] = {"jury": jury.to_json(), "public": public.to_json()}
    return expected


def check_standings(core: Core, cid: int) -> None:
    expected = recomputed(core, cid)
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT DISTINCT ON (e.user_id) u.username, e.jury_row, e.public_row FROM leaderboard_events e"
            " JOIN users u ON u.id = e.user_id WHERE e.contest_id = %s ORDER BY e.user_id, e.id DESC",
            (cid,),
        )
        latest = {row["username"]: row for row in cur.fetchall()}
        cur.execute(
            "SELECT u.username, sum(p.penalty_minutes) AS penalty, count(*) FILTER (WHERE p.solved) AS solved"
            " FROM contest_penalties p JOIN users u ON u.id = p.user_id WHERE p.contest_id = %s GROUP BY 1",
            (cid,),
        )
        cells = {row["username"]: (int(row["penalty"]), row["solved"]) for row in cur.fetchall()}
    assert set(latest) == set(expected) == set(cells)
    for username, rows in expected.items():
        for view in VIEWS:
            stored = {k: v for k, v in latest[username][f"{view}_row"].items() if k in rows[view]}
            assert stored == rows[view], (username, view)
        assert cells[username] == (rows["jury"]["penalty"], rows["jury"]["solved"]), username


def live_boards(core: Core, cid: int) -> dict[str, list[dict[str, Any]]]:
    return {view: (core.boards.view(cid, view, 0, 10 * USERS) or {}).get("rows", []) for view in VIEWS}


def jury_cells(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["username"]: {k: row[k] for k in ("solved", "penalty", "problems")} for row in rows}


def check_boards(core: Core, cid: int, gateway: str) -> None:
    """The live boards converge on the stored results. Not at once: a result committed just
    before its judge was killed is announced by the next delivery of its job, once the
    lease has run out (test_judging: ..._is_announced_on_the_next_delivery)."""
    expected = recomputed(core, cid)
    wanted = {
        name: {k: rows["jury"][k] for k in ("solved", "penalty", "problems")}
        for name, rows in expected.items()
    }
    deadline = time.monotonic() + 4 * LEASE_SECONDS + 10
    while jury_cells((live := live_boards(core, cid))["jury"]) != wanted and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(live["jury"]) == len(expected)
    assert jury_cells(live["jury"]) == wanted
    standings.rebuild(core, cid)
    assert live_boards(core, cid) == live
    board = f"{gateway}/contests/{cid}/leaderboard"
    public = httpx.get(board, params={"limit": 500}, timeout=30, verify=TLS)
    assert public.status_code == 200
    assert [r["username"] for r in public.json()["rows"]] == [r["username"] for r in live["public"]]
