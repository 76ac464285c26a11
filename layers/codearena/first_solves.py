"""Who solved each problem first: the leaderboard's first-to-solve mark.

A board row knows only its own cells (to the minute), so the first solver of a problem is read
from PostgreSQL: the earliest current AC submitted before the end — and, on a frozen public
board, before the freeze. Every viewer re-reads the board after a change of ranks, so the answer
is cached in Redis for a second. `board_page` is the live board with the mark, as the
leaderboard routes answer it (time_travel.board_at adds it to a past board).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from codearena import boards, contests, keys
from codearena.core import Core

CACHE_SECONDS = 1


def first_solves(core: Core, contest_id: int, view: str, at: datetime | None = None) -> dict[str, int]:
    """Problem label → user id of its first solver, on the board `view` (as it stood `at`)."""
    key = keys.first_solves(contest_id, view)
    if at is None and (cached := core.redis.get(key)) is not None:
        return dict(json.loads(cached))
    with core.db.transaction() as cur:
        contest = contests.load(cur, contest_id)
        cutoff = contest.end_at
        if view == "public" and contest.freeze_at is not None and not contest.unfrozen_at:
            cutoff = min(cutoff, contest.freeze_at)
        if at is not None:
            cutoff = min(cutoff, at)
        cur.execute(
            "SELECT DISTINCT ON (cp.label) cp.label, s.user_id FROM submissions s"
            " JOIN contest_problems cp ON cp.contest_id = s.contest_id AND cp.problem_id = s.problem_id"
            " JOIN submission_results r ON r.submission_id = s.id AND r.is_current AND r.verdict = 'AC'"
            " WHERE s.contest_id = %s AND s.created_at < %s"
            " ORDER BY cp.label, s.created_at, s.id",
            (contest_id, cutoff),
        )
        firsts = {row["label"]: int(row["user_id"]) for row in cur.fetchall()}
    if at is None:
        core.redis.set(key, json.dumps(firsts), ex=CACHE_SECONDS)
    return firsts


def board_page(
    core: Core, contest_id: int, view: str, offset: int, limit: int, username: str | None = None
) -> dict[str, Any]:
    """A page of the live board `view` (boards.page: with `username`'s own row) and each
    problem's first solver."""
    page = boards.page(core, contest_id, view, offset, limit, username)
    return {**page, "first_solves": first_solves(core, contest_id, view)}
