"""What the e2e tests share: the A+B problem, solutions, and HTTP steps."""

from __future__ import annotations

import ssl
from typing import Any

import httpx

from codearena.auth import hash_password
from codearena.core import Core
from codearena.models import Role

# For httpx clients of the local gateway (plain HTTP): by default each client builds an SSL
# context of its own, ~20 ms of CPU, more than a request to the gateway costs.
TLS = ssl.create_default_context()
SUM = "a, b = map(int, input().split())\nprint(a + b)\n"
DIFFERENCE = "a, b = map(int, input().split())\nprint(a - b)\n"
A_PLUS_B = {
    "title": "A+B",
    "statement": "Print a + b.",
    "time_limit_ms": 2000,
    "memory_limit_kb": 262144,
    "tests": [
        {"input": "1 2\n", "answer": "3\n", "sample": True},
        {"input": "5 7\n", "answer": "12\n"},
        {"input": "-4 10\n", "answer": "6\n"},
    ],
}


def register_and_login(client: httpx.Client, username: str) -> dict[str, str]:
    credentials = {"username": username, "password": f"{username}-password"}
    assert client.post("/auth/register", json=credentials).status_code == 201
    token = client.post("/auth/login", json=credentials).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def submit(context: dict[str, Any], headers: dict[str, str], source: str) -> int:
    answer = context["client"].post(
        f"/contests/{context['id']}/submissions",
        headers=headers,
        json={"problem_id": context["problem_id"], "language": "python", "source": source},
    )
    assert answer.status_code == 202, answer.text
    return int(answer.json()["id"])


def contestant_headers(core: Core, names: list[str], password: str) -> list[dict[str, str]]:
    """Contestants `names` (inserted in one statement, one argon2 hash for all) and the
    Authorization header of a token for each, in the order given."""
    stored = hash_password(password)
    with core.db.transaction() as cur:
        cur.executemany(
            "INSERT INTO users (username, password_hash) VALUES (%s, %s)", [(n, stored) for n in names]
        )
        cur.execute("SELECT id, username FROM users WHERE username = ANY(%s)", (names,))
        ids = {row["username"]: row["id"] for row in cur.fetchall()}
    return [
        {"Authorization": "Bearer " + core.tokens.issue(ids[name], name, Role.CONTESTANT)[0]}
        for name in names
    ]
