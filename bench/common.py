"""What the benchmarks share: a scratch PostgreSQL database and a free Redis database index
on the local servers (embedded ones when none run), removed afterwards, and the timers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import redis

from codearena.auth import TokenIssuer
from codearena.config import Settings, state_dir
from codearena.core import Core
from codearena.db import migrate
from codearena.devservers import create_database, drop_database, ensure, with_database

# A benchmark claims a whole Redis database index (1-15), since it flushes it when done;
# the key is the one older test sessions claimed with (test sessions now share one database
# under key prefixes of their own, tests/__init__.py).
CLAIM = "codearena:test-session"


def redis_with_db(url: str, db: int) -> str:
    if url.startswith("unix://"):
        return url.split("?", 1)[0] + f"?db={db}"
    return url.rsplit("/", 1)[0] + f"/{db}"


@contextmanager
def scratch_core() -> Iterator[Core]:
    """A Core on a fresh migrated database and an unused Redis index; both dropped after."""
    services = ensure(state_dir())
    server = with_database(services.database_url, "postgres")
    name = "codearena_bench_" + uuid.uuid4().hex[:10]
    create_database(server, name)
    url = with_database(server, name)
    migrate(url)
    redis_url, client = _claim_redis(services.redis_url)
    core = Core.from_settings(Settings(database_url=url, redis_url=redis_url, jwt_secret="bench-" + "x" * 40))
    core.tokens = TokenIssuer("bench-" + "x" * 40, 3600)
    try:
        yield core
    finally:
        core.close()
        client.flushdb()
        client.close()
        drop_database(server, name)
        services.stop()


def _claim_redis(url: str) -> tuple[str, redis.Redis]:
    token = "bench-" + uuid.uuid4().hex
    for db in range(15, 0, -1):
        client = redis.Redis.from_url(redis_with_db(url, db))
        if client.set(CLAIM, token, nx=True, ex=3600):
            return redis_with_db(url, db), client
        client.close()
    raise RuntimeError("every Redis database 1-15 is in use")


def start_gateway(settings: Settings, **extra_env: str) -> tuple[subprocess.Popen[bytes], str]:
    """A local gateway process on a free loopback port, on `settings`' services; its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(
        os.environ,
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        CODEARENA_JWT_SECRET=settings.jwt_secret,
        **extra_env,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "codearena.cli", "gateway", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    print(f"gateway pid {process.pid} on {base}", file=sys.stderr)
    for _ in range(150):
        try:
            if httpx.get(base + "/contests", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the gateway did not start")


def report(name: str, **fields: Any) -> None:
    print(json.dumps({"benchmark": name, **fields}, sort_keys=True), flush=True)
