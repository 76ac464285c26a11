"""Every HTTP route of the API (DESIGN §8), declared once, in the area it belongs to: each
module holds one `routing.Area` (a Chalice blueprint) whose route functions call the core.
app.py registers them all; /openapi.json, declared here, describes what they declare.

| module | routes |
|---|---|
| accounts | /auth/…, an admin's /admin/users/… |
| contests | /contests, problems, registration; /admin/contests, /admin/problems, participants |
| submissions | /languages, submitting and reading submissions, rejudging |
| boards | the public and the jury leaderboards, unfreezing |
| clarifications | asking the jury, reading clarifications, the jury's answers and announcements |
| jury | all submissions with filters, a submission's details, judging now, the audit log |
| clics | the CLICS Contest API under /api |
| similarity | the jury's plagiarism report |
| invocations | custom invocations: running a program on your own input, never judged |
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Chalice

from chalicelib import openapi_schemas as s
from chalicelib.api import Api
from chalicelib.openapi import document
from chalicelib.routes import (
    accounts,
    boards,
    clarifications,
    clics,
    contests,
    invocations,
    jury,
    similarity,
    submissions,
)
from chalicelib.routing import Area, Call, Route

DOCUMENT = Area(__name__)


@DOCUMENT.route("GET", "/openapi.json", token="none", answer=s.OPENAPI)
def openapi(call: Call) -> dict[str, Any]:
    """This document"""
    return document(declared())


AREAS = (
    DOCUMENT,
    accounts.AREA,
    contests.AREA,
    submissions.AREA,
    invocations.AREA,
    boards.AREA,
    clarifications.AREA,
    jury.AREA,
    clics.AREA,
    similarity.AREA,
)


def register(app: Chalice, api: Callable[[], Api]) -> None:
    """Every area's routes on `app`, answered by the Api `api` returns at each request."""
    for area in AREAS:
        area.register(app, api)


def declared() -> list[Route]:
    """Every route as declared, area by area."""
    return [route for area in AREAS for route in area.routes]
