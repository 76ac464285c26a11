"""The web app may live on another origin (S3): every answer, errors included, allows it. The
browser's preflight is tested against the real gateway (tests/e2e/test_cors.py): chalice.test's
client cannot read an OPTIONS answer, whose body is empty."""

from __future__ import annotations

from typing import Any

from codearena.core import Core
from codearena.models import Role
from tests.integration.conftest import login

ORIGIN = {"Origin": "https://contest.example.org"}


def test_answers_and_errors_allow_any_origin(http: Any, core: Core) -> None:
    auth = login(core, "cors-user", Role.CONTESTANT)
    answers = [
        http.get("/contests", headers=ORIGIN),
        http.get("/auth/me", headers={**ORIGIN, **auth}),
        http.get("/auth/me", headers=ORIGIN),  # 401
        http.post("/auth/login", headers={**ORIGIN, "Content-Type": "application/json"}, body="{oops"),  # 400
        http.get("/contests/999999", headers=ORIGIN),  # 404
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 401, 400, 404]
    for answer in answers:
        assert answer.headers["Access-Control-Allow-Origin"] == "*"
