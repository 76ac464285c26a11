"""Jury tools (issue 14 point 4): every submission of a contest with filters, any
submission's source and per-test details, and the judge fleet and queue now.

What a test's details show is what judging stores: per test its verdict, time, memory, the
first OUTPUT_KEPT_BYTES of the program's output (an interactive test: its transcript instead),
with the test's input and expected answer from `test_cases` (their first SHOWN_BYTES), and a
line diff of the kept output against the shown answer (`output_diff`). Tests judged before the
judge hosts kept output (migration 0015) have `"output": null` and no diff.
"""

from __future__ import annotations

import re
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any

from codearena import contests, keys, scaling
from codearena import validation as v
from codearena.core import Core
from codearena.db import one_row
from codearena.errors import BadRequest, NotFound
from codearena.judgements import OUTPUT_BUDGET_ACCEPTED_BYTES, OUTPUT_BUDGET_REJECTED_BYTES, OUTPUT_KEPT_BYTES
from codearena.languages import LANGUAGES
from codearena.models import Verdict
from codearena.submissions import LIVE_HOST_SECONDS

SHOWN_BYTES = 4096  # of a test's input and answer in the details
PENDING = "pending"  # the verdict filter for submissions not judged yet
VERDICTS = (*[verdict.value for verdict in Verdict], PENDING)
OUTPUT_NOTE = (
    f"each test's output is the first {OUTPUT_KEPT_BYTES // 1024} KiB the program wrote to stdout,"
    f" the diff compares it line by line with the answer's first {SHOWN_BYTES // 1024} KiB;"
    " tests judged before outputs were kept (and interactive tests) have none, and so do tests past"
    f" a judgement's budget ({OUTPUT_BUDGET_ACCEPTED_BYTES // 1024} KiB of accepted tests' output,"
    f" {OUTPUT_BUDGET_REJECTED_BYTES // 1024} KiB of the others')"
)
DIFF_CONTEXT = 3  # equal lines shown around each difference
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
            "SELECT t.ordinal AS index, t.verdict, t.time_ms, t.memory_kb, t.transcript, t.output,"
            " t.output_truncated, c.test_group, c.is_sample, c.name, c.input, c.answer"
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
        "output_stored": bool(tests) and all(test["output"] is not None for test in tests),
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
    output = row["output"]
    test["diff"] = None if output is None else output_diff(test["answer"], output)
    test["diff_truncated"] = test["answer_truncated"] or test["output_truncated"]
    return test


def output_diff(answer: str, output: str, context: int = DIFF_CONTEXT) -> list[dict[str, str]]:
    """A line diff of a program's `output` against the `answer`, as unified diffs show it:
    hunks ("hunk": "@@ answer 3–5, output 3–4 @@") of changed lines ("answer": only in the
    answer, "output": only in the output) with `context` equal lines ("same") around them.
    [] when the lines are equal (a whitespace-token checker may accept other differences)."""
    expected, got = answer.splitlines(), output.splitlines()
    if expected == got:
        return []
    lines: list[dict[str, str]] = []
    matcher = SequenceMatcher(None, expected, got, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        _, a_from, _, b_from, _ = group[0]
        a_to, b_to = group[-1][2], group[-1][4]
        lines.append(_line("hunk", f"@@ answer {_span(a_from, a_to)}, output {_span(b_from, b_to)} @@"))
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                lines.extend(_line("same", text) for text in expected[a1:a2])
                continue
            lines.extend(_line("answer", text) for text in expected[a1:a2])
            lines.extend(_line("output", text) for text in got[b1:b2])
    return lines


def _line(kind: str, text: str) -> dict[str, str]:
    return {"kind": kind, "text": text}


def _span(start: int, end: int) -> str:
    """Lines start+1..end, 1-based as editors count ("no lines" when empty)."""
    if end <= start:
        return f"no lines after {start}"
    return f"{start + 1}" if end == start + 1 else f"{start + 1}–{end}"


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
