"""WebSocket handlers ($connect, $default, $disconnect): one method each, called from app.py."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import redis
from chalice.app import WebsocketEvent

from chalicelib.api import Api
from codearena import keys, sessions, throttle
from codearena.delivery import ApiGatewayDelivery, Delivery, stage_endpoint
from codearena.errors import BadRequest, CodeArenaError, Forbidden, Unauthorized
from codearena.realtime import Connections, authorize

OK = {"statusCode": 200}
# Events one connection may have replayed with `since` in a minute: two full topic streams.
REPLAYED_EVENTS_PER_MINUTE = 2000
log = logging.getLogger("codearena.realtime")


class Realtime:
    """Built once per process. `delivery` is set by the local gateway; in AWS each event's
    stage endpoint (or CODEARENA_WS_ENDPOINT) gets an API Gateway delivery."""

    def __init__(self, api: Api, delivery: Delivery | None = None) -> None:
        self.api = api
        self.delivery = delivery
        self._deliveries: dict[str, Delivery] = {}

    def connections(self) -> Connections:
        return Connections(self.api.core.redis)

    def connect(self, event: WebsocketEvent) -> dict[str, Any]:
        params = event.to_dict().get("queryStringParameters") or {}
        try:
            token = params.get("token")
            principal = self.api.core.tokens.verify(token) if token else None
            if principal is not None:
                sessions.check(self.api.core, principal)  # revoked or banned: refused too
        except (Unauthorized, Forbidden):
            return {"statusCode": 401}
        self.connections().add(event.connection_id, principal)
        return OK

    def disconnect(self, event: WebsocketEvent) -> dict[str, Any]:
        self.connections().remove(event.connection_id)
        return OK

    def message(self, event: WebsocketEvent) -> dict[str, Any]:
        try:
            self._handle(event)
        except CodeArenaError as exc:
            self._reply(event, {"type": "error", "error": {"code": exc.code, "message": exc.message}})
        except redis.RedisError:
            log.warning("websocket message: Redis unavailable", exc_info=True)
            unavailable = {"code": "service_unavailable", "message": "a backing service is unavailable"}
            self._reply(event, {"type": "error", "error": unavailable})
        return OK

    def _handle(self, event: WebsocketEvent) -> None:
        request = _parse(event.body)
        connection = self.connections().get(event.connection_id)
        if connection is None:
            raise Unauthorized("this connection is not registered; reconnect", "unknown_connection")
        topic = request["topic"]
        if request["action"] == "unsubscribe":
            self.connections().unsubscribe(event.connection_id, topic)
            self._reply(event, {"type": "unsubscribed", "topic": topic})
            return
        grant = authorize(self.api.core, connection.principal, topic)
        self.connections().subscribe(event.connection_id, topic, grant)
        self._reply(event, {"type": "subscribed", "topic": topic})
        since = request.get("since")
        if since:
            self._replay(event, topic, since)

    def _replay(self, event: WebsocketEvent, topic: str, since: str) -> None:
        """What the topic published after `since`, within the connection's replay budget
        (a client resubscribing in a loop must not make the server resend 1,000 events each
        time); past it the client is told to read the current state over HTTP."""
        missed = self.api.core.events.since(topic, since)
        key = keys.replayed_events(event.connection_id)
        throttle.take(
            self.api.core.redis,
            key,
            len(missed),
            REPLAYED_EVENTS_PER_MINUTE,
            60,
            "replay_limited",
            "replayed events on this connection (read the current state over HTTP)",
        )
        for message in missed:
            self._reply(event, message)

    def _reply(self, event: WebsocketEvent, message: dict[str, Any]) -> None:
        self._delivery_for(event).send_many([event.connection_id], json.dumps(message).encode())

    def _delivery_for(self, event: WebsocketEvent) -> Delivery:
        if self.delivery is not None:
            return self.delivery
        endpoint = os.environ.get("CODEARENA_WS_ENDPOINT") or stage_endpoint(event.domain_name, event.stage)
        if endpoint not in self._deliveries:
            self._deliveries[endpoint] = ApiGatewayDelivery(endpoint)
        return self._deliveries[endpoint]


def _parse(body: str | None) -> dict[str, Any]:
    try:
        request = json.loads(body or "")
    except ValueError as exc:
        raise BadRequest(
            'a message is JSON: {"action": "subscribe", "topic": ...}', "invalid_message"
        ) from exc
    if not isinstance(request, dict) or request.get("action") not in ("subscribe", "unsubscribe"):
        raise BadRequest("'action' must be subscribe or unsubscribe", "invalid_message")
    if not isinstance(request.get("topic"), str):
        raise BadRequest("'topic' must be a string such as contest:1", "invalid_message")
    since = request.get("since")
    if since is not None and not (isinstance(since, str) and _stream_id(since)):
        raise BadRequest("'since' must be the id of an event you received", "invalid_message")
    return request


def _stream_id(value: str) -> bool:
    """A Redis stream id: <ms>[-<seq>], each part an unsigned 64-bit number."""
    millis, _, sequence = value.partition("-")
    return _uint64(millis) and (not sequence or _uint64(sequence))


def _uint64(part: str) -> bool:
    return part.isascii() and part.isdecimal() and len(part) <= 20 and int(part) < 2**64
