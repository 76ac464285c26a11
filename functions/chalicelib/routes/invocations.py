"""Custom invocations: run a program once on your own input with a problem's limits; never a
submission, never on a board (codearena.invocations; the result also arrives live as an
`invocation` event on the private topic participant:<cid>:<uid>)."""

from __future__ import annotations

from typing import Any

from chalicelib import openapi_schemas as s
from chalicelib.routing import Area, Call
from codearena import invocations
from codearena import validation as v

AREA = Area(__name__)


@AREA.route(
    "POST",
    "/contests/{cid}/problems/{pid}/invocations",
    status=202,
    also="a registered participant while the contest runs; staff at any time",
    body=s.INVOCATION_REQUEST,
    answer=s.INVOCATION,
    path_params={"pid": "problem_key"},
)
def invoke(call: Call, cid: str, pid: str) -> dict[str, Any]:
    """Run your program on your input with the problem's limits (a few a minute; not a submission)"""
    return invocations.create(call.core, call.principal(), v.path_id(cid, "contest"), pid, call.body)


@AREA.route(
    "GET",
    "/contests/{cid}/invocations/{oid}",
    also="its owner, or staff; kept 15 minutes",
    answer=s.INVOCATION,
    path_params={"oid": "invocation_id"},
)
def invocation(call: Call, cid: str, oid: str) -> dict[str, Any]:
    """A run's status and, once done, its outcome, output, time and memory"""
    return invocations.get(call.core, call.principal(), v.path_id(cid, "contest"), oid)
