"""Passwords (argon2id) and access tokens (HS256 JWT with an expiry, a generation and an id)."""

from __future__ import annotations

import functools
import secrets
import time
from dataclasses import dataclass, field

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from codearena.errors import Forbidden, Unauthorized
from codearena.models import Role

# argon2id at OWASP's first recommended setting (Password Storage Cheat Sheet: m = 19 MiB,
# t = 2, p = 1). The library's default (RFC 9106's "low memory" choice: 64 MiB, t = 3, p = 4)
# costs about three times as much CPU per login; at a contest's start thousands of people
# log in within a minute on a few cores (bench/login.py), so the cheaper of OWASP's
# equivalent settings. Hashes made with other parameters still verify and are upgraded at
# the next successful login (`needs_rehash`).
ARGON2_TIME_COST = 2
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_PARALLELISM = 1


@dataclass(frozen=True)
class PasswordCost:
    """argon2id parameters: passes over the memory, the memory in KiB, and lanes."""

    time_cost: int = ARGON2_TIME_COST
    memory_kib: int = ARGON2_MEMORY_KIB
    parallelism: int = ARGON2_PARALLELISM


PRODUCTION_COST = PasswordCost()
# argon2's floor (one pass over 8 KiB): for tests only, where every user fixture hashes a
# password (~0.06 s at the production cost on an idle machine, ~0.5 s on a busy one).
CHEAP_COST = PasswordCost(time_cost=1, memory_kib=8, parallelism=1)


class Passwords:
    """argon2id hashing at one cost (`Settings.password_cost`); hashes made at any cost verify."""

    def __init__(self, cost: PasswordCost) -> None:
        self.cost = cost
        self._hasher = PasswordHasher(
            time_cost=cost.time_cost, memory_cost=cost.memory_kib, parallelism=cost.parallelism
        )
        # Verified against when a user does not exist, so both paths cost one check.
        self.dummy_hash = self.hash("codearena-no-such-user")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether a stored hash was made with other parameters than this cost's."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True


@functools.cache
def passwords(cost: PasswordCost = PRODUCTION_COST) -> Passwords:
    """The hasher for `cost`, made once per process."""
    return Passwords(cost)


def hash_password(password: str) -> str:
    """A hash at the production cost (the CLI's seeded users, benchmarks)."""
    return passwords().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    return passwords().verify(password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with other parameters than the production cost's."""
    return passwords().needs_rehash(password_hash)


_ALGORITHM = "HS256"


@dataclass(frozen=True)
class Principal:
    """Who a valid token says the caller is."""

    user_id: int
    username: str
    role: Role
    expires_at: int | None = field(default=None, compare=False)  # the token's exp, Unix seconds
    generation: int = field(default=0, compare=False)  # users.token_generation when issued
    token_id: str = field(default="", compare=False)  # the token's jti, to revoke just it

    def require(self, *roles: Role) -> Principal:
        if self.role not in roles:
            allowed = " or ".join(role.value for role in roles)
            raise Forbidden(f"this needs the {allowed} role", "forbidden")
        return self


@dataclass(frozen=True)
class TokenIssuer:
    secret: str
    ttl_seconds: int

    def issue(
        self, user_id: int, username: str, role: Role, now: float | None = None, generation: int = 0
    ) -> tuple[str, int]:
        """A signed token and its expiry (Unix seconds). `generation` is the user's token
        generation now: raising it in the database revokes the token (sessions.py)."""
        issued = int(time.time() if now is None else now)
        expires = issued + self.ttl_seconds
        claims = {
            "sub": str(user_id),
            "name": username,
            "role": role.value,
            "iat": issued,
            "exp": expires,
            "gen": generation,
            "jti": secrets.token_urlsafe(12),
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
            generation = claims.get("gen", 0)
            token_id = claims.get("jti", "")
            if (
                isinstance(generation, bool)
                or not isinstance(generation, int)
                or not isinstance(token_id, str)
            ):
                raise ValueError("bad gen or jti claim")
            return Principal(
                int(claims["sub"]),
                str(claims["name"]),
                Role(claims["role"]),
                int(claims["exp"]),
                generation,
                token_id[:64],
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
