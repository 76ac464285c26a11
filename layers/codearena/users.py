"""Accounts: registration, login and logout, passwords, roles, bans."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import psycopg2.errors

from codearena import keys, sessions, throttle
from codearena import validation as v
from codearena.auth import Passwords, Principal, passwords
from codearena.core import Core
from codearena.credentials import check_password, check_username
from codearena.db import Cursor, one_row
from codearena.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from codearena.models import Role

REGISTRATION_WINDOW_SECONDS = 3600


def create_user(
    core: Core, username: str, password: str, role: Role = Role.CONTESTANT, *, self_service: bool = False
) -> dict[str, Any]:
    """A new account; `self_service` (sign-up) may not take a reserved name."""
    check_username(username, self_service=self_service)
    check_password(password, username)
    try:
        with core.db.transaction() as cur:
            cur.execute(
                "INSERT INTO users (username, password_hash, role) VALUES (%s, %s, %s)"
                " RETURNING id, username, role",
                (username, _passwords(core).hash(password), role.value),
            )
            return one_row(cur)
    except psycopg2.errors.UniqueViolation as exc:
        raise Conflict(f"the username '{username}' is taken", "username_taken") from exc


def register(core: Core, body: Any, address: str = "") -> dict[str, Any]:
    """Sign-up, at most `registrations_per_address_per_hour` accounts from one address."""
    body = v.body_object(body)
    username = v.string(body, "username", max_len=32)
    password = v.string(body, "password", max_len=128)
    key = keys.registrations(address or "unknown")
    limit = core.settings.registrations_per_address_per_hour
    throttle.take(
        core.redis,
        key,
        1,
        limit,
        REGISTRATION_WINDOW_SECONDS,
        "too_many_registrations",
        "sign-ups from this address",
    )
    try:
        user = create_user(core, username, password, self_service=True)
    except BaseException:  # refused: it does not count against the address
        throttle.give_back(core.redis, key)
        raise
    return {"id": user["id"], "username": user["username"]}


def login(core: Core, body: Any, address: str = "") -> dict[str, Any]:
    body = v.body_object(body)
    username = v.string(body, "username", max_len=64)
    password = v.string(body, "password", max_len=128)
    failures = _login_throttle(core)
    failures.attempt(username, address)  # counted as failed before argon2 runs
    user = _find(core, username)
    hasher = _passwords(core)
    # A user who does not exist costs one argon2 check too.
    if not hasher.verify(user["password_hash"] if user else hasher.dummy_hash, password) or not user:
        raise Unauthorized("wrong username or password", "invalid_credentials")
    failures.succeeded(username, address)
    if user["banned_at"] is not None:
        raise Forbidden("this account is banned; ask the organizers", "account_banned")
    if hasher.needs_rehash(user["password_hash"]):
        _set_password_hash(core, user["id"], password)
    return _session(core, user)


def _passwords(core: Core) -> Passwords:
    return passwords(core.settings.password_cost)


def _login_throttle(core: Core) -> throttle.LoginThrottle:
    per_address = throttle.Backoff(free=core.settings.login_failures_per_address, longest_seconds=60)
    return throttle.LoginThrottle(core.redis, per_address)


def _find(core: Core, username: str) -> dict[str, Any] | None:
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT id, username, role, password_hash, token_generation, banned_at FROM users"
            " WHERE lower(username) = lower(%s)",
            (username,),
        )
        row = cur.fetchone()
    return dict(row) if row else None


def _session(core: Core, user: dict[str, Any]) -> dict[str, Any]:
    role = Role(user["role"])
    token, expires = core.tokens.issue(
        user["id"], user["username"], role, generation=user["token_generation"]
    )
    return {
        "token": token,
        "expires_at": datetime.fromtimestamp(expires, UTC).isoformat(),
        "user": {"id": user["id"], "username": user["username"], "role": role.value},
    }


def _set_password_hash(core: Core, user_id: int, password: str) -> None:
    with core.db.transaction() as cur:
        cur.execute(
            "UPDATE users SET password_hash = %s WHERE id = %s", (_passwords(core).hash(password), user_id)
        )


def logout(core: Core, principal: Principal, body: Any) -> dict[str, Any]:
    """End this token, or with {"everywhere": true} every token of the account."""
    everywhere = v.boolean(v.body_object({} if body is None else body), "everywhere")
    with core.db.transaction() as cur:
        if everywhere:
            sessions.bump_generation(cur, principal.user_id)
        else:
            sessions.revoke_token(cur, principal)
    sessions.changed(core, principal.user_id)
    return {"logged_out": "everywhere" if everywhere else "this token"}


def change_password(core: Core, principal: Principal, body: Any, address: str = "") -> dict[str, Any]:
    """Check the current password (throttled as a login), store the new one, end every
    other token; answers a fresh token for this device."""
    body = v.body_object(body)
    current = v.string(body, "current_password", max_len=128)
    new = v.string(body, "new_password", max_len=128)
    failures = _login_throttle(core)
    failures.attempt(principal.username, address)
    user = _find(core, principal.username)
    if user is None or not _passwords(core).verify(user["password_hash"], current):
        raise Unauthorized("the current password is wrong", "invalid_credentials")
    failures.succeeded(principal.username, address)
    check_password(new, user["username"])
    with core.db.transaction() as cur:
        cur.execute(
            "UPDATE users SET password_hash = %s WHERE id = %s", (_passwords(core).hash(new), user["id"])
        )
        user["token_generation"] = sessions.bump_generation(cur, user["id"])
    sessions.changed(core, user["id"])
    return _session(core, user)


def set_role(core: Core, user_id: int, body: Any, by: Principal | None = None) -> dict[str, Any]:
    """Give a user a role; an admin (`by`) cannot demote themselves (another admin must), so
    a slip cannot leave a contest without anyone who can run it."""
    body = v.body_object(body)
    role = v.choice(body, "role", tuple(r.value for r in Role))
    if by is not None and by.user_id == user_id and role != by.role.value:
        raise Conflict("you cannot change your own role; ask another admin", "cannot_change_own_role")
    with core.db.transaction() as cur:
        cur.execute("UPDATE users SET role = %s WHERE id = %s RETURNING id, username, role", (role, user_id))
        user = _found(cur, user_id)
    sessions.changed(core, user_id)  # open sockets and tokens follow at once
    return user


def ban(core: Core, admin: Principal, user_id: int, body: Any) -> dict[str, Any]:
    """Ban an account: its tokens stop working, its live subscriptions end, it cannot log in."""
    body = v.body_object({} if body is None else body)
    reason = v.string(body, "reason", required=False, min_len=0, max_len=500)
    if user_id == admin.user_id:
        raise Conflict("you cannot ban yourself", "cannot_ban_yourself")
    return _ban(core, user_id, reason)


def ban_by_name(core: Core, username: str, reason: str) -> dict[str, Any]:
    """The CLI's ban (an operator at the machine, no token)."""
    return _ban(core, id_of(core, username), v.string({"reason": reason}, "reason", min_len=0, max_len=500))


def id_of(core: Core, username: str) -> int:
    found = _find(core, username)
    if found is None:
        raise NotFound(f"no user {username!r}", "user_not_found")
    return int(found["id"])


def _ban(core: Core, user_id: int, reason: str) -> dict[str, Any]:
    with core.db.transaction() as cur:
        cur.execute(
            "UPDATE users SET banned_at = coalesce(banned_at, now()), ban_reason = %s,"
            " token_generation = token_generation + 1 WHERE id = %s RETURNING id, username, role",
            (reason, user_id),
        )
        user = _found(cur, user_id)
    sessions.changed(core, user_id)
    return {**user, "banned": True, "ban_reason": reason}


def unban(core: Core, user_id: int) -> dict[str, Any]:
    with core.db.transaction() as cur:
        cur.execute(
            "UPDATE users SET banned_at = NULL, ban_reason = '' WHERE id = %s RETURNING id, username, role",
            (user_id,),
        )
        user = _found(cur, user_id)
    sessions.changed(core, user_id)
    return {**user, "banned": False, "ban_reason": ""}


def revoke_tokens(core: Core, user_id: int) -> dict[str, Any]:
    """End every token of an account (a leaked token), without banning it."""
    with core.db.transaction() as cur:
        cur.execute("SELECT id, username, role FROM users WHERE id = %s", (user_id,))
        user = _found(cur, user_id)
        sessions.bump_generation(cur, user_id)
    sessions.changed(core, user_id)
    return {**user, "tokens_revoked": True}


def find(core: Core, params: dict[str, str] | None) -> dict[str, Any]:
    """Accounts whose username starts with ?username= (case-insensitive), at most 50."""
    prefix = (params or {}).get("username", "")
    if not 1 <= len(prefix) <= 32 or not v.is_unicode(prefix) or "\x00" in prefix:
        raise BadRequest("query parameter 'username' must be 1 to 32 characters", "invalid_query")
    pattern = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT id, username, role, banned_at IS NOT NULL AS banned FROM users"
            " WHERE lower(username) LIKE %s ORDER BY lower(username) LIMIT 50",
            (pattern,),
        )
        return {"users": [dict(row) for row in cur.fetchall()]}


def _found(cur: Cursor, user_id: int) -> dict[str, Any]:
    row = cur.fetchone()
    if row is None:
        raise NotFound(f"no user {user_id}", "user_not_found")
    return dict(row)


def current(core: Core, principal: Principal) -> Principal:
    """`principal` as its account stands now (sessions.check): the current role; revoked,
    banned or deleted accounts refused."""
    return sessions.check(core, principal)


def me(principal: Principal) -> dict[str, Any]:
    return {"id": principal.user_id, "username": principal.username, "role": principal.role.value}
