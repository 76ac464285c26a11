"""The `migrate` Lambda function (issue 12): what `codearena deploy` invokes once per deploy."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator

import psycopg2
import pytest
from chalice.test import Client

from codearena.db import migrations
from codearena_cli.devservers import create_database
from tests.conftest import drop_database, with_database


@pytest.fixture
def empty_database_url(server_url: str) -> Iterator[str]:
    """A database with nothing in it, as RDS creates it."""
    name = "codearena_test_empty_" + uuid.uuid4().hex[:12]
    create_database(server_url, name)
    yield with_database(server_url, name)
    drop_database(server_url, name)


def test_migrate_function_applies_the_schema_then_nothing(
    empty_database_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app as app_module

    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("CODEARENA_ENV", "production")
    monkeypatch.setenv("CODEARENA_JWT_SECRET", secrets.token_urlsafe(48))
    with Client(app_module.app) as client:
        first = client.lambda_.invoke("migrate", {}).payload
        again = client.lambda_.invoke("migrate", {}).payload
    assert first == {"applied": ["schema.sql"]}
    assert again == {"applied": []}
    conn = psycopg2.connect(empty_database_url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM schema_migrations")
            assert cur.fetchone()[0] == len(migrations())
            cur.execute("SELECT to_regclass('submissions') IS NOT NULL")
            assert cur.fetchone()[0] is True
    finally:
        conn.close()
