"""Shared fixtures: real PostgreSQL and Redis (local servers, or embedded ones when none run).

Each test that asks for `database_url` gets a fresh database cloned from a template that
is migrated once per session; `redis_url` is a database index flushed around each test.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
import redis
from psycopg2.extensions import make_dsn

from codearena.config import Settings, project_root, state_dir
from codearena.core import Core
from codearena.db import migrate
from codearena.devservers import Services, create_database, ensure

ROOT = project_root()
sys.path.insert(0, str(ROOT / "functions"))  # app.py and chalicelib, as Lambda sees them

# Per session, so two test runs on one machine never share a template or a Redis database.
TEMPLATE = "codearena_test_template_" + uuid.uuid4().hex[:8]
SESSION = uuid.uuid4().hex
JWT_SECRET = "test-secret-" + "x" * 40


def with_database(url: str, name: str) -> str:
    if url.startswith("postgresql://") and "?" in url:  # pgserver's socket URL form
        base, query = url.split("?", 1)
        return base.rsplit("/", 1)[0] + "/" + name + "?" + query
    return make_dsn(url, dbname=name)


def redis_with_db(url: str, db: int) -> str:
    if url.startswith("unix://"):
        return url.split("?", 1)[0] + f"?db={db}"
    return url.rsplit("/", 1)[0] + f"/{db}"


@pytest.fixture(scope="session")
def services() -> Iterator[Services]:
    found = ensure(state_dir())
    yield found
    found.stop()


@pytest.fixture(scope="session")
def server_url(services: Services) -> str:
    return with_database(services.database_url, "postgres")


@pytest.fixture(scope="session")
def template_url(server_url: str) -> Iterator[str]:
    create_database(server_url, TEMPLATE)
    url = with_database(server_url, TEMPLATE)
    migrate(url)
    yield url
    drop_database(server_url, TEMPLATE)


@pytest.fixture
def database_url(server_url: str, template_url: str) -> Iterator[str]:
    name = "codearena_test_" + uuid.uuid4().hex[:12]
    create_database(server_url, name, template=TEMPLATE)
    yield with_database(server_url, name)
    drop_database(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


@pytest.fixture(scope="session")
def redis_db(services: Services) -> Iterator[int]:
    """A Redis database index no other test session on this server is using (1-15)."""
    claim = "codearena:test-session"
    for db in range(15, 0, -1):
        client = redis.Redis.from_url(redis_with_db(services.redis_url, db))
        if client.set(claim, SESSION, nx=True, ex=6 * 3600):
            yield db
            client.flushdb()
            client.close()
            return
        client.close()
    raise RuntimeError("every Redis database 1-15 is claimed by another test session")


@pytest.fixture
def redis_url(services: Services, redis_db: int) -> Iterator[str]:
    url = redis_with_db(services.redis_url, redis_db)
    client = redis.Redis.from_url(url)
    _reset(client)
    yield url
    _reset(client)
    client.close()


def _reset(client: redis.Redis) -> None:
    """Empty the session's database but keep its claim on it."""
    client.flushdb()
    client.set("codearena:test-session", SESSION, ex=6 * 3600)


@pytest.fixture
def settings(database_url: str, redis_url: str) -> Settings:
    return Settings(database_url=database_url, redis_url=redis_url, jwt_secret=JWT_SECRET)


@pytest.fixture
def core(settings: Settings) -> Iterator[Core]:
    instance = Core.from_settings(settings)
    yield instance
    instance.close()


def service_env(settings: Settings) -> dict[str, str]:
    """The environment a spawned CodeArena process needs to use the test services."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        CODEARENA_JWT_SECRET=settings.jwt_secret,
        PYTHONUNBUFFERED="1",
    )
    return env


def pytest_report_header() -> str:
    return f"codearena: {ROOT}; tests use real PostgreSQL and Redis ({Path(state_dir())})"
