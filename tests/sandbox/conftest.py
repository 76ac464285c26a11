"""A real sandbox for the whole session, checked for isolation before any hostile test runs.

The tests use their own root, uid range and cgroup name (their process's slot,
tests/slots.py), so they can run next to a judge or another test session on the same
machine. After every test the host must be unharmed: no process of a box uid
anywhere, nothing but the keeper in each box cgroup and no cgroup of its own making, the
same mount table, no file of a box uid in the host's shared directories, empty scratch and
io directories, and a fresh run (of a bash script) still works.

Destructive programs (fork bombs, kill(-1)) run only in tests that take the `sandbox` (or
`box`) fixture, which refuses to start the session until a probe has shown that programs
run as an unprivileged box uid, in their own pid namespace, without capabilities.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import Box, Limits, RunResult, Sandbox, Status
from tests import slots

ROOT = slots.root("sandbox")
UID_BASE = slots.uid_base("sandbox")
BOXES = 2
NAME = slots.cgroup_name("sandbox")
LIMITS = Limits(time_limit_ms=1000, memory_limit_kb=256 * 1024, output_limit_kb=1024)
# In the supervisor's environment before the keepers start: a program that can read any
# of our environments would find it.
CANARY = "codearena-canary-7f3e9c"
os.environ["CODEARENA_SANDBOX_CANARY"] = CANARY
SHARED_DIRS = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))

PROBE = r"""
import json, os
def peek(path):
    try:
        with open(path, "rb") as file:
            return file.read(64).decode(errors="replace")
    except PermissionError:
        return "<denied>"
status = dict(line.split(":\t", 1) for line in open("/proc/self/status").read().splitlines()
              if ":\t" in line)
print(json.dumps({
    "uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "pid": os.getpid(),
    "visible_pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "cap_eff": status["CapEff"].strip(), "no_new_privs": status["NoNewPrivs"].strip(),
    "seccomp": status["Seccomp"].strip(), "environ_of_1": peek("/proc/1/environ"),
    "mem_of_1": peek("/proc/1/mem"),
    "env": dict(os.environ), "fds": sorted(int(f) for f in os.listdir("/proc/self/fd")),
}))
"""


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


def run_program(
    box: Box, language: str, source: str, limits: Limits = LIMITS, stdin: bytes | None = None
) -> RunResult:
    compile_ok(box, language, source)
    return box.run(stdin, limits)


def reset_peak_rss_kb() -> int:
    """Reset this process's peak RSS (`ru_maxrss`) to its current RSS and return it, so that
    `peak_rss_kb()` after some work says what that work cost, whatever ran before in the
    session (a peak that only ever grows would hide it)."""
    Path("/proc/self/clear_refs").write_text("5")  # 5: reset the high-water mark (proc(5))
    return peak_rss_kb()


def peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def mount_table() -> frozenset[tuple[str, str]]:
    """(mount point, file system type) of every mount the host's mount namespace has."""
    with open("/proc/self/mountinfo") as file:
        fields = [line.split() for line in file]
    return frozenset((f[4], f[f.index("-") + 1]) for f in fields)


def _ours_to_judge(point: str) -> bool:
    # Other suites on this machine (docker, other sandbox roots) may mount meanwhile.
    return point.startswith(str(ROOT)) or ("codearena" not in point and "docker" not in point)


def files_of(uids: range, directories: tuple[Path, ...]) -> list[str]:
    """Entries owned by `uids` below `directories`, mount points excluded. Only directories
    a box uid could write to (world-writable, or its own) are searched: /tmp holds whole
    virtual environments of other suites, and a box uid can create nothing elsewhere."""
    found = []
    for directory in directories:
        for parent, names, files in os.walk(directory):
            names[:] = [name for name in names if _writable_by(uids, os.path.join(parent, name))]
            for name in names + files:
                path = os.path.join(parent, name)
                try:
                    if os.lstat(path).st_uid in uids and not os.path.ismount(path):
                        found.append(path)
                except OSError:
                    continue
    return found


def _writable_by(uids: range, directory: str) -> bool:
    try:
        info = os.lstat(directory)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and (bool(info.st_mode & stat.S_IWOTH) or info.st_uid in uids)


def keeper_pids(sandbox: Sandbox) -> list[int]:
    """The pid of each box's keeper, checked to be the one process in its box cgroups."""
    keepers = []
    for box in sandbox.boxes:
        assert box.spec.cgroup is not None
        per_controller = [
            {int(pid) for pid in (d / "cgroup.procs").read_text().split()} for d in box.spec.cgroup.dirs()
        ]
        assert all(procs == per_controller[0] for procs in per_controller), per_controller
        assert len(per_controller[0]) == 1, f"box {box.spec.index} cgroup holds {per_controller[0]}"
        keeper = per_controller[0].pop()
        assert b"sandbox.keeper" in Path(f"/proc/{keeper}/cmdline").read_bytes()
        keepers.append(keeper)
    return keepers


def assert_host_unharmed(sandbox: Sandbox, mounts_before: frozenset[tuple[str, str]]) -> None:
    """Everything the module docstring lists, except the final run."""
    assert_gone(box_uids())
    keeper_pids(sandbox)
    assert sandbox.layout is not None
    for base in sandbox.layout.bases:
        assert sorted(d.name for d in base.iterdir() if d.is_dir()) == ["box0", "box1"], base
        assert not [d for d in base.glob("box*/*") if d.is_dir()], f"cgroups made under {base}"
    changed = {point for point, _ in mounts_before ^ mount_table() if _ours_to_judge(point)}
    assert not changed, f"the mount table changed: {sorted(changed)}"
    assert files_of(box_uids(), SHARED_DIRS) == []
    for box in sandbox.boxes:
        assert list(box.spec.scratch.iterdir()) == [] and list(box.spec.io.iterdir()) == []


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
    assert seen["environ_of_1"] in ("", "<denied>"), "pid 1 leaks the supervisor's environment"
    assert seen["mem_of_1"] == "<denied>", "a program could rewrite the box's init (pid 1)"
    assert seen["env"] == {
        "PATH": "/usr/bin:/bin",
        "HOME": "/box",
        "LANG": "C.UTF-8",
        "PWD": "/box",
    }
    assert seen["fds"] == [0, 1, 2, 3], seen  # 3 is listdir's own descriptor


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    # Fail, never skip: CI runs as root with bubblewrap installed (.ci/run).
    assert os.geteuid() == 0 and shutil.which("bwrap"), "the sandbox tests need root and bwrap"
    started = Sandbox.start(boxes=BOXES, root_dir=ROOT, name=NAME, uid_base=UID_BASE)
    try:
        _assert_isolated(started)
    except BaseException as exc:
        started.close()
        pytest.exit(f"the sandbox is not isolated; refusing to run hostile programs: {exc!r}", returncode=3)
    yield started
    started.close()


@pytest.fixture(scope="session")
def mounts_before(sandbox: Sandbox) -> frozenset[tuple[str, str]]:
    """The host's mount table with the session's sandbox started, before any test ran."""
    return mount_table()


@pytest.fixture
def box(sandbox: Sandbox) -> Iterator[Box]:
    with sandbox.box() as taken:
        yield taken


@pytest.fixture(autouse=True)
def _clean_after(request: pytest.FixtureRequest) -> Iterator[None]:
    if "sandbox" in request.fixturenames:
        request.getfixturevalue("mounts_before")
    yield
    if "sandbox" not in request.fixturenames:
        return
    sandbox: Sandbox = request.getfixturevalue("sandbox")
    assert_host_unharmed(sandbox, request.getfixturevalue("mounts_before"))
    # Any program proves a fresh run works; bash's check and start cost a third of Python's.
    with sandbox.box() as box:
        compile_ok(box, "bash", "echo still works")
        after = box.run(None, LIMITS)
    assert (after.status, after.stdout) == (Status.OK, b"still works\n")
