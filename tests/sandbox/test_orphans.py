"""A supervisor killed outright (SIGKILL) leaves no keeper and no sandboxed program running.

Keepers run in their own session, so a terminal's Ctrl-C meant for the judge host never
reaches them (nor a kill of the judge host's process group): they must end by themselves
when their supervisor is gone, killing what they were running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sandbox import Sandbox
from tests import slots
from tests.sandbox.conftest import processes_of

ROOT = slots.root("orphans")
NAME = slots.cgroup_name("orphans")
UID_BASE = slots.uid_base("orphans")
BOXES = 2
RUNNING = b"/usr/bin/python3\0main.py\0"  # the sleeper inside its box

SUPERVISOR = f"""
import threading, time
from pathlib import Path
from sandbox import Sandbox, Limits
sandbox = Sandbox.start(boxes={BOXES}, root_dir=Path("{ROOT}"), name="{NAME}", uid_base={UID_BASE})
for index in range({BOXES}):
    box = sandbox.box().__enter__()
    box.compile("python", "import time\\ntime.sleep(60)\\n")
    threading.Thread(target=box.run, args=(None, Limits(30000, 65536)), daemon=True).start()
time.sleep(600)
"""


def keepers_of(parent_pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == parent_pid and b"sandbox.keeper" in command:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running (a zombie is dead, only not yet reaped by whoever inherited it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def sleepers(uids: range) -> list[int]:
    return [pid for pid in processes_of(uids) if command_of(pid) == RUNNING]


def command_of(pid: int) -> bytes | None:
    """A process's command line; None once it has gone (a self-test's program can end between
    the listing and the read)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None


def wait_for(condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_keepers_and_programs_end_with_a_killed_supervisor() -> None:
    uids = range(UID_BASE, UID_BASE + BOXES)
    supervisor = subprocess.Popen([sys.executable, "-c", SUPERVISOR], stdout=subprocess.DEVNULL)
    try:
        wait_for(lambda: len(sleepers(uids)) == BOXES, 60)
        keepers = keepers_of(supervisor.pid)
        assert len(keepers) == BOXES and len(sleepers(uids)) == BOXES, "the sleepers never ran"
        assert all(os.getsid(pid) == pid for pid in keepers)  # out of the terminal's reach
        os.kill(supervisor.pid, signal.SIGKILL)
        supervisor.wait()
        wait_for(lambda: not [p for p in processes_of(uids) if alive(p)] and not any(map(alive, keepers)), 10)
        assert [pid for pid in processes_of(uids) if alive(pid)] == []
        assert [pid for pid in keepers if alive(pid)] == []
    finally:
        supervisor.kill()
        supervisor.wait()
        Sandbox.start(boxes=BOXES, root_dir=ROOT, name=NAME, uid_base=UID_BASE).close()  # its mounts, cgroups
