"""GET …/leaderboard?at= shared fairly (issue 11): a caller runs one query at a time and a few
a minute, everyone two at a time, and the same question asked again is answered from Redis."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg2
import pytest

from codearena import keys, time_travel
from codearena.core import Core
from tests.integration.conftest import login

AT = "2030-01-01T00:00:00Z"


def board_at(contest_id: int, offset: int = 0, at: str = AT) -> str:
    return f"/contests/{contest_id}/leaderboard?at={at}&offset={offset}"


def refused(answer: Any, code: str) -> str:
    assert answer.status_code == 429, answer.body
    error = answer.json_body["error"]
    assert error["code"] == code and "try again in" in error["message"], error
    return str(error["message"])


@contextmanager
def events_locked(database_url: str) -> Iterator[Callable[[], None]]:
    """Every query of leaderboard_events waits until the returned `release` is called."""
    conn = psycopg2.connect(database_url)
    cur = conn.cursor()
    cur.execute("LOCK TABLE leaderboard_events IN ACCESS EXCLUSIVE MODE")
    try:
        yield conn.rollback
    finally:
        conn.rollback()
        conn.close()


def in_background(request: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    answers: list[Any] = []
    thread = threading.Thread(target=lambda: answers.append(request()), daemon=True)
    thread.start()
    return thread, answers


def user_id(core: Core, username: str) -> int:
    with core.db.transaction() as cur:
        cur.execute("SELECT id FROM users WHERE username = %s", (username,))
        return int(cur.fetchone()["id"])


def until(condition: Callable[[], Any], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def test_one_caller_cannot_take_both_slots_while_another_still_gets_an_answer(
    http: Any, core: Core, running_contest: dict[str, Any], database_url: str
) -> None:
    cid = running_contest["id"]
    ann = login(core, "ann")
    with events_locked(database_url) as release:
        # An anonymous caller's first query runs (held up by the lock) ...
        first, first_answer = in_background(lambda: http.get(board_at(cid)))
        until(lambda: core.redis.zcard(keys.TIME_TRAVEL_BUSY) == 1)
        threading.Timer(1.5, release).start()  # bounds the wait if the next query is let in
        # ... so their second is refused at once, however many slots are free,
        refused(http.get(board_at(cid, offset=1)), "busy")
        # while someone else takes the second slot and gets an answer once the lock goes.
        assert http.get(board_at(cid, offset=2), headers=ann).status_code == 200
        first.join(timeout=10)
    assert first_answer[0].status_code == 200
    assert core.redis.zcard(keys.TIME_TRAVEL_BUSY) == 0  # every slot given back
    assert http.get(board_at(cid, offset=1)).status_code == 200  # their turn again


def test_two_run_at_a_time_across_all_callers_and_a_dead_holder_expires(
    http: Any, core: Core, running_contest: dict[str, Any]
) -> None:
    cid = running_contest["id"]
    now = time.time()
    core.redis.zadd(keys.TIME_TRAVEL_BUSY, {"dead-process": now - 120})  # held past a minute
    assert http.get(board_at(cid, offset=0)).status_code == 200
    core.redis.zadd(keys.TIME_TRAVEL_BUSY, {"one": now, "two": now})  # two running right now
    refused(http.get(board_at(cid, offset=1)), "busy")
    refused(http.get(board_at(cid, offset=1), headers=login(core, "ann")), "busy")
    core.redis.zrem(keys.TIME_TRAVEL_BUSY, "one")
    assert http.get(board_at(cid, offset=1)).status_code == 200
    assert core.redis.zrange(keys.TIME_TRAVEL_BUSY, 0, -1) == ["two"]


def test_a_caller_starts_a_few_a_minute_counted_by_user_or_address(
    http: Any, core: Core, running_contest: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(time_travel, "PER_MINUTE", 3)
    cid = running_contest["id"]
    ann = login(core, "ann")
    for offset in range(3):
        assert http.get(board_at(cid, offset), headers=ann).status_code == 200
    message = refused(http.get(board_at(cid, offset=3), headers=ann), "rate_limited")
    wait_s = int(message.rsplit("try again in ", 1)[1].split()[0])
    assert 30 <= wait_s <= 60  # a minute after the first of the three
    assert http.get(board_at(cid, offset=3)).status_code == 200  # anonymous: another caller
    assert http.get(board_at(cid, offset=3), headers=login(core, "ben")).status_code == 200
    assert http.get(board_at(cid, offset=0), headers=ann).status_code == 200  # answered: cached
    # A minute later the oldest start no longer counts.
    starts = keys.time_travel_rate(f"user:{user_id(core, 'ann')}")
    oldest = core.redis.zrange(starts, 0, 0)
    core.redis.zadd(starts, {oldest[0]: time.time() - 61})
    assert http.get(board_at(cid, offset=3), headers=ann).status_code == 200


def test_the_same_question_is_answered_from_the_cache_at_no_cost(
    http: Any, core: Core, running_contest: dict[str, Any]
) -> None:
    cid = running_contest["id"]
    first = http.get(board_at(cid, at="2030-01-01T00:00:00.100Z"))
    assert first.status_code == 200 and first.json_body["at"] == "2030-01-01T00:00:00+00:00"
    now = time.time()
    core.redis.zadd(keys.TIME_TRAVEL_BUSY, {"one": now, "two": now})  # no slot free
    for at in ("2030-01-01T00:00:00.900Z", "2030-01-01T01:00:00%2B01:00"):  # the same second
        again = http.get(board_at(cid, at=at))
        assert again.status_code == 200 and again.json_body == first.json_body
    refused(http.get(board_at(cid, offset=1)), "busy")  # another question: no slot
    refused(http.get(f"/contests/{cid}/leaderboard?at={AT}&limit=5"), "busy")
    assert 0 < core.redis.pttl(keys.time_travel_answer(cid, "public", 1893456000, 0, 100)) <= 5000
