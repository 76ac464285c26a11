"""Fixtures for driving the Chalice app in-process (chalice.test.Client) on real services."""

from __future__ import annotations

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
