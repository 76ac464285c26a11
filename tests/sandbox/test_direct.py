"""Runs the supervisor hands a resident init straight (`sandbox.keeper_client.DirectRuns`):
after a session's first run the keeper takes no part in the next ones, and what a hostile run
does there is measured, stopped and cleared as on the keeper's path (the other suites' hostile
programs run first after a compile, through the keeper)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from sandbox import Limits, Status
from sandbox.box import NamespaceBox
from sandbox.model import Timeout
from tests.sandbox.conftest import compile_ok

# One program, told by its stdin what to do: each test runs it plainly first (the keeper's
# run, which hands the init over), then the run under test, then plainly again.
PROGRAM = r"""
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(void) {
    char what[32] = {0};
    if (!fgets(what, sizeof(what), stdin)) { puts("hello"); return 0; }
    if (!strncmp(what, "spin", 4)) for (;;) {}
    if (!strncmp(what, "sleep", 5)) sleep(100);
    if (!strncmp(what, "alloc", 5))
        for (;;) { char *block = malloc(1 << 20); memset(block, 1, 1 << 20); }
    if (!strncmp(what, "daemon", 6)) { if (fork() == 0) { setsid(); sleep(100); } return 0; }
    if (!strncmp(what, "tmp", 3)) {
        FILE *file = fopen("/tmp/left", "w");
        fputs("x", file);
        return fclose(file);
    }
    if (!strncmp(what, "look", 4)) {
        FILE *file = fopen("/tmp/left", "r");
        puts(file ? "found" : "none");
        return 0;
    }
    if (!strncmp(what, "fds", 3)) {
        DIR *fds = opendir("/proc/self/fd");
        int count = 0;
        while (readdir(fds)) count++;
        printf("%d\n", count - 3);  /* ., .. and the directory's own */
        return 0;
    }
    if (!strncmp(what, "exit", 4)) return 200;
    return 3;
}
"""
TIGHT = Limits(time_limit_ms=500, wall_time_limit_ms=1000, memory_limit_kb=64 * 1024)


def _keeper(box: NamespaceBox) -> int:
    pid = box._keeper.pid
    assert pid is not None
    return pid


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _switches(pid: int) -> int:
    """Context switches of a process so far: it woke up for each (voluntary ones)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("voluntary_ctxt_switches"):
            return int(line.split()[1])
    raise AssertionError("no context switch count")


def _settled(pid: int) -> int:
    """The context switches of a process once it has not woken for 0.2 s (under load it may
    still be on its way back to its blocking read when the run it handed over ends)."""
    deadline = time.monotonic() + 5
    seen = _switches(pid)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if (now := _switches(pid)) == seen:
            return now
        seen = now
    raise AssertionError(f"process {pid} kept waking up")


@pytest.fixture
def compiled(box: NamespaceBox) -> NamespaceBox:
    compile_ok(box, "c", PROGRAM)
    assert box.run(None, TIGHT).stdout == b"hello\n"  # the keeper's run: it hands the init over
    return box


def test_runs_after_the_first_go_to_the_init_without_the_keeper(compiled: NamespaceBox) -> None:
    keeper = _keeper(compiled)
    compiled.run(None, TIGHT)  # meanwhile the keeper went back to reading its requests
    before = _settled(keeper)
    for _ in range(20):
        assert compiled.run(None, TIGHT).stdout == b"hello\n"
    assert _switches(keeper) == before  # it never woke up


# A wall limit far past the CPU one, so that a spinning run under load runs out of CPU first.
SPIN = Limits(time_limit_ms=300, wall_time_limit_ms=10_000, memory_limit_kb=64 * 1024)


@pytest.mark.parametrize(
    ("stdin", "limits", "status", "timeout"),
    [
        (b"spin", SPIN, Status.TLE, "cpu"),
        (b"sleep", TIGHT, Status.TLE, "wall"),
        (b"alloc", TIGHT, Status.MLE, None),
    ],
)
def test_limits_stop_a_run_the_init_took(
    compiled: NamespaceBox, stdin: bytes, limits: Limits, status: Status, timeout: Timeout | None
) -> None:
    if limits is not TIGHT:  # its own first run: the keeper's
        assert compiled.run(None, limits).stdout == b"hello\n"
    result = compiled.run(stdin, limits)
    assert (result.status, result.timeout, result.killed) == (status, timeout, True), result
    if status is Status.MLE:
        assert result.memory_kb > 32 * 1024, result
    else:
        assert result.cpu_time_ms >= (limits.time_limit_ms if timeout == "cpu" else 0), result
    assert compiled.run(None, TIGHT).stdout == b"hello\n"


def test_exit_codes_of_a_run_the_init_took(compiled: NamespaceBox) -> None:
    result = compiled.run(b"exit", TIGHT)
    assert (result.status, result.exit_code, result.signal) == (Status.RTE, 200, None), result


def test_a_run_the_init_took_holds_its_stdio_only(compiled: NamespaceBox) -> None:
    """Not the init's socket nor the cgroup files it reads (all close on exec)."""
    assert compiled.run(b"fds", TIGHT).stdout == b"3\n"


def test_what_a_run_the_init_took_leaves_is_cleared(compiled: NamespaceBox) -> None:
    assert compiled.spec.cgroup is not None
    resident = compiled.spec.cgroup.procs()  # the keeper, the outer bubblewrap and the init
    assert compiled.run(b"daemon", TIGHT).status is Status.OK
    assert compiled.spec.cgroup.procs() == resident  # the daemon is gone, the session lives
    assert compiled.run(b"tmp", TIGHT).status is Status.OK
    assert compiled.run(b"look", TIGHT).stdout == b"none\n"


def test_an_init_gone_between_runs_is_replaced(compiled: NamespaceBox) -> None:
    assert compiled.spec.cgroup is not None
    keeper = _keeper(compiled)
    session = compiled.spec.cgroup.procs() - {keeper}  # the outer bubblewrap and the init
    for pid in session:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while any(map(_alive, session)) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert compiled.run(None, TIGHT).stdout == b"hello\n"
    assert compiled.run(None, TIGHT).stdout == b"hello\n"
