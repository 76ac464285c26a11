"""CodeArena's tests.

Imported before any test module or conftest, so before `codearena.keys` reads its prefix:
this session's Redis keys and channels get a prefix of their own, which every process it
spawns inherits. Two sessions on one machine (or a session and `make demo`) then share the
Redis server without ever touching each other's jobs, boards or events. Each test process
(a session, or each of pytest-xdist's workers) also takes a slot of the machine's sandbox
resources (tests/slots.py), and moves the judge hosts it spawns into it.

Compiled modules are kept under build/pycache, even where PYTHONDONTWRITEBYTECODE is set to
keep the tree free of them: without a cache each test process rewrote and compiled every
test module again (~4.5 CPU-s of its ~7 s collection) and each process a test spawned
compiled the project's modules (~0.15 CPU-s each).
"""

import os
import sys
from pathlib import Path

PYCACHE = Path(__file__).resolve().parents[1] / "build" / "pycache"
sys.pycache_prefix, sys.dont_write_bytecode = str(PYCACHE), False
os.environ["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

from codearena_cli.devservers import own_key_prefix  # noqa: E402  (compiled into the cache)

# Under a prefix set outside, never equal to it: each test wipes its session's keys.
SESSION_PREFIX = own_key_prefix("test")

from tests import slots  # noqa: E402  (after the prefix, like any import of codearena)

os.environ.update(slots.judge_env())
