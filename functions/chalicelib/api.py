"""Route handlers: parse the request, check who is calling, call the core."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from chalice.app import Request

from chalicelib.edge import endpoint
from chalicelib.openapi import document
from codearena import (
    boards,
    contests,
    freeze,
    participants,
    rejudge,
    standings,
    submissions,
    time_travel,
    users,
)
from codearena import validation as v
from codearena.auth import Principal
from codearena.core import Core
from codearena.errors import BadRequest
from codearena.first_solves import first_solves
from codearena.models import Role


class Api:
    """Built once per process; the core (pools, clients) is created on first use."""

    def __init__(self, core: Core | None = None) -> None:
        self._core = core
        self._lock = threading.Lock()

    @property
    def core(self) -> Core:
        with self._lock:
            if self._core is None:
                self._core = Core.from_env()
            return self._core

    def principal(self, request: Request) -> Principal:
        """The caller, with the role the database gives them now (users.current)."""
        return users.current(self.core, self.core.tokens.from_header(request.headers.get("authorization")))

    def optional_principal(self, request: Request) -> Principal | None:
        return self.principal(request) if request.headers.get("authorization") else None

    def staff(self, request: Request, *roles: Role) -> Principal:
        return self.principal(request).require(*(roles or (Role.ADMIN,)))

    # --- anyone -----------------------------------------------------------------------
    @endpoint()
    def openapi(self, request: Request) -> dict[str, Any]:
        return document()

    @endpoint(201)
    def register(self, request: Request) -> dict[str, Any]:
        return users.register(self.core, request.json_body, _address(request))

    @endpoint()
    def login(self, request: Request) -> dict[str, Any]:
        return users.login(self.core, request.json_body, _address(request))

    @endpoint()
    def me(self, request: Request) -> dict[str, Any]:
        return users.me(self.principal(request))

    @endpoint()
    def logout(self, request: Request) -> dict[str, Any]:
        return users.logout(self.core, self.principal(request), _optional_body(request))

    @endpoint()
    def change_password(self, request: Request) -> dict[str, Any]:
        principal = self.principal(request)
        return users.change_password(self.core, principal, request.json_body, _address(request))

    @endpoint()
    def languages(self, request: Request) -> dict[str, Any]:
        return {"languages": submissions.offered_languages(self.core)}

    @endpoint()
    def list_contests(self, request: Request) -> dict[str, Any]:
        return contests.list_contests(self.core)

    @endpoint()
    def get_contest(self, request: Request, cid: str) -> dict[str, Any]:
        return contests.get_contest(self.core, v.path_id(cid, "contest"))

    @endpoint()
    def list_problems(self, request: Request, cid: str) -> dict[str, Any]:
        return contests.list_problems(self.core, v.path_id(cid, "contest"), self._is_jury(request))

    @endpoint()
    def get_problem(self, request: Request, cid: str, pid: str) -> dict[str, Any]:
        return contests.get_problem(self.core, v.path_id(cid, "contest"), pid, self._is_jury(request))

    @endpoint()
    def leaderboard(self, request: Request, cid: str) -> dict[str, Any]:
        principal = self.optional_principal(request)
        return self._board(request, cid, "public", principal.username if principal else None, principal)

    # --- contestants ------------------------------------------------------------------
    @endpoint(202)
    def submit(self, request: Request, cid: str) -> dict[str, Any]:
        principal = self.principal(request)
        return submissions.submit(
            self.core,
            principal,
            v.path_id(cid, "contest"),
            request.json_body,
            request.headers.get("idempotency-key"),
        )

    @endpoint()
    def get_submission(self, request: Request, sid: str) -> dict[str, Any]:
        return submissions.get_submission(self.core, self.principal(request), v.path_id(sid, "submission"))

    @endpoint()
    def my_submissions(self, request: Request, cid: str) -> dict[str, Any]:
        return submissions.list_own(self.core, self.principal(request), v.path_id(cid, "contest"))

    @endpoint()
    def register_for_contest(self, request: Request, cid: str) -> dict[str, Any]:
        return participants.register(self.core, self.principal(request), v.path_id(cid, "contest"))

    @endpoint()
    def my_registration(self, request: Request, cid: str) -> dict[str, Any]:
        return participants.mine(self.core, self.principal(request), v.path_id(cid, "contest"))

    # --- organizers -------------------------------------------------------------------
    @endpoint(201)
    def create_contest(self, request: Request) -> dict[str, Any]:
        self.staff(request)
        return contests.create_contest(self.core, request.json_body)

    @endpoint()
    def update_contest(self, request: Request, cid: str) -> dict[str, Any]:
        self.staff(request)
        contest_id = v.path_id(cid, "contest")
        updated = contests.update_contest(self.core, contest_id, request.json_body)
        if any(name in request.json_body for name in standings.RULES):  # the boards follow
            standings.restate(self.core, contest_id)
        return updated

    @endpoint(201)
    def create_problem(self, request: Request) -> dict[str, Any]:
        self.staff(request)
        return contests.create_problem(self.core, request.json_body)

    @endpoint(201)
    def attach_problem(self, request: Request, cid: str) -> dict[str, Any]:
        self.staff(request)
        return contests.attach_problem(self.core, v.path_id(cid, "contest"), request.json_body)

    @endpoint()
    def jury_leaderboard(self, request: Request, cid: str) -> dict[str, Any]:
        principal = self.staff(request, Role.ADMIN, Role.JURY)
        return self._board(request, cid, "jury", None, principal)

    @endpoint()
    def set_role(self, request: Request, uid: str) -> dict[str, Any]:
        admin = self.staff(request)
        return users.set_role(self.core, v.path_id(uid, "user"), request.json_body, by=admin)

    @endpoint()
    def find_users(self, request: Request) -> dict[str, Any]:
        self.staff(request)
        return users.find(self.core, request.query_params)

    @endpoint()
    def ban_user(self, request: Request, uid: str) -> dict[str, Any]:
        admin = self.staff(request)
        return users.ban(self.core, admin, v.path_id(uid, "user"), _optional_body(request))

    @endpoint()
    def unban_user(self, request: Request, uid: str) -> dict[str, Any]:
        self.staff(request)
        return users.unban(self.core, v.path_id(uid, "user"))

    @endpoint()
    def revoke_tokens(self, request: Request, uid: str) -> dict[str, Any]:
        self.staff(request)
        return users.revoke_tokens(self.core, v.path_id(uid, "user"))

    @endpoint()
    def list_participants(self, request: Request, cid: str) -> dict[str, Any]:
        self.staff(request, Role.ADMIN, Role.JURY)
        return participants.listing(self.core, v.path_id(cid, "contest"))

    @endpoint()
    def set_participant(self, request: Request, cid: str, uid: str) -> dict[str, Any]:
        self.staff(request)
        contest_id, user_id = v.path_id(cid, "contest"), v.path_id(uid, "user")
        return participants.set_status(self.core, contest_id, user_id, request.json_body)

    @endpoint(202)
    def unfreeze(self, request: Request, cid: str) -> dict[str, Any]:
        self.staff(request)
        return freeze.unfreeze(self.core, v.path_id(cid, "contest"))

    @endpoint(202)
    def rejudge_submission(self, request: Request, sid: str) -> dict[str, Any]:
        self.staff(request)
        return rejudge.rejudge_submission(self.core, v.path_id(sid, "submission"))

    @endpoint(202)
    def rejudge_problem(self, request: Request, cid: str, pid: str) -> dict[str, Any]:
        self.staff(request)
        return rejudge.rejudge_problem(self.core, v.path_id(cid, "contest"), v.path_id(pid, "problem"))

    # --- helpers ----------------------------------------------------------------------
    def _is_jury(self, request: Request) -> bool:
        principal = self.optional_principal(request)
        return principal is not None and principal.role in (Role.ADMIN, Role.JURY)

    def _board(
        self, request: Request, cid: str, view: str, username: str | None, principal: Principal | None
    ) -> dict[str, Any]:
        params = request.query_params or {}
        offset = v.query_int(params, "offset", default=0, low=0, high=10**7)
        limit = v.query_int(params, "limit", default=100, low=1, high=500)
        contest_id = v.path_id(cid, "contest")
        if "at" in params:
            caller = time_travel.caller_of(principal, _address(request))
            return time_travel.board_at(self.core, caller, contest_id, view, _at(params["at"]), offset, limit)
        page = boards.page(self.core, contest_id, view, offset, limit, username)
        return {**page, "first_solves": first_solves(self.core, contest_id, view)}


def _optional_body(request: Request) -> dict[str, Any]:
    """The JSON object sent, or {} when nothing was (a bodiless POST is fine here)."""
    return v.body_object(request.json_body) if request.raw_body else {}


def _address(request: Request) -> str:
    """The caller's address as API Gateway (or the local gateway) saw it."""
    return str(((request.context or {}).get("identity") or {}).get("sourceIp") or "")


def _at(raw: str) -> datetime:
    moment = v.timestamp({"at": raw}, "at")
    if moment is None:
        raise BadRequest("'at' must be an ISO 8601 time", "invalid_query")
    return moment
