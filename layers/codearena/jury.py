"""Jury tools (issue 14 point 4): every submission of a contest with filters, any
submission's source and per-test details, and the judge fleet and queue now.

What a test's details can show is what judging stores: per test its verdict, time, memory
and (interactive tests) the transcript, with the test's input and expected answer from
`test_cases`. The judge hosts do not store a program's output (test_results has no column for
it), so there is no "judge's output" and no diff of it against the answer: each test says
`"output": null` and the answer says why in `output_note`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from codearena import contests, keys, scaling
from codearena import validation as v
from codearena.core import Core
from codearena.db import one_row
from codearena.errors import BadRequest, NotFound
from codearena.languages import LANGUAGES
from codearena.models import Verdict
from codearena.submissions import LIVE_HOST_SECONDS

SHOWN_BYTES = 4096  # of a test's input and answer in the details
PENDING = "pending"  # the verdict filter for submissions not judged yet
VERDICTS = (*[verdict.value for verdict in Verdict], PENDING)
OUTPUT_NOTE = (
    "judge hosts do not store a program's output, only each test's verdict, time and memory"
    " (and an interactive test's transcript): there is no output to show or diff"
)
_PROBLEM = re.compile(r"[0-9]{1,18}|[A-Z][0-9]?", re.ASCII)
_LIST = (
    "SELECT s.id, s.problem_id, cp.label, s.user_id, u.username, s.language, s.created_at, s.status,"
    " r.verdict, r.score, r.max_time_ms, r.max_memory_kb, r.judge_host, count(*) OVER () AS total"
    " FROM submissions s JOIN users u ON u.id = s.user_id"
    " JOIN contest_problems cp ON cp.contest_id = s.contest_id AND cp.problem_id = s.problem_id"
    " LEFT JOIN submission_results r ON r.submission_id = s.id AND r.is_current"
    " WHERE s.contest_id = %(contest)s"
)


def submissions(core: Core, contest_id: int, params: dict[str, str]) -> dict[str, Any]:
    """The contest's submissions, newest first, filtered by the query `params` (problem: id
    or label, user_id, verdict (or "pending"), language, from/to: ISO times), paged by
    offset/limit. BadRequest (invalid_query) for a malformed filter."""
    where, args = _filters(params)
    offset = v.query_int(params, "offset", default=0, low=0, high=10**7)
    limit = v.query_int(params, "limit", default=100, low=1, high=500)
    with core.db.transaction() as cur:
        contests.load(cur, contest_id)
        cur.execute(
            f"{_LIST}{where} ORDER BY s.created_at DESC, s.id DESC OFFSET %(offset)s LIMIT %(limit)s",
            {"contest": contest_id, "offset": offset, "limit": limit, **args},
        )
        rows = cur.fetchall()
    total = int(rows[0]["total"]) if rows else _count(core, contest_id, where, args)
    return {
        "contest_id": contest_id,
        "total": total,
        "offset": offset,
        "limit": limit,
        "submissions": [_listed(row) for row in rows],
    }


def _count(core: Core, contest_id: int, where: str, args: dict[str, Any]) -> int:
    """The total when the page is empty (an offset past the end reads no window count)."""
    with core.db.transaction() as cur:
        cur.execute(
            f"SELECT count(*) AS total FROM ({_LIST}{where}) AS page", {"contest": contest_id, **args}
        )
        return int(one_row(cur)["total"])


def _filters(params: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """SQL conditions and their arguments for the filters given."""
    where, args = "", dict[str, Any]()
    if "problem" in params:
        problem = _query(
            params, "problem", _PROBLEM.fullmatch(params["problem"]) is not None, "an id or a label"
        )
        where += " AND (cp.label = %(problem)s OR s.problem_id::text = %(problem)s)"
        args["problem"] = problem
    if "user_id" in params:
        args["user_id"] = _query(params, "user_id", v.is_id(params["user_id"]), "a user id")
        where += " AND s.user_id = %(user_id)s::bigint"
    if "verdict" in params:
        verdict = _query(params, "verdict", params["verdict"] in VERDICTS, "one of " + ", ".join(VERDICTS))
        where += " AND r.verdict IS NULL" if verdict == PENDING else " AND r.verdict = %(verdict)s"
        args["verdict"] = verdict
    if "language" in params:
        args["language"] = _query(
            params, "language", params["language"] in LANGUAGES, "one of " + ", ".join(LANGUAGES)
        )
        where += " AND s.language = %(language)s"
    for name, operator in (("from", ">="), ("to", "<")):
        if name in params:
            args[name] = _time(params, name)
            where += f" AND s.created_at {operator} %({name})s"
    return where, args


def _query(params: dict[str, str], name: str, valid: bool, what: str) -> str:
    if not valid:
        raise BadRequest(f"query parameter '{name}' must be {what}", "invalid_query")
    return params[name]


def _time(params: dict[str, str], name: str) -> datetime:
    try:
        moment = v.timestamp(params, name)
    except BadRequest as exc:
        raise BadRequest(f"query parameter '{name}': {exc.message}", "invalid_query") from exc
    assert moment is not None
    return moment


def _listed(row: dict[str, Any]) -> dict[str, Any]:
    listed = {k: row[k] for k in row if k != "total"}
    listed["created_at"] = row["created_at"].isoformat()
    listed["score"] = float(row["score"]) if row["score"] is not None else None
    return listed


def details(core: Core, submission_id: int) -> dict[str, Any]:
    """A submission as the jury reads it: source, every judging, the current judging's
    compile output and per-test results with the test's input and answer (the first
    SHOWN_BYTES of each). NotFound when there is none."""
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT s.id, s.contest_id, s.problem_id, cp.label, s.user_id, u.username, s.language,"
            " s.source, s.created_at, s.status, s.last_error"
            " FROM submissions s JOIN users u ON u.id = s.user_id"
            " JOIN contest_problems cp ON cp.contest_id = s.contest_id AND cp.problem_id = s.problem_id"
            " WHERE s.id = %s",
            (submission_id,),
        )
        submission = cur.fetchone()
        if submission is None:
            raise NotFound(f"no submission {submission_id}", "submission_not_found")
        cur.execute(
            "SELECT id, judgement, verdict, score, max_time_ms, max_memory_kb, compile_output, judge_host,"
            " is_current, created_at FROM submission_results WHERE submission_id = %s ORDER BY judgement",
            (submission_id,),
        )
        judgings = cur.fetchall()
        current = next((j for j in judgings if j["is_current"]), None)
        cur.execute(
            "SELECT t.ordinal AS index, t.verdict, t.time_ms, t.memory_kb, t.transcript, c.test_group,"
            " c.is_sample, c.name, c.input, c.answer"
            " FROM test_results t JOIN test_cases c ON c.id = t.test_case_id"
            " WHERE t.result_id = %s ORDER BY t.ordinal",
            (current["id"] if current else None,),
        )
        tests = [_test(row) for row in cur.fetchall()]
    return {
        **{k: submission[k] for k in submission if k != "created_at"},
        "created_at": submission["created_at"].isoformat(),
        "verdict": current["verdict"] if current else None,
        "compile_output": current["compile_output"] if current else None,
        "judgings": [_judging(j) for j in judgings],
        "tests": tests,
        "output_stored": False,
        "output_note": OUTPUT_NOTE,
    }


def _judging(row: dict[str, Any]) -> dict[str, Any]:
    judging = {k: row[k] for k in row if k not in ("id", "compile_output", "created_at")}
    judging["score"] = float(row["score"])
    judging["created_at"] = row["created_at"].isoformat()
    return judging


def _test(row: dict[str, Any]) -> dict[str, Any]:
    test = {k: row[k] for k in row if k not in ("input", "answer")}
    for name in ("input", "answer"):
        test[name], test[f"{name}_truncated"] = truncated(row[name])
    test["output"] = None  # not stored: see OUTPUT_NOTE
    return test


def truncated(text: str, limit: int = SHOWN_BYTES) -> tuple[str, bool]:
    """The first `limit` bytes of `text` (UTF-8, never a split character), and whether that cut it."""
    data = text.encode()
    if len(data) <= limit:
        return text, False
    return data[:limit].decode(errors="ignore"), True


def judging(core: Core) -> dict[str, Any]:
    """The judge hosts that beat in the last LIVE_HOST_SECONDS, as their heartbeats say,
    the queue (scaling.queue_stats) and the submissions not judged yet by status."""
    now = core.clock().timestamp()
    names = [str(n) for n in core.redis.zrangebyscore(keys.JUDGE_HOSTS, now - LIVE_HOST_SECONDS, "+inf")]
    pipe = core.redis.pipeline(transaction=False)
    for name in names:
        pipe.hgetall(keys.judge_host(name))
    states = pipe.execute() if names else []
    stats = scaling.queue_stats(core)
    with core.db.transaction() as cur:
        cur.execute("SELECT status, count(*) AS n FROM submissions WHERE status <> 'judged' GROUP BY status")
        unjudged = {row["status"]: int(row["n"]) for row in cur.fetchall()}
    return {
        "hosts": [_host(name, state, now) for name, state in zip(names, states, strict=True)],
        "queue": {
            "waiting": stats.waiting,
            "in_flight": stats.in_flight,
            "depth": stats.depth,
            "oldest_age_seconds": round(stats.oldest_age_seconds, 3),
        },
        "unjudged": {"queued": unjudged.get("queued", 0), "judging": unjudged.get("judging", 0)},
    }


def _host(name: str, state: dict[str, str], now: float) -> dict[str, Any]:
    """A host's heartbeat hash (judge_host.daemon.beat), typed; {} fields once it expired."""

    def number(field: str) -> float:
        return float(state.get(field, 0) or 0)

    return {
        "name": name,
        "boxes": int(number("boxes")),
        "busy": int(number("busy")),
        "judged": int(number("judged")),
        "draining": bool(int(number("draining"))),
        "beat_seconds_ago": round(max(now - number("beat_at"), 0.0), 3) if "beat_at" in state else None,
        "up_seconds": round(max(now - number("started_at"), 0.0), 3) if "started_at" in state else None,
    }
