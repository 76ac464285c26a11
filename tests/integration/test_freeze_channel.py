"""The frozen public board tells nothing about frozen verdicts (issue 11, finding 2).

A frozen submission shows as pending on the public board; judging it must not move the public
board's version (live, after a rebuild, through `?at=`) nor send a `leaderboard` event on
`contest:<cid>` (the time from "pending" to that event would hint at the verdict), while the
jury board and `jury:<cid>` follow every verdict. A real fan-out runs in a thread behind a
recording `Delivery`; PostgreSQL and Redis are real.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from codearena import boards, freeze, judgements, keys, standings, submissions, users
from codearena.core import Core
from codearena.fanout import Fanout
from codearena.models import Role, Verdict
from codearena.realtime import Connections
from tests.integration.conftest import ONE_TEST, contest_with_problem
from tests.integration.test_standings import judged, record_and_publish, submit

FANOUT_INTERVAL_S = 0.05
QUIET_S = 0.6  # many coalescing intervals: a public event would have gone out by then


class Recorder:
    """A `Delivery` that keeps what each connection was sent."""

    def __init__(self) -> None:
        self.sent: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def send_many(self, connection_ids: list[str], data: bytes) -> list[str]:
        with self._lock:
            for connection_id in connection_ids:
                self.sent.setdefault(connection_id, []).append(json.loads(data))
        return []

    def boards(self, connection_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self.sent.get(connection_id, []) if m["type"] == "leaderboard"]


@pytest.fixture
def recorder(core: Core) -> Iterator[Recorder]:
    """A leading fan-out delivering to `recorder`, with "viewer" (anonymous) on contest:<cid>
    and "judy" (a jury member) on jury:<cid> subscribed by `follow`."""
    delivery = Recorder()
    fanout = Fanout(core, delivery, name="freeze-test", interval=FANOUT_INTERVAL_S)
    stop = threading.Event()
    thread = threading.Thread(target=fanout.run, args=(stop,), daemon=True)
    thread.start()
    until(lambda: fanout.leading)
    yield delivery
    stop.set()
    thread.join(timeout=5)


def follow(core: Core, contest_id: int) -> None:
    jury = users.create_user(core, "judy", "password-judy", Role.JURY)
    token, _ = core.tokens.issue(jury["id"], "judy", Role.JURY)
    registry = Connections(core.redis)
    registry.add("viewer", None)
    registry.subscribe("viewer", f"contest:{contest_id}")
    registry.add("judy", core.tokens.verify(token))
    registry.subscribe("judy", f"jury:{contest_id}")


def until(condition: Callable[[], Any], timeout_s: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.01)
    raise AssertionError("timed out waiting")


def submitted(core: Core, contest: dict[str, Any], user_id: int, minute: int) -> int:
    """A submission as intake makes it: committed with its pending event, then published."""
    sid = submit(core, contest, user_id, minute)
    with core.db.transaction() as cur:
        update = standings.on_submitted(cur, submissions.load(cur, sid))
    assert update is not None
    standings.publish(core, update)
    return sid


def pending_of(event: dict[str, Any]) -> int:
    return int(event["rows"][0]["problems"]["A"]["pending"]) if event["rows"] else -1


def public_version(http: Any, contest_id: int) -> int:
    return int(http.get(f"/contests/{contest_id}/leaderboard").json_body["version"])


def versions(core: Core, http: Any, contest_id: int) -> dict[str, int]:
    """The public board's version everywhere it is told, and the jury's."""
    now = core.clock()
    return {
        "http": public_version(http, contest_id),
        "at": boards.page_at(core, contest_id, "public", now, 0, 10)["version"],
        "jury": boards.page(core, contest_id, "jury", 0, 10)["version"],
        "jury_at": boards.page_at(core, contest_id, "jury", now, 0, 10)["version"],
    }


@pytest.fixture
def frozen(core: Core) -> dict[str, Any]:
    """Running for an hour, frozen ten minutes ago, an hour to go."""
    return contest_with_problem(
        core,
        ONE_TEST,
        start=-timedelta(minutes=60),
        end=timedelta(minutes=60),
        freeze=-timedelta(minutes=10),
        title="Frozen",
    )


@pytest.mark.parametrize("verdict", [Verdict.AC, Verdict.WA])
def test_judging_a_frozen_submission_moves_only_the_jury_board(
    core: Core,
    http: Any,
    admin: dict[str, str],
    recorder: Recorder,
    frozen: dict[str, Any],
    verdict: Verdict,
) -> None:
    cid = frozen["id"]
    follow(core, cid)
    ann = users.create_user(core, "ann", "password-ann")["id"]
    record_and_publish(core, judged(core, submit(core, frozen, ann, 20), Verdict.WA))  # before the freeze
    sid = submitted(core, frozen, ann, 55)  # after: pending on both boards, shown on both topics
    until(lambda: [m for m in recorder.boards("viewer") if pending_of(m) == 1])
    until(lambda: [m for m in recorder.boards("judy") if pending_of(m) == 1])
    time.sleep(QUIET_S)
    last_public = recorder.boards("viewer")[-1]
    heard = {who: len(recorder.boards(who)) for who in ("viewer", "judy")}
    before = versions(core, http, cid)
    public_before = boards.page(core, cid, "public", 0, 10)

    record_and_publish(core, judged(core, sid, verdict))

    jury_event = until(lambda: recorder.boards("judy")[heard["judy"] :])[-1]
    assert jury_event["rows"][0]["problems"]["A"]["pending"] == 0  # the jury sees the verdict
    time.sleep(QUIET_S)
    assert recorder.boards("viewer")[heard["viewer"] :] == [], "the public topic heard of a frozen verdict"
    after = versions(core, http, cid)
    assert after["http"] == after["at"] == before["http"] == before["at"]
    assert after["jury"] > before["jury"] and after["jury_at"] > before["jury_at"]
    assert boards.page(core, cid, "public", 0, 10) == public_before
    http_after = http.get(f"/contests/{cid}/leaderboard").json_body
    assert http_after["live_version"] == last_public["version"]

    standings.rebuild(core, cid)  # from the event log: the same version again
    assert versions(core, http, cid) == after
    assert boards.page(core, cid, "public", 0, 10) == public_before
    # Rebuilt on the first read, as after losing Redis (only this contest's keys).
    core.redis.delete(*core.redis.keys(f"{keys.PREFIX}lb:{cid}:*"))
    assert public_version(http, cid) == before["http"]
    assert http.get(f"/contests/{cid}/leaderboard").json_body["first_solves"] == {}
    jury_firsts = {"A": ann} if verdict is Verdict.AC else {}
    jury = http.get(f"/admin/contests/{cid}/leaderboard", headers=admin).json_body
    assert jury["first_solves"] == jury_firsts


def test_after_unfreeze_the_public_board_shows_every_verdict(
    core: Core, http: Any, recorder: Recorder, frozen: dict[str, Any]
) -> None:
    cid = frozen["id"]
    follow(core, cid)
    ben = users.create_user(core, "ben", "password-ben")["id"]
    sid = submitted(core, frozen, ben, 55)
    record_and_publish(core, judged(core, sid, Verdict.AC))
    until(lambda: recorder.boards("viewer"))
    time.sleep(QUIET_S)
    heard = len(recorder.boards("viewer"))
    before = versions(core, http, cid)
    assert boards.page(core, cid, "public", 0, 10)["rows"][0]["solved"] == 0

    freeze.unfreeze(core, cid)

    revealed = until(lambda: recorder.boards("viewer")[heard:])[-1]
    assert revealed["rows"][0]["solved"] == 1
    public = http.get(f"/contests/{cid}/leaderboard").json_body
    assert public["frozen"] is False and public["rows"][0]["solved"] == 1
    board_url = f"/contests/{cid}/leaderboard"  # first solvers: a cache of a second
    until(lambda: http.get(board_url).json_body["first_solves"] == {"A": ben})
    after = versions(core, http, cid)
    assert after["http"] == after["at"] > before["http"]
    standings.rebuild(core, cid)
    assert versions(core, http, cid) == after


def test_outside_the_freeze_a_verdict_moves_both_boards(
    core: Core, http: Any, recorder: Recorder, running_contest: dict[str, Any]
) -> None:
    cid = running_contest["id"]
    follow(core, cid)
    cat = users.create_user(core, "cat", "password-cat")["id"]
    sid = submitted(core, running_contest, cat, 5)
    until(lambda: recorder.boards("viewer") and recorder.boards("judy"))
    time.sleep(QUIET_S)
    heard = {who: len(recorder.boards(who)) for who in ("viewer", "judy")}
    before = versions(core, http, cid)

    record_and_publish(core, judged(core, sid, Verdict.WA))

    for who in ("viewer", "judy"):
        event = until(lambda who=who: recorder.boards(who)[heard[who] :])[-1]
        assert event["rows"][0]["problems"]["A"] == {
            "attempts": 1,
            "pending": 0,
            "solved": False,
            "time_minutes": None,
            "score": 0.0,
        }, who
    after = versions(core, http, cid)
    assert after["http"] == after["at"] > before["http"]
    assert after["jury"] == after["jury_at"] > before["jury"]
    standings.rebuild(core, cid)
    assert versions(core, http, cid) == after


@pytest.mark.parametrize("seed", range(4))
def test_updates_applied_in_any_order_leave_the_boards_a_rebuild_makes(
    core: Core, frozen: dict[str, Any], seed: int
) -> None:
    # Judge hosts and intake publish after their commits, in whatever order they get to it.
    cid = frozen["id"]
    people = [users.create_user(core, name, "password-" + name)["id"] for name in ("ann", "ben", "cat")]
    updates: list[standings.BoardUpdate] = []
    plan = [(30, Verdict.AC), (20, Verdict.WA), (52, Verdict.WA), (54, Verdict.AC)] * 2  # freeze: 50
    for n, (minute, verdict) in enumerate(plan):
        sid = submit(core, frozen, people[n % 3], minute + n % 3)
        with core.db.transaction() as cur:
            updates.append(standings.on_submitted(cur, submissions.load(cur, sid)))  # type: ignore[arg-type]
        updates.append(judgements.record(core, judged(core, sid, verdict)))  # type: ignore[arg-type]
    assert any(not u.changes("public") for u in updates) and all(u.changes("jury") for u in updates)
    for view in ("jury", "public"):
        core.boards.replace(cid, view, [], 0)
    random.Random(seed).shuffle(updates)
    for update in updates:
        standings.publish(core, update)
    live = {view: boards.page(core, cid, view, 0, 10) for view in ("jury", "public")}
    then = {view: boards.page_at(core, cid, view, core.clock(), 0, 10) for view in ("jury", "public")}
    standings.rebuild(core, cid)
    for view in ("jury", "public"):
        assert boards.page(core, cid, view, 0, 10) == live[view], view
        assert (then[view]["version"], then[view]["rows"]) == (live[view]["version"], live[view]["rows"])
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT max(id) FILTER (WHERE public_repeats IS NULL) AS public, max(id) AS jury"
            " FROM leaderboard_events WHERE contest_id = %s",
            (cid,),
        )
        newest = cur.fetchone()
    assert (live["public"]["version"], live["jury"]["version"]) == (newest["public"], newest["jury"])
    assert newest["public"] < newest["jury"]  # the last event is a frozen verdict
    assert [r["solved"] for r in live["public"]["rows"]] == [1, 1, 0]
    assert [r["solved"] for r in live["jury"]["rows"]] == [1, 1, 0]
