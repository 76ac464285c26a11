"""Clarifications (issue 15): a participant asks the jury a question, about a problem of the
contest or in general; the jury answers that participant only or everyone, or announces
something to everyone.

Who reads what: a participant their own questions, the answers sent to them and everything
sent to everyone; the jury all. Each new one goes out live once committed (DESIGN §7, type
`clarification`): a question to the jury topic and the asker's private topic
("participant:<cid>:<uid>"), a private answer to the jury and that participant, an answer to
everyone or an announcement to the jury and the public contest topic.
"""

from __future__ import annotations

import logging
from typing import Any

import redis

from codearena import contests, keys, participants, throttle
from codearena import validation as v
from codearena.auth import Principal
from codearena.core import Core
from codearena.db import Cursor, one_row
from codearena.errors import BadRequest, NotFound, ServiceUnavailable
from codearena.events import contest_topic, jury_topic, participant_topic
from codearena.models import Role

log = logging.getLogger("codearena.clarifications")

MAX_TEXT = 2000  # characters, as the table's CHECK
RATE_WINDOW_SECONDS = 60
EVENT = "clarification"
_STAFF = (Role.ADMIN, Role.JURY)
_SELECT = (
    "SELECT c.id, c.contest_id, c.from_user_id, f.username AS from_username, c.to_user_id,"
    " t.username AS to_username, c.reply_to_id, c.problem_id, cp.label, c.text, c.created_at"
    " FROM clarifications c LEFT JOIN users f ON f.id = c.from_user_id"
    " LEFT JOIN users t ON t.id = c.to_user_id"
    " LEFT JOIN contest_problems cp ON cp.contest_id = c.contest_id AND cp.problem_id = c.problem_id"
)
# What a participant may read: their questions, answers to them, and what went to everyone.
_READABLE = (
    "(%(jury)s OR c.from_user_id = %(user)s OR c.to_user_id = %(user)s"
    " OR (c.from_user_id IS NULL AND c.to_user_id IS NULL))"
)


def ask(core: Core, principal: Principal, contest_id: int, body: Any) -> dict[str, Any]:
    """A participant's question to the jury; 201 with it. RateLimited past the
    per-minute allowance (nothing stored, nothing counted)."""
    body = v.body_object(body)
    key = keys.clarification_rate(contest_id, principal.user_id)
    counted = False
    try:
        with core.db.transaction() as cur:
            contest = contests.load_visible(cur, contest_id, principal.role in _STAFF)
            text, problem_id = _text(body), _problem(body)
            contest.require_open(core.clock())
            participants.may_submit(cur, contest, principal.user_id)
            _require_problem(cur, contest_id, problem_id)
            counted = _count(core, key)
            asked = _insert(cur, contest_id, principal.user_id, None, None, problem_id, text, core)
    except BaseException:
        if counted:
            throttle.give_back(core.redis, key)
        raise
    _publish(core, asked, jury_topic(contest_id), participant_topic(contest_id, principal.user_id))
    return asked


def _count(core: Core, key: str) -> bool:
    """Count a question against the participant's allowance, or raise RateLimited."""
    limit = core.settings.clarifications_per_minute
    try:
        throttle.take(
            core.redis, key, 1, limit, RATE_WINDOW_SECONDS, "rate_limited", "clarification questions"
        )
    except redis.RedisError as exc:
        raise ServiceUnavailable("the rate limiter is unavailable; try again") from exc
    return True


def answer(core: Core, contest_id: int, body: Any) -> dict[str, Any]:
    """The jury's answer to a question (`reply_to_id`; to the asker, or to everyone with
    `"to": "everyone"`) or, without `reply_to_id`, an announcement to everyone; 201 with it."""
    body = v.body_object(body)
    with core.db.transaction() as cur:
        contests.load(cur, contest_id)
    text = _text(body)
    reply_to = None if body.get("reply_to_id") is None else v.integer(body, "reply_to_id", low=1, high=2**62)
    to = v.choice(body, "to", ("asker", "everyone"), "asker" if reply_to is not None else "everyone")
    with core.db.transaction() as cur:
        if reply_to is None:
            if to == "asker":
                raise BadRequest("an announcement goes to everyone; 'to' must be everyone", "invalid_field")
            recipient, problem_id = None, _problem(body)
        else:
            question = _question(cur, contest_id, reply_to)
            recipient = question["from_user_id"] if to == "asker" else None
            problem_id = _problem(body) if "problem_id" in body else question["problem_id"]
        _require_problem(cur, contest_id, problem_id)
        sent = _insert(cur, contest_id, None, recipient, reply_to, problem_id, text, core)
    if recipient is None:
        _publish(core, sent, jury_topic(contest_id), contest_topic(contest_id))
    else:
        _publish(core, sent, jury_topic(contest_id), participant_topic(contest_id, recipient))
    return sent


def readable(core: Core, principal: Principal, contest_id: int) -> dict[str, Any]:
    """What the caller may read in the contest, oldest first: the jury everything."""
    with core.db.transaction() as cur:
        contests.load_visible(cur, contest_id, principal.role in _STAFF)
        cur.execute(
            f"{_SELECT} WHERE c.contest_id = %(contest)s AND {_READABLE} ORDER BY c.created_at, c.id",
            {"contest": contest_id, **_caller(principal)},
        )
        rows = cur.fetchall()
    return {"contest_id": contest_id, "clarifications": [_json(row) for row in rows]}


def one(core: Core, principal: Principal, contest_id: int, clarification_id: int) -> dict[str, Any]:
    """One clarification the caller may read; NotFound for any other (another participant's
    question looks like none at all)."""
    with core.db.transaction() as cur:
        contests.load_visible(cur, contest_id, principal.role in _STAFF)
        cur.execute(
            f"{_SELECT} WHERE c.contest_id = %(contest)s AND c.id = %(id)s AND {_READABLE}",
            {"contest": contest_id, "id": clarification_id, **_caller(principal)},
        )
        row = cur.fetchone()
    if row is None:
        raise NotFound(
            f"no clarification {clarification_id} in contest {contest_id}", "clarification_not_found"
        )
    return _json(row)


def _caller(principal: Principal) -> dict[str, Any]:
    return {"jury": principal.role in _STAFF, "user": principal.user_id}


def _text(body: dict[str, Any]) -> str:
    text = v.string(body, "text", max_len=MAX_TEXT)
    if not text.strip():
        raise BadRequest("'text' must not be blank", "invalid_field")
    return text


def _problem(body: dict[str, Any]) -> int | None:
    if body.get("problem_id") is None:
        return None
    return v.integer(body, "problem_id", low=1, high=2**62)


def _require_problem(cur: Cursor, contest_id: int, problem_id: int | None) -> None:
    if problem_id is None:
        return
    cur.execute(
        "SELECT 1 FROM contest_problems WHERE contest_id = %s AND problem_id = %s", (contest_id, problem_id)
    )
    if cur.fetchone() is None:
        raise NotFound(f"contest {contest_id} has no problem {problem_id}", "problem_not_found")


def _question(cur: Cursor, contest_id: int, clarification_id: int) -> dict[str, Any]:
    cur.execute(
        "SELECT from_user_id, problem_id FROM clarifications WHERE contest_id = %s AND id = %s",
        (contest_id, clarification_id),
    )
    row = cur.fetchone()
    if row is None:
        raise NotFound(
            f"no clarification {clarification_id} in contest {contest_id}", "clarification_not_found"
        )
    if row["from_user_id"] is None:
        raise BadRequest("'reply_to_id' must be a participant's question", "invalid_field")
    return dict(row)


def _insert(
    cur: Cursor,
    contest_id: int,
    sender: int | None,
    recipient: int | None,
    reply_to: int | None,
    problem_id: int | None,
    text: str,
    core: Core,
) -> dict[str, Any]:
    cur.execute(
        "INSERT INTO clarifications (contest_id, from_user_id, to_user_id, reply_to_id, problem_id, text,"
        " created_at) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (contest_id, sender, recipient, reply_to, problem_id, text, core.clock()),
    )
    new_id = one_row(cur)["id"]
    cur.execute(f"{_SELECT} WHERE c.id = %s", (new_id,))
    return _json(one_row(cur))


def _json(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "created_at": row["created_at"].isoformat()}


def _publish(core: Core, clarification: dict[str, Any], *topics: str) -> None:
    """Announce a committed clarification; Redis failing here loses only the live message
    (a client reads the list over HTTP when it reconnects)."""
    try:
        for topic in topics:
            core.events.publish(
                topic, EVENT, contest_id=clarification["contest_id"], clarification=clarification
            )
    except redis.RedisError:
        log.warning("clarification %s: publishing failed", clarification["id"], exc_info=True)
