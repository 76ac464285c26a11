"""Redis over TLS with AUTH and PostgreSQL with sslmode=require, as in AWS (ElastiCache in-transit
encryption, RDS Proxy's RequireTLS): private servers on loopback with certificates made here,
which refuse plain connections. The machine's shared servers are not touched."""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import psycopg2
import pytest
import redis
from moto import mock_aws

from codearena import config, users
from codearena.config import Settings
from codearena.core import Core
from codearena.db import Database, migrate
from codearena.errors import ServiceUnavailable
from codearena.leaderboard import Entry
from codearena.secret_store import SecretStore
from codearena_cli import commands, main
from tests.conftest import JWT_SECRET
from tests.e2e.conftest import free_port
from tests.e2e.servers import REDIS_SERVER, START_SECONDS, PrivatePostgres
from tests.integration.certificates import TlsFiles, make_certificates

DB_USER = "arena_admin"
DB_PASSWORD = "tls:p@ss/" + secrets.token_hex(8)
NO_PROXY_HOST = "127.0.0.2"  # loopback, but nothing listens there: a proxy that must not be used


# --- servers ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TlsRedis:
    port: int
    token: str
    files: TlsFiles

    def url(self, password: str | None = None, ca: bool = True, scheme: str = "rediss") -> str:
        query = f"?ssl_ca_certs={self.files.ca}" if ca and scheme == "rediss" else ""
        return f"{scheme}://:{password or self.token}@127.0.0.1:{self.port}/0{query}"


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsRedis]:
    """redis-server with a TLS port only (--port 0) and a password."""
    directory = tmp_path_factory.mktemp("redis-tls")
    server = TlsRedis(free_port(), secrets.token_urlsafe(32), make_certificates(directory))
    tls = ["--tls-cert-file", server.files.cert, "--tls-key-file", server.files.key]
    tls += ["--tls-ca-cert-file", server.files.ca, "--tls-auth-clients", "no"]
    argv = [REDIS_SERVER, "--port", "0", "--tls-port", str(server.port), "--bind", "127.0.0.1", *tls]
    argv += ["--requirepass", server.token, "--save", "", "--dir", directory, "--logfile", "redis.log"]
    process = subprocess.Popen([str(part) for part in argv])
    try:
        _wait_for(lambda: redis.Redis.from_url(server.url(), socket_timeout=1).ping(), process, directory)
        yield server
    finally:
        process.terminate()
        process.wait(30)


def _wait_for(ping: Any, process: subprocess.Popen[bytes], directory: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            ping()
            return
        except redis.RedisError:
            log = (directory / "redis.log").read_text() if (directory / "redis.log").exists() else ""
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server with TLS did not start:\n{log}") from None
            time.sleep(0.05)


class TlsPostgres(PrivatePostgres):
    """A private cluster with ssl=on whose pg_hba.conf takes TCP connections over TLS only
    (password auth), the superuser on its Unix socket for the set-up."""

    def configure_tls(self, files: TlsFiles) -> None:
        for source in (files.cert, files.key):
            target = self.data / source.name
            shutil.copyfile(source, target)
            target.chmod(0o600)
            self._own(target)
        settings = ["ssl = on", "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'"]
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n" + "\n".join([*settings, "password_encryption = 'scram-sha-256'"]) + "\n")
        (self.data / "pg_hba.conf").write_text(
            "local all postgres trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n"
        )

    def admin(self, sql: str, dbname: str = "postgres") -> list[tuple[Any, ...]]:
        """Run `sql` as the superuser over the Unix socket; its rows (if any)."""
        conn = psycopg2.connect(host=str(self.directory), port=self.port, user="postgres", dbname=dbname)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(path, entry.pw_uid, entry.pw_gid)


@pytest.fixture(scope="module")
def tls_postgres() -> Iterator[TlsPostgres]:
    directory = Path(tempfile.mkdtemp(prefix="codearena-pg-tls-"))
    server = TlsPostgres(directory)
    try:
        server.init()
        server.configure_tls(make_certificates(Path(tempfile.mkdtemp(dir=directory))))
        server.start()
        server.admin(f"CREATE ROLE {DB_USER} LOGIN PASSWORD '{DB_PASSWORD}'")
        yield server
    finally:
        if server.data.exists() and server.running():
            server.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)


def _database(server: TlsPostgres) -> str:
    """A new database owned by the application's user, as RDS's master user owns its own."""
    name = "tls_" + secrets.token_hex(6)
    server.admin(f"CREATE DATABASE {name} OWNER {DB_USER}")
    return name


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Secrets Manager (moto) holding the database credentials and the Redis AUTH token."""
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="us-east-1")
        credentials = json.dumps({"username": DB_USER, "password": DB_PASSWORD})
        database = client.create_secret(Name="codearena/db", SecretString=credentials)["ARN"]
        yield {"CODEARENA_DATABASE_SECRET_ARN": database, "CODEARENA_JWT_SECRET": JWT_SECRET}


# --- Redis ----------------------------------------------------------------------------------
def test_the_core_works_on_redis_over_tls_with_auth(tls_redis: TlsRedis, database_url: str) -> None:
    core = Core.from_settings(
        Settings(database_url=database_url, redis_url=tls_redis.url(), jwt_secret=JWT_SECRET)
    )
    try:
        _real_work(core)
    finally:
        core.close()


def test_the_production_settings_reach_redis_over_tls(
    tls_redis: TlsRedis, database_url: str, aws_env: dict[str, str]
) -> None:
    """The URL built from CODEARENA_REDIS_* verifies the server against the system's CA store
    (here the test CA stands in for it through OpenSSL's SSL_CERT_FILE)."""
    token = boto3.client("secretsmanager", region_name="us-east-1").create_secret(
        Name="codearena/redis", SecretString=tls_redis.token
    )["ARN"]
    redis_env = {"CODEARENA_REDIS_HOST": "127.0.0.1", "CODEARENA_REDIS_PORT": str(tls_redis.port)}
    env = aws_env | redis_env | {"CODEARENA_REDIS_AUTH_SECRET_ARN": token, "DATABASE_URL": database_url}
    settings = Settings.from_env(env, SecretStore())
    with pytest.raises(redis.ConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        redis.Redis.from_url(settings.redis_url).ping()  # the system store does not know the test CA
    # A fresh process whose OpenSSL reads SSL_CERT_FILE from the start (in this one, earlier
    # tests of a long session may already have set up OpenSSL's default store).
    trusting = dict(os.environ, SSL_CERT_FILE=str(tls_redis.files.ca))
    script = "import sys; from tests.integration.test_tls import work_on; work_on(*sys.argv[1:])"
    done = subprocess.run(
        [sys.executable, "-c", script, settings.redis_url, database_url],
        cwd=config.project_root(),
        env=trusting,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def work_on(redis_url: str, database_url: str) -> None:
    """_real_work on a Core built from these URLs (run in a subprocess by the test above)."""
    core = Core.from_settings(Settings(database_url=database_url, redis_url=redis_url, jwt_secret=JWT_SECRET))
    try:
        _real_work(core)
    finally:
        core.close()


def _real_work(core: Core) -> None:
    """A job enqueued and claimed, an event published to a live subscriber, a leaderboard row
    applied and read through the Lua script runner (its own per-thread connections)."""
    core.redis.flushdb()  # the server is the module's: start from empty
    core.queue.ensure_group()
    core.queue.enqueue(7)
    job = core.queue.claim("tls-judge", block_ms=1000, lease_ms=60_000)
    assert job is not None and job.submission_id == 7
    core.queue.ack(job)
    subscriber = core.redis.pubsub(ignore_subscribe_messages=True)
    subscriber.subscribe(core.events.channel("contest:3"))
    published = core.events.publish("contest:3", "contest_state", contest_id=3, state="frozen")
    message = _next_message(subscriber)
    subscriber.close()
    assert message is not None and json.loads(message["data"])["state"] == "frozen"
    assert [event["id"] for event in core.events.since("contest:3", "0")] == [published["id"]]
    core.boards.replace(3, "public", [], version=1)
    assert core.boards.apply(3, "public", Entry(2, "alice", 1.0e9, {"username": "alice"})) == 1
    assert core.boards.view(3, "public", 0, 10)["rows"] == [{"rank": 1, "username": "alice"}]


def _next_message(subscriber: Any, timeout_seconds: float = 5.0) -> dict[str, Any] | None:
    """The first published message (get_message answers None for the subscribe confirmation)."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        message = subscriber.get_message(timeout=0.5)
        if message is not None:
            return dict(message)
    return None


def test_a_wrong_password_a_plain_client_and_an_unknown_ca_are_refused(tls_redis: TlsRedis) -> None:
    with pytest.raises(redis.AuthenticationError):
        redis.Redis.from_url(tls_redis.url(password="not-the-token")).ping()
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(tls_redis.url(scheme="redis"), socket_timeout=5).ping()
    with pytest.raises(redis.ConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        redis.Redis.from_url(tls_redis.url(ca=False)).ping()


# --- PostgreSQL -----------------------------------------------------------------------------
def test_the_core_works_with_sslmode_require_where_plain_connections_are_refused(
    tls_postgres: TlsPostgres, aws_env: dict[str, str], redis_url: str
) -> None:
    hosts = {"CODEARENA_DATABASE_HOST": "127.0.0.1", "CODEARENA_DATABASE_DIRECT_HOST": "127.0.0.1"}
    where = {
        "CODEARENA_DATABASE_PORT": str(tls_postgres.port),
        "CODEARENA_DATABASE_NAME": _database(tls_postgres),
    }
    settings = Settings.from_env(aws_env | hosts | where | {"REDIS_URL": redis_url}, SecretStore())
    migrate(settings.migration_database_url)
    core = Core.from_settings(settings)
    try:
        users.create_user(core, "over-tls", "staple-battery-horse-correct-7")
        backends = [_encrypted_backend(core.db) for _ in range(3)]
    finally:
        core.close()
    assert len(set(backends)) == 1  # the pool keeps its TLS connection between transactions
    with pytest.raises(psycopg2.OperationalError, match="no encryption"):
        psycopg2.connect(settings.database_url.replace("sslmode=require", "sslmode=disable")).close()


def _encrypted_backend(db: Database) -> int:
    with db.transaction() as cur:
        cur.execute("SELECT pid, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        row = cur.fetchone()
    assert row is not None and row["ssl"] is True
    return int(row["pid"])


def test_migrate_goes_to_the_instance_never_through_the_proxy(
    tls_postgres: TlsPostgres,
    aws_env: dict[str, str],
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = _database(tls_postgres)
    hosts = {"CODEARENA_DATABASE_HOST": NO_PROXY_HOST, "CODEARENA_DATABASE_DIRECT_HOST": "127.0.0.1"}
    where = {"CODEARENA_DATABASE_PORT": str(tls_postgres.port), "CODEARENA_DATABASE_NAME": name}
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for variable, value in (aws_env | hosts | where | {"REDIS_URL": redis_url}).items():
        monkeypatch.setenv(variable, value)
    monkeypatch.setattr(config, "PROCESS_SECRETS", SecretStore())
    monkeypatch.setattr(commands, "ensure", _no_local_services)
    assert main(["db", "migrate"]) == 0
    assert capsys.readouterr().out.strip() == "applied: schema.sql"
    assert tls_postgres.admin("SELECT count(*) FROM schema_migrations", dbname=name)[0][0] > 0
    with pytest.raises(ServiceUnavailable):  # the "proxy" answers nothing: nothing went there
        with Database(Settings.from_env().database_url).transaction():
            pass


def _no_local_services(*_: object) -> None:
    raise AssertionError("a local PostgreSQL or Redis was looked for in place of AWS's")
