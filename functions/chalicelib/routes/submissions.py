"""Submissions: the languages on offer, submitting, reading results, and rejudging."""

from __future__ import annotations

from typing import Any

from chalicelib import openapi_schemas as s
from chalicelib.routing import ADMIN, CONTESTANT, Area, Call
from codearena import rejudge, submissions
from codearena import validation as v

AREA = Area(__name__)


@AREA.route("GET", "/languages", token="none", answer=s.LANGUAGE_LIST)
def languages(call: Call) -> dict[str, Any]:
    """Languages a live judge host can run now"""
    return submissions.language_offer(call.core)


@AREA.route(
    "POST",
    "/contests/{cid}/submissions",
    roles=CONTESTANT,
    status=202,
    body=s.SUBMISSION,
    answer=s.QUEUED,
    headers=("idempotency_key",),
)
def submit(call: Call, cid: str) -> dict[str, Any]:
    """Submit; a retry with the same Idempotency-Key answers the first submission"""
    principal = call.principal()
    contest_id = v.path_id(cid, "contest")
    return submissions.submit(call.core, principal, contest_id, call.body, call.header("idempotency-key"))


@AREA.route("GET", "/contests/{cid}/submissions", answer=s.SUBMISSION_LIST)
def my_submissions(call: Call, cid: str) -> dict[str, Any]:
    """Your submissions in a contest"""
    return submissions.list_own(call.core, call.principal(), v.path_id(cid, "contest"))


@AREA.route("GET", "/submissions/{sid}", also="the owner, or the jury", answer=s.SUBMISSION_DETAIL)
def get_submission(call: Call, sid: str) -> dict[str, Any]:
    """Status, verdict, score and per-test results"""
    return submissions.get_submission(call.core, call.principal(), v.path_id(sid, "submission"))


@AREA.route("POST", "/admin/submissions/{sid}/rejudge", roles=ADMIN, status=202, answer=s.REJUDGED)
def rejudge_submission(call: Call, sid: str) -> dict[str, Any]:
    """Judge a submission again; the new result supersedes the old, kept for audit"""
    return rejudge.rejudge_submission(call.core, v.path_id(sid, "submission"))


@AREA.route(
    "POST",
    "/admin/contests/{cid}/problems/{pid}/rejudge",
    roles=ADMIN,
    status=202,
    answer=s.REJUDGED_PROBLEM,
)
def rejudge_problem(call: Call, cid: str, pid: str) -> dict[str, Any]:
    """Judge every submission of a problem in a contest again"""
    return rejudge.rejudge_problem(call.core, v.path_id(cid, "contest"), v.path_id(pid, "problem"))
