"""The whole path once: register, create a contest, submit over HTTP, judge, rank."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from codearena import users
from codearena.core import Core
from codearena.models import Role
from tests.e2e.common import A_PLUS_B, DIFFERENCE, SUM, register_and_login


def wait_for_verdict(client: httpx.Client, headers: dict[str, str], sid: int) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        submission = client.get(f"/submissions/{sid}", headers=headers).json()
        if submission["status"] == "judged":
            return submission
        time.sleep(0.1)
    raise AssertionError(f"submission {sid} was not judged in 60 s: {submission}")


def minute_of(submission: dict[str, Any], start: datetime) -> int:
    created = datetime.fromisoformat(submission["created_at"])
    return int((created - start).total_seconds() // 60)


def test_submissions_are_judged_and_ranked(gateway: str, judge_host: Any, core: Core) -> None:
    users.create_user(core, "organizer", "organizer-password", Role.ADMIN)
    with httpx.Client(base_url=gateway, timeout=10) as client:
        check_contest_path(client, admin_login(client))


def admin_login(client: httpx.Client) -> dict[str, str]:
    token = client.post("/auth/login", json={"username": "organizer", "password": "organizer-password"})
    return {"Authorization": "Bearer " + token.json()["token"]}


def check_contest_path(client: httpx.Client, admin: dict[str, str]) -> None:
    statuses: list[int] = []
    client.event_hooks["response"] = [lambda response: statuses.append(response.status_code)]
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    contest = client.post(
        "/admin/contests",
        headers=admin,
        json={
            "title": "E2E Cup",
            "start_at": start.isoformat(),
            "end_at": (start + timedelta(hours=3)).isoformat(),
            "scoring": "icpc",
            "penalty_minutes": 20,
        },
    )
    assert contest.status_code == 201, contest.text
    cid = contest.json()["id"]
    problem = client.post("/admin/problems", headers=admin, json=A_PLUS_B)
    assert problem.status_code == 201, problem.text
    pid = problem.json()["id"]
    assert (
        client.post(
            f"/admin/contests/{cid}/problems", headers=admin, json={"problem_id": pid, "label": "A"}
        ).status_code
        == 201
    )

    alice, bob = register_and_login(client, "alice"), register_and_login(client, "bob")

    def submit(headers: dict[str, str], source: str) -> dict[str, Any]:
        answer = client.post(
            f"/contests/{cid}/submissions",
            headers=headers,
            json={"problem_id": pid, "language": "python", "source": source},
        )
        assert answer.status_code == 202, answer.text
        assert answer.json()["status"] == "queued"
        return wait_for_verdict(client, headers, answer.json()["id"])

    alice_wrong = submit(alice, DIFFERENCE)
    alice_right = submit(alice, SUM)
    bob_right = submit(bob, SUM)

    assert alice_wrong["verdict"] == "WA"
    assert [t["verdict"] for t in alice_wrong["tests"]][-1] == "WA"
    assert alice_right["verdict"] == "AC" and bob_right["verdict"] == "AC"
    assert [t["verdict"] for t in bob_right["tests"]] == ["AC", "AC", "AC"]
    assert all(t["time_ms"] >= 0 and t["memory_kb"] > 0 for t in bob_right["tests"])

    board = client.get(f"/contests/{cid}/leaderboard").json()
    rows = {row["username"]: row for row in board["rows"]}
    assert [row["username"] for row in board["rows"]] == ["bob", "alice"]
    assert rows["bob"]["rank"] == 1 and rows["alice"]["rank"] == 2
    assert rows["bob"]["penalty"] == minute_of(bob_right, start)
    assert rows["alice"]["penalty"] == minute_of(alice_right, start) + 20
    assert rows["alice"]["problems"]["A"] == {
        "attempts": 2,
        "pending": 0,
        "solved": True,
        "time_minutes": minute_of(alice_right, start),
        "score": 1.0,
    }
    assert board["frozen"] is False and board["version"] > 0

    jury = client.get(f"/admin/contests/{cid}/leaderboard", headers=admin).json()
    assert [row["username"] for row in jury["rows"]] == ["bob", "alice"]
    mine = client.get(f"/contests/{cid}/leaderboard", headers=alice).json()["me"]
    assert mine["rank"] == 2
    assert not [status for status in statuses if status >= 500]
