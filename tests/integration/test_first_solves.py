"""The first-to-solve mark: the earliest AC to the second, hidden on a frozen public board,
as it stood at `?at=`, and served with the board (GET …/leaderboard)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from codearena import contests, keys, users
from codearena.core import Core
from codearena.first_solves import first_solves
from codearena.models import Verdict
from tests.integration.test_standings import judged, record_and_publish


def submit_at(core: Core, contest: dict[str, Any], user_id: int, after: timedelta) -> int:
    with core.db.transaction() as cur:
        cur.execute("SELECT start_at FROM contests WHERE id = %s", (contest["id"],))
        start: datetime = cur.fetchone()["start_at"]
        cur.execute(
            "INSERT INTO submissions (contest_id, problem_id, user_id, language, source, created_at)"
            " VALUES (%s, %s, %s, 'python', 'print(3)', %s) RETURNING id",
            (contest["id"], contest["problem_id"], user_id, start + after),
        )
        return int(cur.fetchone()["id"])


def forget(core: Core, contest_id: int) -> None:
    core.redis.delete(keys.first_solves(contest_id, "public"), keys.first_solves(contest_id, "jury"))


def test_the_earliest_ac_to_the_second_wins_and_the_freeze_hides_it(
    core: Core, running_contest: dict[str, Any], http: Any
) -> None:
    cid = running_contest["id"]
    people = {name: users.create_user(core, name, "password-" + name)["id"] for name in ("ann", "ben", "cat")}
    assert first_solves(core, cid, "public") == {}

    plan = [
        ("cat", timedelta(minutes=3), Verdict.WA),  # a wrong answer is no solve
        ("ann", timedelta(minutes=10, seconds=50), Verdict.AC),
        ("ben", timedelta(minutes=10, seconds=20), Verdict.AC),  # the same minute, 30 s earlier
        ("cat", timedelta(minutes=12), Verdict.AC),
    ]
    for name, after, verdict in plan:
        record_and_publish(core, judged(core, submit_at(core, running_contest, people[name], after), verdict))
    forget(core, cid)
    board = http.get(f"/contests/{cid}/leaderboard").json_body
    assert board["first_solves"] == {"A": people["ben"]}
    ann_and_ben = {r["username"]: r["problems"]["A"]["time_minutes"] for r in board["rows"]}
    assert ann_and_ben["ann"] == ann_and_ben["ben"] == 10  # the rows alone cannot tell

    # As it stood 10 min 30 s in: ben's solve only; before it: nobody.
    start = contests.get_contest(core, cid)["start_at"]
    at = (datetime.fromisoformat(start) + timedelta(minutes=10, seconds=30)).isoformat()
    assert http.get(f"/contests/{cid}/leaderboard?at={quote(at)}").json_body["first_solves"] == {
        "A": people["ben"]
    }
    earlier = (datetime.fromisoformat(start) + timedelta(minutes=9)).isoformat()
    assert http.get(f"/contests/{cid}/leaderboard?at={quote(earlier)}").json_body["first_solves"] == {}

    # Frozen from minute 5: the public board shows no first solver, the jury's still does.
    contests.update_contest(
        core, cid, {"freeze_at": (datetime.fromisoformat(start) + timedelta(minutes=5)).isoformat()}
    )
    forget(core, cid)
    assert first_solves(core, cid, "public") == {}
    assert first_solves(core, cid, "jury") == {"A": people["ben"]}


def test_the_answer_is_cached_for_a_moment(core: Core, running_contest: dict[str, Any]) -> None:
    cid = running_contest["id"]
    dan = users.create_user(core, "dan", "password-dan")["id"]
    assert first_solves(core, cid, "public") == {}
    record_and_publish(
        core, judged(core, submit_at(core, running_contest, dan, timedelta(minutes=1)), Verdict.AC)
    )
    assert first_solves(core, cid, "public") == {}  # the cached answer, for at most a second
    assert 0 < core.redis.pttl(keys.first_solves(cid, "public")) <= 1000
    forget(core, cid)
    assert first_solves(core, cid, "public") == {"A": dan}
