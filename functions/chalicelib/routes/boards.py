"""Leaderboards: the public board (a page, or as it stood at a time), the jury's live board,
and revealing the final board after the freeze."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib import openapi_schemas as s
from chalicelib.routing import ADMIN, STAFF, Area, Call
from codearena import contests, freeze, time_travel
from codearena import validation as v
from codearena.auth import Principal
from codearena.errors import BadRequest
from codearena.first_solves import board_page

AREA = Area(__name__)
BOARD_QUERY = ("offset", "limit", "at")


@AREA.route("GET", "/contests/{cid}/leaderboard", token="optional", answer=s.BOARD, query=BOARD_QUERY)
def leaderboard(call: Call, cid: str) -> dict[str, Any]:
    """The public board, a page of it, or as it stood at a time; with a token also your own row"""
    principal = call.optional_principal()
    contests.require_visible(call.core, v.path_id(cid, "contest"), call.is_jury())
    return _board(call, cid, "public", principal.username if principal else None, principal)


@AREA.route("GET", "/admin/contests/{cid}/leaderboard", roles=STAFF, answer=s.BOARD, query=BOARD_QUERY)
def jury_leaderboard(call: Call, cid: str) -> dict[str, Any]:
    """The live jury board"""
    principal = call.principal()
    return _board(call, cid, "jury", None, principal)


@AREA.route("POST", "/admin/contests/{cid}/unfreeze", roles=ADMIN, status=202, answer=s.UNFROZEN)
def unfreeze(call: Call, cid: str) -> dict[str, Any]:
    """Reveal the final board after the freeze (new leaderboard events)"""
    return freeze.unfreeze(call.core, v.path_id(cid, "contest"))


def _board(
    call: Call, cid: str, view: str, username: str | None, principal: Principal | None
) -> dict[str, Any]:
    params = call.query
    offset = v.query_int(params, "offset", default=0, low=0, high=10**7)
    limit = v.query_int(params, "limit", default=100, low=1, high=500)
    contest_id = v.path_id(cid, "contest")
    if "at" in params:
        caller = time_travel.caller_of(principal, call.address)
        return time_travel.board_at(call.core, caller, contest_id, view, _at(params["at"]), offset, limit)
    return board_page(call.core, contest_id, view, offset, limit, username)


def _at(raw: str) -> datetime:
    moment = v.timestamp({"at": raw}, "at")
    if moment is None:
        raise BadRequest("'at' must be an ISO 8601 time", "invalid_query")
    return moment
