"""Accounts: register, log in and out, change a password; an admin's roles, bans and revocations."""

from __future__ import annotations

from typing import Any

from chalicelib import openapi_schemas as s
from chalicelib.routing import Area, Call
from codearena import users
from codearena import validation as v

AREA = Area(__name__)


@AREA.route(
    "POST", "/auth/register", who="anyone", status=201, token="none", body=s.REGISTER, answer=s.REGISTERED
)
def register(call: Call) -> dict[str, Any]:
    """Register"""
    return users.register(call.core, call.body, call.address)


@AREA.route("POST", "/auth/login", who="anyone", token="none", body=s.LOGIN, answer=s.TOKEN)
def login(call: Call) -> dict[str, Any]:
    """Log in: a bearer token"""
    return users.login(call.core, call.body, call.address)


@AREA.route("GET", "/auth/me", who="registered", answer=s.ref("User"))
def me(call: Call) -> dict[str, Any]:
    """Who the token belongs to"""
    return users.me(call.principal())


@AREA.route("POST", "/auth/logout", who="registered", body=s.LOGOUT, body_optional=True, answer=s.LOGGED_OUT)
def logout(call: Call) -> dict[str, Any]:
    """End this token; with everywhere, every token of the account"""
    return users.logout(call.core, call.principal(), call.optional_body())


@AREA.route("PUT", "/auth/password", who="registered", body=s.PASSWORD_CHANGE, answer=s.TOKEN)
def change_password(call: Call) -> dict[str, Any]:
    """Change the password: every other token ends; the answer is a new token"""
    principal = call.principal()
    return users.change_password(call.core, principal, call.body, call.address)


@AREA.route("PUT", "/admin/users/{uid}/role", who="admin", body=s.ROLE, answer=s.ref("User"))
def set_role(call: Call, uid: str) -> dict[str, Any]:
    """Set a user's role"""
    admin = call.staff()
    return users.set_role(call.core, v.path_id(uid, "user"), call.body, by=admin)


@AREA.route("GET", "/admin/users", who="admin", answer=s.USER_LIST, query=("username",))
def find_users(call: Call) -> dict[str, Any]:
    """Accounts whose username starts with ?username= (any case), at most 50"""
    call.staff()
    return users.find(call.core, call.request.query_params)


@AREA.route("POST", "/admin/users/{uid}/ban", who="admin", body=s.BAN, body_optional=True, answer=s.BANNED)
def ban_user(call: Call, uid: str) -> dict[str, Any]:
    """Ban an account: its tokens end, its live subscriptions end, it cannot log in"""
    admin = call.staff()
    return users.ban(call.core, admin, v.path_id(uid, "user"), call.optional_body())


@AREA.route("DELETE", "/admin/users/{uid}/ban", who="admin", answer=s.BANNED)
def unban_user(call: Call, uid: str) -> dict[str, Any]:
    """Lift a ban"""
    call.staff()
    return users.unban(call.core, v.path_id(uid, "user"))


@AREA.route("POST", "/admin/users/{uid}/revoke-tokens", who="admin", answer=s.REVOKED)
def revoke_tokens(call: Call, uid: str) -> dict[str, Any]:
    """End every token of an account (a leaked token) without banning it"""
    call.staff()
    return users.revoke_tokens(call.core, v.path_id(uid, "user"))
