"""Custom invocations (issue 18): a participant runs their program once on an input of their
own, in the sandbox with a problem's limits, and reads its output, time and memory. Nothing of
it touches PostgreSQL's submissions, standings or boards: an invocation lives in Redis only,
for `TTL_SECONDS`, and is judged by nobody.

Flow: `create` checks the caller (a registered participant while the contest takes
submissions; staff at any time), the body, the per-minute allowance and the cap on pending
invocations, then stores the invocation (with the problem's limits, so the judge host needs
no database) and queues its id on a stream of its own, `keys.INVOCATION_QUEUE`, which judge
hosts drain with a worker and a box of their own (judge_host/invocations.py): invocations never
wait behind submissions, nor submissions behind them. The host announces `running`, then the
result (`invocation` events on the private topic "participant:<cid>:<uid>") and rewrites the
stored invocation, which `get` reads (the polling fallback).
"""

from __future__ import annotations

import json
import logging
import secrets
from enum import StrEnum
from typing import Any, cast

import redis

from codearena import contests, keys, participants, submissions, throttle
from codearena import validation as v
from codearena.auth import Principal
from codearena.core import Core
from codearena.db import Cursor
from codearena.errors import BadRequest, NotFound, PayloadTooLarge, RateLimited, ServiceUnavailable
from codearena.events import Events, participant_topic
from codearena.models import Role
from codearena.work_streams import JobStatus, WorkStream, rewrite

log = logging.getLogger("codearena.invocations")

MAX_INPUT_BYTES = 64 * 1024  # of UTF-8 the input may have
OUTPUT_BYTES = 16 * 1024  # kept of stdout, of stderr and of the compiler's output
TTL_SECONDS = 15 * 60  # an invocation, queued or run, is forgotten this long after creation
QUEUE_LENGTH = 10_000  # stream entries kept (the cap on pending ones keeps far fewer)
RATE_WINDOW_SECONDS = 60
EVENT = "invocation"
_ID_LENGTH = 16  # hex digits of an invocation id (64 random bits)


InvocationStatus = JobStatus  # the statuses of every work stream's jobs


class Outcome(StrEnum):
    """What a run came to: the sandbox's statuses, CE, or JE when the judge host failed."""

    OK = "OK"
    TLE = "TLE"
    MLE = "MLE"
    RTE = "RTE"
    OLE = "OLE"
    CE = "CE"
    JE = "JE"


# KEYS: pending ZSET, invocation, stream. ARGV: now (s), id, record JSON, TTL (s), most pending,
# stream length. Forgets pending invocations past their expiry; refuses (returns the number
# pending) when `most` are; else stores the invocation, counts it pending and queues it (0).
_CREATE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local pending = redis.call('ZCARD', KEYS[1])
if pending >= tonumber(ARGV[5]) then return pending end
local expires = tonumber(ARGV[1]) + tonumber(ARGV[4])
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4])
redis.call('ZADD', KEYS[1], expires, ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], '*', 'invocation_id', ARGV[2])
return 0
"""


def create(core: Core, principal: Principal, contest_id: int, problem_key: str, body: Any) -> dict[str, Any]:
    """Queue an invocation of `body`'s {language, source, input} on a problem's limits; 202
    with it (status queued). RateLimited past the allowance or the cap on pending ones."""
    body = v.body_object(body)
    language, source = submissions.language_and_source(core, body)
    stdin = _input(body)
    with core.db.transaction() as cur:
        problem = _problem(cur, core, principal, contest_id, problem_key)
    invocation = {
        "id": secrets.token_hex(_ID_LENGTH // 2),
        "contest_id": contest_id,
        "user_id": principal.user_id,
        **problem,
        "language": language,
        "input_bytes": len(stdin.encode()),
        "status": InvocationStatus.QUEUED.value,
        "created_at": core.clock().isoformat(),
    }
    _queue(core, principal, invocation, {"source": source, "input": stdin})
    return public(invocation)


def get(core: Core, principal: Principal, contest_id: int, invocation_id: str) -> dict[str, Any]:
    """One invocation of the caller's (staff: anyone's) in the contest, as stored now;
    NotFound for another's, one that expired or an id of the wrong shape."""
    stored = load(core, invocation_id) if _is_id(invocation_id) else None
    staff = principal.role in (Role.JURY, Role.ADMIN)
    mine = stored is not None and (staff or stored["user_id"] == principal.user_id)
    if stored is None or not mine or stored["contest_id"] != contest_id:
        raise NotFound(
            f"no invocation {invocation_id[:20]!r} in contest {contest_id}", "invocation_not_found"
        )
    return public(stored)


def public(invocation: dict[str, Any]) -> dict[str, Any]:
    """What a caller reads of a stored invocation (not the source and input it ran)."""
    return {k: value for k, value in invocation.items() if k not in ("source", "input")}


def load(core: Core, invocation_id: str) -> dict[str, Any] | None:
    """The stored invocation (with its source and input until it has run), None once expired."""
    try:
        raw = cast("str | None", core.redis.get(keys.invocation(invocation_id)))
    except redis.RedisError as exc:
        raise ServiceUnavailable("the queue is unavailable; try again") from exc
    return None if raw is None else cast("dict[str, Any]", json.loads(raw))


def _is_id(value: str) -> bool:
    return len(value) == _ID_LENGTH and all(c in "0123456789abcdef" for c in value)


def _input(body: dict[str, Any]) -> str:
    stdin = body.get("input", "")
    if not isinstance(stdin, str):
        raise BadRequest("'input' must be a string", "invalid_field")
    v.text(stdin, "input")
    if len(stdin.encode()) > MAX_INPUT_BYTES:
        raise PayloadTooLarge(f"the input is over {MAX_INPUT_BYTES // 1024} KiB", "input_too_large")
    return stdin


def _problem(cur: Cursor, core: Core, principal: Principal, contest_id: int, key: str) -> dict[str, Any]:
    """The problem's id, label and limits, once the caller may run programs on it now."""
    staff = principal.role in (Role.JURY, Role.ADMIN)
    contest = contests.load_visible(cur, contest_id, staff)
    if not staff:
        contest.require_open(core.clock())
    by_label = key[:1].isalpha()
    if not by_label and not v.is_id(key):
        raise BadRequest("problem must be an id or a label", "invalid_id")
    cur.execute(
        "SELECT p.id AS problem_id, cp.label, p.time_limit_ms, p.memory_limit_kb, p.output_limit_kb"
        " FROM contest_problems cp JOIN problems p ON p.id = cp.problem_id"
        f" WHERE cp.contest_id = %s AND {'cp.label' if by_label else 'p.id'} = %s",
        (contest_id, key if by_label else int(key)),
    )
    row = cur.fetchone()
    if row is None:
        raise NotFound(f"contest {contest_id} has no problem {key[:20]!r}", "problem_not_found")
    if not staff:
        participants.may_submit(cur, contest, principal.user_id)
    return dict(row)


def _queue(core: Core, principal: Principal, invocation: dict[str, Any], job: dict[str, str]) -> None:
    """Count the invocation against the allowance, then store and queue it in one script
    unless the caller has too many pending (the count is then given back)."""
    rate_key = keys.invocation_rate(principal.user_id)
    most = core.settings.max_pending_invocations
    try:
        throttle.take(
            core.redis,
            rate_key,
            1,
            core.settings.invocations_per_minute,
            RATE_WINDOW_SECONDS,
            "rate_limited",
            "runs",
        )
        pending = core.redis.eval(
            _CREATE,
            3,
            keys.invocations_pending(principal.user_id),
            keys.invocation(invocation["id"]),
            keys.INVOCATION_QUEUE,
            *[
                int(core.clock().timestamp()),
                invocation["id"],
                json.dumps({**invocation, **job}),
                TTL_SECONDS,
                most,
                QUEUE_LENGTH,
            ],
        )
    except redis.RedisError as exc:
        raise ServiceUnavailable("the queue is unavailable; try again") from exc
    if int(pending):
        throttle.give_back(core.redis, rate_key)
        raise RateLimited(
            f"you have {most} runs waiting; wait for their results", "too_many_pending_runs", retry_after=2
        )


# --- the judge host's side ------------------------------------------------------------------


class InvocationQueue(WorkStream):
    """The invocation stream as judge hosts read it (codearena.work_streams)."""

    def __init__(self, client: redis.Redis, stream: str = keys.INVOCATION_QUEUE) -> None:
        super().__init__(client, stream, keys.INVOCATION_GROUP, "invocation_id")


def announce(core: Core, invocation: dict[str, Any], **changes: Any) -> dict[str, Any] | None:
    """Store `changes` to a stored invocation (dropping its source and input once it has
    run) and tell its owner live; None when it expired meanwhile (nothing is told)."""
    updated = {**invocation, **changes}
    if updated["status"] == InvocationStatus.DONE.value:
        updated = public(updated)
        core.redis.zrem(keys.invocations_pending(updated["user_id"]), updated["id"])
    if not rewrite(core.redis, keys.invocation(updated["id"]), updated):
        return None
    publish(core.events, public(updated))
    return updated


def publish(events: Events, invocation: dict[str, Any]) -> None:
    """The `invocation` event on its owner's private topic; a lost message is read by polling."""
    topic = participant_topic(invocation["contest_id"], invocation["user_id"])
    try:
        events.publish(topic, EVENT, contest_id=invocation["contest_id"], invocation=invocation)
    except redis.RedisError:
        log.warning("invocation %s: publishing failed", invocation["id"], exc_info=True)
