"""Accounts through the HTTP routes: log out, password change, bans and revocation, usernames
unique whatever their case, reserved names, weak passwords, sign-ups per address (issue 11)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from codearena import users
from codearena.config import Settings
from codearena.core import Core
from codearena.errors import CodeArenaError
from codearena.models import Role
from tests.integration.conftest import login
from tests.integration.test_auth import run_cli

JSON = {"Content-Type": "application/json"}


def call(http: Any, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    data = json.dumps(body) if body is not None else ""
    return http.request(method, path, headers={**JSON, **(headers or {})}, body=data.encode())


def code_of(response: Any, status: int) -> str:
    assert response.status_code == status, response.body
    return str(response.json_body["error"]["code"])


def log_in(http: Any, username: str, password: str) -> dict[str, str]:
    answer = call(http, "POST", "/auth/login", {"username": username, "password": password})
    assert answer.status_code == 200, answer.body
    return {"Authorization": "Bearer " + answer.json_body["token"]}


def uid(core: Core, username: str) -> int:
    with core.db.transaction() as cur:
        cur.execute("SELECT id FROM users WHERE username = %s", (username,))
        return int(cur.fetchone()["id"])


def works(http: Any, headers: dict[str, str]) -> bool:
    return bool(call(http, "GET", "/auth/me", headers=headers).status_code == 200)


# --- logging out, passwords ---------------------------------------------------------------
def test_log_out_ends_this_token_and_everywhere_ends_all(http: Any, core: Core) -> None:
    login(core, "alice")
    laptop, phone = log_in(http, "alice", "password-alice"), log_in(http, "alice", "password-alice")
    assert call(http, "POST", "/auth/logout", headers=laptop).json_body == {"logged_out": "this token"}
    assert code_of(call(http, "GET", "/auth/me", headers=laptop), 401) == "token_revoked"
    assert works(http, phone)
    tablet = log_in(http, "alice", "password-alice")
    assert call(http, "POST", "/auth/logout", {"everywhere": True}, phone).status_code == 200
    assert not works(http, phone) and not works(http, tablet)
    assert works(http, log_in(http, "alice", "password-alice"))  # logging in again is fine


def test_changing_the_password_ends_every_other_token(http: Any, core: Core) -> None:
    login(core, "alice")
    old = log_in(http, "alice", "password-alice")
    other = log_in(http, "alice", "password-alice")
    wrong = {"current_password": "not-the-password", "new_password": "violet-harbour-lamp"}
    assert code_of(call(http, "PUT", "/auth/password", wrong, old), 401) == "invalid_credentials"
    weak = {"current_password": "password-alice", "new_password": "password"}
    assert code_of(call(http, "PUT", "/auth/password", weak, old), 400) == "weak_password"
    assert works(http, other)  # refused changes changed nothing
    good = {"current_password": "password-alice", "new_password": "violet-harbour-lamp"}
    answer = call(http, "PUT", "/auth/password", good, old)
    assert answer.status_code == 200, answer.body
    assert not works(http, old) and not works(http, other)
    assert works(http, {"Authorization": "Bearer " + answer.json_body["token"]})
    refused = call(http, "POST", "/auth/login", {"username": "alice", "password": "password-alice"})
    assert code_of(refused, 401) == "invalid_credentials"
    assert works(http, log_in(http, "alice", "violet-harbour-lamp"))


# --- bans and revocation --------------------------------------------------------------------
def test_a_banned_account_loses_its_tokens_and_cannot_log_in_until_unbanned(http: Any, core: Core) -> None:
    admin = login(core, "boss", Role.ADMIN)
    login(core, "mallory")
    token = log_in(http, "mallory", "password-mallory")
    mallory = uid(core, "mallory")
    banned = call(http, "POST", f"/admin/users/{mallory}/ban", {"reason": "sharing solutions"}, admin)
    assert banned.status_code == 200 and banned.json_body["banned"] is True
    assert code_of(call(http, "GET", "/auth/me", headers=token), 403) == "account_banned"
    right = {"username": "mallory", "password": "password-mallory"}
    assert code_of(call(http, "POST", "/auth/login", right), 403) == "account_banned"
    wrong = {"username": "mallory", "password": "password-wrong"}
    assert code_of(call(http, "POST", "/auth/login", wrong), 401) == "invalid_credentials"  # no hint
    assert call(http, "DELETE", f"/admin/users/{mallory}/ban", headers=admin).status_code == 200
    assert code_of(call(http, "GET", "/auth/me", headers=token), 401) == "token_revoked"  # still over
    assert works(http, log_in(http, "mallory", "password-mallory"))


def test_only_admins_ban_and_nobody_bans_themselves(http: Any, core: Core) -> None:
    admin, jury = login(core, "boss", Role.ADMIN), login(core, "judy", Role.JURY)
    login(core, "mallory")
    assert code_of(call(http, "POST", f"/admin/users/{uid(core, 'mallory')}/ban", None, jury), 403)
    assert code_of(call(http, "POST", f"/admin/users/{uid(core, 'boss')}/ban", None, admin), 409)
    assert code_of(call(http, "POST", "/admin/users/999999/ban", None, admin), 404) == "user_not_found"
    assert works(http, admin)


def test_an_admin_revokes_a_leaked_token_without_banning(http: Any, core: Core) -> None:
    admin = login(core, "boss", Role.ADMIN)
    login(core, "carol")
    leaked = log_in(http, "carol", "password-carol")
    answer = call(http, "POST", f"/admin/users/{uid(core, 'carol')}/revoke-tokens", None, admin)
    assert answer.status_code == 200
    assert code_of(call(http, "GET", "/auth/me", headers=leaked), 401) == "token_revoked"
    assert works(http, log_in(http, "carol", "password-carol"))


def test_admins_find_accounts_by_the_start_of_their_name(http: Any, core: Core) -> None:
    admin = login(core, "boss", Role.ADMIN)
    for name in ("carol", "Caroline", "dave", "car_x"):
        users.create_user(core, name, f"password-{name}-x")
    found = call(http, "GET", "/admin/users?username=CAR", headers=admin).json_body["users"]
    assert [user["username"] for user in found] == ["car_x", "carol", "Caroline"]
    assert (
        call(http, "GET", "/admin/users?username=car_", headers=admin).json_body["users"][0]["username"]
        == "car_x"
    )
    assert code_of(call(http, "GET", "/admin/users", headers=admin), 400) == "invalid_query"


# --- usernames and passwords ------------------------------------------------------------------
def test_usernames_are_unique_whatever_their_case(http: Any, core: Core) -> None:
    assert (
        call(http, "POST", "/auth/register", {"username": "alice", "password": "violet-harbour"}).status_code
        == 201
    )
    for twin in ("ALICE", "Alice", "aLiCe"):
        refused = call(http, "POST", "/auth/register", {"username": twin, "password": "violet-harbour"})
        assert code_of(refused, 409) == "username_taken"
    assert works(http, log_in(http, "ALICE", "violet-harbour"))  # logging in ignores case too


# The whole table: tests/unit/test_request_validation.py; a few through HTTP here.
@pytest.mark.parametrize("name", ["ADMIN", "admin1"])
def test_sign_up_cannot_take_a_staff_looking_name(http: Any, core: Core, name: str) -> None:
    refused = call(http, "POST", "/auth/register", {"username": name, "password": "violet-harbour"})
    assert code_of(refused, 400) == "reserved_username"
    assert users.create_user(core, name, "violet-harbour", Role.ADMIN)["username"] == name  # admins may


@pytest.mark.parametrize("password", ["password", "aehtorod"])
def test_common_and_guessable_passwords_are_refused(http: Any, core: Core, password: str) -> None:
    refused = call(http, "POST", "/auth/register", {"username": "dorothea", "password": password})
    assert code_of(refused, 400) == "weak_password"
    with core.db.transaction() as cur:
        cur.execute("SELECT count(*) AS n FROM users")
        assert cur.fetchone()["n"] == 0


def test_sign_ups_per_address_are_limited(http: Any, core: Core) -> None:
    core.settings = replace(core.settings, registrations_per_address_per_hour=3)
    for n in range(3):
        body = {"username": f"sock{n}", "password": "violet-harbour"}
        assert call(http, "POST", "/auth/register", body).status_code == 201
    weak = call(http, "POST", "/auth/register", {"username": "sock9", "password": "password"})
    assert code_of(weak, 429) == "too_many_registrations"
    assert int(weak.headers["Retry-After"]) > 0
    with core.db.transaction() as cur:
        cur.execute("SELECT count(*) AS n FROM users")
        assert cur.fetchone()["n"] == 3
    # Another address signs up as usual, and a refused sign-up does not count against it.
    assert register_from(core, "sock5", "password", "198.51.100.7") == "weak_password"
    for n in range(3):
        assert register_from(core, f"other{n}", "violet-harbour", "198.51.100.7") == "created"


def register_from(core: Core, username: str, password: str, address: str) -> str:
    """users.register from `address`: "created" or the error code."""
    try:
        users.register(core, {"username": username, "password": password}, address)
    except CodeArenaError as exc:
        return exc.code
    return "created"


def test_the_cli_bans_unbans_and_revokes_by_username(http: Any, core: Core, settings: Settings) -> None:
    login(core, "mallory")
    token = log_in(http, "mallory", "password-mallory")
    banned = run_cli(settings, "user", "ban", "--username", "MALLORY", "--reason", "copying")
    assert banned.returncode == 0 and "banned mallory" in banned.stdout, banned.stderr
    assert code_of(call(http, "GET", "/auth/me", headers=token), 403) == "account_banned"
    assert run_cli(settings, "user", "unban", "--username", "mallory").returncode == 0
    token = log_in(http, "mallory", "password-mallory")
    assert run_cli(settings, "user", "revoke-tokens", "--username", "mallory").returncode == 0
    assert code_of(call(http, "GET", "/auth/me", headers=token), 401) == "token_revoked"
    unknown = run_cli(settings, "user", "ban", "--username", "nobody-here")
    assert unknown.returncode == 1 and "no user 'nobody-here'" in unknown.stderr
