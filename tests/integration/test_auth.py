"""Registration, login, tokens and roles, through the HTTP routes and `codearena.auth`."""

from __future__ import annotations

import base64
import json
import subprocess
import time
import warnings
from datetime import datetime, timedelta
from typing import Any

import jwt
import jwt.warnings
import psycopg2
import pytest

from codearena import auth, users
from codearena.auth import TokenIssuer
from codearena.config import Settings, project_root
from codearena.core import Core
from codearena.errors import Forbidden, Unauthorized
from codearena.models import Role
from tests.conftest import service_env
from tests.integration.conftest import Caller, error_of, login

CLI = project_root() / ".venv" / "bin" / "codearena"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def user_count(core: Core) -> int:
    with core.db.transaction() as cur:
        cur.execute("SELECT count(*) AS n FROM users")
        return int(cur.fetchone()["n"])


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def unb64(part: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# --- register -------------------------------------------------------------------------
def test_register_answers_201_with_id_and_username(call: Caller, core: Core) -> None:
    r = call("POST", "/auth/register", {"username": "alice", "password": "correct-horse"})
    assert r.status_code == 201, r.body
    assert set(r.json_body) == {"id", "username"}
    assert r.json_body["username"] == "alice" and isinstance(r.json_body["id"], int)
    with core.db.transaction() as cur:
        cur.execute("SELECT id, role, password_hash FROM users WHERE username = 'alice'")
        row = cur.fetchone()
    assert row["id"] == r.json_body["id"] and row["role"] == "contestant"
    assert row["password_hash"].startswith("$argon2id$") and "correct-horse" not in row["password_hash"]


def test_register_cannot_choose_a_role(call: Caller, core: Core) -> None:
    r = call(
        "POST", "/auth/register", {"username": "mallory", "password": "tangerine-bicycle", "role": "admin"}
    )
    assert r.status_code == 201, r.body
    r = call("POST", "/auth/login", {"username": "mallory", "password": "tangerine-bicycle"})
    assert r.json_body["user"]["role"] == "contestant"
    assert core.tokens.verify(r.json_body["token"]).role is Role.CONTESTANT


def test_register_duplicate_username_is_409(call: Caller, core: Core) -> None:
    assert (
        call("POST", "/auth/register", {"username": "alice", "password": "tangerine-bicycle"}).status_code
        == 201
    )
    before = user_count(core)
    error = error_of(call("POST", "/auth/register", {"username": "alice", "password": "another-pass"}), 409)
    assert "alice" in error["message"]
    assert user_count(core) == before
    # and the first password still works
    assert (
        call("POST", "/auth/login", {"username": "alice", "password": "tangerine-bicycle"}).status_code == 200
    )


# The whole table: tests/unit/test_request_validation.py; a few through HTTP here.
@pytest.mark.parametrize("password", ["short", None])
def test_register_weak_or_bad_password_is_400(call: Caller, core: Core, password: Any) -> None:
    error_of(call("POST", "/auth/register", {"username": "alice", "password": password}), 400)
    assert user_count(core) == 0


@pytest.mark.parametrize("username", ["has space", 42])
def test_register_bad_username_is_400(call: Caller, core: Core, username: Any) -> None:
    error_of(call("POST", "/auth/register", {"username": username, "password": "tangerine-bicycle"}), 400)
    assert user_count(core) == 0


# --- login ----------------------------------------------------------------------------
def test_login_answers_token_and_expiry(call: Caller, core: Core) -> None:
    call("POST", "/auth/register", {"username": "alice", "password": "tangerine-bicycle"})
    r = call("POST", "/auth/login", {"username": "alice", "password": "tangerine-bicycle"})
    assert r.status_code == 200, r.body
    token, expires_at = r.json_body["token"], r.json_body["expires_at"]
    principal = core.tokens.verify(token)
    assert principal.username == "alice" and principal.role is Role.CONTESTANT
    expiry = datetime.fromisoformat(expires_at)
    assert expiry.tzinfo is not None, "expires_at must carry a zone"
    expected = core.clock() + timedelta(seconds=core.settings.token_ttl_seconds)
    assert abs((expiry - expected).total_seconds()) < 60
    assert jwt.decode(token, options={"verify_signature": False})["exp"] == int(expiry.timestamp())
    me = call("GET", "/auth/me", headers=bearer(token))
    assert me.status_code == 200 and me.json_body["username"] == "alice"


def test_wrong_password_and_unknown_user_look_the_same(call: Caller) -> None:
    call("POST", "/auth/register", {"username": "alice", "password": "tangerine-bicycle"})
    wrong = error_of(call("POST", "/auth/login", {"username": "alice", "password": "password2"}), 401)
    unknown = error_of(
        call("POST", "/auth/login", {"username": "nobody", "password": "tangerine-bicycle"}), 401
    )
    assert wrong == unknown
    assert "token" not in json.dumps(wrong)


def test_login_is_case_sensitive_on_password(call: Caller) -> None:
    call("POST", "/auth/register", {"username": "alice", "password": "Tangerine-bicycle"})
    error_of(call("POST", "/auth/login", {"username": "alice", "password": "tangerine-bicycle"}), 401)


@pytest.mark.parametrize("body", [{"username": "alice"}, "null"])
def test_login_malformed_body_is_400(call: Caller, body: Any) -> None:
    error_of(call("POST", "/auth/login", body), 400)


# --- tokens refused --------------------------------------------------------------------
@pytest.fixture
def alice(core: Core) -> dict[str, Any]:
    headers = login(core, "alice")
    return {"headers": headers, "token": headers["Authorization"].removeprefix("Bearer ")}


def test_valid_token_accepted(call: Caller, alice: dict[str, Any]) -> None:
    r = call("GET", "/auth/me", headers=bearer(alice["token"]))
    assert r.status_code == 200 and r.json_body["role"] == "contestant"


def test_expired_token_is_401(call: Caller, core: Core) -> None:
    user = users.create_user(core, "alice", "tangerine-bicycle")
    past = time.time() - core.settings.token_ttl_seconds - 120
    token, expires = core.tokens.issue(user["id"], "alice", Role.CONTESTANT, now=past)
    assert expires < time.time()
    error = error_of(call("GET", "/auth/me", headers=bearer(token)), 401)
    assert "expired" in error["message"]


def test_token_tampered_payload_is_401(call: Caller, alice: dict[str, Any]) -> None:
    header, payload, signature = alice["token"].split(".")
    claims = unb64(payload)
    claims["role"] = "admin"
    forged = ".".join([header, b64(claims), signature])
    error_of(call("GET", "/auth/me", headers=bearer(forged)), 401)
    error_of(
        call(
            "POST",
            "/admin/contests",
            {"title": "x", "start_at": "2030-01-01T00:00:00Z", "end_at": "2030-01-02T00:00:00Z"},
            headers=bearer(forged),
        ),
        401,
    )


@pytest.mark.parametrize("part", [0, 1, 2])
def test_token_with_a_flipped_character_is_401(call: Caller, alice: dict[str, Any], part: int) -> None:
    pieces = alice["token"].split(".")
    text = pieces[part]
    middle = len(text) // 2  # not the last character, whose low bits may be padding
    pieces[part] = text[:middle] + ("A" if text[middle] != "A" else "B") + text[middle + 1 :]
    error_of(call("GET", "/auth/me", headers=bearer(".".join(pieces))), 401)


def test_token_signed_with_another_secret_is_401(call: Caller, core: Core) -> None:
    login(core, "alice")
    other = TokenIssuer("another-secret-" + "y" * 40, 3600)
    token, _ = other.issue(1, "alice", Role.ADMIN)
    error_of(call("GET", "/auth/me", headers=bearer(token)), 401)


def test_token_with_another_algorithm_is_401(call: Caller, core: Core) -> None:
    login(core, "alice")
    claims = {
        "sub": "1",
        "name": "alice",
        "role": "admin",
        "iat": int(time.time()),
        "exp": int(time.time()) + 3600,
    }
    with warnings.catch_warnings():  # the test secret is short for HS512; that is not the point
        warnings.simplefilter("ignore", jwt.warnings.InsecureKeyLengthWarning)
        token = jwt.encode(claims, core.settings.jwt_secret, algorithm="HS512")
    error_of(call("GET", "/auth/me", headers=bearer(token)), 401)


def test_alg_none_token_is_401(call: Caller, core: Core) -> None:
    login(core, "alice")
    claims = {
        "sub": "1",
        "name": "alice",
        "role": "admin",
        "iat": int(time.time()),
        "exp": int(time.time()) + 3600,
    }
    by_library = jwt.encode(claims, None, algorithm="none")
    by_hand = b64({"alg": "none", "typ": "JWT"}) + "." + b64(claims) + "."
    for token in (by_library, by_hand, by_hand.replace('"none"', '"None"')):
        error_of(call("GET", "/auth/me", headers=bearer(token)), 401)
        error_of(call("POST", "/admin/contests", {"title": "x"}, headers=bearer(token)), 401)


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "1", "name": "alice", "role": "root"},
        {"sub": "one", "name": "alice", "role": "admin"},
        {"name": "alice", "role": "admin"},
        {"sub": "1", "name": "alice"},
    ],
)
def test_token_with_bad_claims_is_401(call: Caller, core: Core, claims: dict[str, Any]) -> None:
    now = int(time.time())
    token = jwt.encode({**claims, "iat": now, "exp": now + 600}, core.settings.jwt_secret, algorithm="HS256")
    error_of(call("GET", "/auth/me", headers=bearer(token)), 401)


def test_missing_header_is_401(call: Caller) -> None:
    error = error_of(call("GET", "/auth/me"), 401)
    assert "Authorization" in error["message"]


@pytest.mark.parametrize(
    "value",
    [
        "Basic YWxpY2U6cGFzc3dvcmQx",
        "Token {t}",
        "{t}",
        "Bearer",
        "Bearer ",
        "Bearer garbage",
        "Bearer a.b.c",
        "Bearer {t}x",
        "Bearer ....",
        "Bearer \u00e9\u00e9\u00e9",
    ],
)
def test_bad_authorization_header_is_401(call: Caller, alice: dict[str, Any], value: str) -> None:
    header = {"Authorization": value.replace("{t}", alice["token"])}
    error_of(call("GET", "/auth/me", headers=header), 401)


def test_every_authenticated_route_refuses_a_missing_token(call: Caller, core: Core) -> None:
    routes = [
        ("GET", "/auth/me"),
        ("POST", "/contests/1/submissions"),
        ("GET", "/contests/1/submissions"),
        ("GET", "/submissions/1"),
        ("POST", "/admin/contests"),
        ("PATCH", "/admin/contests/1"),
        ("POST", "/admin/problems"),
        ("POST", "/admin/contests/1/problems"),
        ("GET", "/admin/contests/1/leaderboard"),
        ("PUT", "/admin/users/1/role"),
    ]
    for method, path in routes:
        error = error_of(call(method, path, {} if method != "GET" else None), 401)
        assert error["code"] == "missing_token", (method, path, error)


# --- codearena.auth directly ---------------------------------------------------------------
def test_issuer_round_trip_and_refusals() -> None:
    issuer = TokenIssuer("s" * 40, 60)
    token, expires = issuer.issue(7, "zed", Role.JURY, now=1_000_000)
    assert expires == 1_000_060
    with pytest.raises(Unauthorized) as caught:
        issuer.verify(token)  # issued in 1970, long expired
    assert caught.value.code == "token_expired"
    fresh, _ = issuer.issue(7, "zed", Role.JURY)
    assert issuer.verify(fresh) == auth.Principal(7, "zed", Role.JURY)
    with pytest.raises(Unauthorized):
        TokenIssuer("t" * 40, 60).verify(fresh)
    assert not auth.verify_password("not-a-hash", "x")
    assert auth.verify_password(auth.hash_password("pw-12345"), "pw-12345")


def test_principal_require() -> None:
    admin = auth.Principal(1, "a", Role.ADMIN)
    assert admin.require(Role.ADMIN, Role.JURY) is admin
    with pytest.raises(Forbidden):
        auth.Principal(2, "c", Role.CONTESTANT).require(Role.ADMIN, Role.JURY)


# --- roles ----------------------------------------------------------------------------
def test_contestant_cannot_create_contests(call: Caller, core: Core) -> None:
    headers = login(core, "alice")
    error_of(
        call(
            "POST",
            "/admin/contests",
            {"title": "x", "start_at": "2030-01-01T00:00:00Z", "end_at": "2030-01-02T00:00:00Z"},
            headers=headers,
        ),
        403,
    )
    with core.db.transaction() as cur:
        cur.execute("SELECT count(*) AS n FROM contests")
        assert cur.fetchone()["n"] == 0


def test_jury_cannot_create_contests(call: Caller, core: Core) -> None:
    headers = login(core, "judy", Role.JURY)
    error_of(
        call(
            "POST",
            "/admin/contests",
            {"title": "x", "start_at": "2030-01-01T00:00:00Z", "end_at": "2030-01-02T00:00:00Z"},
            headers=headers,
        ),
        403,
    )


def test_jury_board_needs_jury_or_admin(call: Caller, core: Core, running_contest: dict[str, Any]) -> None:
    path = f"/admin/contests/{running_contest['id']}/leaderboard"
    error_of(call("GET", path, headers=login(core, "alice")), 403)
    assert call("GET", path, headers=login(core, "judy", Role.JURY)).status_code == 200
    assert call("GET", path, headers=login(core, "boss", Role.ADMIN)).status_code == 200


@pytest.mark.parametrize("role", [Role.ADMIN, Role.JURY])
def test_only_contestants_submit(
    call: Caller, core: Core, running_contest: dict[str, Any], role: Role
) -> None:
    headers = login(core, "staff", role)
    error_of(
        call(
            "POST",
            f"/contests/{running_contest['id']}/submissions",
            {
                "problem_id": running_contest["problem_id"],
                "language": "python",
                "source": "print(3)",
            },
            headers=headers,
        ),
        403,
    )
    with core.db.transaction() as cur:
        cur.execute("SELECT count(*) AS n FROM submissions")
        assert cur.fetchone()["n"] == 0
    assert core.redis.xlen(core.queue.stream) == 0


def test_contestant_cannot_change_roles(call: Caller, core: Core) -> None:
    headers = login(core, "alice")
    with core.db.transaction() as cur:
        cur.execute("SELECT id FROM users WHERE username = 'alice'")
        uid = cur.fetchone()["id"]
    error_of(call("PUT", f"/admin/users/{uid}/role", {"role": "admin"}, headers=headers), 403)
    with core.db.transaction() as cur:
        cur.execute("SELECT role FROM users WHERE id = %s", (uid,))
        assert cur.fetchone()["role"] == "contestant"


def test_admin_can_promote_and_the_new_role_applies_after_login(
    call: Caller, core: Core, admin: dict[str, str]
) -> None:
    call("POST", "/auth/register", {"username": "judy", "password": "tangerine-bicycle"})
    with core.db.transaction() as cur:
        cur.execute("SELECT id FROM users WHERE username = 'judy'")
        uid = cur.fetchone()["id"]
    r = call("PUT", f"/admin/users/{uid}/role", {"role": "jury"}, headers=admin)
    assert r.status_code == 200 and r.json_body["role"] == "jury"
    token = call("POST", "/auth/login", {"username": "judy", "password": "tangerine-bicycle"}).json_body[
        "token"
    ]
    assert call("GET", "/auth/me", headers=bearer(token)).json_body["role"] == "jury"


# --- the CLI ------------------------------------------------------------------------------
def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), *args], env=service_env(settings), capture_output=True, text=True, timeout=120
    )


def test_cli_creates_an_admin_who_can_log_in(call: Caller, settings: Settings) -> None:
    done = run_cli(
        settings,
        "user",
        "create",
        "--username",
        "boss",
        "--password",
        "boss-password",
        "--role",
        "admin",
    )
    assert done.returncode == 0, done.stderr
    assert "boss" in done.stdout and "admin" in done.stdout
    r = call("POST", "/auth/login", {"username": "boss", "password": "boss-password"})
    assert r.status_code == 200, r.body
    assert r.json_body["user"]["role"] == "admin"
    created = call(
        "POST",
        "/admin/contests",
        {
            "title": "From the CLI admin",
            "start_at": "2030-01-01T00:00:00Z",
            "end_at": "2030-01-02T00:00:00Z",
        },
        headers=bearer(r.json_body["token"]),
    )
    assert created.status_code == 201, created.body


def test_cli_duplicate_user_fails_clearly(settings: Settings) -> None:
    first = run_cli(
        settings,
        "user",
        "create",
        "--username",
        "boss",
        "--password",
        "boss-password",
        "--role",
        "admin",
    )
    assert first.returncode == 0, first.stderr
    again = run_cli(settings, "user", "create", "--username", "boss", "--password", "other-password")
    assert again.returncode != 0
    assert "boss" in again.stderr and "taken" in again.stderr, again.stderr
    assert "Traceback" not in again.stderr
    conn = psycopg2.connect(settings.database_url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT role FROM users WHERE username = 'boss'")
            assert cur.fetchall() == [("admin",)]
    finally:
        conn.close()


def test_cli_weak_password_fails_clearly(settings: Settings) -> None:
    done = run_cli(settings, "user", "create", "--username", "boss", "--password", "short")
    assert done.returncode != 0
    assert "password" in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_cli_unknown_role_fails(settings: Settings) -> None:
    done = run_cli(
        settings,
        "user",
        "create",
        "--username",
        "boss",
        "--password",
        "boss-password",
        "--role",
        "root",
    )
    assert done.returncode != 0 and "role" in done.stderr


def test_a_demoted_admin_loses_the_role_at_once(call: Caller, core: Core) -> None:
    boss = login(core, "boss", Role.ADMIN)
    chief = login(core, "chief", Role.ADMIN)
    deputy = login(core, "deputy", Role.JURY)
    with core.db.transaction() as cur:
        cur.execute("SELECT id, username FROM users")
        users_by_name = {row["username"]: row["id"] for row in cur.fetchall()}
    demote = {"role": "contestant"}
    assert call("PUT", f"/admin/users/{users_by_name['deputy']}/role", demote, boss).status_code == 200
    # Nobody demotes themselves (a contest could be left without an admin); another admin may.
    error_of(call("PUT", f"/admin/users/{users_by_name['boss']}/role", demote, boss), 409)
    assert call("PUT", f"/admin/users/{users_by_name['boss']}/role", demote, chief).status_code == 200
    # The same, unexpired tokens: the database now says contestant.
    promote = {"role": "admin"}
    error_of(call("PUT", f"/admin/users/{users_by_name['boss']}/role", promote, boss), 403)
    assert call("GET", "/auth/me", headers=boss).json_body["role"] == "contestant"
    assert call("GET", "/auth/me", headers=deputy).json_body["role"] == "contestant"
    with core.db.transaction() as cur:
        cur.execute("SELECT role FROM users WHERE username = 'boss'")
        assert cur.fetchone()["role"] == "contestant"


def test_a_token_outliving_its_account_is_401(
    call: Caller, core: Core, running_contest: dict[str, Any]
) -> None:
    ghost = login(core, "ghost", Role.ADMIN)
    gone = login(core, "gone")
    with core.db.transaction() as cur:
        cur.execute("DELETE FROM users WHERE username IN ('ghost', 'gone')")
    assert error_of(call("GET", "/auth/me", headers=ghost), 401)["code"] == "unknown_user"
    body = {"problem_id": running_contest["problem_id"], "language": "python", "source": "print(1)"}
    refused = call("POST", f"/contests/{running_contest['id']}/submissions", body, gone)
    assert error_of(refused, 401)["code"] == "unknown_user"
