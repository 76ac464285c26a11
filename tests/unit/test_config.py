"""Settings from the environment: no quiet development mode, no weak production secret."""

from __future__ import annotations

import secrets

import pytest

from codearena.config import ConfigError, Settings

SERVICES = {"DATABASE_URL": "postgresql://db/x", "REDIS_URL": "redis://cache/0"}
STRONG = secrets.token_urlsafe(48)


def settings(**env: str) -> Settings:
    return Settings.from_env({**SERVICES, **env})


@pytest.mark.parametrize("value", ["Production", "PRODUCTION", "prod", "production ", "staging", ""])
def test_an_unknown_environment_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="CODEARENA_ENV"):
        settings(CODEARENA_ENV=value, CODEARENA_JWT_SECRET=STRONG)


@pytest.mark.parametrize(
    "secret",
    ["a" * 32, "a" * 200, "ab" * 16, "abc" * 20, "0123" * 8, "short-but-random-Q9x"],
)
def test_production_refuses_a_weak_secret(secret: str) -> None:
    with pytest.raises(ConfigError, match="CODEARENA_JWT_SECRET"):
        settings(CODEARENA_ENV="production", CODEARENA_JWT_SECRET=secret)


@pytest.mark.parametrize(
    "secret", [STRONG, secrets.token_hex(16), secrets.token_hex(32)], ids=["fixed", "hex16", "hex32"]
)
def test_production_takes_a_random_secret(secret: str) -> None:
    made = settings(CODEARENA_ENV="production", CODEARENA_JWT_SECRET=secret)
    assert made.production and made.jwt_secret == secret


def test_development_is_the_default_and_limits_come_from_the_environment() -> None:
    made = settings(
        CODEARENA_JWT_SECRET="x" * 40,
        CODEARENA_MAX_PENDING_SUBMISSIONS="4",
        CODEARENA_REGISTRATIONS_PER_ADDRESS_PER_HOUR="500",
        CODEARENA_LOGIN_FAILURES_PER_ADDRESS="2000",
    )
    assert not made.production
    assert (made.max_pending_submissions, made.registrations_per_address_per_hour) == (4, 500)
    assert made.login_failures_per_address == 2000


@pytest.mark.parametrize("value", ["-1", "0", "ten", "1e3", "99999999999"])
def test_a_bad_number_is_refused_by_name(value: str) -> None:
    with pytest.raises(ConfigError, match="CODEARENA_MAX_PENDING_SUBMISSIONS"):
        settings(CODEARENA_JWT_SECRET="x" * 40, CODEARENA_MAX_PENDING_SUBMISSIONS=value)
