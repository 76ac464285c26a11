"""The contest clock as organizers move it: start now, end now, extend.

Each move is a change of the contest's times through contests.change_contest (so its checks
hold and the boards are restated), refused when the contest's state does not allow it: only a
scheduled contest starts now, only a running one ends now, an ended one is not extended.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from codearena import contests
from codearena import validation as v
from codearena.core import Core
from codearena.errors import Conflict
from codearena.models import ContestState

ACTIONS = ("start_now", "end_now", "extend")
_MAX_EXTENSION_MINUTES = 7 * 24 * 60


def move(core: Core, contest_id: int, body: Any) -> dict[str, Any]:
    """Apply `body` {"action": ACTIONS, "minutes": for extend}; returns the contest."""
    body = v.body_object(body)
    with core.db.transaction() as cur:
        contest = contests.load(cur, contest_id)  # an unknown contest is 404 whatever the body
    action = v.choice(body, "action", ACTIONS)
    minutes = v.integer(body, "minutes", low=1, high=_MAX_EXTENSION_MINUTES) if action == "extend" else 0
    now = core.clock()
    times = _new_times(contest, contest.state_at(now), now, action, minutes)
    change = {name: moment.isoformat() if moment else None for name, moment in times.items()}
    return contests.change_contest(core, contest_id, change)


def _new_times(
    contest: contests.Contest, state: ContestState, now: datetime, action: str, minutes: int
) -> dict[str, datetime | None]:
    if action == "start_now":
        if state != ContestState.SCHEDULED:
            raise Conflict("the contest has already started", "contest_started")
        return {"start_at": now}
    running = state in (ContestState.RUNNING, ContestState.FROZEN)
    if action == "end_now":
        if not running:
            raise Conflict("only a running contest can end now", "contest_not_running")
        # A freeze still to come starts now: the board stays frozen until the organizers reveal it.
        freeze_at = contest.freeze_at if contest.freeze_at is None else min(contest.freeze_at, now)
        return {"end_at": now, "freeze_at": freeze_at}
    if not (running or state == ContestState.SCHEDULED):
        raise Conflict("the contest is over; it cannot be extended", "contest_over")
    extra = timedelta(minutes=minutes)
    # A freeze still to come moves with the end (the last hour stays frozen); one begun stays.
    freeze_at = contest.freeze_at
    if freeze_at is not None and freeze_at > now:
        freeze_at += extra
    return {"end_at": contest.end_at + extra, "freeze_at": freeze_at}
