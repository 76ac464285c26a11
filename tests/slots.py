"""This test process's share of the machine's sandbox resources.

Sandboxes on one host need roots, cgroup names and uid ranges of their own, and a sandbox
kills every process of its 256 uids when it starts (sandbox/supervisor.py). Two test
sessions on one machine (two checkouts, a session and a benchmark, or pytest-xdist's
workers) must never pick the same ones, so each test process holds one slot: an flock on
`<lock dir>/codearena-test-slot-<N>.lock`, taken at import (tests/__init__.py), held until
the process exits (a crash releases it too), the first of SLOTS that no live process holds.
Every root, cgroup name and uid the process uses derives from N, never from a fixed number.

A slot's uids are SPANS spans of 256 from FIRST_UID + N * SPANS * 256, above the ranges a
real judge uses (60001-65534) and the usual subordinate ids (100000-165535): spans 0-13 are
judge host instances 0-13, moved there with CODEARENA_SANDBOX_* (judge_host/instances.py;
set in this process's environment, so every process it spawns inherits them), the others
the sandbox suites' own sandboxes (`SUITE_SPANS`).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from judge_host.instances import MAX_INSTANCE, RELOCATION
from sandbox.host import lock_dir

SLOTS = 32
SPANS = 24
UID_SPAN = 256
FIRST_UID = 400_001
SUITE_SPANS = ("sandbox", "crash", "degraded", "orphans", "cli", "docker", "bench")


def _take_slot() -> tuple[int, int]:
    for number in range(SLOTS):
        fd = os.open(lock_dir() / f"codearena-test-slot-{number}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return number, fd
    raise RuntimeError(f"all {SLOTS} test slots are held: {SLOTS} test processes run on this machine")


SLOT, _LOCK_FD = _take_slot()  # the descriptor stays open as long as the process lives
_BASE_UID = FIRST_UID + SLOT * SPANS * UID_SPAN
assert MAX_INSTANCE + 1 + len(SUITE_SPANS) <= SPANS


def root(name: str) -> Path:
    """A sandbox root of this slot (under /tmp: box uids must be able to traverse to it)."""
    return Path(f"/tmp/codearena-test-slot{SLOT}/{name}")


def cgroup_name(name: str) -> str:
    return f"codearena-test{SLOT}-{name}"


def uid_base(suite: str) -> int:
    """The first of the 256 uids of the sandbox suite `suite` (one of SUITE_SPANS)."""
    return _BASE_UID + (MAX_INSTANCE + 1 + SUITE_SPANS.index(suite)) * UID_SPAN


def judge_env() -> dict[str, str]:
    """Moves judge host instances 0-13 into this slot (judge_host/instances.py)."""
    values = (str(root("judge")), cgroup_name("judge"), str(_BASE_UID))
    return dict(zip(RELOCATION, values, strict=True))
