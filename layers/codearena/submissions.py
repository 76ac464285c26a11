"""Submission intake and reads (DESIGN §4 step 1): the languages on offer, submitting (checks,
Idempotency-Key, rate and pending limits, the enqueue after the commit), one submission with its
per-test results, and a contestant's own list. Statuses are `SubmissionStatus` values.

A submission crosses modules as a `Submission` (its row, typed, with its author's username),
read by `load` / `find`: standings, judgements, rejudging and the realtime topic checks take it."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import psycopg2.errors
import redis

from codearena import contests, jury_feed, keys, participants, standings
from codearena import validation as v
from codearena.auth import Principal
from codearena.core import Core
from codearena.db import Cursor, one_row
from codearena.errors import (
    BadRequest,
    Conflict,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServiceUnavailable,
    Unauthorized,
)
from codearena.languages import CATALOG, LANGUAGES
from codearena.models import Role, SubmissionStatus

log = logging.getLogger("codearena.submissions")
_IDEMPOTENCY_TTL_SECONDS = 24 * 3600
_PENDING_TTL_SECONDS = 60  # a key taken by a request that died before its commit frees itself
# KEYS: idempotency key. ARGV: the pending mark. Deleted only while it is still ours.
_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
LIVE_HOST_SECONDS = 120  # a judge host that has not beaten for this long is gone
# A submission's row as `Submission` reads it (the source stays out: few readers need it).
_ROW = (
    "SELECT s.id, s.contest_id, s.problem_id, s.user_id, u.username, s.language, s.created_at, s.status,"
    " s.judgement FROM submissions s JOIN users u ON u.id = s.user_id WHERE s.id = %s"
)


@dataclass(frozen=True)
class Submission:
    """A row of `submissions` without its source, with its author's username: `judgement` is
    the number its current or next judging writes (a rejudge raises it)."""

    id: int
    contest_id: int
    problem_id: int
    user_id: int
    username: str
    language: str
    created_at: datetime
    status: SubmissionStatus
    judgement: int

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Submission:
        return cls(
            id=row["id"],
            contest_id=row["contest_id"],
            problem_id=row["problem_id"],
            user_id=row["user_id"],
            username=row["username"],
            language=row["language"],
            created_at=row["created_at"],
            status=SubmissionStatus(row["status"]),
            judgement=row["judgement"],
        )


def find(cur: Cursor, submission_id: int) -> Submission | None:
    """The submission, or None when there is none."""
    cur.execute(_ROW, (submission_id,))
    row = cur.fetchone()
    return None if row is None else Submission.from_row(row)


def load(cur: Cursor, submission_id: int) -> Submission:
    """The submission; NotFound when there is none."""
    submission = find(cur, submission_id)
    if submission is None:
        raise NotFound(f"no submission {submission_id}", "submission_not_found")
    return submission


def submit(
    core: Core, principal: Principal, contest_id: int, body: Any, idempotency_key: str | None = None
) -> dict[str, Any]:
    body = v.body_object(body)
    problem_id = v.integer(body, "problem_id", low=1, high=2**62)
    language, source = language_and_source(core, body)
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 128:
        raise BadRequest("Idempotency-Key must be 1 to 128 characters", "invalid_idempotency_key")
    once = _Once(core, principal, idempotency_key, f"{contest_id}:{problem_id}:{language}:{source}")
    counted: str | None = None
    try:
        try:
            if earlier := once.reserve():
                return earlier
            counted = _rate_limit(core, principal)
        except redis.RedisError as exc:  # nothing is stored yet: the contestant may simply retry
            raise ServiceUnavailable("the queue is unavailable; try again") from exc
        submission, update = _insert(core, principal, contest_id, problem_id, language, source)
    except BaseException:  # refused or failed: the key and this minute's count are given back
        once.release()
        if counted is not None:
            _uncount(core, counted)
        raise
    _after_commit(core, submission.id, once)
    _show_pending(core, update)
    jury_feed.announce(core, contest_id, submission.id, SubmissionStatus.QUEUED.value)
    return {"id": submission.id, "status": submission.status.value}


def language_and_source(core: Core, body: dict[str, Any]) -> tuple[str, str]:
    """The body's `language` (one a live judge host offers) and `source` (not blank, at most
    `max_source_bytes` of UTF-8), or the error that refuses them."""
    language = v.choice(body, "language", LANGUAGES, code="unknown_language")
    require_offered(core, language)
    source = body.get("source")
    if not isinstance(source, str) or not source.strip():
        raise BadRequest("'source' must be a non-empty string", "invalid_field")
    v.text(source, "source")
    if len(source.encode()) > core.settings.max_source_bytes:
        raise PayloadTooLarge(
            f"the source is over {core.settings.max_source_bytes // 1024} KiB", "source_too_large"
        )
    return language, source


def language_offer(core: Core) -> dict[str, Any]:
    """What a contestant may submit: the languages offered now, the title and file extensions
    of every language (to name earlier submissions too), and the largest source in bytes."""
    return {
        "languages": offered_languages(core),
        "catalog": [language.as_json() for language in CATALOG],
        "max_source_bytes": core.settings.max_source_bytes,
    }


def offered_languages(core: Core) -> list[str]:
    """Languages some live judge host runs; every known one while no host is up (the
    submission then waits in the queue for the first host)."""
    now = core.clock().timestamp()
    # One snapshot: Redis emptied between two reads would show live hosts offering nothing.
    pipe = core.redis.pipeline(transaction=True)
    pipe.zcount(keys.JUDGE_HOSTS, now - LIVE_HOST_SECONDS, "+inf")
    pipe.hgetall(keys.JUDGE_LANGUAGES)
    hosts, offered = pipe.execute()
    if not hosts or not offered:  # no host, or none has said what it runs yet
        return list(LANGUAGES)
    return [name for name in LANGUAGES if float(offered.get(name, 0)) >= now - LIVE_HOST_SECONDS]


def require_offered(core: Core, language: str) -> None:
    try:
        offered = offered_languages(core)
    except redis.RedisError as exc:
        raise ServiceUnavailable("the queue is unavailable; try again") from exc
    if language not in offered:
        raise BadRequest(
            f"no judge host can run {language} now; use one of: {', '.join(offered)}", "language_unavailable"
        )


def _after_commit(core: Core, submission_id: int, once: _Once) -> None:
    """Remember the key and enqueue. The row is committed, so the answer is 202 even when
    Redis fails here: the sweeper enqueues it from PostgreSQL, and a retry would duplicate it."""
    try:
        once.remember(submission_id)
        core.queue.enqueue(submission_id)
    except redis.RedisError:
        log.warning(
            "submission %s: enqueue failed; the sweeper will pick it up", submission_id, exc_info=True
        )


def _show_pending(core: Core, update: standings.BoardUpdate | None) -> None:
    """Best effort: the event is committed, so a later event or a rebuild catches up."""
    if update is None:
        return
    try:
        standings.publish(core, update)
    except (redis.RedisError, ServiceUnavailable):
        log.warning("contest %s: showing a pending attempt failed", update.contest_id, exc_info=True)


class _Once:
    """An Idempotency-Key: taken atomically (SET NX) before the insert, so concurrent retries
    make one submission; bound to what was sent, so the key cannot replay another request."""

    def __init__(self, core: Core, principal: Principal, key: str | None, request: str) -> None:
        self.core = core
        self.key = keys.idempotency(principal.user_id, key) if key else None
        self.fingerprint = hashlib.sha256(request.encode()).hexdigest()[:32]
        self.pending = "pending:" + self.fingerprint
        self.taken = False

    def reserve(self) -> dict[str, Any] | None:
        """None when this request may go on; the earlier answer when it is a retry."""
        if self.key is None:
            return None
        if self.core.redis.set(self.key, self.pending, nx=True, ex=_PENDING_TTL_SECONDS):
            self.taken = True
            return None
        earlier = cast("str | None", self.core.redis.get(self.key))  # decoded (core.redis_client)
        if earlier is None:  # it expired between the two calls: take it now
            return self.reserve()
        what, _, fingerprint = earlier.partition(":")
        if fingerprint != self.fingerprint:
            raise Conflict(
                "this Idempotency-Key was used for a different submission; use a new key",
                "idempotency_key_reused",
            )
        if what == "pending":
            raise Conflict(
                "a submission with this Idempotency-Key is being taken; retry in a moment",
                "idempotency_key_in_progress",
            )
        return {"id": int(what), "status": SubmissionStatus.QUEUED.value, "replayed": True}

    def remember(self, submission_id: int) -> None:
        if self.taken and self.key:
            value = f"{submission_id}:{self.fingerprint}"
            self.core.redis.set(self.key, value, ex=_IDEMPOTENCY_TTL_SECONDS)

    def release(self) -> None:
        """Give the key back (best effort: a pending mark expires by itself)."""
        if self.taken and self.key:
            try:
                self.core.redis.eval(_RELEASE, 1, self.key, self.pending)
            except redis.RedisError:
                log.warning("releasing an Idempotency-Key failed; it expires", exc_info=True)


def _rate_limit(core: Core, principal: Principal) -> str:
    """Count a submission in this minute (the key counted), or refuse it."""
    minute = int(core.clock().timestamp() // 60)
    key = keys.submit_rate(principal.user_id, minute)
    pipe = core.redis.pipeline(transaction=True)
    pipe.incr(key)
    pipe.expire(key, 120)
    count = pipe.execute()[0]
    if count > core.settings.submit_rate_per_minute:
        _uncount(core, key)
        raise RateLimited(
            f"at most {core.settings.submit_rate_per_minute} submissions a minute; wait a moment",
            "rate_limited",
        )
    return key


def _uncount(core: Core, key: str) -> None:
    try:
        core.redis.decr(key)
    except redis.RedisError:
        log.warning("giving back a rate-limit count failed", exc_info=True)


def _insert(
    core: Core, principal: Principal, contest_id: int, problem_id: int, language: str, source: str
) -> tuple[Submission, standings.BoardUpdate | None]:
    with core.db.transaction() as cur:
        contest = contests.load_visible(cur, contest_id, _is_staff(principal))
        now = core.clock()
        contest.require_open(now)
        cur.execute(
            "SELECT label FROM contest_problems WHERE contest_id = %s AND problem_id = %s",
            (contest_id, problem_id),
        )
        if cur.fetchone() is None:
            raise NotFound(f"contest {contest_id} has no problem {problem_id}", "problem_not_found")
        participants.may_submit(cur, contest, principal.user_id)
        _limit_pending(cur, principal.user_id, core.settings.max_pending_submissions)
        try:
            cur.execute(
                "INSERT INTO submissions (contest_id, problem_id, user_id, language, source, created_at)"
                " VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
                (contest_id, problem_id, principal.user_id, language, source, now),
            )
        except psycopg2.errors.ForeignKeyViolation as exc:  # a token outliving its account
            raise Unauthorized("this account no longer exists; sign up again", "unknown_user") from exc
        submission = load(cur, one_row(cur)["id"])
        return submission, standings.on_submitted(cur, submission)


def _limit_pending(cur: Cursor, user_id: int, most: int) -> None:
    """At most `most` submissions of one user wait for or are in judging (counted under a
    per-user lock, so concurrent submits cannot all pass): one account cannot fill the queue."""
    cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"pending:{user_id}",))
    cur.execute(
        "SELECT count(*) AS n FROM submissions WHERE user_id = %s AND status <> %s",
        (user_id, SubmissionStatus.JUDGED.value),
    )
    if one_row(cur)["n"] >= most:
        raise RateLimited(
            f"you have {most} submissions waiting to be judged; wait for their verdicts",
            "too_many_pending",
            retry_after=5,
        )


JUDGE_ERROR_FOR_CONTESTANTS = "judging error: the jury has been told and will judge it again"


def _test_result(row: dict[str, Any], staff: bool) -> dict[str, Any]:
    """A test's result; an interactive test's transcript is for the jury only."""
    test = dict(row)
    if not (staff and test["transcript"]):
        del test["transcript"]
    return test


def get_submission(core: Core, principal: Principal, submission_id: int) -> dict[str, Any]:
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT s.id, s.contest_id, s.problem_id, cp.label, s.user_id, s.language, s.source,"
            " s.created_at, s.status, r.id AS result_id, r.verdict, r.score, r.compile_output"
            " FROM submissions s"
            " JOIN contest_problems cp ON cp.contest_id = s.contest_id AND cp.problem_id = s.problem_id"
            " LEFT JOIN submission_results r ON r.submission_id = s.id AND r.is_current"
            " WHERE s.id = %s",
            (submission_id,),
        )
        row = cur.fetchone()
        if row is None or not _may_read(principal, row["user_id"]):
            # Someone else's submission looks the same as a missing one.
            raise NotFound(f"no submission {submission_id}", "submission_not_found")
        tests: list[dict[str, Any]] = []
        if row["result_id"] is not None:
            cur.execute(
                "SELECT ordinal AS index, verdict, time_ms, memory_kb, transcript FROM test_results"
                " WHERE result_id = %s ORDER BY ordinal",
                (row["result_id"],),
            )
            tests = [_test_result(test, _is_staff(principal)) for test in cur.fetchall()]
    submission = {
        k: row[k]
        for k in (
            "id",
            "contest_id",
            "problem_id",
            "label",
            "user_id",
            "language",
            "source",
            "status",
            "verdict",
            "compile_output",
        )
    }
    if row["verdict"] == "JE" and not _is_staff(principal):  # the reason is for the jury only
        submission["compile_output"] = JUDGE_ERROR_FOR_CONTESTANTS
    submission["created_at"] = row["created_at"].isoformat()
    submission["score"] = float(row["score"]) if row["score"] is not None else None
    submission["tests"] = tests
    return submission


def _may_read(principal: Principal, owner_id: int) -> bool:
    return principal.user_id == owner_id or _is_staff(principal)


def _is_staff(principal: Principal) -> bool:
    return principal.role in (Role.JURY, Role.ADMIN)


def list_own(core: Core, principal: Principal, contest_id: int) -> dict[str, Any]:
    with core.db.transaction() as cur:
        contests.load_visible(cur, contest_id, _is_staff(principal))
        cur.execute(
            "SELECT s.id, s.problem_id, cp.label, s.language, s.created_at, s.status, r.verdict, r.score"
            " FROM submissions s"
            " JOIN contest_problems cp ON cp.contest_id = s.contest_id AND cp.problem_id = s.problem_id"
            " LEFT JOIN submission_results r ON r.submission_id = s.id AND r.is_current"
            " WHERE s.contest_id = %s AND s.user_id = %s ORDER BY s.id DESC LIMIT 500",
            (contest_id, principal.user_id),
        )
        rows = cur.fetchall()
    return {
        "submissions": [
            {
                **row,
                "created_at": row["created_at"].isoformat(),
                "score": float(row["score"]) if row["score"] is not None else None,
            }
            for row in rows
        ]
    }
