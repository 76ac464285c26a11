"""Unfreezing a contest (DESIGN §5): the public board catches up with the jury board.

Two steps so a judge host recording meanwhile never writes a frozen row after the reveal:
first `unfrozen_at` is committed (every later standing is computed unfrozen), then every
contestant's standing is restated (codearena.standings.restate) and the new state announced."""

from __future__ import annotations

from typing import Any

from codearena import contests, standings
from codearena.core import Core
from codearena.errors import Conflict


def unfreeze(core: Core, contest_id: int) -> dict[str, Any]:
    """Reveal the final board; idempotent (a repeat re-publishes the same rows)."""
    now = core.clock()
    with core.db.transaction() as cur:
        contest = contests.load(cur, contest_id)
        if contest.freeze_at is None:
            raise Conflict(f"contest {contest_id} has no freeze", "contest_not_frozen")
        if now < contest.freeze_at:
            raise Conflict(f"contest {contest_id} is not frozen yet", "contest_not_frozen")
        cur.execute(
            "UPDATE contests SET unfrozen_at = coalesce(unfrozen_at, %s) WHERE id = %s", (now, contest_id)
        )
    rows = standings.restate(core, contest_id)
    with core.db.transaction() as cur:
        contest = contests.load(cur, contest_id)
    state = contests.announce_state(core, contest, core.clock(), again=True)
    return {"contest_id": contest_id, "state": state.value, "rows": rows}
