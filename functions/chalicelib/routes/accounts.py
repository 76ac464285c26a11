"""Accounts: register, log in and out, change a password; an admin's roles, bans and revocations."""

from __future__ import annotations

from typing import Any

from chalicelib import openapi_schemas as s
from chalicelib.routing import ADMIN, Area, Call
from codearena import users
from codearena import validation as v

AREA = Area(__name__)


@AREA.route("POST", "/auth/register", status=201, token="none", body=s.REGISTER, answer=s.REGISTERED)
def register(call: Call) -> dict[str, Any]:
    """Register"""
    return users.register(call.core, call.body, call.address)


@AREA.route("POST", "/auth/login", token="none", body=s.LOGIN, answer=s.TOKEN)
def login(call: Call) -> dict[str, Any]:
    """Log in: a bearer token"""
    return users.login(call.core, call.body, call.address)


@AREA.route("GET", "/auth/me", answer=s.ref("User"))
def me(call: Call) -> dict[str, Any]:
    """Who the token belongs to"""
    return users.me(call.principal())


@AREA.route("POST", "/auth/logout", body=s.LOGOUT, body_optional=True, answer=s.LOGGED_OUT)
def logout(call: Call) -> dict[str, Any]:
    """End this token; with everywhere, every token of the account"""
    return users.logout(call.core, call.principal(), call.optional_body())


@AREA.route("PUT", "/auth/password", body=s.PASSWORD_CHANGE, answer=s.TOKEN)
def change_password(call: Call) -> dict[str, Any]:
    """Change the password: every other token ends; the answer is a new token"""
    principal = call.principal()
    return users.change_password(call.core, principal, call.body, call.address)


@AREA.route("PUT", "/admin/users/{uid}/role", roles=ADMIN, body=s.ROLE, answer=s.ref("User"))
def set_role(call: Call, uid: str) -> dict[str, Any]:
    """Set a user's role"""
    admin = call.principal()
    return users.set_role(call.core, v.path_id(uid, "user"), call.body, by=admin)


@AREA.route("GET", "/admin/users", roles=ADMIN, answer=s.USER_LIST, query=("username",))
def find_users(call: Call) -> dict[str, Any]:
    """Accounts whose username starts with ?username= (any case), at most 50"""
    return users.find(call.core, call.request.query_params)


@AREA.route("POST", "/admin/users/{uid}/ban", roles=ADMIN, body=s.BAN, body_optional=True, answer=s.BANNED)
def ban_user(call: Call, uid: str) -> dict[str, Any]:
    """Ban an account: its tokens end, its live subscriptions end, it cannot log in"""
    admin = call.principal()
    return users.ban(call.core, admin, v.path_id(uid, "user"), call.optional_body())


@AREA.route("DELETE", "/admin/users/{uid}/ban", roles=ADMIN, answer=s.BANNED)
def unban_user(call: Call, uid: str) -> dict[str, Any]:
    """Lift a ban"""
    return users.unban(call.core, v.path_id(uid, "user"))


@AREA.route("POST", "/admin/users/{uid}/revoke-tokens", roles=ADMIN, answer=s.REVOKED)
def revoke_tokens(call: Call, uid: str) -> dict[str, Any]:
    """End every token of an account (a leaked token) without banning it"""
    return users.revoke_tokens(call.core, v.path_id(uid, "user"))
