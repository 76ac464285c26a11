"""Unfreezing a contest (DESIGN §5): the public board catches up with the jury board.

Two steps so a judge host recording meanwhile never writes a frozen row after the reveal:
first `unfrozen_at` is committed (every later standing is computed unfrozen), then each
contestant's standing is recomputed under its lock and appended as a new event."""

from __future__ import annotations

from typing import Any

from codearena import contests, standings
from codearena.core import Core
from codearena.errors import Conflict
from codearena.events import contest_topic, jury_topic

_BATCH = 500  # contestants per transaction (each holds its advisory lock until commit)


def unfreeze(core: Core, contest_id: int) -> dict[str, Any]:
    """Reveal the final board; idempotent (a repeat re-publishes the same rows)."""
    now = core.clock()
    with core.db.transaction() as cur:
        contest = contests.load(cur, contest_id)
        if contest["freeze_at"] is None:
            raise Conflict(f"contest {contest_id} has no freeze", "contest_not_frozen")
        if now < contest["freeze_at"]:
            raise Conflict(f"contest {contest_id} is not frozen yet", "contest_not_frozen")
        cur.execute(
            "UPDATE contests SET unfrozen_at = coalesce(unfrozen_at, %s) WHERE id = %s", (now, contest_id)
        )
        cur.execute(
            "SELECT DISTINCT s.user_id, u.username FROM submissions s JOIN users u ON u.id = s.user_id"
            " WHERE s.contest_id = %s AND s.created_at < %s ORDER BY s.user_id",
            (contest_id, contest["end_at"]),
        )
        people = [dict(row) for row in cur.fetchall()]
    for start in range(0, len(people), _BATCH):
        _republish(core, contest_id, people[start : start + _BATCH])
    state = _announce(core, contest_id)
    return {"contest_id": contest_id, "state": state, "rows": len(people)}


def _republish(core: Core, contest_id: int, people: list[dict[str, Any]]) -> None:
    updates = []
    with core.db.transaction() as cur:
        contest = contests.load(cur, contest_id)
        for person in people:
            standings.lock_standing(cur, contest_id, person["user_id"])
            update = standings.refresh(cur, contest, person)
            if update is not None:
                updates.append(update)
    for update in updates:
        standings.publish(core, update)


def _announce(core: Core, contest_id: int) -> str:
    with core.db.transaction() as cur:
        contest = contests.load(cur, contest_id)
    state = contests.state_at(contest, core.clock()).value
    for topic in (contest_topic(contest_id), jury_topic(contest_id)):
        core.events.publish(topic, "contest_state", contest_id=contest_id, state=state)
    return state
