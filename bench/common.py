"""What the benchmarks share: a scratch PostgreSQL database and Redis keys under a prefix of
their own on the local servers (embedded ones when none run), removed afterwards, and the
timers.

Imported before any of codearena (each benchmark's first import of ours): the prefix must be
set before `codearena.keys` reads it, as tests/__init__.py does for a test session."""

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

from codearena_cli.devservers import (
    create_database,
    delete_keys,
    drop_database,
    ensure,
    own_key_prefix,
    with_database,
)

# Its own keys; a helper process it starts (which imports this too) shares them.
PREFIX = own_key_prefix("bench", inherit=True)

from codearena.auth import TokenIssuer  # noqa: E402
from codearena.config import Settings, state_dir  # noqa: E402
from codearena.core import Core  # noqa: E402
from codearena.db import migrate  # noqa: E402


@contextmanager
def scratch_core() -> Iterator[Core]:
    """A Core on a fresh migrated database and this benchmark's Redis keys; both dropped after."""
    services = ensure(state_dir())
    server = with_database(services.database_url, "postgres")
    name = "codearena_bench_" + uuid.uuid4().hex[:10]
    create_database(server, name)
    url = with_database(server, name)
    migrate(url)
    core = Core.from_settings(
        Settings(database_url=url, redis_url=services.redis_url, jwt_secret="bench-" + "x" * 40)
    )
    core.tokens = TokenIssuer("bench-" + "x" * 40, 3600)
    try:
        yield core
    finally:
        with redis.Redis.from_url(services.redis_url) as client:
            delete_keys(client, PREFIX)
        core.close()
        drop_database(server, name)
        services.stop()


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
        [sys.executable, "-m", "codearena_cli", "gateway", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    print(f"gateway pid {process.pid} on {base}", file=sys.stderr)
    with httpx.Client(timeout=1) as client:  # one client: making one costs ~20 ms of CPU
        for _ in range(150):
            try:
                if client.get(base + "/contests").status_code == 200:
                    return process, base
            except httpx.HTTPError:
                time.sleep(0.1)
    raise RuntimeError("the gateway did not start")


def report(name: str, **fields: Any) -> None:
    print(json.dumps({"benchmark": name, **fields}, sort_keys=True), flush=True)
