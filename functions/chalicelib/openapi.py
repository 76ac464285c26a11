"""The OpenAPI document served at /openapi.json (DESIGN §8), built from the routes as they are
declared (chalicelib/routes/, `routing.Route`): path ids, query parameters, headers, bodies,
answers and errors come from each route's declaration, the shapes from openapi_schemas.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib import openapi_schemas as s
from chalicelib.routing import Route
from codearena.languages import LANGUAGES

Schema = dict[str, Any]

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
    "clarification_id": {
        "name": "oid",
        "in": "path",
        "required": True,
        "schema": s.ID,
        "example": 1,
        "description": "clarification id",
    },
    "invocation_id": {
        "name": "oid",
        "in": "path",
        "required": True,
        "example": "0123456789abcdef",
        "schema": s.string(16, 16, pattern=r"^[0-9a-f]{16}$"),
        "description": "invocation id",
    },
    "problem_key": {
        "name": "pid",
        "in": "path",
        "required": True,
        "example": "A",
        "schema": s.string(1, 18, pattern=r"^(?:[0-9]{1,18}|[A-Z][0-9]?)$"),
        "description": "problem id, or its label in the contest",
    },
    "since_token": {
        "name": "since_token",
        "in": "query",
        "schema": s.string(1, 18, pattern=r"^[0-9]{1,18}$"),
        "description": "the token of the last notification read: the feed continues after it",
    },
    "stream": {
        "name": "stream",
        "in": "query",
        "schema": {"type": "boolean"},
        "description": "false: the notifications so far, then the answer ends (always so here)",
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
    "problem": {
        "name": "problem",
        "in": "query",
        "schema": s.string(1, 18, pattern=r"^(?:[0-9]{1,18}|[A-Z][0-9]?)$"),
        "description": "a problem id, or its label in the contest",
    },
    "user_id": {
        "name": "user_id",
        "in": "query",
        "schema": s.string(1, 18, pattern=r"^[0-9]{1,18}$"),
        "description": "the submitter's user id",
    },
    "verdict": {
        "name": "verdict",
        "in": "query",
        "schema": s.enum([*s.VERDICTS, "pending"]),
        "description": "the current verdict, or pending (not judged yet)",
    },
    "language": {
        "name": "language",
        "in": "query",
        "schema": s.enum(LANGUAGES),
        "description": "the submission's language",
    },
    "from": {
        "name": "from",
        "in": "query",
        "schema": s.TIME,
        "description": "submitted at or after this time",
    },
    "to": {
        "name": "to",
        "in": "query",
        "schema": s.TIME,
        "description": "submitted before this time",
    },
    "problem_label": {
        "name": "problem",
        "in": "query",
        "example": "A",
        "schema": s.string(1, 2, pattern=r"^[A-Z][0-9]?$"),
        "description": "this problem only (its label in the contest)",
    },
    "pair_limit": {
        "name": "limit",
        "in": "query",
        "schema": s.integer(1, 200, default=20),
        "description": "pairs to answer per problem, the most similar",
    },
    "all_submissions": {
        "name": "all",
        "in": "query",
        "schema": {"type": "boolean", "default": False},
        "description": "true: every submission; false: each participant's latest per problem",
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


def clics_parameter(kind: str) -> str:
    """The parameter naming one object of a Contest API collection (`kind`: "teams"…)."""
    return kind.replace("-", "_") + "_oid"


# A Contest API object's id, one parameter per collection for its example (the objects a
# contest always has, or the first of its kind: what the fuzz test's seed holds).
_CLICS_EXAMPLES = {
    "problems": "1",
    "teams": "1",
    "organizations": "1",
    "groups": "participant",
    "judgement-types": "AC",
    "languages": "python",
    "submissions": "1",
    "judgements": "1",
    "runs": "1-1",
    "awards": "winner",
    "clarifications": "1",
}
for _kind, _example in _CLICS_EXAMPLES.items():
    _PARAMETERS[clics_parameter(_kind)] = {
        "name": "oid",
        "in": "path",
        "required": True,
        "schema": s.string(1, 36, pattern=r"^[A-Za-z0-9_.-]{1,36}$"),
        "example": _example,
        "description": f"the id of one of the contest's {_kind} (Contest API)",
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


def document(routes: Iterable[Route]) -> dict[str, Any]:
    """The OpenAPI 3.0 document describing `routes`."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
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
        "operationId": route.method.lower() + route.path.replace("/", "_").replace("{", "").replace("}", ""),
        "summary": route.summary,
        "description": f"Who may call: {route.who}.",
        **({"x-roles": [role.value for role in route.roles]} if route.roles else {}),
        "parameters": [_parameter(name) for name in _parameter_names(route)],
        "responses": {str(route.status): _success(route), **_ERRORS},
    }
    if route.body is not None:
        content = {"application/json": {"schema": route.body}}
        operation["requestBody"] = {"required": not route.body_optional, "content": content}
    elif route.content_types != ("application/json",):  # a file as the body (a zip)
        binary = {"schema": {"type": "string", "format": "binary"}}
        files = [kind for kind in route.content_types if kind != "application/json"]
        operation["requestBody"] = {"required": True, "content": dict.fromkeys(files, binary)}
    if (security := _SECURITY[route.token]) is not None:
        operation["security"] = security
    return operation


def _parameter_names(route: Route) -> list[str]:
    in_path = [part[1:-1] for part in route.path.split("/") if part.startswith("{")]
    return [route.path_params.get(name, name) for name in in_path] + [*route.query, *route.headers]


def _parameter(name: str) -> Schema:
    return {"$ref": f"#/components/parameters/{name}"}


def _success(route: Route) -> Schema:
    content = {route.answer_type: {"schema": route.answer}} if route.answer is not None else {}
    return {"description": "success", "content": content}
