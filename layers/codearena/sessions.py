"""Whether a token still speaks for its user, asked on every request and every delivery of
a restricted live event.

A token names a user, the role they had and the user's token generation when it was
issued. It stops working when the generation is raised (log out everywhere, password
change, ban, an admin's revoke), when its own id is revoked (log out), or when the account
is banned or gone; the role is always the one the user holds now. The account's state comes
from PostgreSQL, cached in Redis for a minute: every change overwrites the cache after its
commit, and a reader fills a missing entry only if it is still missing (SET NX), so an
old read can never replace a newer write.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, replace
from typing import Any, cast

import redis

from codearena import keys
from codearena.auth import Principal
from codearena.core import Core
from codearena.db import Cursor
from codearena.errors import Forbidden, Unauthorized
from codearena.models import Role

log = logging.getLogger("codearena.sessions")
CACHE_SECONDS = 60
STAFF = (Role.ADMIN, Role.JURY)


@dataclass(frozen=True)
class Account:
    user_id: int
    role: Role
    generation: int
    banned: bool
    revoked: frozenset[str]  # ids of single tokens revoked before they expire

    def accepts(self, principal: Principal) -> bool:
        return (
            not self.banned
            and principal.generation == self.generation
            and principal.token_id not in self.revoked
        )


def accounts(core: Core, user_ids: set[int]) -> dict[int, Account]:
    """The accounts of `user_ids` that exist (cache first, PostgreSQL for the rest)."""
    wanted = sorted(user_ids)
    found: dict[int, Account] = {}
    try:
        replies = core.redis.mget([keys.account(uid) for uid in wanted]) if wanted else []
        cached = cast("list[str | None]", replies)  # decoded (core.redis_client)
    except redis.RedisError:
        log.warning("account cache unavailable; reading PostgreSQL", exc_info=True)
        cached = [None] * len(wanted)
    missing = []
    for user_id, text in zip(wanted, cached, strict=True):
        if text is None:
            missing.append(user_id)
        elif (account := _decode(user_id, text)) is not None:
            found[user_id] = account
    if missing:
        loaded = _load(core, missing)
        _remember(core, missing, loaded, overwrite=False)
        found.update(loaded)
    return found


def account(core: Core, user_id: int) -> Account | None:
    return accounts(core, {user_id}).get(user_id)


def changed(core: Core, user_id: int) -> None:
    """After a commit that changed a user's role, generation, ban or revoked tokens."""
    _remember(core, [user_id], _load(core, [user_id]), overwrite=True)


def check(core: Core, principal: Principal) -> Principal:
    """`principal` with the role its user holds now; Unauthorized when the token was revoked
    or the account is gone, Forbidden when it is banned."""
    found = account(core, principal.user_id)
    if found is None:
        raise Unauthorized("this account no longer exists", "unknown_user")
    if found.banned:
        raise Forbidden("this account is banned; ask the organizers", "account_banned")
    if not found.accepts(principal):
        raise Unauthorized("this token was revoked; log in again", "token_revoked")
    return principal if principal.role == found.role else replace(principal, role=found.role)


def live(core: Core, principal: Principal | None) -> Principal | None:
    """For a WebSocket: the principal as `check` gives it, or None (anonymous) when its token
    expired, was revoked, or its account is banned or gone."""
    if principal is None or expired(principal):
        return None
    try:
        return check(core, principal)
    except (Unauthorized, Forbidden):
        return None


def expired(principal: Principal) -> bool:
    return principal.expires_at is not None and principal.expires_at <= time.time()


def revoke_token(cur: Cursor, principal: Principal) -> None:
    """Revoke one token (log out), in the caller's transaction; `changed` after the commit."""
    if not principal.token_id:  # a token from before token ids: only the generation can end it
        bump_generation(cur, principal.user_id)
        return
    cur.execute(
        "INSERT INTO revoked_tokens (jti, user_id, expires_at) VALUES (%s, %s, to_timestamp(%s))"
        " ON CONFLICT (jti) DO NOTHING",
        (principal.token_id, principal.user_id, principal.expires_at or time.time()),
    )
    cur.execute("DELETE FROM revoked_tokens WHERE user_id = %s AND expires_at < now()", (principal.user_id,))


def bump_generation(cur: Cursor, user_id: int) -> int:
    """Revoke every token of a user issued so far; returns the new generation."""
    cur.execute(
        "UPDATE users SET token_generation = token_generation + 1 WHERE id = %s RETURNING token_generation",
        (user_id,),
    )
    row = cur.fetchone()
    return int(row["token_generation"]) if row else 0


def _load(core: Core, user_ids: list[int]) -> dict[int, Account]:
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT u.id, u.role, u.token_generation, u.banned_at IS NOT NULL AS banned,"
            " coalesce(array_agg(t.jti) FILTER (WHERE t.jti IS NOT NULL), '{}') AS revoked"
            " FROM users u LEFT JOIN revoked_tokens t ON t.user_id = u.id AND t.expires_at > now()"
            " WHERE u.id = ANY(%s) GROUP BY u.id",
            (user_ids,),
        )
        rows = cur.fetchall()
    return {
        row["id"]: Account(
            row["id"], Role(row["role"]), row["token_generation"], row["banned"], frozenset(row["revoked"])
        )
        for row in rows
    }


def _remember(core: Core, user_ids: list[int], loaded: dict[int, Account], overwrite: bool) -> None:
    try:
        pipe = core.redis.pipeline(transaction=False)
        for user_id in user_ids:
            found = loaded.get(user_id)
            text = json.dumps(_encode(found) if found else {"gone": True})
            pipe.set(keys.account(user_id), text, ex=CACHE_SECONDS, nx=not overwrite)
        pipe.execute()
    except redis.RedisError:
        log.warning("could not cache accounts %s; they are read again", user_ids, exc_info=True)


def _encode(found: Account) -> dict[str, Any]:
    return {
        "role": found.role.value,
        "gen": found.generation,
        "banned": found.banned,
        "revoked": sorted(found.revoked),
    }


def _decode(user_id: int, text: str) -> Account | None:
    data = json.loads(text)
    if data.get("gone"):
        return None
    return Account(
        user_id, Role(data["role"]), int(data["gen"]), bool(data["banned"]), frozenset(data["revoked"])
    )
