"""The audit log of jury and admin actions (issue 14 point 4): who did what, when.

routing.py records every successful call of a non-GET route that needs a staff role (a
rejudge, an unfreeze, a contest or clock change, a participant change, a clarification
answer…) once the action has answered, in its own transaction: the row names the declared
route and its path ids, and the contest concerned, from its `cid` or from the submission its
`sid` names. A failed write is logged and does not undo the action, which is committed by then.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from codearena import contests
from codearena import validation as v
from codearena.auth import Principal
from codearena.core import Core
from codearena.db import Cursor, one_row

log = logging.getLogger("codearena.audit")

# The contest an action concerns: its cid, else its submission's; NULL once a contest is gone.
_CONTEST = (
    "SELECT id FROM contests"
    " WHERE id = COALESCE(%(cid)s, (SELECT contest_id FROM submissions WHERE id = %(sid)s))"
)


def record(core: Core, principal: Principal, method: str, route: str, ids: dict[str, str]) -> None:
    """One row for an action that succeeded; never raises (the action is done by now)."""
    _insert(core, principal.user_id, principal.username, principal.role.value, method, route, ids)


def record_cli(core: Core, operator: str, command: str, ids: dict[str, str]) -> None:
    """One row for a jury action taken with the `codearena` CLI, which works on the database
    directly (no account: `operator` is who ran it on the machine, method "CLI")."""
    _insert(core, None, f"cli:{operator}", "admin", "CLI", command, ids)


def _insert(
    core: Core, user_id: int | None, username: str, role: str, method: str, route: str, ids: dict[str, str]
) -> None:
    try:
        with core.db.transaction() as cur:
            cur.execute(
                "INSERT INTO audit_log (user_id, username, role, method, route, ids, contest_id)"
                f" VALUES (%(user)s, %(username)s, %(role)s, %(method)s, %(route)s, %(ids)s, ({_CONTEST}))",
                {
                    "user": user_id,
                    "username": username,
                    "role": role,
                    "method": method,
                    "route": route,
                    "ids": json.dumps(ids),
                    "cid": _id(ids, "cid"),
                    "sid": _id(ids, "sid"),
                },
            )
    except Exception:
        log.exception("audit: recording %s %s by %s failed", method, route, username)


def _id(ids: dict[str, str], name: str) -> int | None:
    value = ids.get(name)
    return int(value) if value is not None and v.is_id(value) else None


def contest_log(core: Core, contest_id: int, offset: int, limit: int) -> dict[str, Any]:
    """The contest's audit rows, newest first, `limit` of them after `offset`."""
    with core.db.transaction() as cur:
        contests.load(cur, contest_id)
        page = _page(cur, "WHERE contest_id = %(contest)s", {"contest": contest_id}, offset, limit)
    return {"contest_id": contest_id, **page}


def full_log(core: Core, offset: int, limit: int) -> dict[str, Any]:
    """Every audit row, newest first: also the actions no contest owns (problems, accounts)."""
    with core.db.transaction() as cur:
        return _page(cur, "", {}, offset, limit)


def _page(cur: Cursor, where: str, args: dict[str, Any], offset: int, limit: int) -> dict[str, Any]:
    cur.execute(f"SELECT count(*) AS n FROM audit_log {where}", args)
    total = int(one_row(cur)["n"])
    cur.execute(
        "SELECT id, user_id, username, role, method, route, ids, contest_id, created_at FROM audit_log"
        f" {where} ORDER BY id DESC OFFSET %(offset)s LIMIT %(limit)s",
        {**args, "offset": offset, "limit": limit},
    )
    entries = [{**row, "created_at": row["created_at"].isoformat()} for row in cur.fetchall()]
    return {"total": total, "offset": offset, "limit": limit, "entries": entries}
