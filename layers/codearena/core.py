"""The core's services wired together once per process (`Core.from_env()`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import redis

from codearena.auth import TokenIssuer
from codearena.config import Settings
from codearena.db import Database
from codearena.events import Events
from codearena.leaderboard import Leaderboard
from codearena.queue import JobQueue
from codearena.scripts import ScriptRunner


def utcnow() -> datetime:
    return datetime.now(UTC)


def redis_client(url: str) -> redis.Redis:
    """A client for `url`; rediss:// is TLS with the server's certificate and host name checked
    against the system CA store (ssl_ca_certs=PATH in the URL trusts another CA).

    Replies are str (decode_responses) in RESP2's shapes, where redis-py's types say
    `bytes | str` and add RESP3's: the modules reading replies cast them on that ground."""
    return redis.Redis.from_url(
        url,
        decode_responses=True,
        socket_timeout=10,
        socket_connect_timeout=5,
        health_check_interval=30,
    )


@dataclass
class Core:
    settings: Settings
    db: Database
    redis: redis.Redis
    tokens: TokenIssuer
    queue: JobQueue
    boards: Leaderboard
    events: Events
    clock: Callable[[], datetime] = field(default=utcnow)

    @classmethod
    def from_settings(cls, settings: Settings) -> Core:
        client = redis_client(settings.redis_url)
        scripts = ScriptRunner(client)  # hot-path Lua on per-thread connections
        return cls(
            settings=settings,
            db=Database(settings.database_url),
            redis=client,
            tokens=TokenIssuer(settings.jwt_secret, settings.token_ttl_seconds),
            queue=JobQueue(client, runner=scripts),
            boards=Leaderboard(client, scripts),
            events=Events(client, scripts),
        )

    @classmethod
    def from_env(cls) -> Core:
        return cls.from_settings(Settings.from_env())

    def close(self) -> None:
        self.db.close()
        self.boards.close()  # the script connections it shares with queue and events
        self.redis.close()
