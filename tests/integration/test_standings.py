"""Judgements → standings in PostgreSQL → Redis boards → board pages: idempotent, rebuildable,
ranked with ties (codearena.judgements, standings, leaderboard and boards)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from codearena import boards, judgements, keys, standings, users
from codearena.core import Core
from codearena.judgements import CaseOutcome, Judgement
from codearena.leaderboard import Entry
from codearena.models import Verdict
from tests.conftest import delete_session_keys
from tests.integration.conftest import ONE_TEST, contest_with_problem


def submit(core: Core, contest: dict[str, Any], user_id: int, minute: int) -> int:
    with core.db.transaction() as cur:
        cur.execute("SELECT start_at FROM contests WHERE id = %s", (contest["id"],))
        start = cur.fetchone()["start_at"]
        cur.execute(
            "INSERT INTO submissions (contest_id, problem_id, user_id, language, source, created_at)"
            " VALUES (%s, %s, %s, 'python', 'print(3)', %s) RETURNING id",
            (
                contest["id"],
                contest["problem_id"],
                user_id,
                start + timedelta(minutes=minute, seconds=30),
            ),
        )
        return int(cur.fetchone()["id"])


def judged(core: Core, sid: int, verdict: Verdict) -> Judgement:
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT t.id FROM test_cases t JOIN submissions s ON s.problem_id = t.problem_id"
            " WHERE s.id = %s ORDER BY t.ordinal LIMIT 1",
            (sid,),
        )
        test_id = cur.fetchone()["id"]
    tests = [] if verdict is Verdict.CE else [CaseOutcome(test_id, 1, verdict, 12, 3000)]
    return Judgement(sid, verdict, 1.0 if verdict is Verdict.AC else 0.0, tests, judge_host="test")


def record_and_publish(core: Core, judgement: Judgement) -> None:
    update = judgements.record(core, judgement)
    assert update is not None
    standings.publish(core, update)


@pytest.fixture
def people(core: Core) -> dict[str, int]:
    return {name: users.create_user(core, name, "password-" + name)["id"] for name in ("ann", "ben", "cat")}


def test_icpc_ranks_and_penalties(
    core: Core, running_contest: dict[str, Any], people: dict[str, int]
) -> None:
    cid = running_contest["id"]
    plan = [
        ("ann", 3, Verdict.WA),
        ("ann", 5, Verdict.AC),
        ("ben", 25, Verdict.AC),
        ("cat", 1, Verdict.CE),
        ("cat", 2, Verdict.WA),
    ]
    for name, minute, verdict in plan:
        record_and_publish(core, judged(core, submit(core, running_contest, people[name], minute), verdict))
    page = boards.page(core, cid, "public", 0, 10, username="cat")
    # ann: minute 5 + 20 for one WA = 25, same as ben's 25: equal penalty, last AC earlier wins.
    assert [r["username"] for r in page["rows"]] == ["ann", "ben", "cat"]
    assert [(r["rank"], r["solved"], r["penalty"]) for r in page["rows"]] == [
        (1, 1, 25),
        (2, 1, 25),
        (3, 0, 0),
    ]
    assert page["me"]["rank"] == 3 and page["me"]["problems"]["A"]["attempts"] == 1  # CE is free
    assert page["total"] == 3


def test_equal_rows_share_a_rank(core: Core, running_contest: dict[str, Any], people: dict[str, int]) -> None:
    for name in ("ann", "ben"):
        record_and_publish(core, judged(core, submit(core, running_contest, people[name], 7), Verdict.AC))
    rows = boards.page(core, running_contest["id"], "public", 0, 10)["rows"]
    assert [(r["username"], r["rank"]) for r in rows] == [("ann", 1), ("ben", 1)]


def test_replayed_judgement_changes_nothing(
    core: Core, running_contest: dict[str, Any], people: dict[str, int]
) -> None:
    sid = submit(core, running_contest, people["ann"], 4)
    judgement = judged(core, sid, Verdict.WA)
    record_and_publish(core, judgement)
    before = boards.page(core, running_contest["id"], "jury", 0, 10)
    record_and_publish(core, judgement)  # a duplicate delivery
    record_and_publish(core, judgement)
    assert boards.page(core, running_contest["id"], "jury", 0, 10) == before
    with core.db.transaction() as cur:
        cur.execute("SELECT count(*) AS n FROM submission_results WHERE submission_id = %s", (sid,))
        assert cur.fetchone()["n"] == 1
        cur.execute("SELECT count(*) AS n FROM leaderboard_events WHERE submission_id = %s", (sid,))
        assert cur.fetchone()["n"] == 1


def test_board_is_rebuilt_from_events_after_redis_loss(
    core: Core, running_contest: dict[str, Any], people: dict[str, int]
) -> None:
    cid = running_contest["id"]
    for name, minute, verdict in [
        ("ann", 1, Verdict.WA),
        ("ben", 2, Verdict.AC),
        ("ann", 9, Verdict.AC),
    ]:
        record_and_publish(core, judged(core, submit(core, running_contest, people[name], minute), verdict))
    live = boards.page(core, cid, "jury", 0, 10)
    delete_session_keys(core.redis)  # Redis lost its data
    assert core.boards.view(cid, "jury", 0, 10) is None
    assert boards.page(core, cid, "jury", 0, 10) == live  # rebuilt on first read
    delete_session_keys(core.redis)
    assert standings.rebuild(core, cid) == 2
    assert boards.page(core, cid, "jury", 0, 10) == live


def test_freeze_hides_verdicts_from_the_public_board(core: Core, people: dict[str, int]) -> None:
    ctx = contest_with_problem(
        core,
        ONE_TEST,
        start=-timedelta(minutes=60),
        end=timedelta(minutes=60),
        freeze=-timedelta(minutes=10),
        title="Frozen",
    )
    record_and_publish(core, judged(core, submit(core, ctx, people["ann"], 20), Verdict.AC))  # before
    record_and_publish(core, judged(core, submit(core, ctx, people["ben"], 55), Verdict.AC))  # after
    public = boards.page(core, ctx["id"], "public", 0, 10)
    jury = boards.page(core, ctx["id"], "jury", 0, 10)
    assert public["frozen"] is True and jury["frozen"] is False
    cells = {r["username"]: r["problems"]["A"] for r in public["rows"]}
    assert cells["ann"]["solved"] is True
    assert cells["ben"] == {
        "attempts": 0,
        "pending": 1,
        "solved": False,
        "time_minutes": None,
        "score": 0.0,
    }
    assert [r["solved"] for r in jury["rows"]] == [1, 1]


def test_time_travel_answers_the_board_as_it_stood(
    core: Core, running_contest: dict[str, Any], people: dict[str, int]
) -> None:
    record_and_publish(core, judged(core, submit(core, running_contest, people["ann"], 1), Verdict.AC))
    moment = core.clock()
    record_and_publish(core, judged(core, submit(core, running_contest, people["ben"], 2), Verdict.AC))
    then = boards.page_at(core, running_contest["id"], "public", moment, 0, 10)
    assert [r["username"] for r in then["rows"]] == ["ann"]
    now = boards.page_at(core, running_contest["id"], "public", core.clock(), 0, 10)
    assert [r["username"] for r in now["rows"]] == ["ann", "ben"]


def test_time_travel_to_now_pages_exactly_as_the_live_board(
    core: Core, running_contest: dict[str, Any]
) -> None:
    # Names that sort differently by locale and by byte, and keys with ties: both boards must
    # agree on every page, including one past the end.
    names = ["Zed", "alice", "_xy", "a.b", "Bob", "bobby", "z-1", "Ann", "carl", "D_d", "eve", "Fay"]
    cid = running_contest["id"]
    with core.db.transaction() as cur:
        for n, name in enumerate(names):
            user = users.create_user(core, name, "password-" + name)
            key = float(-(n % 3))  # three groups of tied contestants
            row = {
                "user_id": user["id"],
                "username": name,
                "solved": n % 3,
                "score": n % 3,
                "penalty": 0,
                "problems": {},
                "rank_key": key,
            }
            cur.execute(
                "INSERT INTO leaderboard_events (contest_id, user_id, jury_row, public_row)"
                " VALUES (%s, %s, %s, %s)",
                (cid, user["id"], json.dumps(row), json.dumps(row)),
            )
    standings.rebuild(core, cid)
    for offset, limit in [(0, 100), (0, 5), (5, 5), (10, 5), (12, 5), (40, 3)]:
        live = boards.page(core, cid, "public", offset, limit)
        then = boards.page_at(core, cid, "public", core.clock(), offset, limit)
        assert [(r["rank"], r["username"]) for r in then["rows"]] == [
            (r["rank"], r["username"]) for r in live["rows"]
        ], (offset, limit)
        assert then["total"] == live["total"] == len(names) and then["version"] == live["version"]
    assert [r["rank"] for r in boards.page_at(core, cid, "jury", core.clock(), 0, 12)["rows"]] == [1] * 4 + [
        5
    ] * 4 + [9] * 4


def test_changing_the_rules_restates_every_board(
    http: Any, core: Core, admin: dict[str, str], running_contest: dict[str, Any], people: dict[str, int]
) -> None:
    cid = running_contest["id"]
    for name, minute, verdict in [("ann", 3, Verdict.WA), ("ann", 5, Verdict.AC), ("ben", 4, Verdict.AC)]:
        record_and_publish(core, judged(core, submit(core, running_contest, people[name], minute), verdict))

    def penalties(rows: list[dict[str, Any]]) -> dict[str, int]:
        return {row["username"]: row["penalty"] for row in rows}

    assert penalties(boards.page(core, cid, "jury", 0, 10)["rows"]) == {"ann": 25, "ben": 4}
    answer = http.patch(f"/admin/contests/{cid}", headers=admin, body=json.dumps({"penalty_minutes": 0}))
    assert answer.status_code == 200, answer.body
    expected = {"ann": 5, "ben": 4}
    for view in ("jury", "public"):
        assert penalties(boards.page(core, cid, view, 0, 10)["rows"]) == expected, view
    standings.rebuild(core, cid)  # the restated rows are events: a rebuild keeps them
    assert penalties(boards.page(core, cid, "public", 0, 10)["rows"]) == expected
    assert penalties(boards.page_at(core, cid, "public", core.clock(), 0, 10)["rows"]) == expected
    assert [r["username"] for r in boards.page(core, cid, "public", 0, 10)["rows"]] == ["ben", "ann"]
    # A title change alone restates nothing.
    before = boards.page(core, cid, "jury", 0, 10)["version"]
    assert (
        http.patch(f"/admin/contests/{cid}", headers=admin, body=json.dumps({"title": "T"})).status_code
        == 200
    )
    assert boards.page(core, cid, "jury", 0, 10)["version"] == before


def test_stale_event_never_overwrites_a_newer_row(core: Core) -> None:
    core.boards.replace(99, "jury", [], 0)
    newer = Entry(5, "ann", -1.0, {"username": "ann", "v": "new"})
    older = Entry(3, "ann", -2.0, {"username": "ann", "v": "old"})
    assert core.boards.apply(99, "jury", newer) == 1
    assert core.boards.apply(99, "jury", older) == 0
    assert core.boards.row_of(99, "jury", "ann")["v"] == "new"
    assert core.boards.view(99, "jury", 0, 10)["version"] == 5
    assert core.boards.apply(98, "jury", older) == -1  # no board yet: the reader rebuilds it


def test_a_rebuild_never_rolls_back_a_row_applied_after_its_read(core: Core) -> None:
    """A judge host applies a row between a rebuild's read and its swap (or two rebuilds swap
    in either order, chaos after a Redis flush): the newest row of each contestant stays."""
    read = [
        Entry(3, "ann", -2.0, {"username": "ann", "v": "read"}),
        Entry(4, "bob", -1.0, {"username": "bob"}),
    ]
    core.boards.replace(97, "jury", [Entry(2, "ann", -3.0, {"username": "ann", "v": "first"})], 2)
    assert core.boards.apply(97, "jury", Entry(6, "ann", -5.0, {"username": "ann", "v": "late"})) == 1
    assert core.boards.apply(97, "jury", Entry(5, "cy", 4.0, {"username": "cy"})) == 1
    core.boards.replace(97, "jury", read, 4)  # the older read swaps in last
    shown = core.boards.view(97, "jury", 0, 10)
    assert [(r["username"], r["rank"], r.get("v")) for r in shown["rows"]] == [
        ("ann", 1, "late"),
        ("bob", 2, None),
        ("cy", 3, None),
    ]
    assert (shown["version"], shown["total"]) == (6, 3)
    assert core.boards.apply(97, "jury", Entry(6, "ann", 9.0, {"username": "ann"})) == 0  # replay
    core.boards.replace(97, "jury", [], 0)  # nothing read: the live rows stay as they are
    assert [r["username"] for r in core.boards.view(97, "jury", 0, 10)["rows"]] == ["ann", "bob", "cy"]


def test_reads_agree_on_ranks_with_ties_offsets_and_moves(core: Core) -> None:
    keys = [-3.0, -2.5, -2.5, -2.5, 1e16, 7.25, -0.0]
    entries = [Entry(n + 1, f"u{n}", key, {"username": f"u{n}"}) for n, key in enumerate(keys)]
    core.boards.replace(7, "jury", entries[:-1], 6)
    assert core.boards.apply(7, "jury", entries[-1]) == 1
    expected = [("u0", 1), ("u1", 2), ("u2", 2), ("u3", 2), ("u6", 5), ("u5", 6), ("u4", 7)]
    rows = core.boards.view(7, "jury", 0, 10)["rows"]
    assert [(r["username"], r["rank"]) for r in rows] == expected
    assert [(r["username"], r["rank"]) for r in core.boards.view(7, "jury", 2, 3)["rows"]] == expected[2:5]
    top, rank = core.boards.top_and_rank(7, "jury", 3, "u3")
    assert top == [("u0", -3.0), ("u1", -2.5), ("u2", -2.5)] and rank == 2
    assert core.boards.top_and_rank(7, "jury", 10, "")[0][4:] == [("u6", 0.0), ("u5", 7.25), ("u4", 1e16)]
    shown = core.boards.view(7, "jury", 1, 2, "u4")
    assert shown is not None and (shown["version"], shown["total"]) == (7, 7)
    assert [r["rank"] for r in shown["rows"]] == [2, 2] and shown["me"]["rank"] == 7
    assert core.boards.top_and_rank(7, "jury", 2, "nobody")[1] is None
    assert core.boards.view(7, "jury", 0, 1, "nobody")["me"] is None
    assert core.boards.apply(7, "jury", Entry(9, "u4", -9.0, {"username": "u4"})) == 1  # moves
    assert core.boards.top_and_rank(7, "jury", 1, "u4") == ([("u4", -9.0)], 1)
    shown = core.boards.view(7, "jury", 0, 1, "u0")
    assert shown["total"] == 7 and shown["me"]["rank"] == 2


def test_a_board_in_the_old_layout_is_rebuilt_and_its_keys_dropped(core: Core) -> None:
    old_board, old_version = keys.legacy_board(8, "jury")
    core.redis.zadd(old_board, {"ann": -1.0})
    core.redis.set(old_version, 3)
    assert core.boards.view(8, "jury", 0, 10) is None  # no board: the reader rebuilds it
    assert core.boards.top_and_rank(8, "jury", 10, "ann") == ([], None)
    assert core.boards.apply(8, "jury", Entry(4, "ann", -1.0, {"username": "ann"})) == -1
    core.boards.replace(8, "jury", [Entry(4, "ann", -1.0, {"username": "ann"})], 4)
    assert not core.redis.exists(old_board, old_version)
    assert core.boards.view(8, "jury", 0, 10, "ann")["me"]["rank"] == 1
