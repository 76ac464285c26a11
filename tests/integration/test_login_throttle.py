"""Failed logins: counted before the password is checked, waits that double per username,
and nobody locked out for long from elsewhere (issue 11, findings 4 and 5)."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from typing import Any

import pytest

from codearena import auth, throttle, users
from codearena.core import Core
from codearena.errors import RateLimited, Unauthorized
from tests.integration.conftest import login

WRONG = "definitely-not-it"


def attempt(core: Core, username: str, password: str, address: str) -> str:
    """What a login answered: "ok", "wrong" or "throttled"."""
    try:
        users.login(core, {"username": username, "password": password}, address)
    except Unauthorized:
        return "wrong"
    except RateLimited:
        return "throttled"
    return "ok"


class Clock:
    """Stands in for the throttle's clock, so waits pass without sleeping."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 1_800_000_000.0
        monkeypatch.setattr(throttle, "now_ms", lambda: int(self.now * 1000))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def test_waits_double_after_the_free_failures_for_one_username_and_address(core: Core, clock: Clock) -> None:
    login(core, "alice")
    free = throttle.PER_USER_AND_ADDRESS.free
    assert [attempt(core, "alice", WRONG, "10.0.0.1") for _ in range(free + 1)] == ["wrong"] * (free + 1)
    # The (free + 1)th failure started a one-second wait: even the right password waits.
    assert attempt(core, "alice", "password-alice", "10.0.0.1") == "throttled"
    clock.now += 1.01
    assert attempt(core, "alice", WRONG, "10.0.0.1") == "wrong"  # and the next wait is 2 s
    clock.now += 1.5
    assert attempt(core, "alice", "password-alice", "10.0.0.1") == "throttled"
    clock.now += 0.6
    assert attempt(core, "alice", "password-alice", "10.0.0.1") == "ok"
    # A success clears this address's count: a typo afterwards is free again.
    assert attempt(core, "alice", WRONG, "10.0.0.1") == "wrong"
    assert attempt(core, "alice", "password-alice", "10.0.0.1") == "ok"


def test_the_same_address_and_other_addresses_can_still_log_in_others_and_alice(
    core: Core, clock: Clock
) -> None:
    login(core, "alice"), login(core, "bob")
    for _ in range(throttle.PER_USER_AND_ADDRESS.free + 3):
        attempt(core, "alice", WRONG, "10.0.0.1")
    assert attempt(core, "alice", "password-alice", "10.0.0.1") == "throttled"
    assert attempt(core, "bob", "password-bob", "10.0.0.1") == "ok"  # one venue, one NAT address
    assert attempt(core, "alice", "password-alice", "10.0.0.2") == "ok"  # alice at her own desk


def test_guessing_from_many_addresses_slows_that_username_for_at_most_a_minute(
    core: Core, clock: Clock
) -> None:
    login(core, "alice")
    for n in range(throttle.PER_USER.free + 10):
        attempt(core, "alice", WRONG, f"10.1.0.{n}")
    assert attempt(core, "alice", "password-alice", "10.2.0.1") == "throttled"
    clock.now += throttle.PER_USER.longest_seconds + 0.01
    assert attempt(core, "alice", "password-alice", "10.2.0.1") == "ok"


def test_spraying_many_usernames_from_one_address_is_throttled(core: Core, clock: Clock) -> None:
    core.settings = replace(core.settings, login_failures_per_address=8)
    login(core, "alice")
    for n in range(9):
        assert attempt(core, f"nobody{n}", WRONG, "10.0.0.9") == "wrong"
    assert attempt(core, "alice", "password-alice", "10.0.0.9") == "throttled"
    assert attempt(core, "alice", "password-alice", "10.0.0.10") == "ok"


def test_parallel_guesses_are_counted_before_argon2_runs(core: Core, monkeypatch: pytest.MonkeyPatch) -> None:
    login(core, "alice")
    checked: list[str] = []
    real = auth.Passwords.verify

    def counting(self: auth.Passwords, password_hash: str, password: str) -> bool:
        checked.append(password)
        return real(self, password_hash, password)

    monkeypatch.setattr(auth.Passwords, "verify", counting)
    answers: list[str] = []
    start = threading.Barrier(40)

    def guess(n: int) -> None:
        start.wait()
        answers.append(attempt(core, "alice", f"guess-{n}-wrong", "10.0.0.1"))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # At most the free failures and the one that started the first wait reach argon2.
    assert len(checked) <= throttle.PER_USER_AND_ADDRESS.free + 1, len(checked)
    assert answers.count("throttled") >= 40 - throttle.PER_USER_AND_ADDRESS.free - 1


def test_a_throttled_login_says_when_to_retry(http: Any, core: Core) -> None:
    login(core, "alice")
    body = json.dumps({"username": "alice", "password": WRONG})
    headers = {"Content-Type": "application/json"}
    for _ in range(throttle.PER_USER_AND_ADDRESS.free + 1):
        assert http.post("/auth/login", headers=headers, body=body).status_code == 401
    refused = http.post("/auth/login", headers=headers, body=body)
    assert refused.status_code == 429
    assert refused.json_body["error"]["code"] == "too_many_failed_logins"
    assert 1 <= int(refused.headers["Retry-After"]) <= 2
