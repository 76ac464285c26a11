"""The CLICS Contest API under /api (the ICPC's specification, codearena.clics): the API's
information, contests, and per contest its state, scoreboard, event feed and the collections
(problems, teams, organizations, groups, judgement types, languages, submissions, judgements,
runs, clarifications, awards) with each object by id. Anyone may read; a jury or admin token sees what the
specification keeps from the public (hidden teams, verdicts during the freeze, and hidden
contests: 404 to the public).

API Gateway cannot hold a response open: here the event feed answers the notifications so
far and ends (`stream=false` behaviour, `since_token` to continue); the local gateway streams
it (local_gateway/feed.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from chalice import Response

from chalicelib.openapi import clics_parameter
from chalicelib.routing import Area, Call
from codearena import contests
from codearena import validation as v
from codearena.clics import feed, objects
from codearena.core import Core

AREA = Area(__name__)
OBJECT = {"type": "object"}
ARRAY = {"type": "array", "items": {"type": "object"}}
MORE = "a jury or admin token sees more"

Collection = Callable[[Core, objects.View], list[dict[str, Any]]]
COLLECTIONS: dict[str, Collection] = {
    "problems": objects.problems,
    "teams": objects.teams,
    "organizations": objects.organizations,
    "groups": objects.groups,
    "judgement-types": objects.judgement_types,
    "languages": objects.languages,
    "submissions": objects.submissions,
    "judgements": objects.judgements,
    "runs": objects.runs,
    "clarifications": objects.clarifications,
    "awards": objects.awards,
}


def view_for(call: Call, cid: str) -> objects.View:
    return objects.view_of(call.core, v.path_id(cid, "contest"), jury=call.is_jury())


@AREA.route("GET", "/api", token="none", answer=OBJECT)
def information(call: Call) -> dict[str, Any]:
    """The Contest API's version and provider"""
    return objects.api_information()


@AREA.route("GET", "/api/contests", also=MORE, token="optional", answer=ARRAY)
def contest_list(call: Call) -> list[dict[str, Any]]:
    """Every contest, as Contest API contests"""
    jury = call.is_jury()
    listed = contests.list_contests(call.core, jury)["contests"]
    return [objects.contest(objects.view_of(call.core, int(c["id"]), jury)) for c in listed]


@AREA.route("GET", "/api/contests/{cid}", also=MORE, token="optional", answer=OBJECT)
def contest(call: Call, cid: str) -> dict[str, Any]:
    """One contest"""
    return objects.contest(view_for(call, cid))


@AREA.route("GET", "/api/contests/{cid}/state", also=MORE, token="optional", answer=OBJECT)
def state(call: Call, cid: str) -> dict[str, Any]:
    """When the contest started, froze, ended, thawed and was finalized"""
    return objects.state(view_for(call, cid))


@AREA.route("GET", "/api/contests/{cid}/scoreboard", also=MORE, token="optional", answer=OBJECT)
def scoreboard(call: Call, cid: str) -> dict[str, Any]:
    """The scoreboard now: the public's frozen during the freeze, the jury's live"""
    return objects.scoreboard(call.core, view_for(call, cid))


@AREA.route(
    "GET",
    "/api/contests/{cid}/event-feed",
    also=MORE,
    token="optional",
    query=("since_token", "stream"),
    answer={"type": "string", "description": 'one notification {"type", "id", "data", "token"} a line'},
    answer_type="application/x-ndjson",
)
def event_feed(call: Call, cid: str) -> Response:
    """The notifications so far as NDJSON, after since_token when given"""
    lines = feed.notifications(call.core, view_for(call, cid), call.query.get("since_token"))
    body = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines)
    return Response(body=body, status_code=200, headers={"Content-Type": "application/x-ndjson"})


def _collection_route(kind: str, read: Collection) -> None:
    def listing(call: Call, cid: str) -> list[dict[str, Any]]:
        return read(call.core, view_for(call, cid))

    def single(call: Call, cid: str, oid: str) -> dict[str, Any]:
        return objects.find(read(call.core, view_for(call, cid)), oid, kind.rstrip("s"))

    name = kind.replace("-", "_")
    listing.__name__, listing.__doc__ = f"clics_{name}", f"The contest's {kind.replace('-', ' ')}"
    single.__name__, single.__doc__ = f"clics_{name}_one", f"One of the contest's {kind.replace('-', ' ')}"
    AREA.route("GET", f"/api/contests/{{cid}}/{kind}", also=MORE, token="optional", answer=ARRAY)(listing)
    AREA.route(
        "GET",
        f"/api/contests/{{cid}}/{kind}/{{oid}}",
        also=MORE,
        token="optional",
        answer=OBJECT,
        path_params={"oid": clics_parameter(kind)},
    )(single)


for _kind, _read in COLLECTIONS.items():
    _collection_route(_kind, _read)
