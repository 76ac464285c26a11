"""The fan-out: Redis channels in, WebSocket messages out (DESIGN §7).

Any number of fan-out processes share the work (codearena.fanout_leases): each hears every
event and posts it to the topic's connections in the shards it holds. One of them leads: it
coalesces board changes into at most one `leaderboard` event per contest and view every
`interval` seconds, or less often while delivering one takes long (numbered by a per-topic
sequence, so a client that sees a gap re-reads the board over HTTP), and announces contest
state changes. The others follow the board changes too, each forgetting them when the leader
would have published them, so that one taking over the lead publishes the latest ones.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Collection
from datetime import timedelta
from typing import Any

import redis

from codearena import contests, keys
from codearena.boards import public_row
from codearena.core import Core
from codearena.delivery import Delivery
from codearena.events import board_topic_of
from codearena.fanout_leases import ShardLeases
from codearena.realtime import Connections, entitled, hidden_contest, restricted

log = logging.getLogger("codearena.fanout")

DELIVERY_SHARE = 0.5  # of the time, at most, spent delivering one topic's boards (bench/fanout.py)
LONGEST_INTERVAL_SECONDS = 1.0  # between two `leaderboard` messages on a topic, however slow
RECONNECT_SECONDS = 0.5  # between two attempts to reach a restarting Redis


class Fanout:
    def __init__(self, core: Core, delivery: Delivery, name: str, interval: float = 0.25) -> None:
        self.core = core
        self.delivery = delivery
        self.name = name
        self.interval = interval
        self.connections = Connections(core.redis)
        self._changed: dict[tuple[int, str], set[str]] = {}
        self._flushed_at: dict[tuple[int, str], float] = {}
        self._delivery_seconds: dict[str, float] = {}  # board topic → its last delivery took
        self.leases = ShardLeases(core.redis, name)

    @property
    def leading(self) -> bool:
        return self.leases.leading

    def run(self, stop: threading.Event) -> None:
        """Until `stop`: keep the leases on a thread of their own (a long delivery must not
        let them lapse), hear events, deliver and lead; then let the leases go."""
        keeper = threading.Thread(target=self.leases.run, args=(stop,), name="fanout-leases", daemon=True)
        keeper.start()
        pubsub = self.core.redis.pubsub(ignore_subscribe_messages=True)
        pubsub.psubscribe(self.core.events.channel("*"))
        next_tick = time.monotonic()
        try:
            while not stop.is_set():
                message = _receive(pubsub, max(0.0, min(0.05, next_tick - time.monotonic())), stop)
                if message is not None:
                    self._guard(self.on_message, message["data"])
                if time.monotonic() >= next_tick:
                    self._guard(self.tick)
                    next_tick = time.monotonic() + self.interval
                elif self._changed:
                    # Between ticks too: a board goes out as soon as its interval is over,
                    # not at the next tick (which would round every interval up to ticks).
                    self._guard(self.flush)
        finally:
            pubsub.close()
            keeper.join(timeout=5)

    def _guard(self, action: Any, *args: Any) -> None:
        try:
            action(*args)
        except Exception:  # Redis or PostgreSQL trouble: keep the loop alive
            log.exception("fan-out step failed")

    def on_message(self, raw: str) -> None:
        event = json.loads(raw)
        if event["type"] == "board":
            contest_id = int(event["topic"].split(":", 1)[1])
            for view in event["views"]:
                self._changed.setdefault((contest_id, view), set()).add(event["username"])
            return
        shards = self.leases.shards()
        if not shards:
            return
        started = time.monotonic()
        self.deliver(event["topic"], raw.encode(), shards)
        if event["type"] == "leaderboard":
            self._delivery_seconds[event["topic"]] = time.monotonic() - started

    def deliver(self, topic: str, data: bytes, shards: Collection[int] | None = None) -> int:
        """Post `data` to the topic's connections in `shards` (all of them when None) whose
        rights still hold; drop those that are gone. How many it posted to."""
        connection_ids = self.connections.subscribers(topic, shards)
        if connection_ids and restricted(topic):
            connection_ids = self._still_entitled(topic, connection_ids)
        elif connection_ids and hidden_contest(self.core, topic):
            connection_ids = self._still_entitled(topic, connection_ids, staff_only=True)
        for gone in self.delivery.send_many(connection_ids, data):
            self.connections.remove(gone)
        return len(connection_ids)

    def _still_entitled(self, topic: str, connection_ids: list[str], staff_only: bool = False) -> list[str]:
        """The subscribers whose rights still hold; the others are unsubscribed and told why."""
        subscriptions = self.connections.subscriptions(topic, connection_ids)
        keep, drop = entitled(self.core, topic, subscriptions, staff_only)
        for connection_id, reason in drop.items():
            self.connections.unsubscribe(connection_id, topic)
            notice = {"type": "unsubscribed", "topic": topic, "reason": reason}
            self.delivery.send_many([connection_id], json.dumps(notice).encode())
            log.info("connection %s: %s ended (%s)", connection_id, topic, reason)
        return keep

    def tick(self) -> None:
        self.flush()
        if self.leading:
            self.announce_states()

    def flush(self) -> None:
        """Publish, when leading, one `leaderboard` event per contest and view that changed
        and is due; otherwise forget what the leader has published by now."""
        now = time.monotonic()
        leading = self.leading
        for key in list(self._changed):
            contest_id, view = key
            spent = self._delivery_seconds.get(board_topic_of(contest_id, view), 0.0)
            if now >= self._flushed_at.get(key, 0.0) + coalescing_interval(spent, self.interval):
                self._flushed_at[key] = now
                usernames = self._changed.pop(key)
                if leading:
                    self._publish_board(contest_id, view, usernames)

    def _publish_board(self, contest_id: int, view: str, usernames: set[str]) -> None:
        # The rows as the board holds them now, with their current ranks.
        current = (self.core.boards.row_of(contest_id, view, name) for name in sorted(usernames))
        rows = sorted((row for row in current if row), key=lambda row: (row["rank"], row["username"]))
        topic = board_topic_of(contest_id, view)
        version = int(self.core.redis.incr(keys.live_version(topic)))
        self.core.events.publish(
            topic, "leaderboard", contest_id=contest_id, version=version, rows=[public_row(r) for r in rows]
        )

    def announce_states(self) -> None:
        """Announce each contest's start, freeze, end and unfreeze once, as they happen."""
        now = self.core.clock()
        with self.core.db.transaction() as cur:
            cur.execute(
                f"SELECT {contests.COLUMNS} FROM contests"
                " WHERE %s BETWEEN start_at AND end_at + interval '1 hour' OR unfrozen_at > %s",
                (now, now - timedelta(hours=1)),
            )
            rows = cur.fetchall()
        for row in rows:
            contests.announce_state(self.core, contests.Contest.from_row(row), now)


def _receive(pubsub: Any, timeout: float, stop: threading.Event) -> dict[str, Any] | None:
    """The next pub/sub message, or None. Redis restarting: the next call reconnects, and
    redis-py subscribes again on connecting (events published meanwhile are in the topics'
    streams, which clients replay with `since`)."""
    try:
        message: dict[str, Any] | None = pubsub.get_message(timeout=timeout)
        return message
    except redis.RedisError as exc:
        log.warning("fan-out: Redis unreachable (%s); reconnecting", exc)
        stop.wait(RECONNECT_SECONDS)
        return None


def coalescing_interval(delivery_seconds: float, shortest: float) -> float:
    """Seconds between two `leaderboard` messages on a topic whose last one took
    `delivery_seconds` to deliver: `shortest` (~250 ms) for most contests, wider when
    delivering takes long (a large audience, a busy machine) so that delivering boards
    takes at most DELIVERY_SHARE of the time (never over LONGEST_INTERVAL_SECONDS)."""
    return max(shortest, min(LONGEST_INTERVAL_SECONDS, delivery_seconds / DELIVERY_SHARE))
