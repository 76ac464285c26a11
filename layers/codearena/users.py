"""Registration, login and roles."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import psycopg2.errors

from codearena import keys
from codearena import validation as v
from codearena.auth import Principal, hash_password, verify_password
from codearena.core import Core
from codearena.errors import BadRequest, Conflict, NotFound, RateLimited, Unauthorized
from codearena.models import Role

_USERNAME_RULE = "3 to 32 letters, digits, '_', '.' or '-'"
# Verified against when the user does not exist, so both paths cost one argon2 check.
_DUMMY_HASH = hash_password("codearena-no-such-user")


def create_user(core: Core, username: str, password: str, role: Role = Role.CONTESTANT) -> dict[str, Any]:
    _check_credentials(username, password)
    try:
        with core.db.transaction() as cur:
            cur.execute(
                "INSERT INTO users (username, password_hash, role) VALUES (%s, %s, %s)"
                " RETURNING id, username, role",
                (username, hash_password(password), role.value),
            )
            return dict(cur.fetchone())
    except psycopg2.errors.UniqueViolation as exc:
        raise Conflict(f"the username '{username}' is taken", "username_taken") from exc


def register(core: Core, body: Any) -> dict[str, Any]:
    body = v.body_object(body)
    user = create_user(core, v.string(body, "username", max_len=32), v.string(body, "password", max_len=128))
    return {"id": user["id"], "username": user["username"]}


# Failed logins a window allows: for one username from one address, and from one address in
# all. Only failures count, and only from that address, so nobody can lock a contestant out
# from elsewhere.
LOGIN_FAILURES_PER_USER = 10
LOGIN_FAILURES_PER_ADDRESS = 50
LOGIN_WINDOW_SECONDS = 15 * 60


def login(core: Core, body: Any, address: str = "") -> dict[str, Any]:
    body = v.body_object(body)
    username = v.string(body, "username", max_len=64)
    password = v.string(body, "password", max_len=128)
    window = int(core.clock().timestamp() // LOGIN_WINDOW_SECONDS)
    counters = [
        (keys.login_failures(window, address, username), LOGIN_FAILURES_PER_USER),
        (keys.login_failures(window, address), LOGIN_FAILURES_PER_ADDRESS),
    ]
    failures = core.redis.mget([key for key, _ in counters])
    if any(int(count or 0) >= limit for count, (_, limit) in zip(failures, counters, strict=True)):
        minutes = LOGIN_WINDOW_SECONDS // 60
        raise RateLimited(f"too many failed logins; wait up to {minutes} minutes", "too_many_failed_logins")
    with core.db.transaction() as cur:
        cur.execute("SELECT id, username, role, password_hash FROM users WHERE username = %s", (username,))
        user = cur.fetchone()
    if not verify_password(user["password_hash"] if user else _DUMMY_HASH, password) or not user:
        pipe = core.redis.pipeline(transaction=True)
        for key, _ in counters:
            pipe.incr(key)
            pipe.expire(key, LOGIN_WINDOW_SECONDS)
        pipe.execute()
        raise Unauthorized("wrong username or password", "invalid_credentials")
    token, expires = core.tokens.issue(user["id"], user["username"], Role(user["role"]))
    return {
        "token": token,
        "expires_at": datetime.fromtimestamp(expires, UTC).isoformat(),
        "user": {"id": user["id"], "username": user["username"], "role": user["role"]},
    }


def set_role(core: Core, user_id: int, body: Any) -> dict[str, Any]:
    body = v.body_object(body)
    role = v.choice(body, "role", tuple(r.value for r in Role))
    with core.db.transaction() as cur:
        cur.execute("UPDATE users SET role = %s WHERE id = %s RETURNING id, username, role", (role, user_id))
        user = cur.fetchone()
    if user is None:
        raise NotFound(f"no user {user_id}", "user_not_found")
    return dict(user)


_RANKS = {Role.CONTESTANT: 0, Role.JURY: 1, Role.ADMIN: 2}


def current(core: Core, principal: Principal) -> Principal:
    """`principal` with the role its user holds now, when the token claims more: a demoted
    jury member or admin loses the role at once, not when the token expires (a promotion
    takes a new login). Contestant tokens claim nothing to check and cost no query."""
    if principal.role == Role.CONTESTANT:
        return principal
    with core.db.transaction() as cur:
        cur.execute("SELECT role FROM users WHERE id = %s", (principal.user_id,))
        row = cur.fetchone()
    if row is None:
        raise Unauthorized("this account no longer exists", "unknown_user")
    now = Role(row["role"])
    return principal if _RANKS[now] >= _RANKS[principal.role] else replace(principal, role=now)


def me(principal: Principal) -> dict[str, Any]:
    return {"id": principal.user_id, "username": principal.username, "role": principal.role.value}


def _check_credentials(username: str, password: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9_.-]{3,32}", username):
        raise BadRequest(f"a username is {_USERNAME_RULE}", "invalid_username")
    if not 8 <= len(password) <= 128:
        raise BadRequest("a password is 8 to 128 characters long", "weak_password")
