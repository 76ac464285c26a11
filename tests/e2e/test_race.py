"""Race (issue 4): 50 concurrent submissions by one user to one problem — wrong ones and one
right one — judged by a real judge host with two boxes give exactly the ICPC penalty."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from codearena import contests, users
from codearena.core import Core
from codearena.models import Role
from tests.e2e.common import TLS

SUBMISSIONS = 50
# AWK: the race is intake's and the penalty's, not a language's, and gawk starts in about a
# millisecond in the box where Python takes 30 ms to compile and 8 ms a run.
LANGUAGE = "awk"
RIGHT = "{ print $1 + $2 }\n"
WRONG = "{ print $1 * $2 }\n"  # right on the first test (2 2), wrong on the second


@pytest.fixture
def generous_rate(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Spawned processes copy this environment: let one user submit 50 times at once."""
    monkeypatch.setenv("CODEARENA_SUBMIT_RATE_PER_MINUTE", "1000")
    monkeypatch.setenv("CODEARENA_MAX_PENDING_SUBMISSIONS", "1000")
    yield


def race_contest(core: Core) -> tuple[int, int, dict[str, str]]:
    now = core.clock()
    contest = contests.create_contest(
        core,
        {
            "title": "Race",
            "start_at": (now - timedelta(minutes=42, seconds=30)).isoformat(),
            "end_at": (now + timedelta(hours=1)).isoformat(),
            "penalty_minutes": 20,
        },
    )
    problem = contests.create_problem(
        core,
        {
            "title": "A+B",
            "time_limit_ms": 1000,
            "memory_limit_kb": 131072,
            "tests": [{"input": "2 2\n", "answer": "4\n"}, {"input": "3 4\n", "answer": "7\n"}],
        },
    )
    contests.attach_problem(core, contest["id"], {"problem_id": problem["id"], "label": "A"})
    user = users.create_user(core, "racer", "racer-password")
    token, _ = core.tokens.issue(user["id"], "racer", Role.CONTESTANT)
    return contest["id"], problem["id"], {"Authorization": f"Bearer {token}"}


def submit_at_once(base: str, cid: int, pid: int, headers: dict[str, str]) -> list[int]:
    """Every submission released by one barrier; the right one is the 40th to be built."""
    barrier = threading.Barrier(SUBMISSIONS)
    statuses: list[int] = []

    def one(n: int) -> None:
        body = {"problem_id": pid, "language": LANGUAGE, "source": RIGHT if n == 39 else WRONG}
        with httpx.Client(base_url=base, timeout=60, verify=TLS) as client:
            barrier.wait()
            statuses.append(
                client.post(f"/contests/{cid}/submissions", headers=headers, json=body).status_code
            )

    threads = [threading.Thread(target=one, args=(n,)) for n in range(SUBMISSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def expected_penalty(core: Core, cid: int) -> tuple[int, int]:
    """(penalty, wrong attempts before the AC) from the stored times and verdicts."""
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT s.id, s.created_at, r.verdict, c.start_at FROM submissions s"
            " JOIN submission_results r ON r.submission_id = s.id AND r.is_current"
            " JOIN contests c ON c.id = s.contest_id WHERE s.contest_id = %s ORDER BY s.created_at, s.id",
            (cid,),
        )
        rows = cur.fetchall()
    assert len(rows) == SUBMISSIONS
    first_ac = next(n for n, row in enumerate(rows) if row["verdict"] == "AC")
    assert all(row["verdict"] == "WA" for n, row in enumerate(rows) if n != first_ac)
    minute = int((rows[first_ac]["created_at"] - rows[first_ac]["start_at"]).total_seconds() // 60)
    return minute + 20 * first_ac, first_ac


def wait_judged(core: Core, cid: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with core.db.transaction() as cur:
            cur.execute(
                "SELECT count(*) AS n FROM submissions WHERE contest_id = %s AND status = 'judged'", (cid,)
            )
            if cur.fetchone()["n"] == SUBMISSIONS:
                return
        time.sleep(0.3)
    raise AssertionError("the race's submissions were not judged in 120 s")


def test_fifty_concurrent_submissions_give_the_exact_penalty(
    generous_rate: None, gateway: str, judge_host: Any, core: Core
) -> None:
    cid, pid, headers = race_contest(core)
    statuses = submit_at_once(gateway, cid, pid, headers)
    assert statuses == [202] * SUBMISSIONS
    wait_judged(core, cid)
    penalty, wrong_before = expected_penalty(core, cid)
    board = httpx.get(f"{gateway}/contests/{cid}/leaderboard", timeout=30).json()
    [row] = board["rows"]
    assert (row["solved"], row["penalty"]) == (1, penalty)
    cell = row["problems"]["A"]
    assert cell == {
        "attempts": wrong_before + 1,
        "pending": 0,
        "solved": True,
        "time_minutes": (penalty - 20 * wrong_before),
        "score": 1.0,
    }
    with core.db.transaction() as cur:
        cur.execute("SELECT penalty_minutes FROM contest_penalties WHERE contest_id = %s", (cid,))
        assert [r["penalty_minutes"] for r in cur.fetchall()] == [penalty]
        cur.execute(
            "SELECT count(*) AS n FROM submission_results r JOIN submissions s ON s.id = r.submission_id"
        )
        assert cur.fetchone()["n"] == SUBMISSIONS
    assert 42 <= penalty - 20 * wrong_before <= 44
