"""How a route is declared, once: `@area.route(...)` on a route function registers it with the
area's Chalice blueprint and records its `Route`, what /openapi.json says of it (chalicelib/
openapi.py builds the document from the records; tests derive their route lists from them).

Who may call a route is part of its declaration: its `token` rule and the `roles` it needs,
checked here before the route function runs (a request without a token 401, another role 403).
A route function gets a `Call` and the path's ids (as sent, strings) and returns the JSON
answer; edge.endpoint renders it with the declared status, and the core's errors in our shape.
A staff action (a non-GET route that needs a jury or admin role) that succeeds is recorded in
the audit log (codearena.audit) here, in one place for every route.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalice import Blueprint, Chalice, Response
from chalice.app import Request

from chalicelib.api import Api
from chalicelib.edge import endpoint
from codearena import audit, users
from codearena import validation as v
from codearena.auth import Principal
from codearena.core import Core
from codearena.models import Role

Schema = dict[str, Any]
RouteFunction = Callable[..., Any]

# The `roles` a route may need.
ADMIN = (Role.ADMIN,)
STAFF = (Role.JURY, Role.ADMIN)
CONTESTANT = (Role.CONTESTANT,)


@dataclass(frozen=True)
class Route:
    """One operation. `token`: "none" (anyone), "optional" (anyone; a token shows more) or
    "required". `roles`: a token of one of them is required (none: any the token rule lets in).
    `also`: what the core decides beyond that, for the docs ("the owner, or the jury").
    `body`, `answer`: JSON Schemas of the request and the success answer.
    `path_params`: a path parameter's component when it is not the one of its name."""

    method: str  # as Chalice spells it: "GET", "POST"…
    path: str
    status: int
    summary: str
    token: str = "required"
    roles: tuple[Role, ...] = ()
    also: str = ""
    body: Schema | None = None
    body_optional: bool = False  # a bodiless request is fine too (log out, ban)
    answer: Schema | None = None
    query: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    path_params: Mapping[str, str] = field(default_factory=dict)
    answer_type: str = "application/json"  # the success answer's media type
    content_types: tuple[str, ...] = ("application/json",)  # of the body

    def __post_init__(self) -> None:
        if self.token not in ("none", "optional", "required"):
            raise ValueError(f"{self.method} {self.path}: token {self.token!r}")
        if self.roles and self.token != "required":
            raise ValueError(f"{self.method} {self.path}: a route that needs roles needs a token")

    @property
    def who(self) -> str:
        """Who may call, in words: the roles, "registered" or "anyone", and `also`."""
        who = ", ".join(self.roles) or ("registered" if self.token == "required" else "anyone")
        return f"{who} ({self.also})" if self.also else who


class Call:
    """One request to a route: what was sent, who sent it, and the core that answers."""

    def __init__(self, api: Api, request: Request) -> None:
        self._api = api
        self.request = request
        self._principal: Principal | None = None

    @property
    def core(self) -> Core:
        return self._api.core

    @property
    def body(self) -> Any:
        """The parsed JSON body (Chalice answers 400 for one that is not JSON)."""
        return self.request.json_body

    def optional_body(self) -> dict[str, Any]:
        """The JSON object sent, or {} when nothing was (a bodiless POST is fine here)."""
        return v.body_object(self.request.json_body) if self.request.raw_body else {}

    @property
    def query(self) -> dict[str, str]:
        return dict(self.request.query_params or {})

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    @property
    def address(self) -> str:
        """The caller's address as API Gateway (or the local gateway) saw it."""
        return str(((self.request.context or {}).get("identity") or {}).get("sourceIp") or "")

    def principal(self) -> Principal:
        """The caller, with the role their account has now (users.current): read once."""
        if self._principal is None:
            token = self.core.tokens.from_header(self.header("authorization"))
            self._principal = users.current(self.core, token)
        return self._principal

    def optional_principal(self) -> Principal | None:
        return self.principal() if self.header("authorization") else None

    def is_jury(self) -> bool:
        principal = self.optional_principal()
        return principal is not None and principal.role in STAFF


class Area:
    """The routes of one area of the API: a Chalice blueprint and their declarations."""

    def __init__(self, import_name: str) -> None:
        self.blueprint = Blueprint(import_name)
        self.routes: list[Route] = []
        self._api: Callable[[], Api] | None = None

    def register(self, app: Chalice, api: Callable[[], Api]) -> None:
        """Add the routes to `app`; each request asks `api` for the Api that answers it."""
        self._api = api
        app.register_blueprint(self.blueprint)

    def route(
        self,
        method: str,
        path: str,
        *,
        status: int = 200,
        token: str = "required",
        roles: tuple[Role, ...] = (),
        also: str = "",
        body: Schema | None = None,
        body_optional: bool = False,
        answer: Schema | None = None,
        query: tuple[str, ...] = (),
        headers: tuple[str, ...] = (),
        path_params: Mapping[str, str] | None = None,
        answer_type: str = "application/json",
        content_types: tuple[str, ...] = ("application/json",),
    ) -> Callable[[RouteFunction], RouteFunction]:
        """Declare `method path`; the route function's docstring is its summary."""

        def declare(function: RouteFunction) -> RouteFunction:
            summary = " ".join((function.__doc__ or "").split())
            declared = (token, roles, also, body, body_optional, answer, query, headers, path_params or {})
            self.routes.append(Route(method, path, status, summary, *declared, answer_type, content_types))
            allowed = _allowed(roles, function)
            run = endpoint(status)(_audited(method, path, allowed) if _is_action(method, roles) else allowed)

            @functools.wraps(function)
            def view(**ids: str) -> Response:
                return run(self._call(), **ids)

            self.blueprint.route(path, methods=[method], content_types=list(content_types))(view)
            return function

        return declare

    def _call(self) -> Call:
        assert self._api is not None, "the area is not registered with an app"
        return Call(self._api(), self.blueprint.current_request)


def _allowed(roles: tuple[Role, ...], function: RouteFunction) -> RouteFunction:
    """`function`, run once the caller is known to hold one of `roles` (when there are any)."""
    if not roles:
        return function

    @functools.wraps(function)
    def checked(call: Call, **ids: str) -> dict[str, Any]:
        call.principal().require(*roles)
        return function(call, **ids)

    return checked


def _is_action(method: str, roles: tuple[Role, ...]) -> bool:
    """A jury or admin action, recorded in the audit log: a change only staff may make."""
    return method != "GET" and bool(roles) and Role.CONTESTANT not in roles


def _audited(method: str, path: str, function: RouteFunction) -> RouteFunction:
    """`function`, then its audit row once it has answered (an error records nothing)."""

    @functools.wraps(function)
    def recorded(call: Call, **ids: str) -> Any:
        answer = function(call, **ids)
        audit.record(call.core, call.principal(), method, path, ids)
        return answer

    return recorded
