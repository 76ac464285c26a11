"""WebSocket connections and topic subscriptions (DESIGN §7), kept in Redis.

A connection is anonymous (public contest topics only) or carries the principal its
`?token=` proved. Who may subscribe to what is decided here, for AWS and local alike, and
decided again at every delivery on a restricted topic (`entitled`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import cast

import redis
from redis.typing import EncodableT

from codearena import contests, keys, sessions, submissions
from codearena import validation as v
from codearena.auth import Principal
from codearena.core import Core
from codearena.errors import BadRequest, Forbidden
from codearena.models import Role

CONNECTION_TTL_SECONDS = 3 * 3600  # API Gateway closes a WebSocket after 2 hours at most
_STAFF = (Role.ADMIN, Role.JURY)


@dataclass(frozen=True)
class Connection:
    connection_id: str
    principal: Principal | None


# What a subscription rests on, kept with it and checked again at each delivery.
PUBLIC, OWNER, STAFF = "public", "owner", "staff"


class Connections:
    """The registry: connection → who, topic → connections, (connection, topic) → grant."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def add(self, connection_id: str, principal: Principal | None) -> None:
        pipe = self._redis.pipeline(transaction=True)
        # redis-py types `mapping` with an invariant key type, which refuses str keys.
        who = cast("Mapping[EncodableT, EncodableT]", _who(principal))
        pipe.hset(keys.ws_connection(connection_id), mapping=who)
        pipe.expire(keys.ws_connection(connection_id), CONNECTION_TTL_SECONDS)
        pipe.execute()

    def get(self, connection_id: str) -> Connection | None:
        who = cast("dict[str, str]", self._redis.hgetall(keys.ws_connection(connection_id)))  # decoded
        return Connection(connection_id, _principal(who)) if who else None

    def subscribe(self, connection_id: str, topic: str, grant: str = PUBLIC) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.sadd(keys.ws_topic(topic, keys.connection_shard(connection_id)), connection_id)
        pipe.hset(keys.ws_connection_topics(connection_id), topic, grant)
        pipe.expire(keys.ws_connection_topics(connection_id), CONNECTION_TTL_SECONDS)
        pipe.execute()

    def unsubscribe(self, connection_id: str, topic: str) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.srem(keys.ws_topic(topic, keys.connection_shard(connection_id)), connection_id)
        pipe.hdel(keys.ws_connection_topics(connection_id), topic)
        pipe.execute()

    def subscribers(self, topic: str, shards: Collection[int] | None = None) -> list[str]:
        """The connections following `topic`: those of `shards` only, when given (a fan-out
        process reads just the ones it posts to)."""
        chosen = range(keys.CONNECTION_SHARDS) if shards is None else shards
        if not chosen:
            return []
        members = self._redis.sunion([keys.ws_topic(topic, shard) for shard in chosen])
        return sorted(cast("set[str]", members))  # decoded (core.redis_client)

    def subscriptions(self, topic: str, connection_ids: list[str]) -> list[tuple[str, Principal | None, str]]:
        """(connection id, principal, grant) of each connection still registered and
        subscribed to `topic`, in one round trip."""
        pipe = self._redis.pipeline(transaction=False)
        for connection_id in connection_ids:
            pipe.hgetall(keys.ws_connection(connection_id))
            pipe.hget(keys.ws_connection_topics(connection_id), topic)
        replies = pipe.execute()
        return [
            (connection_id, _principal(who), grant)
            for connection_id, who, grant in zip(connection_ids, replies[0::2], replies[1::2], strict=True)
            if who and grant
        ]

    def remove(self, connection_id: str) -> None:
        """Forget a connection and all its subscriptions (disconnect, or gone on delivery)."""
        topics = cast("list[str]", self._redis.hkeys(keys.ws_connection_topics(connection_id)))  # decoded
        pipe = self._redis.pipeline(transaction=True)
        for topic in topics:
            pipe.srem(keys.ws_topic(topic, keys.connection_shard(connection_id)), connection_id)
        pipe.delete(keys.ws_connection_topics(connection_id), keys.ws_connection(connection_id))
        pipe.execute()


def _who(principal: Principal | None) -> dict[str, str | int]:
    if principal is None:
        return {"user_id": 0, "username": "", "role": "", "expires_at": 0, "generation": 0, "token_id": ""}
    return {
        "user_id": principal.user_id,
        "username": principal.username,
        "role": principal.role.value,
        "expires_at": principal.expires_at or 0,
        "generation": principal.generation,
        "token_id": principal.token_id,
    }


def _principal(who: dict[str, str]) -> Principal | None:
    if not who or not who.get("role"):
        return None
    return Principal(
        int(who["user_id"]),
        who["username"],
        Role(who["role"]),
        int(who.get("expires_at") or 0) or None,
        int(who.get("generation") or 0),
        who.get("token_id", ""),
    )


def authorize(core: Core, principal: Principal | None, topic: str) -> str:
    """The grant `principal` holds on `topic` (PUBLIC, OWNER or STAFF), or raise: contest:<cid>
    anyone, jury:<cid> jury, submission:<sid> its owner and the jury, participant:<cid>:<uid>
    that participant and the jury. A token that expired, was revoked or belongs to a banned
    account counts as anonymous."""
    kind, _, raw_id = topic.partition(":")
    if kind == "participant":
        return _authorize_participant(core, sessions.live(core, principal), raw_id)
    if kind not in ("contest", "jury", "submission") or not v.is_id(raw_id):
        raise BadRequest(
            "topic must be contest:<id>, jury:<id>, submission:<id> or participant:<id>:<user id>",
            "invalid_topic",
        )
    principal = sessions.live(core, principal)
    if kind == "jury":
        if principal is None or principal.role not in _STAFF:
            raise Forbidden("jury topics need the jury role", "forbidden_topic")
        return STAFF
    if kind == "submission":
        return _authorize_submission(core, principal, int(raw_id))
    _require_contest(core, int(raw_id), principal)
    return PUBLIC


def entitled(
    core: Core, topic: str, subscriptions: list[tuple[str, Principal | None, str]], staff_only: bool = False
) -> tuple[list[str], dict[str, str]]:
    """Who of a restricted topic's subscribers may still receive it now: the connection
    ids to deliver to, and those to drop with the reason (an error code). Rights are checked
    again at every delivery, so a demotion, ban, revocation or expiry ends a subscription at
    its next event, not when the socket closes. `staff_only`: every grant counts as the jury's
    (a hidden contest's public topic), and the others are dropped as `contest_not_found`."""
    users = {principal.user_id for _, principal, _ in subscriptions if principal is not None}
    accounts = sessions.accounts(core, users) if users else {}
    keep: list[str] = []
    drop: dict[str, str] = {}
    for connection_id, principal, grant in subscriptions:
        reason = _refusal(principal, STAFF if staff_only else grant, accounts)
        if staff_only and reason == "forbidden_topic":
            reason = "contest_not_found"
        if reason is None:
            keep.append(connection_id)
        else:
            drop[connection_id] = reason
    return keep, drop


def _refusal(principal: Principal | None, grant: str, accounts: dict[int, sessions.Account]) -> str | None:
    if grant == PUBLIC:
        return None
    if principal is None:
        return "forbidden_topic"
    if sessions.expired(principal):
        return "token_expired"
    account = accounts.get(principal.user_id)
    if account is None:
        return "unknown_user"
    if account.banned:
        return "account_banned"
    if not account.accepts(principal):
        return "token_revoked"
    if grant == STAFF and account.role not in _STAFF:
        return "forbidden_topic"
    return None


def restricted(topic: str) -> bool:
    """Topics only some may follow (checked again at each delivery)."""
    return not topic.startswith("contest:")


def _authorize_submission(core: Core, principal: Principal | None, submission_id: int) -> str:
    if principal is None:
        raise Forbidden("log in to follow a submission", "forbidden_topic")
    with core.db.transaction() as cur:
        submission = submissions.find(cur, submission_id)
    if submission is not None and submission.user_id == principal.user_id:
        return OWNER
    if submission is None or principal.role not in _STAFF:
        raise Forbidden("you may follow only your own submissions", "forbidden_topic")
    return STAFF


def _authorize_participant(core: Core, principal: Principal | None, ids: str) -> str:
    raw_contest, _, raw_user = ids.partition(":")
    if not (v.is_id(raw_contest) and v.is_id(raw_user)):
        raise BadRequest("topic must be participant:<contest id>:<user id>", "invalid_topic")
    if principal is None:
        raise Forbidden("log in to follow your clarifications", "forbidden_topic")
    if principal.user_id != int(raw_user) and principal.role not in _STAFF:
        raise Forbidden("you may follow only your own clarifications", "forbidden_topic")
    _require_contest(core, int(raw_contest), principal)
    return OWNER if principal.user_id == int(raw_user) else STAFF


def _require_contest(core: Core, contest_id: int, principal: Principal | None) -> None:
    """NotFound unless the contest exists and the caller may see it (a hidden contest only
    the jury)."""
    staff = principal is not None and principal.role in _STAFF
    with core.db.transaction() as cur:
        contests.load_visible(cur, contest_id, staff)


def hidden_contest(core: Core, topic: str) -> bool:
    """Whether `topic` is a contest's public topic while that contest is hidden: only the
    jury may then receive it (the contest may have been hidden after others subscribed)."""
    kind, _, raw_id = topic.partition(":")
    if kind != "contest" or not v.is_id(raw_id):
        return False
    with core.db.transaction() as cur:
        cur.execute("SELECT visibility FROM contests WHERE id = %s", (int(raw_id),))
        row = cur.fetchone()
    return row is not None and row["visibility"] == "hidden"
