"""Fixtures for driving the Chalice app in-process (chalice.test.Client) on real services."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client

from codearena import contests, users
from codearena.core import Core
from codearena.models import Role


@pytest.fixture
def http(core: Core, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    import app as app_module

    from chalicelib.api import Api

    monkeypatch.setattr(app_module, "api", Api(core))
    with Client(app_module.app) as client:
        yield client.http


class Caller:
    """chalice.test's http client sending JSON; a 5xx answer fails the test at once (DESIGN
    §4: no request produces a 500)."""

    def __init__(self, http: Any) -> None:
        self._http = http

    def __call__(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        data = body if isinstance(body, str) else json.dumps(body) if body is not None else ""
        headers = {"Content-Type": "application/json", **(headers or {})}
        response = self._http.request(method, path, headers=headers, body=data.encode())
        assert response.status_code < 500, (method, path[:80], response.status_code, response.body[:500])
        return response


@pytest.fixture
def call(http: Any) -> Caller:
    return Caller(http)


def error_of(response: Any, status: int, code: str | None = None) -> dict[str, str]:
    """The {"error": {"code", "message"}} body of a `status` answer (with `code`, if given)."""
    assert response.status_code == status, (response.status_code, response.body[:500])
    assert response.headers.get("Content-Type", "").startswith("application/json")
    body = response.json_body
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message"}, error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    if code is not None:
        assert error["code"] == code, error
    return dict(error)


def login(core: Core, username: str, role: Role = Role.CONTESTANT) -> dict[str, str]:
    """Create a user and return the Authorization header of a fresh token."""
    user = users.create_user(core, username, "password-" + username, role)
    token, _ = core.tokens.issue(user["id"], username, role)
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


@pytest.fixture
def admin(core: Core) -> dict[str, str]:
    return login(core, "admin", Role.ADMIN)


@pytest.fixture
def running_contest(core: Core) -> dict[str, Any]:
    """A running ICPC contest with an A+B problem as A."""
    a_plus_b = {
        "title": "A+B",
        "statement": "sum",
        "time_limit_ms": 1000,
        "memory_limit_kb": 262144,
        "tests": [
            {"input": "1 2\n", "answer": "3\n", "sample": True},
            {"input": "5 7\n", "answer": "12\n"},
        ],
    }
    return contest_with_problem(core, a_plus_b, start=-timedelta(minutes=30), end=timedelta(hours=2))


# A problem with one test whose answer is "1".
ONE_TEST: dict[str, Any] = {
    "title": "P",
    "time_limit_ms": 1000,
    "memory_limit_kb": 65536,
    "tests": [{"input": "", "answer": "1"}],
}


def contest_with_problem(
    core: Core,
    problem: dict[str, Any],
    *,
    start: timedelta,
    end: timedelta,
    freeze: timedelta | None = None,
    title: str = "Test Contest",
) -> dict[str, Any]:
    """An ICPC contest from now + `start` to now + `end` (frozen from now + `freeze`) with
    `problem` as A: {"id", "problem_id"}."""
    now = core.clock()
    fields = {"title": title, "start_at": (now + start).isoformat(), "end_at": (now + end).isoformat()}
    if freeze is not None:
        fields["freeze_at"] = (now + freeze).isoformat()
    contest = contests.create_contest(core, fields)
    created = contests.create_problem(core, problem)
    contests.attach_problem(core, contest["id"], {"problem_id": created["id"], "label": "A"})
    return {"id": contest["id"], "problem_id": created["id"]}
