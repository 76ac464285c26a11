"""Clarifications: a contestant asks the jury, everyone reads what they may, the jury answers
or announces (codearena.clarifications; live over the WebSocket as `clarification` events)."""

from __future__ import annotations

from typing import Any

from chalicelib import openapi_schemas as s
from chalicelib.routing import CONTESTANT, STAFF, Area, Call
from codearena import clarifications
from codearena import validation as v

AREA = Area(__name__)


@AREA.route(
    "POST",
    "/contests/{cid}/clarifications",
    roles=CONTESTANT,
    status=201,
    body=s.QUESTION,
    answer=s.CLARIFICATION,
)
def ask(call: Call, cid: str) -> dict[str, Any]:
    """Ask the jury a question, about a problem of the contest or in general (a few a minute)"""
    return clarifications.ask(call.core, call.principal(), v.path_id(cid, "contest"), call.body)


@AREA.route("GET", "/contests/{cid}/clarifications", also="the jury sees all", answer=s.CLARIFICATION_LIST)
def readable(call: Call, cid: str) -> dict[str, Any]:
    """Your questions, the answers to them and what went to everyone"""
    return clarifications.readable(call.core, call.principal(), v.path_id(cid, "contest"))


@AREA.route(
    "GET",
    "/contests/{cid}/clarifications/{oid}",
    also="one the caller may read",
    answer=s.CLARIFICATION,
    path_params={"oid": "clarification_id"},
)
def one(call: Call, cid: str, oid: str) -> dict[str, Any]:
    """One clarification you may read"""
    contest_id = v.path_id(cid, "contest")
    return clarifications.one(call.core, call.principal(), contest_id, v.path_id(oid, "clarification"))


@AREA.route(
    "POST",
    "/admin/contests/{cid}/clarifications",
    roles=STAFF,
    status=201,
    body=s.JURY_CLARIFICATION,
    answer=s.CLARIFICATION,
)
def answer(call: Call, cid: str) -> dict[str, Any]:
    """Answer a question (to its asker, or to everyone) or announce something to everyone"""
    return clarifications.answer(call.core, v.path_id(cid, "contest"), call.body)
