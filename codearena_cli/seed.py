"""The demo contest `make demo` seeds: running now, three problems, two contestants, an admin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from codearena import contests, users
from codearena.auth import hash_password
from codearena.config import Settings
from codearena.core import Core
from codearena.models import Role

DEMO_TITLE = "CodeArena Demo Contest"
# Demo-only passwords for a gateway bound to 127.0.0.1; printed by `make demo`.
DEMO_USERS = (
    ("admin", "admin-demo-pass", Role.ADMIN),
    ("alice", "alice-demo-pass", Role.CONTESTANT),
    ("bob", "bob-demo-pass", Role.CONTESTANT),
)

PROBLEMS: list[tuple[str, dict[str, Any]]] = [
    (
        "A",
        {
            "title": "A+B",
            "statement": "Read two integers a and b (|a|, |b| ≤ 10^18) on one line and print a + b.",
            "time_limit_ms": 1000,
            "memory_limit_kb": 262144,
            "tests": [
                {"input": "1 2\n", "answer": "3\n", "sample": True},
                {"input": "-5 5\n", "answer": "0\n"},
                {
                    "input": "1000000000000000000 1000000000000000000\n",
                    "answer": "2000000000000000000\n",
                },
                {"input": "123456789 -987654321\n", "answer": "-864197532\n"},
            ],
        },
    ),
    (
        "B",
        {
            "title": "Reverse the Words",
            "statement": "Read one line of words separated by spaces and print them in reverse order.",
            "time_limit_ms": 1000,
            "memory_limit_kb": 262144,
            "tests": [
                {"input": "hello arena\n", "answer": "arena hello\n", "sample": True},
                {"input": "a b c d\n", "answer": "d c b a\n"},
                {"input": "single\n", "answer": "single\n"},
            ],
        },
    ),
    (
        "C",
        {
            "title": "Counting Primes",
            "statement": "Read N (1 ≤ N ≤ 2·10^6) and print how many primes are ≤ N.",
            "time_limit_ms": 2000,
            "memory_limit_kb": 262144,
            "tests": [
                {"input": "10\n", "answer": "4\n", "sample": True},
                {"input": "1\n", "answer": "0\n"},
                {"input": "2000000\n", "answer": "148933\n"},
            ],
        },
    ),
]


def seed(settings: Settings, base_url: str) -> None:
    core = Core.from_settings(settings)
    try:
        for username, password, role in DEMO_USERS:
            _upsert_user(core, username, password, role)
        contest_id = _contest(core)
    finally:
        core.close()
    print(f"demo contest #{contest_id} '{DEMO_TITLE}' is running (3 problems: A+B, B, C)")
    print("demo logins (username / password):")
    for username, password, role in DEMO_USERS:
        print(f"  {username:6} / {password}   ({role.value})")
    print(f"try: curl -s {base_url}/contests/{contest_id}/leaderboard")


def _upsert_user(core: Core, username: str, password: str, role: Role) -> None:
    with core.db.transaction() as cur:
        cur.execute("SELECT id FROM users WHERE username = %s", (username,))
        if cur.fetchone():
            cur.execute(
                "UPDATE users SET password_hash = %s, role = %s WHERE username = %s",
                (hash_password(password), role.value, username),
            )
            return
    users.create_user(core, username, password, role)


def _contest(core: Core) -> int:
    """The demo contest, created once and moved to run from now whenever it is not running."""
    now = core.clock()
    window = {
        "start_at": (now - timedelta(minutes=5)).isoformat(),
        "end_at": (now + timedelta(hours=3)).isoformat(),
        "freeze_at": (now + timedelta(hours=2)).isoformat(),
    }
    with core.db.transaction() as cur:
        cur.execute("SELECT id FROM contests WHERE title = %s ORDER BY id LIMIT 1", (DEMO_TITLE,))
        existing = cur.fetchone()
    if existing:
        contest = contests.get_contest(core, existing["id"])
        if contest["state"] != "running":
            contests.update_contest(core, existing["id"], window)
        return int(existing["id"])
    contest = contests.create_contest(core, {"title": DEMO_TITLE, "scoring": "icpc", **window})
    for label, problem in PROBLEMS:
        created = contests.create_problem(core, problem)
        contests.attach_problem(core, contest["id"], {"problem_id": created["id"], "label": label})
    return int(contest["id"])
