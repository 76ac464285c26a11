"""Settings read once from the environment (`Settings.from_env()`), never module globals."""

from __future__ import annotations

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

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        production = env.get("CODEARENA_ENV", "development") == "production"
        missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not env.get(name)]
        if missing:
            raise ConfigError(f"{' and '.join(missing)} must be set")
        return cls(
            database_url=env["DATABASE_URL"],
            redis_url=env["REDIS_URL"],
            jwt_secret=_jwt_secret(env, production),
            production=production,
            token_ttl_seconds=int(env.get("CODEARENA_TOKEN_TTL_SECONDS", 12 * 3600)),
            submit_rate_per_minute=int(env.get("CODEARENA_SUBMIT_RATE_PER_MINUTE", 30)),
        )


def _jwt_secret(env: dict[str, str], production: bool) -> str:
    secret = env.get("CODEARENA_JWT_SECRET", "")
    if secret:
        if production and len(secret) < 32:
            raise ConfigError("CODEARENA_JWT_SECRET must be at least 32 characters in production")
        return secret
    if production:
        raise ConfigError("CODEARENA_JWT_SECRET is required in production")
    return dev_secret()


def dev_secret() -> str:
    """A random secret generated once per checkout and shared by its local processes."""
    path = state_dir() / "jwt_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
