"""A real sandbox for the whole session, checked for isolation before any hostile test runs.

The tests use their own root, uid range and cgroup name, so they can run next to a judge
on the same machine. After every test no process of a box uid may remain and a fresh run
must still work.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import Box, Limits, Sandbox, Status

ROOT = Path("/tmp/codearena-sandbox-test")
UID_BASE = 61001
BOXES = 2
NAME = "codearena-test"
LIMITS = Limits(time_limit_ms=1000, memory_limit_kb=256 * 1024, output_limit_kb=1024)

PROBE = r"""
import json, os
status = dict(line.split(":\t", 1) for line in open("/proc/self/status").read().splitlines()
              if ":\t" in line)
print(json.dumps({
    "uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "pid": os.getpid(),
    "visible_pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "cap_eff": status["CapEff"].strip(), "no_new_privs": status["NoNewPrivs"].strip(),
    "seccomp": status["Seccomp"].strip(), "environ_of_1": open("/proc/1/environ").read(),
    "env": dict(os.environ), "fds": sorted(int(f) for f in os.listdir("/proc/self/fd")),
}))
"""


requires_sandbox = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("bwrap"), reason="the sandbox tests need root and bwrap"
)


def box_uids() -> range:
    return range(UID_BASE, UID_BASE + BOXES)


def processes_of(uids: range) -> list[int]:
    """Host pids whose real uid is in `uids` (read straight from /proc, not via sandbox)."""
    found = []
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/status") as file:
                real_uid = next(int(line.split()[1]) for line in file if line.startswith("Uid:"))
        except (OSError, ValueError, StopIteration):
            continue
        if real_uid in uids:
            found.append(int(name))
    return found


def assert_gone(uids: range) -> None:
    """No process of `uids` remains (zombies get 2 s to be reaped by whoever inherited them)."""
    deadline = time.monotonic() + 2
    while (left := processes_of(uids)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert left == [], f"box processes left behind: {left}"


def compile_ok(box: Box, language: str, source: str) -> None:
    result = box.compile(language, source)
    assert result.ok, result.output


def _assert_isolated(sandbox: Sandbox) -> None:
    with sandbox.box() as box:
        compile_ok(box, "python", PROBE)
        result = box.run(None, LIMITS)
    assert result.status is Status.OK, result.stderr
    seen = json.loads(result.stdout)
    assert seen["uid"] in box_uids() and seen["euid"] in box_uids(), seen
    assert seen["gid"] != 0
    assert seen["pid"] <= 3 and len(seen["visible_pids"]) <= 3, seen  # its own pid namespace
    assert int(seen["cap_eff"], 16) == 0 and seen["no_new_privs"] == "1"
    assert seen["seccomp"] == "2", seen  # filter mode
    assert seen["environ_of_1"] == "", "bwrap's pid 1 leaks the supervisor's environment"
    assert seen["env"] == {
        "PATH": "/usr/bin:/bin",
        "HOME": "/box",
        "LANG": "C.UTF-8",
        "PWD": "/box",
    }
    assert seen["fds"] == [0, 1, 2, 3], seen  # 3 is listdir's own descriptor


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    if os.geteuid() != 0 or not shutil.which("bwrap"):
        pytest.skip("the sandbox tests need root and bwrap")
    started = Sandbox.start(boxes=BOXES, root_dir=ROOT, name=NAME, uid_base=UID_BASE)
    try:
        _assert_isolated(started)
    except BaseException as exc:
        started.close()
        pytest.exit(f"the sandbox is not isolated; refusing to run hostile programs: {exc!r}", returncode=3)
    yield started
    started.close()


@pytest.fixture
def box(sandbox: Sandbox) -> Iterator[Box]:
    with sandbox.box() as taken:
        yield taken


@pytest.fixture(autouse=True)
def _clean_after(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "sandbox" not in request.fixturenames:
        return
    assert_gone(box_uids())
    sandbox: Sandbox = request.getfixturevalue("sandbox")
    with sandbox.box() as box:
        compile_ok(box, "python", "print('still works')")
        after = box.run(None, LIMITS)
    assert (after.status, after.stdout) == (Status.OK, b"still works\n")
