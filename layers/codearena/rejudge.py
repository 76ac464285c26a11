"""Rejudging (DESIGN §8 admin routes): a submission, or every submission of a problem in a
contest, is judged again. The new judgement gets a higher number and becomes current when it
lands; the old results stay for audit; boards follow through new leaderboard events.

A submission imported from a contest package has no source: it keeps its recorded judgement
(a problem's rejudge passes it by; its own rejudge is refused)."""

from __future__ import annotations

from typing import Any

import redis

from codearena import contests, jury_feed, submissions
from codearena.core import Core
from codearena.db import Cursor
from codearena.errors import Conflict, NotFound, ServiceUnavailable
from codearena.models import SubmissionStatus

# A submission not started yet keeps its number (its judging will read the current data);
# one judged or being judged asks for the next number.
_QUEUED = SubmissionStatus.QUEUED.value
_BUMP = (
    f"UPDATE submissions SET status = '{_QUEUED}', deliveries = 0, last_error = '',"
    f" judgement = CASE WHEN status = '{_QUEUED}' THEN judgement ELSE judgement + 1 END"
)


def rejudge_submission(core: Core, submission_id: int) -> dict[str, Any]:
    with core.db.transaction() as cur:
        cur.execute(_BUMP + " WHERE id = %s AND NOT imported RETURNING id", (submission_id,))
        bumped = cur.fetchone() is not None
        submission = submissions.load(cur, submission_id)  # NotFound (nothing was bumped)
    if not bumped:
        raise Conflict(
            f"submission {submission_id} was imported from a contest package: it has no source to judge",
            "submission_imported",
        )
    _enqueue(core, [submission.id])
    jury_feed.announce(core, submission.contest_id, submission.id, _QUEUED)
    return {"id": submission.id, "judgement": submission.judgement, "status": submission.status.value}


def rejudge_problem(core: Core, contest_id: int, problem_id: int) -> dict[str, Any]:
    with core.db.transaction() as cur:
        _require_problem(cur, contest_id, problem_id)
        cur.execute(
            _BUMP + " WHERE contest_id = %s AND problem_id = %s AND NOT imported RETURNING id, contest_id",
            (contest_id, problem_id),
        )
        bumped = _bumped(cur)
    queue(core, bumped)
    return {"contest_id": contest_id, "problem_id": problem_id, "submissions": len(bumped)}


def bump_judged(cur: Cursor, problem_id: int) -> list[tuple[int, int]]:
    """Every submission of the problem, in any contest, judged or being judged under limits
    that have changed since (a time limit derived after the import), set to be judged again;
    each one's (submission id, contest id), for `queue` after the commit."""
    cur.execute(
        _BUMP + " WHERE problem_id = %s AND status <> %s AND NOT imported RETURNING id, contest_id",
        (problem_id, _QUEUED),
    )
    return _bumped(cur)


def _bumped(cur: Cursor) -> list[tuple[int, int]]:
    return sorted((int(row["id"]), int(row["contest_id"])) for row in cur.fetchall())


def queue(core: Core, bumped: list[tuple[int, int]]) -> None:
    """Queue the submissions (submission id, contest id) a committed bump set to be judged
    again, and show each one queued to its contest's jury."""
    _enqueue(core, [submission_id for submission_id, _ in bumped])
    for submission_id, contest_id in bumped:
        jury_feed.announce(core, contest_id, submission_id, _QUEUED)


def _require_problem(cur: Cursor, contest_id: int, problem_id: int) -> None:
    contests.load(cur, contest_id)
    cur.execute(
        "SELECT 1 FROM contest_problems WHERE contest_id = %s AND problem_id = %s",
        (contest_id, problem_id),
    )
    if cur.fetchone() is None:
        raise NotFound(f"contest {contest_id} has no problem {problem_id}", "problem_not_found")


def _enqueue(core: Core, submission_ids: list[int]) -> None:
    """The rows are committed as queued: if Redis fails here the sweeper enqueues them."""
    try:
        for submission_id in submission_ids:
            core.queue.enqueue(submission_id)
    except redis.RedisError as exc:
        raise ServiceUnavailable("the queue is unavailable; the rejudge starts shortly") from exc
