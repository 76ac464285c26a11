"""Who may take part in a contest.

A contest's `registration` is `open` (anyone may submit; registering is optional),
`invite` (only users an organizer invited; they accept by registering) or `approval`
(users ask by registering and an organizer approves or rejects them).
"""

from __future__ import annotations

from typing import Any

from codearena import contests
from codearena import validation as v
from codearena.auth import Principal
from codearena.core import Core
from codearena.db import Cursor
from codearena.errors import Forbidden, NotFound

MODES = ("open", "invite", "approval")
ORGANIZER_STATUSES = ("invited", "approved", "rejected")


def register(core: Core, principal: Principal, contest_id: int) -> dict[str, Any]:
    """A contestant asks to take part; the answer says where that leaves them."""
    with core.db.transaction() as cur:
        contest = contests.load(cur, contest_id)
        now = _status(cur, contest_id, principal.user_id)
        wanted = _after_asking(contest.registration, now)
        if wanted != now:
            _upsert(cur, contest_id, principal.user_id, wanted)
    return _answer(contest, principal.user_id, wanted)


def _after_asking(mode: str, now: str | None) -> str:
    if now in ("approved", "rejected", "pending"):
        return now
    if mode == "open" or now == "invited":
        return "approved"
    if mode == "approval":
        return "pending"
    raise Forbidden("this contest is by invitation only", "invitation_required")


def mine(core: Core, principal: Principal, contest_id: int) -> dict[str, Any]:
    with core.db.transaction() as cur:
        contest = contests.load(cur, contest_id)
        status = _status(cur, contest_id, principal.user_id)
    return _answer(contest, principal.user_id, status)


def set_status(core: Core, contest_id: int, user_id: int, body: Any) -> dict[str, Any]:
    """An organizer invites, approves or rejects a user."""
    status = v.choice(v.body_object(body), "status", ORGANIZER_STATUSES)
    with core.db.transaction() as cur:
        contest = contests.load(cur, contest_id)
        cur.execute("SELECT 1 FROM users WHERE id = %s", (user_id,))
        if cur.fetchone() is None:
            raise NotFound(f"no user {user_id}", "user_not_found")
        _upsert(cur, contest_id, user_id, status)
    return _answer(contest, user_id, status)


def listing(core: Core, contest_id: int) -> dict[str, Any]:
    with core.db.transaction() as cur:
        contest = contests.load(cur, contest_id)
        cur.execute(
            "SELECT p.user_id, u.username, p.status, p.updated_at FROM contest_participants p"
            " JOIN users u ON u.id = p.user_id WHERE p.contest_id = %s ORDER BY p.status, u.username",
            (contest_id,),
        )
        rows = cur.fetchall()
    people = [{**row, "updated_at": row["updated_at"].isoformat()} for row in rows]
    return {"contest_id": contest_id, "registration": contest.registration, "participants": people}


def may_submit(cur: Cursor, contest: contests.Contest, user_id: int) -> None:
    """Raise unless the user may submit to `contest` (in the intake's transaction)."""
    if contest.registration == "open":
        return
    status = _status(cur, contest.id, user_id)
    if status != "approved":
        how = "accept your invitation" if status == "invited" else "register and be approved"
        if contest.registration == "invite" and status is None:
            how = "be invited by the organizers"
        raise Forbidden(f"only registered participants may submit here: {how} first", "not_registered")


def _status(cur: Cursor, contest_id: int, user_id: int) -> str | None:
    cur.execute(
        "SELECT status FROM contest_participants WHERE contest_id = %s AND user_id = %s",
        (contest_id, user_id),
    )
    row = cur.fetchone()
    return str(row["status"]) if row else None


def _upsert(cur: Cursor, contest_id: int, user_id: int, status: str) -> None:
    cur.execute(
        "INSERT INTO contest_participants (contest_id, user_id, status) VALUES (%s, %s, %s)"
        " ON CONFLICT (contest_id, user_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now()",
        (contest_id, user_id, status),
    )


def _answer(contest: contests.Contest, user_id: int, status: str | None) -> dict[str, Any]:
    return {
        "contest_id": contest.id,
        "user_id": user_id,
        "registration": contest.registration,
        "status": status or "none",
    }
