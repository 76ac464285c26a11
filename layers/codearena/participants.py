"""Who may take part in a contest.

A contest's `registration` is `open` (anyone may submit; registering is optional),
`invite` (only users an organizer invited; they accept by registering) or `approval`
(users ask by registering and an organizer approves or rejects them).

A participant is a team on the roster: a display name, an organization, members (names) and a
category (participant: ranked; observer: on the jury board only; hidden: on no board). Once
approved, a participant is on the boards from then on, with nothing solved yet.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg2.errors

from codearena import contests, standings
from codearena import validation as v
from codearena.auth import Principal
from codearena.core import Core
from codearena.db import Cursor, one_row
from codearena.errors import BadRequest, Conflict, Forbidden, NotFound
from codearena.models import Role

MODES = ("open", "invite", "approval")
ORGANIZER_STATUSES = ("invited", "approved", "rejected")
CATEGORIES = ("participant", "observer", "hidden")
_MAX_MEMBERS = 20
_EXTERNAL_ID = re.compile(r"[A-Za-z0-9_.-]{1,36}", re.ASCII)
STAFF_ROLES = (Role.ADMIN, Role.JURY)
_ROSTER = ("display_name", "organization_id", "category", "external_id", "members")


def register(core: Core, principal: Principal, contest_id: int) -> dict[str, Any]:
    """A contestant asks to take part; the answer says where that leaves them."""
    with core.db.transaction() as cur:
        contest = contests.load_visible(cur, contest_id, principal.role in STAFF_ROLES)
        now = _status(cur, contest_id, principal.user_id)
        wanted = _after_asking(contest.registration, now)
        update = None
        if wanted != now:
            _upsert(cur, contest_id, principal.user_id, wanted)
            update = _on_board(cur, contest_id, principal.user_id, wanted)
    if update is not None:
        standings.publish(core, update)
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
        contest = contests.load_visible(cur, contest_id, principal.role in STAFF_ROLES)
        status = _status(cur, contest_id, principal.user_id)
    return _answer(contest, principal.user_id, status)


def set_status(core: Core, contest_id: int, user_id: int, body: Any) -> dict[str, Any]:
    """An organizer invites, approves or rejects a user, and sets the roster fields given
    (display_name, organization_id, category, external_id, members); a user new to the roster
    needs a status. An approved participant's board row follows at once; a category takes the
    row off the boards it leaves them out of."""
    body = v.body_object(body)
    roster = _roster_fields(body)
    status = v.choice(body, "status", ORGANIZER_STATUSES) if "status" in body else None
    try:
        with core.db.transaction() as cur:
            contest = contests.load(cur, contest_id)
            cur.execute("SELECT 1 FROM users WHERE id = %s", (user_id,))
            if cur.fetchone() is None:
                raise NotFound(f"no user {user_id}", "user_not_found")
            before = _roster_row(cur, contest_id, user_id)
            status = status or (before["status"] if before else None)
            if status is None:
                raise BadRequest("'status' is required for a user not on the roster yet", "invalid_field")
            _check_organization(cur, roster.get("organization_id"))
            _upsert(cur, contest_id, user_id, status)
            _set_roster(cur, contest_id, user_id, roster)
            update = _on_board(cur, contest_id, user_id, status)
            entry = _roster_row(cur, contest_id, user_id)
    except psycopg2.errors.UniqueViolation as exc:
        raise Conflict(
            f"another participant has the external id {roster.get('external_id')}", "duplicate"
        ) from exc
    if update is not None:
        standings.publish(core, update)
    if "category" in roster:
        standings.leave_boards(core, contest_id, user_id, roster["category"])
    return {**_answer(contest, user_id, status), **_roster_json(entry)}


def _roster_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The roster fields `body` gives, validated (null clears an optional one)."""
    fields: dict[str, Any] = {}
    if "display_name" in body:
        fields["display_name"] = v.string(body, "display_name", max_len=200, required=False) or None
    if "organization_id" in body:
        given = body["organization_id"] is not None
        fields["organization_id"] = v.integer(body, "organization_id", low=1, high=2**62) if given else None
    if "category" in body:
        fields["category"] = v.choice(body, "category", CATEGORIES)
    if "external_id" in body:
        external = v.string(body, "external_id", max_len=36, required=False) or None
        if external is not None and not _EXTERNAL_ID.fullmatch(external):
            raise BadRequest("'external_id' may hold letters, digits, '_', '.' and '-'", "invalid_field")
        fields["external_id"] = external
    if "members" in body:
        fields["members"] = _members(body["members"])
    return fields


def _members(raw: Any) -> list[str]:
    if not isinstance(raw, list) or len(raw) > _MAX_MEMBERS:
        raise BadRequest(f"'members' must be a list of at most {_MAX_MEMBERS} names", "invalid_field")
    names = []
    for name in raw:
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 200:
            raise BadRequest("each member must be a name of 1 to 200 characters", "invalid_field")
        names.append(v.text(name.strip(), "members"))
    return names


def _check_organization(cur: Cursor, organization_id: int | None) -> None:
    if organization_id is None:
        return
    cur.execute("SELECT 1 FROM organizations WHERE id = %s", (organization_id,))
    if cur.fetchone() is None:
        raise NotFound(f"no organization {organization_id}", "organization_not_found")


def _set_roster(cur: Cursor, contest_id: int, user_id: int, fields: dict[str, Any]) -> None:
    for name, value in fields.items():  # names from _roster_fields: a fixed set (_ROSTER)
        cur.execute(
            f"UPDATE contest_participants SET {name} = %s, updated_at = now()"
            " WHERE contest_id = %s AND user_id = %s",
            (value, contest_id, user_id),
        )


def _on_board(cur: Cursor, contest_id: int, user_id: int, status: str) -> standings.BoardUpdate | None:
    """An approved participant's standing, computed again (so the board shows them, with
    nothing solved until they solve something); None for anyone else or a hidden one."""
    if status != "approved":
        return None
    cur.execute("SELECT username FROM users WHERE id = %s", (user_id,))
    username = str(one_row(cur)["username"])
    standings.lock_standing(cur, contest_id, user_id)
    return standings.refresh(cur, standings.Contestant(contest_id, user_id, username))


def _roster_row(cur: Cursor, contest_id: int, user_id: int) -> dict[str, Any] | None:
    cur.execute(
        "SELECT status, display_name, organization_id, category, external_id, members"
        " FROM contest_participants WHERE contest_id = %s AND user_id = %s",
        (contest_id, user_id),
    )
    row = cur.fetchone()
    return dict(row) if row else None


def _roster_json(row: dict[str, Any] | None) -> dict[str, Any]:
    return {name: (row or {}).get(name) for name in _ROSTER} | {"members": (row or {}).get("members") or []}


def listing(core: Core, contest_id: int) -> dict[str, Any]:
    with core.db.transaction() as cur:
        contest = contests.load(cur, contest_id)
        cur.execute(
            "SELECT p.user_id, u.username, p.status, p.updated_at, p.display_name, p.organization_id,"
            " p.category, p.external_id, p.members FROM contest_participants p"
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
