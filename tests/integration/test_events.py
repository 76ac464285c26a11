"""Live events: published to a capped stream and a channel, resumable from a last id."""

from __future__ import annotations

import json

from codearena.core import Core
from codearena.events import submission_topic


def test_published_events_can_be_resumed_from_a_last_id(core: Core) -> None:
    topic = submission_topic(7)
    first = core.events.publish(topic, "test_result", submission_id=7, index=1, verdict="AC")
    second = core.events.publish(topic, "test_result", submission_id=7, index=2, verdict="WA")
    third = core.events.publish(topic, "finished", submission_id=7, verdict="WA", score=0.0)
    missed = core.events.since(topic, first["id"])
    assert [e["id"] for e in missed] == [second["id"], third["id"]]
    assert missed[1] == third
    assert core.events.since(topic, third["id"]) == []


def test_each_event_is_announced_on_the_topic_channel(core: Core) -> None:
    pubsub = core.redis.pubsub()
    pubsub.subscribe(core.events.channel("contest:3"))
    assert pubsub.get_message(timeout=1)["type"] == "subscribe"
    event = core.events.publish("contest:3", "contest_state", contest_id=3, state="frozen")
    message = pubsub.get_message(timeout=2)
    pubsub.close()
    assert json.loads(message["data"]) == event
