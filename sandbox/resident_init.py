"""The init of a resident box: pid 1 of one long-lived bubblewrap, it spawns every run.

Runs inside the sandbox as `python3 -S -I -c <this file> FD` (Debian's python3 from the
read-only /usr; nothing of ours is importable there, so it is self-contained). FD is a
SOCK_SEQPACKET socket to the keeper. Each request is a JSON object with `argv`, `env` and
`cpu` (the RLIMIT_CPU pair), carrying the run's stdin, stdout and stderr as three
descriptors; the reply is `{"status": wait status}`, or `{"exec_error": message}`. Every
other rlimit and oom_score_adj were set on this process by the keeper and are inherited.

Being pid 1 of the pid namespace protects it: the kernel drops signals a program sends it
(`kill(-1)` included) unless it installed a handler, and orphans come to it to be reaped.
The keeper kills whatever a run leaves behind and wipes /tmp and /dev/shm between runs.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import socket
import sys

TYPE_CHECKING = False  # not typing's: importing typing would slow every session's start
if TYPE_CHECKING:
    from typing import Any

READY = b'{"ready": true}'
PR_SET_DUMPABLE = 4
MAX_MESSAGE = 1 << 20


def main() -> None:
    fd = int(sys.argv[1])
    # bubblewrap set PWD: start again without, or /proc/1/environ shows it. (os.environ
    # is no guide: Python itself adds LC_CTYPE in a C locale, outside that block.)
    with open("/proc/self/environ", "rb") as file:
        if file.read():
            with open("/proc/self/cmdline", "rb") as file:
                argv = file.read().rstrip(b"\0").split(b"\0")
            os.execve(sys.executable, argv, {})
    # Not dumpable: /proc/1/mem, /proc/1/fd and /proc/1/environ become root's, so a program
    # running as the same box uid cannot rewrite or steer this init between its runs.
    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)  # no handler: signals from programs are dropped
    # Python ignores SIGPIPE and SIGXFSZ, and an ignored signal stays ignored across exec.
    ignored = [n for n in signal.valid_signals() if signal.getsignal(n) == signal.SIG_IGN]
    control = socket.socket(fileno=fd)
    control.set_inheritable(False)
    control.send(READY)
    while True:
        message, fds, _, _ = socket.recv_fds(control, MAX_MESSAGE, 3)
        if not message:
            return
        control.send(json.dumps(run(json.loads(message), fds, ignored)).encode())


def run(request: dict[str, Any], fds: list[int], ignored: list[signal.Signals]) -> dict[str, Any]:
    """Spawn the program (vfork and exec: no copy of this process), wait, report."""
    reap_strays()
    argv = request["argv"]
    actions = [(os.POSIX_SPAWN_DUP2, fd, target) for target, fd in enumerate(fds)]
    try:
        for fd in fds:
            os.set_inheritable(fd, False)  # only their copies as 0, 1 and 2 reach the program
        pid = os.posix_spawn(
            argv[0], argv, request["env"], file_actions=actions, setsid=True, setsigdef=ignored
        )
    except OSError as exc:
        return {"exec_error": f"{argv[0]}: {exc}"}
    finally:
        for fd in fds:
            os.close(fd)
    try:  # a backstop only (the keeper's watchdog is exact), so setting it just after is fine
        resource.prlimit(pid, resource.RLIMIT_CPU, tuple(request["cpu"]))
    except OSError:  # already gone
        pass
    status, max_rss_kb = wait_for(pid)
    return {"status": status, "max_rss_kb": max_rss_kb}


def wait_for(pid: int) -> tuple[int, int]:
    """Wait for `pid`, reaping any orphan that exits meanwhile: its wait status and its
    largest resident set (KiB), a floor for the memory it used."""
    while True:
        done, status, usage = os.wait4(-1, 0)
        if done == pid:
            return status, usage.ru_maxrss


def reap_strays() -> None:
    """Reap what the keeper killed after the last run (zombies still count in pids.max)."""
    while True:
        try:
            done, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if done == 0:
            return


if __name__ == "__main__":
    main()
