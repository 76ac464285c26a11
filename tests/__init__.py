"""CodeArena's tests.

Imported before any test module or conftest, so before `codearena.keys` reads its prefix:
this session's Redis keys and channels get a prefix of their own, which every process it
spawns inherits. Two sessions on one machine (or a session and `make demo`) then share the
Redis server without ever touching each other's jobs, boards or events.
"""

import os
import uuid

# Under a prefix set outside, never equal to it: each test wipes its session's keys.
SESSION_PREFIX = os.environ.get("CODEARENA_REDIS_PREFIX", "") + f"test-{uuid.uuid4().hex[:12]}:"
os.environ["CODEARENA_REDIS_PREFIX"] = SESSION_PREFIX
