"""Settings read once from the environment (`Settings.from_env()`), never module globals
(PROCESS_SECRETS is a cache of what Secrets Manager answered, not configuration).

Locally the services are plain URLs (DATABASE_URL, REDIS_URL, CODEARENA_JWT_SECRET). In AWS
nothing secret is in the environment: the template names the hosts and the Secrets Manager
secrets (the CODEARENA_DATABASE_* / CODEARENA_REDIS_* / CODEARENA_JWT_SECRET_ARN variables) and
the URLs are built from them, over TLS. A plain variable that is set still wins.
"""

from __future__ import annotations

import json
import math
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from codearena.auth import PRODUCTION_COST, PasswordCost
from codearena.secret_store import SecretStore, SecretUnavailable

# The largest source intake accepts, in UTF-8 bytes (Settings.max_source_bytes). The web app reads
# it from GET /languages; schema.sql's CHECK repeats it (tests/unit/test_language_catalog.py).
MAX_SOURCE_BYTES = 64 * 1024
# The secrets this process has read: one read per secret per process (a Lambda container, a
# judge host), however many Settings are built.
PROCESS_SECRETS = SecretStore()


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
    # Clarification questions one participant may ask in a contest per minute (429 past it).
    clarifications_per_minute: int = 3
    # Custom invocations (codearena.invocations) one user may start per minute, and may have
    # waiting or running at once (429 past either).
    invocations_per_minute: int = 10
    max_pending_invocations: int = 2
    # Accounts signed up from one address in an hour (a venue behind one NAT: raise it).
    registrations_per_address_per_hour: int = 20
    # Failed logins from one address, all usernames, before waits start (users.login).
    login_failures_per_address: int = 300
    # Where `codearena db migrate` connects: the database instance itself in AWS (its session
    # advisory lock would pin an RDS Proxy session), database_url when left empty.
    migration_database_url: str = ""
    # The S3 bucket of problem package uploads (packages.uploads); none locally.
    upload_bucket: str = ""
    # argon2id's cost for new hashes; never lowered outside tests (auth.CHEAP_COST), so no
    # variable sets it.
    password_cost: PasswordCost = PRODUCTION_COST

    def __post_init__(self) -> None:
        if not self.migration_database_url:
            object.__setattr__(self, "migration_database_url", self.database_url)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, store: SecretStore | None = None) -> Settings:
        """Settings from `env` (os.environ by default); secrets are read through `store`
        (the process's own by default)."""
        env = dict(os.environ if env is None else env)
        store = PROCESS_SECRETS if store is None else store
        production = _environment(env) == "production"
        database_url, migration_database_url = _database_urls(env, store)
        return cls(
            database_url=database_url,
            migration_database_url=migration_database_url,
            redis_url=_redis_url(env, store),
            jwt_secret=_jwt_secret(env, production, store),
            production=production,
            token_ttl_seconds=_positive(env, "CODEARENA_TOKEN_TTL_SECONDS", 12 * 3600),
            submit_rate_per_minute=_positive(env, "CODEARENA_SUBMIT_RATE_PER_MINUTE", 30),
            max_pending_submissions=_positive(env, "CODEARENA_MAX_PENDING_SUBMISSIONS", 10),
            clarifications_per_minute=_positive(env, "CODEARENA_CLARIFICATIONS_PER_MINUTE", 3),
            invocations_per_minute=_positive(env, "CODEARENA_INVOCATIONS_PER_MINUTE", 10),
            max_pending_invocations=_positive(env, "CODEARENA_MAX_PENDING_INVOCATIONS", 2),
            registrations_per_address_per_hour=_positive(
                env, "CODEARENA_REGISTRATIONS_PER_ADDRESS_PER_HOUR", 20
            ),
            login_failures_per_address=_positive(env, "CODEARENA_LOGIN_FAILURES_PER_ADDRESS", 300),
            upload_bucket=env.get("CODEARENA_UPLOAD_BUCKET", ""),
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


def cloud_services(env: Mapping[str, str]) -> bool:
    """Whether the environment names AWS's services (the template's variables): then nothing
    local is looked for or started in their place."""
    return bool(env.get("CODEARENA_DATABASE_HOST") or env.get("CODEARENA_REDIS_HOST"))


def _database_urls(env: dict[str, str], store: SecretStore) -> tuple[str, str]:
    """(the URL to serve from, the URL to migrate): DATABASE_URL for both, else the RDS Proxy
    and the instance endpoint with the credentials of CODEARENA_DATABASE_SECRET_ARN.

    TLS is required but the certificate not verified: RDS Proxy refuses plain connections, and
    the OpenSSL that psycopg2-binary bundles finds no CA store in Lambda (its OPENSSLDIR is the
    wheel builder's), so verify-full would need a CA bundle shipped and kept current."""
    if env.get("DATABASE_URL"):
        return env["DATABASE_URL"], env["DATABASE_URL"]
    if not env.get("CODEARENA_DATABASE_HOST"):
        raise ConfigError(
            "DATABASE_URL must be set (in AWS: CODEARENA_DATABASE_HOST and CODEARENA_DATABASE_SECRET_ARN)"
        )
    hosts = [_required(env, name) for name in ("CODEARENA_DATABASE_HOST", "CODEARENA_DATABASE_DIRECT_HOST")]
    credentials = _database_credentials(env, store)
    port = _positive(env, "CODEARENA_DATABASE_PORT", 5432)
    name = quote(env.get("CODEARENA_DATABASE_NAME") or "codearena", safe="")
    proxy, direct = (f"postgresql://{credentials}@{host}:{port}/{name}?sslmode=require" for host in hosts)
    return proxy, direct


def _database_credentials(env: dict[str, str], store: SecretStore) -> str:
    """USER:PASSWORD (URL-quoted) from the RDS-managed secret, JSON {"username", "password"}."""
    variable = "CODEARENA_DATABASE_SECRET_ARN"
    try:
        credentials = json.loads(_secret(env, variable, store))
        user, password = credentials["username"], credentials["password"]
    except (ValueError, TypeError, KeyError):
        user = password = None
    if not (isinstance(user, str) and isinstance(password, str) and user):
        raise ConfigError(
            f'{variable}: the secret {env[variable]} must be JSON with a "username" and a "password"'
        )
    return f"{quote(user, safe='')}:{quote(password, safe='')}"


def _redis_url(env: dict[str, str], store: SecretStore) -> str:
    """REDIS_URL, else the replication group's primary endpoint over TLS with its AUTH token
    (the certificate verified against the system's CA store, which holds Amazon's roots)."""
    if env.get("REDIS_URL"):
        return env["REDIS_URL"]
    if not env.get("CODEARENA_REDIS_HOST"):
        raise ConfigError(
            "REDIS_URL must be set (in AWS: CODEARENA_REDIS_HOST and CODEARENA_REDIS_AUTH_SECRET_ARN)"
        )
    token = quote(_secret(env, "CODEARENA_REDIS_AUTH_SECRET_ARN", store), safe="")
    port = _positive(env, "CODEARENA_REDIS_PORT", 6379)
    return f"rediss://:{token}@{env['CODEARENA_REDIS_HOST']}:{port}/0"


def _required(env: dict[str, str], name: str) -> str:
    if not env.get(name):
        raise ConfigError(f"{name} must be set")
    return env[name]


def _secret(env: dict[str, str], variable: str, store: SecretStore) -> str:
    """The value of the secret whose ARN `variable` holds."""
    arn = _required(env, variable)
    try:
        return store.get(arn)
    except SecretUnavailable as exc:
        raise ConfigError(f"{variable}: cannot read the secret {arn}: {exc}") from exc


def _jwt_secret(env: dict[str, str], production: bool, store: SecretStore) -> str:
    """CODEARENA_JWT_SECRET, else the secret CODEARENA_JWT_SECRET_ARN names, else (outside
    production only) this checkout's generated one."""
    if env.get("CODEARENA_JWT_SECRET"):
        variable, secret = "CODEARENA_JWT_SECRET", env["CODEARENA_JWT_SECRET"]
    elif env.get("CODEARENA_JWT_SECRET_ARN"):
        variable = "CODEARENA_JWT_SECRET_ARN"
        secret = _secret(env, variable, store)
    elif production:
        raise ConfigError("CODEARENA_JWT_SECRET or CODEARENA_JWT_SECRET_ARN is required in production")
    else:
        return dev_secret()
    if production:
        _require_strong(secret, variable)
    return secret


def _require_strong(secret: str, variable: str) -> None:
    """At least 32 characters and about 96 bits by a crude estimate (length × log2 of the
    distinct characters): 32 random hex digits pass, a repeated letter or a short cycle fail."""
    bits = len(secret) * math.log2(len(set(secret))) if len(set(secret)) > 1 else 0.0
    if len(secret) < SECRET_MIN_LENGTH or bits < SECRET_MIN_BITS:
        raise ConfigError(
            f"{variable} must be at least {SECRET_MIN_LENGTH} random characters in production"
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
