"""WebSocket connections and topic subscriptions (DESIGN §7), kept in Redis.

A connection is anonymous (public contest topics only) or carries the principal its
`?token=` proved. Who may subscribe to what is decided here, for AWS and local alike.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

from codearena import keys, users
from codearena import validation as v
from codearena.auth import Principal
from codearena.core import Core
from codearena.errors import BadRequest, Forbidden, NotFound
from codearena.models import Role

CONNECTION_TTL_SECONDS = 3 * 3600  # API Gateway closes a WebSocket after 2 hours at most
_STAFF = (Role.ADMIN, Role.JURY)


@dataclass(frozen=True)
class Connection:
    connection_id: str
    principal: Principal | None


class Connections:
    """The registry: connection → who, topic → connections."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def add(self, connection_id: str, principal: Principal | None) -> None:
        who = (
            {
                "user_id": principal.user_id,
                "username": principal.username,
                "role": principal.role.value,
                "expires_at": principal.expires_at or 0,
            }
            if (principal)
            else {"user_id": 0, "username": "", "role": "", "expires_at": 0}
        )
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(keys.ws_connection(connection_id), mapping=who)
        pipe.expire(keys.ws_connection(connection_id), CONNECTION_TTL_SECONDS)
        pipe.execute()

    def get(self, connection_id: str) -> Connection | None:
        who = self._redis.hgetall(keys.ws_connection(connection_id))
        if not who:
            return None
        expires_at = int(who.get("expires_at") or 0) or None
        principal = (
            Principal(int(who["user_id"]), who["username"], Role(who["role"]), expires_at)
            if who["role"]
            else None
        )
        return Connection(connection_id, principal)

    def subscribe(self, connection_id: str, topic: str) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.sadd(keys.ws_topic(topic), connection_id)
        pipe.sadd(keys.ws_connection_topics(connection_id), topic)
        pipe.expire(keys.ws_connection_topics(connection_id), CONNECTION_TTL_SECONDS)
        pipe.execute()

    def unsubscribe(self, connection_id: str, topic: str) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.srem(keys.ws_topic(topic), connection_id)
        pipe.srem(keys.ws_connection_topics(connection_id), topic)
        pipe.execute()

    def subscribers(self, topic: str) -> list[str]:
        return sorted(self._redis.smembers(keys.ws_topic(topic)))

    def remove(self, connection_id: str) -> None:
        """Forget a connection and all its subscriptions (disconnect, or gone on delivery)."""
        topics = self._redis.smembers(keys.ws_connection_topics(connection_id))
        pipe = self._redis.pipeline(transaction=True)
        for topic in topics:
            pipe.srem(keys.ws_topic(topic), connection_id)
        pipe.delete(keys.ws_connection_topics(connection_id), keys.ws_connection(connection_id))
        pipe.execute()


def authorize(core: Core, principal: Principal | None, topic: str) -> None:
    """Raise unless `principal` may follow `topic`: contest:<cid> anyone, jury:<cid> jury,
    submission:<sid> its owner and the jury."""
    kind, _, raw_id = topic.partition(":")
    if kind not in ("contest", "jury", "submission") or not v.is_id(raw_id):
        raise BadRequest("topic must be contest:<id>, jury:<id> or submission:<id>", "invalid_topic")
    if principal is not None and principal.expires_at is not None and principal.expires_at <= time.time():
        principal = None  # the token it connected with has expired: anonymous from now on
    if principal is not None:
        principal = users.current(core, principal)  # a role taken away since connecting
    if kind == "jury" and (principal is None or principal.role not in _STAFF):
        raise Forbidden("jury topics need the jury role", "forbidden_topic")
    if kind == "submission":
        _authorize_submission(core, principal, int(raw_id))
    elif kind == "contest":
        _require_contest(core, int(raw_id))


def _authorize_submission(core: Core, principal: Principal | None, submission_id: int) -> None:
    if principal is None:
        raise Forbidden("log in to follow a submission", "forbidden_topic")
    with core.db.transaction() as cur:
        cur.execute("SELECT user_id FROM submissions WHERE id = %s", (submission_id,))
        row = cur.fetchone()
    if row is None or (row["user_id"] != principal.user_id and principal.role not in _STAFF):
        raise Forbidden("you may follow only your own submissions", "forbidden_topic")


def _require_contest(core: Core, contest_id: int) -> None:
    with core.db.transaction() as cur:
        cur.execute("SELECT 1 FROM contests WHERE id = %s", (contest_id,))
        if cur.fetchone() is None:
            raise NotFound(f"no contest {contest_id}", "contest_not_found")
