"""Jury tools: every submission of a contest with filters, a submission's details, the judge
fleet and queue now, and the contest's audit log (codearena.jury, codearena.audit)."""

from __future__ import annotations

from typing import Any

from chalicelib import openapi_schemas as s
from chalicelib.routing import ADMIN, STAFF, Area, Call
from codearena import audit, jury
from codearena import validation as v

AREA = Area(__name__)
FILTERS = ("problem", "user_id", "verdict", "language", "from", "to", "offset", "limit")


@AREA.route("GET", "/admin/contests/{cid}/submissions", roles=STAFF, answer=s.JURY_SUBMISSIONS, query=FILTERS)
def contest_submissions(call: Call, cid: str) -> dict[str, Any]:
    """Every submission of the contest, newest first, filtered and paged"""
    return jury.submissions(call.core, v.path_id(cid, "contest"), call.query)


@AREA.route("GET", "/admin/submissions/{sid}/details", roles=STAFF, answer=s.JURY_SUBMISSION)
def submission_details(call: Call, sid: str) -> dict[str, Any]:
    """A submission's source, judgings and per-test results with each test's input and answer"""
    return jury.details(call.core, v.path_id(sid, "submission"))


@AREA.route("GET", "/admin/judging", roles=STAFF, answer=s.JUDGING)
def judging(call: Call) -> dict[str, Any]:
    """The live judge hosts, the queue's depth and the submissions not judged yet"""
    return jury.judging(call.core)


@AREA.route("GET", "/admin/contests/{cid}/audit", roles=STAFF, answer=s.AUDIT_LOG, query=("offset", "limit"))
def audit_log(call: Call, cid: str) -> dict[str, Any]:
    """The jury's and the admins' actions on the contest, newest first"""
    return audit.contest_log(call.core, v.path_id(cid, "contest"), *_page(call))


@AREA.route("GET", "/admin/audit", roles=ADMIN, answer=s.FULL_AUDIT_LOG, query=("offset", "limit"))
def full_audit_log(call: Call) -> dict[str, Any]:
    """Every audited action, newest first, also those no contest owns (problems, accounts)"""
    return audit.full_log(call.core, *_page(call))


def _page(call: Call) -> tuple[int, int]:
    """The offset and limit asked for."""
    params = call.query
    offset = v.query_int(params, "offset", default=0, low=0, high=10**7)
    return offset, v.query_int(params, "limit", default=100, low=1, high=500)
