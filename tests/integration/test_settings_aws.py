"""Settings in AWS: the template's variables name the hosts and three Secrets Manager secrets
(moto's, in-process); the URLs are built from them, each secret read once per process."""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from psycopg2.extensions import parse_dsn
from redis.connection import parse_url

from codearena import config
from codearena.config import ConfigError, Settings
from codearena.secret_store import SecretStore
from codearena_cli import commands, main

REGION = "eu-west-1"  # not the default region: the client must take it from the ARN
DB_USER = "arena_admin"
DB_PASSWORD = "p@ss:w/rd?#%&[]"  # what RDS may generate must survive the URL
REDIS_TOKEN = secrets.token_urlsafe(48)
JWT_SECRET = secrets.token_hex(32)


@pytest.fixture
def aws() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("secretsmanager", region_name=REGION)


@pytest.fixture
def env(aws: Any) -> dict[str, str]:
    """The environment the template gives a function, with the three secrets created."""

    def secret(name: str, value: str) -> str:
        return str(aws.create_secret(Name=f"codearena/{name}", SecretString=value)["ARN"])

    credentials = json.dumps({"username": DB_USER, "password": DB_PASSWORD, "engine": "postgres"})
    return {
        "CODEARENA_ENV": "production",
        "CODEARENA_DATABASE_SECRET_ARN": secret("database", credentials),
        "CODEARENA_DATABASE_HOST": "proxy.example.internal",
        "CODEARENA_DATABASE_DIRECT_HOST": "instance.example.internal",
        "CODEARENA_DATABASE_PORT": "5432",
        "CODEARENA_DATABASE_NAME": "codearena",
        "CODEARENA_REDIS_HOST": "master.cache.example.internal",
        "CODEARENA_REDIS_PORT": "6380",
        "CODEARENA_REDIS_AUTH_SECRET_ARN": secret("redis", REDIS_TOKEN),
        "CODEARENA_JWT_SECRET_ARN": secret("jwt", JWT_SECRET),
    }


def counting_store() -> tuple[SecretStore, Counter[str]]:
    """A store whose GetSecretValue calls are counted by secret, through botocore's events."""
    calls: Counter[str] = Counter()
    session = boto3.session.Session()
    session.events.register(
        "before-parameter-build.secrets-manager.GetSecretValue",
        lambda params, **_: calls.update([params["SecretId"]]),
    )
    return SecretStore(session), calls


def test_the_urls_are_built_from_the_three_secrets(env: dict[str, str]) -> None:
    made = Settings.from_env(env, SecretStore())
    served, migrated = parse_dsn(made.database_url), parse_dsn(made.migration_database_url)
    assert (served["user"], served["password"]) == (DB_USER, DB_PASSWORD)
    assert (served["host"], migrated["host"]) == ("proxy.example.internal", "instance.example.internal")
    assert served["sslmode"] == migrated["sslmode"] == "require"
    assert {served["dbname"], served["port"]} == {"codearena", "5432"}
    redis = parse_url(made.redis_url)
    assert made.redis_url.startswith("rediss://")
    assert (redis["host"], redis["port"], redis["password"], redis["db"]) == (
        "master.cache.example.internal",
        6380,
        REDIS_TOKEN,
        0,
    )
    assert made.jwt_secret == JWT_SECRET and made.production


def test_each_secret_is_read_once_however_many_settings_are_built(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, calls = counting_store()
    monkeypatch.setattr(config, "PROCESS_SECRETS", store)  # the process's own store, fresh
    built = [Settings.from_env(env) for _ in range(5)]
    assert len({(made.database_url, made.redis_url, made.jwt_secret) for made in built}) == 1
    arns = ("CODEARENA_DATABASE_SECRET_ARN", "CODEARENA_REDIS_AUTH_SECRET_ARN", "CODEARENA_JWT_SECRET_ARN")
    assert calls == Counter({env[name]: 1 for name in arns})


def test_a_plain_variable_wins_and_its_secret_is_never_read(env: dict[str, str]) -> None:
    store, calls = counting_store()
    plain = {"DATABASE_URL": "postgresql://local/x", "CODEARENA_JWT_SECRET": secrets.token_hex(32)}
    made = Settings.from_env(env | plain, store)
    assert made.database_url == made.migration_database_url == "postgresql://local/x"
    assert calls == Counter({env["CODEARENA_REDIS_AUTH_SECRET_ARN"]: 1})


def test_locally_migrations_use_the_database_url() -> None:
    local = {"DATABASE_URL": "postgresql://local/x", "REDIS_URL": "redis://local/0"}
    made = Settings.from_env(local | {"CODEARENA_JWT_SECRET": "x" * 40})
    assert made.migration_database_url == made.database_url


def test_a_missing_secret_names_its_variable_and_arn(env: dict[str, str], aws: Any) -> None:
    gone = env["CODEARENA_REDIS_AUTH_SECRET_ARN"]
    aws.delete_secret(SecretId=gone, ForceDeleteWithoutRecovery=True)
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env, SecretStore())
    assert "CODEARENA_REDIS_AUTH_SECRET_ARN" in str(caught.value) and gone in str(caught.value)
    assert "ResourceNotFoundException" in str(caught.value)


@pytest.mark.parametrize(
    "value",
    ["not json", json.dumps({"username": DB_USER}), json.dumps(["u", "p"]), json.dumps({"password": "p"})],
)
def test_an_unreadable_database_secret_is_refused_without_showing_it(
    env: dict[str, str], aws: Any, value: str
) -> None:
    aws.put_secret_value(SecretId=env["CODEARENA_DATABASE_SECRET_ARN"], SecretString=value)
    with pytest.raises(ConfigError, match="CODEARENA_DATABASE_SECRET_ARN") as caught:
        Settings.from_env(env, SecretStore())
    assert env["CODEARENA_DATABASE_SECRET_ARN"] in str(caught.value) and value not in str(caught.value)


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("CODEARENA_JWT_SECRET_ARN", "arn:aws:s3:::a-bucket", "CODEARENA_JWT_SECRET_ARN"),
        ("CODEARENA_DATABASE_DIRECT_HOST", "", "CODEARENA_DATABASE_DIRECT_HOST"),
        ("CODEARENA_REDIS_AUTH_SECRET_ARN", "", "CODEARENA_REDIS_AUTH_SECRET_ARN"),
        ("CODEARENA_DATABASE_HOST", "", "DATABASE_URL"),
    ],
)
def test_a_missing_or_malformed_variable_is_named(
    env: dict[str, str], variable: str, value: str, named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(env | {variable: value}, SecretStore())


def test_a_weak_jwt_secret_from_secrets_manager_is_refused(env: dict[str, str], aws: Any) -> None:
    aws.put_secret_value(SecretId=env["CODEARENA_JWT_SECRET_ARN"], SecretString="a" * 40)
    with pytest.raises(ConfigError, match="CODEARENA_JWT_SECRET_ARN must be at least"):
        Settings.from_env(env, SecretStore())


def test_the_cli_says_which_secret_it_cannot_read_and_starts_nothing_local(
    env: dict[str, str], aws: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No traceback, and no local PostgreSQL found or started in place of RDS."""
    for name in ("DATABASE_URL", "REDIS_URL", "CODEARENA_JWT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(config, "PROCESS_SECRETS", SecretStore())
    monkeypatch.setattr(commands, "ensure", _no_local_services)
    aws.delete_secret(SecretId=env["CODEARENA_DATABASE_SECRET_ARN"], ForceDeleteWithoutRecovery=True)
    assert main(["db", "migrate"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("codearena: CODEARENA_DATABASE_SECRET_ARN: cannot read the secret arn:aws:")
    assert "Traceback" not in error and error.count("\n") == 1


def _no_local_services(*_: object) -> None:
    raise AssertionError("a local PostgreSQL or Redis was looked for in place of AWS's")
