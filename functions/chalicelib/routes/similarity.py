"""Plagiarism detection for the jury: the most similar pairs of different participants'
submissions per problem, with the matched fragments side by side (codearena.plagiarism)."""

from __future__ import annotations

from typing import Any

from chalicelib import openapi_schemas as s
from chalicelib.routing import STAFF, Area, Call
from codearena import plagiarism
from codearena import validation as v
from codearena.errors import BadRequest

AREA = Area(__name__)


@AREA.route(
    "GET",
    "/admin/contests/{cid}/similarity",
    roles=STAFF,
    answer=s.SIMILARITY_REPORT,
    query=("problem_label", "pair_limit", "all_submissions"),
)
def similar(call: Call, cid: str) -> dict[str, Any]:
    """The most similar pairs of submissions by different participants, per problem (each
    participant's latest; `all=true`: every submission), with the matched lines side by side"""
    params = call.query
    limit = v.query_int(params, "limit", default=20, low=1, high=200)
    every = params.get("all", "false")
    if every not in ("true", "false"):
        raise BadRequest("query parameter 'all' must be true or false", "invalid_query")
    contest_id = v.path_id(cid, "contest")
    return plagiarism.report(
        call.core, contest_id, params.get("problem"), latest=every == "false", limit=limit
    )
