"""The OpenAPI document served at /openapi.json (DESIGN §8), built from one route table:
adding a route is adding one `Route` entry to ROUTES (and its schemas to openapi_schemas.py
when they are new shapes). Path ids, query parameters, bodies, answers and errors are derived
from the entry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib import openapi_schemas as s

Schema = dict[str, Any]


@dataclass(frozen=True)
class Route:
    """One operation. `token`: "none" (anyone), "optional" (anyone; a token shows more) or
    "required". `body`, `answer`: JSON Schemas of the request and the success answer.
    `path_params`: a path parameter's component when it is not the one of its name."""

    method: str
    path: str
    who: str
    status: int
    summary: str
    token: str = "required"
    body: Schema | None = None
    body_optional: bool = False  # a bodiless request is fine too (log out, ban)
    answer: Schema | None = None
    query: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    path_params: Mapping[str, str] = field(default_factory=dict)


_BOARD_QUERY = ("offset", "limit", "at")

ROUTES: list[Route] = [
    Route("get", "/openapi.json", "anyone", 200, "This document", token="none", answer=s.OPENAPI),
    Route(
        "post",
        "/auth/register",
        "anyone",
        201,
        "Register",
        token="none",
        body=s.REGISTER,
        answer=s.REGISTERED,
    ),
    Route(
        "post",
        "/auth/login",
        "anyone",
        200,
        "Log in: a bearer token",
        token="none",
        body=s.LOGIN,
        answer=s.TOKEN,
    ),
    Route("get", "/auth/me", "registered", 200, "Who the token belongs to", answer=s.ref("User")),
    Route(
        "post",
        "/auth/logout",
        "registered",
        200,
        "End this token; with everywhere, every token of the account",
        body=s.LOGOUT,
        body_optional=True,
        answer=s.LOGGED_OUT,
    ),
    Route(
        "put",
        "/auth/password",
        "registered",
        200,
        "Change the password: every other token ends; the answer is a new token",
        body=s.PASSWORD_CHANGE,
        answer=s.TOKEN,
    ),
    Route(
        "get",
        "/languages",
        "anyone",
        200,
        "Languages a live judge host can run now",
        token="none",
        answer=s.LANGUAGE_LIST,
    ),
    Route(
        "get",
        "/contests",
        "anyone",
        200,
        "Contests with state and times",
        token="none",
        answer=s.CONTEST_LIST,
    ),
    Route(
        "get",
        "/contests/{cid}",
        "anyone",
        200,
        "One contest and its problem labels (once started)",
        token="none",
        answer=s.CONTEST_WITH_LABELS,
    ),
    Route(
        "get",
        "/contests/{cid}/problems",
        "anyone; the jury also before the start",
        200,
        "Problems of a started contest",
        token="optional",
        answer=s.PROBLEM_LIST,
    ),
    Route(
        "get",
        "/contests/{cid}/problems/{pid}",
        "anyone; the jury also before the start",
        200,
        "Statement, limits and samples (by id or label)",
        token="optional",
        answer=s.PROBLEM,
        path_params={"pid": "problem_key"},
    ),
    Route(
        "get",
        "/contests/{cid}/leaderboard",
        "anyone",
        200,
        "The public board, a page of it, or as it stood at a time; with a token also your own row",
        token="optional",
        answer=s.BOARD,
        query=_BOARD_QUERY,
    ),
    Route(
        "post",
        "/contests/{cid}/submissions",
        "contestant",
        202,
        "Submit; a retry with the same Idempotency-Key answers the first submission",
        body=s.SUBMISSION,
        answer=s.QUEUED,
        headers=("idempotency_key",),
    ),
    Route(
        "get",
        "/contests/{cid}/submissions",
        "registered",
        200,
        "Your submissions in a contest",
        answer=s.SUBMISSION_LIST,
    ),
    Route(
        "post",
        "/contests/{cid}/registration",
        "contestant",
        200,
        "Take part: open contests approve at once, approval contests wait for an organizer,"
        " invite-only contests need an invitation",
        answer=s.REGISTRATION,
    ),
    Route(
        "get",
        "/contests/{cid}/registration",
        "registered",
        200,
        "Your registration status in a contest",
        answer=s.REGISTRATION,
    ),
    Route(
        "get",
        "/submissions/{sid}",
        "owner, jury",
        200,
        "Status, verdict, score and per-test results",
        answer=s.SUBMISSION_DETAIL,
    ),
    Route(
        "post",
        "/admin/contests",
        "admin",
        201,
        "Create a contest",
        body=s.NEW_CONTEST,
        answer=s.ref("Contest"),
    ),
    Route(
        "patch",
        "/admin/contests/{cid}",
        "admin",
        200,
        "Change any contest field (the boards follow)",
        body=s.CONTEST_CHANGE,
        answer=s.ref("Contest"),
    ),
    Route(
        "post",
        "/admin/problems",
        "admin",
        201,
        "Create a problem with its tests",
        body=s.NEW_PROBLEM,
        answer=s.NEW_PROBLEM_ANSWER,
    ),
    Route(
        "post",
        "/admin/contests/{cid}/problems",
        "admin",
        201,
        "Attach a problem under a label",
        body=s.ATTACHMENT,
        answer=s.ATTACHED,
    ),
    Route(
        "get",
        "/admin/contests/{cid}/leaderboard",
        "jury, admin",
        200,
        "The live jury board",
        answer=s.BOARD,
        query=_BOARD_QUERY,
    ),
    Route(
        "put", "/admin/users/{uid}/role", "admin", 200, "Set a user's role", body=s.ROLE, answer=s.ref("User")
    ),
    Route(
        "get",
        "/admin/users",
        "admin",
        200,
        "Accounts whose username starts with ?username= (any case), at most 50",
        answer=s.USER_LIST,
        query=("username",),
    ),
    Route(
        "post",
        "/admin/users/{uid}/ban",
        "admin",
        200,
        "Ban an account: its tokens end, its live subscriptions end, it cannot log in",
        body=s.BAN,
        body_optional=True,
        answer=s.BANNED,
    ),
    Route("delete", "/admin/users/{uid}/ban", "admin", 200, "Lift a ban", answer=s.BANNED),
    Route(
        "post",
        "/admin/users/{uid}/revoke-tokens",
        "admin",
        200,
        "End every token of an account (a leaked token) without banning it",
        answer=s.REVOKED,
    ),
    Route(
        "get",
        "/admin/contests/{cid}/participants",
        "jury, admin",
        200,
        "Who registered, was invited or asked to take part",
        answer=s.PARTICIPANTS,
    ),
    Route(
        "put",
        "/admin/contests/{cid}/participants/{uid}",
        "admin",
        200,
        "Invite, approve or reject a user",
        body=s.PARTICIPANT_STATUS,
        answer=s.REGISTRATION,
    ),
    Route(
        "post",
        "/admin/contests/{cid}/unfreeze",
        "admin",
        202,
        "Reveal the final board after the freeze (new leaderboard events)",
        answer=s.UNFROZEN,
    ),
    Route(
        "post",
        "/admin/submissions/{sid}/rejudge",
        "admin",
        202,
        "Judge a submission again; the new result supersedes the old, kept for audit",
        answer=s.REJUDGED,
    ),
    Route(
        "post",
        "/admin/contests/{cid}/problems/{pid}/rejudge",
        "admin",
        202,
        "Judge every submission of a problem in a contest again",
        answer=s.REJUDGED_PROBLEM,
    ),
]

_PARAMETERS: dict[str, Schema] = {
    "cid": {
        "name": "cid",
        "in": "path",
        "required": True,
        "schema": s.ID,
        "example": 1,
        "description": "contest id",
    },
    "sid": {
        "name": "sid",
        "in": "path",
        "required": True,
        "schema": s.ID,
        "example": 1,
        "description": "submission id",
    },
    "uid": {
        "name": "uid",
        "in": "path",
        "required": True,
        "schema": s.ID,
        "example": 1,
        "description": "user id",
    },
    "pid": {
        "name": "pid",
        "in": "path",
        "required": True,
        "schema": s.ID,
        "example": 1,
        "description": "problem id",
    },
    "problem_key": {
        "name": "pid",
        "in": "path",
        "required": True,
        "example": "A",
        "schema": s.string(1, 18, pattern=r"^(?:[0-9]{1,18}|[A-Z][0-9]?)$"),
        "description": "problem id, or its label in the contest",
    },
    "offset": {
        "name": "offset",
        "in": "query",
        "schema": s.integer(0, 10**7, default=0),
        "description": "rows to skip",
    },
    "limit": {
        "name": "limit",
        "in": "query",
        "schema": s.integer(1, 500, default=100),
        "description": "rows to answer",
    },
    "at": {
        "name": "at",
        "in": "query",
        "schema": s.TIME,
        "example": "2026-04-01T12:00:00Z",
        "description": "the board as it stood at this time (at most two such reads run at once)",
    },
    "username": {
        "name": "username",
        "in": "query",
        "required": True,
        "schema": s.string(1, 32),
        "example": "car",
        "description": "the start of a username (any case)",
    },
    "idempotency_key": {
        "name": "Idempotency-Key",
        "in": "header",
        "schema": s.string(1, 128),
        "description": "a retry with the same key (within 24 h) answers the same submission",
    },
}
_ERRORS: dict[str, Schema] = {
    "4XX": {
        "description": "bad input, authentication, rights or state (see the error code)",
        "content": {"application/json": {"schema": s.ref("Error")}},
    },
    "503": {
        "description": "PostgreSQL or Redis is unavailable: retry later",
        "content": {"application/json": {"schema": s.ref("Error")}},
    },
}
_SECURITY = {"none": None, "optional": [{}, {"bearer": []}], "required": [{"bearer": []}]}


def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method] = _operation(route)
    return {
        "openapi": "3.0.3",
        "info": {"title": "CodeArena", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": s.COMPONENTS,
            "parameters": _PARAMETERS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _operation(route: Route) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": route.method + route.path.replace("/", "_").replace("{", "").replace("}", ""),
        "summary": route.summary,
        "description": f"Who may call: {route.who}.",
        "parameters": [_parameter(name) for name in _parameter_names(route)],
        "responses": {str(route.status): _success(route), **_ERRORS},
    }
    if route.body is not None:
        content = {"application/json": {"schema": route.body}}
        operation["requestBody"] = {"required": not route.body_optional, "content": content}
    if (security := _SECURITY[route.token]) is not None:
        operation["security"] = security
    return operation


def _parameter_names(route: Route) -> list[str]:
    in_path = [part[1:-1] for part in route.path.split("/") if part.startswith("{")]
    return [route.path_params.get(name, name) for name in in_path] + [*route.query, *route.headers]


def _parameter(name: str) -> Schema:
    return {"$ref": f"#/components/parameters/{name}"}


def _success(route: Route) -> Schema:
    content = {"application/json": {"schema": route.answer}} if route.answer is not None else {}
    return {"description": "success", "content": content}
