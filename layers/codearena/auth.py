"""Passwords (argon2id) and access tokens (HS256 JWT with an expiry)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from codearena.errors import Forbidden, Unauthorized
from codearena.models import Role

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Principal:
    """Who a valid token says the caller is."""

    user_id: int
    username: str
    role: Role
    expires_at: int | None = field(default=None, compare=False)  # the token's exp, Unix seconds

    def require(self, *roles: Role) -> Principal:
        if self.role not in roles:
            allowed = " or ".join(role.value for role in roles)
            raise Forbidden(f"this needs the {allowed} role", "forbidden")
        return self


@dataclass(frozen=True)
class TokenIssuer:
    secret: str
    ttl_seconds: int

    def issue(self, user_id: int, username: str, role: Role, now: float | None = None) -> tuple[str, int]:
        """A signed token and its expiry (Unix seconds)."""
        issued = int(time.time() if now is None else now)
        expires = issued + self.ttl_seconds
        claims = {
            "sub": str(user_id),
            "name": username,
            "role": role.value,
            "iat": issued,
            "exp": expires,
        }
        return jwt.encode(claims, self.secret, algorithm=_ALGORITHM), expires

    def verify(self, token: str) -> Principal:
        """The token's principal; Unauthorized when it is malformed, tampered or expired."""
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[_ALGORITHM],
                options={"require": ["sub", "exp", "iat", "role", "name"]},
            )
            return Principal(
                int(claims["sub"]), str(claims["name"]), Role(claims["role"]), int(claims["exp"])
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("the token has expired; log in again", "token_expired") from exc
        except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
            raise Unauthorized("the token is invalid", "invalid_token") from exc

    def from_header(self, header: str | None) -> Principal:
        if not header:
            raise Unauthorized("an Authorization: Bearer <token> header is required", "missing_token")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("the Authorization header must be 'Bearer <token>'", "invalid_token")
        return self.verify(token.strip())
