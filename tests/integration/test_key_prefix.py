"""Two processes with different Redis key prefixes (CODEARENA_REDIS_PREFIX) on one Redis
database, as two test sessions or a test session and `make demo` are: neither sees nor
consumes the other's jobs."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
import redis

from codearena import keys
from codearena.config import Settings
from codearena.core import Core
from tests.conftest import service_env

# Run in a process of the other prefix: what it claims from its queue, then its depth after
# enqueueing submission 424242.
OTHER = """
from codearena.core import Core
core = Core.from_env()
core.queue.ensure_group()
job = core.queue.claim("other-judge", block_ms=100, lease_ms=30_000)
core.queue.enqueue(424242)
print(job and job.submission_id, core.queue.depth())
core.close()
"""


@pytest.fixture
def other_prefix(settings: Settings) -> Iterator[str]:
    prefix = f"other-{uuid.uuid4().hex[:8]}:"
    yield prefix
    with redis.Redis.from_url(settings.redis_url) as client:
        found = list(client.scan_iter(match=prefix + "*"))
        if found:
            client.delete(*found)


def test_another_prefix_neither_sees_nor_takes_this_sessions_jobs(
    core: Core, settings: Settings, other_prefix: str
) -> None:
    assert keys.PREFIX and keys.QUEUE == keys.PREFIX + "queue:submissions"
    core.queue.ensure_group()
    core.queue.enqueue(7)
    env = service_env(settings) | {"CODEARENA_REDIS_PREFIX": other_prefix}
    other = subprocess.run(
        [sys.executable, "-c", OTHER], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert other.stdout.split() == ["None", "1"], other.stdout + other.stderr
    assert core.redis.xlen(other_prefix + "queue:submissions") == 1
    job = core.queue.claim("this-judge", block_ms=100, lease_ms=30_000)
    assert job is not None and job.submission_id == 7
    assert core.queue.claim("this-judge", block_ms=100, lease_ms=30_000) is None
    assert core.queue.depth() == 1  # ours, claimed; theirs is not counted here
