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
    now = core.clock()
    contest = contests.create_contest(
        core,
        {
            "title": "Test Contest",
            "start_at": (now - timedelta(minutes=30)).isoformat(),
            "end_at": (now + timedelta(hours=2)).isoformat(),
        },
    )
    problem = contests.create_problem(
        core,
        {
            "title": "A+B",
            "statement": "sum",
            "time_limit_ms": 1000,
            "memory_limit_kb": 262144,
            "tests": [
                {"input": "1 2\n", "answer": "3\n", "sample": True},
                {"input": "5 7\n", "answer": "12\n"},
            ],
        },
    )
    contests.attach_problem(core, contest["id"], {"problem_id": problem["id"], "label": "A"})
    return {"id": contest["id"], "problem_id": problem["id"]}
