"""Settings read once from the environment (`Settings.from_env()`), never module globals."""

from __future__ import annotations

import math
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

MAX_SOURCE_BYTES = 64 * 1024


class ConfigError(RuntimeError):
    """The environment is missing something the process cannot run without."""


def project_root() -> Path:
    """The checkout this code runs from (layers/codearena/ → repository root)."""
    return Path(__file__).resolve().parents[2]


def state_dir() -> Path:
    """Where local state lives (embedded servers, the generated dev secret): git-ignored."""
    return Path(os.environ.get("CODEARENA_STATE_DIR") or project_root() / ".codearena")


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    jwt_secret: str
    production: bool = False
    token_ttl_seconds: int = 12 * 3600
    max_source_bytes: int = MAX_SOURCE_BYTES
    submit_rate_per_minute: int = 30
    # Submissions of one user waiting for or in judging; more are refused (429).
    max_pending_submissions: int = 10
    # Accounts signed up from one address in an hour (a venue behind one NAT: raise it).
    registrations_per_address_per_hour: int = 20
    # Failed logins from one address, all usernames, before waits start (users.login).
    login_failures_per_address: int = 300

    @property
    def migration_database_url(self) -> str:
        """Where migrations run. Placeholder until issue 12's runtime settings (the direct
        host, not RDS Proxy): locally the two are the same database."""
        return self.database_url

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        production = _environment(env) == "production"
        missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not env.get(name)]
        if missing:
            raise ConfigError(f"{' and '.join(missing)} must be set")
        return cls(
            database_url=env["DATABASE_URL"],
            redis_url=env["REDIS_URL"],
            jwt_secret=_jwt_secret(env, production),
            production=production,
            token_ttl_seconds=_positive(env, "CODEARENA_TOKEN_TTL_SECONDS", 12 * 3600),
            submit_rate_per_minute=_positive(env, "CODEARENA_SUBMIT_RATE_PER_MINUTE", 30),
            max_pending_submissions=_positive(env, "CODEARENA_MAX_PENDING_SUBMISSIONS", 10),
            registrations_per_address_per_hour=_positive(
                env, "CODEARENA_REGISTRATIONS_PER_ADDRESS_PER_HOUR", 20
            ),
            login_failures_per_address=_positive(env, "CODEARENA_LOGIN_FAILURES_PER_ADDRESS", 300),
        )


ENVIRONMENTS = ("development", "production")
SECRET_MIN_LENGTH = 32
SECRET_MIN_BITS = 96


def _environment(env: dict[str, str]) -> str:
    """CODEARENA_ENV, exactly one of ENVIRONMENTS: "Production" or a typo must not quietly
    run a public deployment in development mode."""
    value = env.get("CODEARENA_ENV", "development")
    if value not in ENVIRONMENTS:
        raise ConfigError(f"CODEARENA_ENV is {value!r}; it must be one of: {', '.join(ENVIRONMENTS)}")
    return value


def _positive(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdecimal() and 0 < int(raw) < 2**31):
        raise ConfigError(f"{name} must be a positive whole number, not {raw!r}")
    return int(raw)


def _jwt_secret(env: dict[str, str], production: bool) -> str:
    secret = env.get("CODEARENA_JWT_SECRET", "")
    if secret:
        if production:
            _require_strong(secret)
        return secret
    if production:
        raise ConfigError("CODEARENA_JWT_SECRET is required in production")
    return dev_secret()


def _require_strong(secret: str) -> None:
    """At least 32 characters and about 96 bits by a crude estimate (length × log2 of the
    distinct characters): 32 random hex digits pass, a repeated letter or a short cycle fail."""
    bits = len(secret) * math.log2(len(set(secret))) if len(set(secret)) > 1 else 0.0
    if len(secret) < SECRET_MIN_LENGTH or bits < SECRET_MIN_BITS:
        raise ConfigError(
            f"CODEARENA_JWT_SECRET must be at least {SECRET_MIN_LENGTH} random characters in production"
            " (e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )


def dev_secret() -> str:
    """A random secret generated once per checkout and shared by its local processes."""
    path = state_dir() / "jwt_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
