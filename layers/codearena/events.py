"""Live events (DESIGN §7): every topic is a capped Redis stream plus a pub/sub channel.

Publishers (judge hosts, admin actions) call `Events.publish`; the stream keeps the last
events so a reconnecting client can resume from its last id, the channel wakes fan-out.
Topics: "contest:<cid>" (public), "jury:<cid>" (jury), "submission:<sid>" (its owner),
"participant:<cid>:<uid>" (one participant's clarifications in a contest: them and the jury).
"""

from __future__ import annotations

import json
from typing import Any, cast

import redis

from codearena import keys
from codearena.scripts import Lua, ScriptRunner

STREAM_LENGTH = 1000  # events kept per topic for resuming

# KEYS: stream. ARGV: length kept, stored payload, channel, the event as JSON without its id.
# Appends and announces in one round trip (the judge publishes one per test); returns the id.
_PUBLISH = Lua("""
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'event', ARGV[2])
redis.call('PUBLISH', ARGV[3], '{"id": "' .. id .. '", ' .. string.sub(ARGV[4], 2))
return id
""")


def contest_topic(contest_id: int) -> str:
    return f"contest:{contest_id}"


def jury_topic(contest_id: int) -> str:
    return f"jury:{contest_id}"


def submission_topic(submission_id: int) -> str:
    return f"submission:{submission_id}"


def participant_topic(contest_id: int, user_id: int) -> str:
    return f"participant:{contest_id}:{user_id}"


def board_topic_of(contest_id: int, view: str) -> str:
    """The public topic of a board view: contest:<cid> for "public", jury:<cid> for "jury"."""
    return contest_topic(contest_id) if view == "public" else jury_topic(contest_id)


def board_topic(contest_id: int) -> str:
    """Internal: raw board changes, coalesced by the fan-out into `leaderboard` events."""
    return f"board:{contest_id}"


class Events:
    def __init__(self, client: redis.Redis, runner: ScriptRunner | None = None) -> None:
        self._redis = client
        self._run = runner or ScriptRunner(client)
        self.db = int(client.connection_pool.connection_kwargs.get("db") or 0)

    def channel(self, topic: str) -> str:
        return keys.event_channel(self.db, topic)

    def publish(self, topic: str, event_type: str, **fields: Any) -> dict[str, Any]:
        """Append to the topic's stream and announce it; returns the event with its id."""
        event = {"topic": topic, "type": event_type, **fields}
        payload = json.dumps({"type": event_type, **fields})
        args = [STREAM_LENGTH, payload, self.channel(topic), json.dumps(event)]
        event_id = self._run(_PUBLISH, [keys.event_stream(topic)], args)
        return {"id": str(event_id), **event}

    def announce(self, topic: str, event_type: str, **fields: Any) -> None:
        """Announce on the topic's channel only (internal topics nobody resumes)."""
        self._redis.publish(self.channel(topic), json.dumps({"topic": topic, "type": event_type, **fields}))

    def live_version(self, topic: str) -> int:
        """The sequence of coalesced `leaderboard` events on a board topic (the fan-out INCRs it)."""
        return int(self._redis.get(keys.live_version(topic)) or 0)

    def since(self, topic: str, last_id: str, count: int = STREAM_LENGTH) -> list[dict[str, Any]]:
        """Events of `topic` published after `last_id`, oldest first."""
        entries = cast(  # decoded (core.redis_client); XRANGE replies a list, never nil
            "list[tuple[str, dict[str, str]]]",
            self._redis.xrange(keys.event_stream(topic), min=f"({last_id}", count=count),
        )
        return [{"id": entry_id, "topic": topic, **json.loads(data["event"])} for entry_id, data in entries]
