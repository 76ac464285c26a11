"""What a program must not reach: the network, host secrets, the kernel's extra surface."""

from __future__ import annotations

from sandbox import Box, Status
from tests.sandbox.conftest import LIMITS, compile_ok

CONNECT = """import socket
targets = [(socket.AF_INET, ("127.0.0.1", 5432)), (socket.AF_INET, ("127.0.0.1", 6379)),
           (socket.AF_INET6, ("::1", 6379)), (socket.AF_INET, ("8.8.8.8", 53))]
for family, address in targets:
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(1)
            sock.connect(address)
        print(address, "connected")
    except OSError as exc:
        print(address, "refused", exc.errno)
"""


def test_no_network_to_local_services(box: Box) -> None:
    compile_ok(box, "python", CONNECT)
    result = box.run(None, LIMITS)
    lines = result.stdout.decode().splitlines()
    # EPERM from seccomp, before the empty network namespace would even answer.
    assert [line.rsplit(" ", 2)[1:] for line in lines] == [["refused", "1"]] * 4, lines


def test_host_secrets_are_not_readable(box: Box) -> None:
    compile_ok(
        box,
        "python",
        """paths = ("/etc/shadow", "/root/.bashrc", "/proc/1/root/etc/shadow",
         "/sys/fs/cgroup/memory/memory.limit_in_bytes", "/home")
for path in paths:
    try:
        open(path).read()
        print(path, "READ")
    except OSError as exc:
        print(path, "denied", exc.errno)
""",
    )
    result = box.run(None, LIMITS)
    assert result.status is Status.OK
    assert b"READ" not in result.stdout and result.stdout.count(b"denied") == 5


def test_dangerous_syscalls_are_refused(box: Box) -> None:
    compile_ok(
        box,
        "c",
        """#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void) {
    printf("ptrace %d\\n", ptrace(PTRACE_TRACEME, 0, 0, 0) == -1 ? errno : 0);
    printf("unshare %d\\n", unshare(CLONE_NEWUSER) == -1 ? errno : 0);
    printf("mount %d\\n", mount("none", "/tmp", "tmpfs", 0, 0) == -1 ? errno : 0);
    printf("clone3 %d\\n", syscall(SYS_clone3, 0, 0) == -1 ? errno : 0);
    printf("io_uring %d\\n", syscall(SYS_io_uring_setup, 1, 0) == -1 ? errno : 0);
    return 0;
}
""",
    )
    result = box.run(None, LIMITS)
    assert result.stdout.decode().split() == [
        "ptrace",
        "1",
        "unshare",
        "1",
        "mount",
        "1",
        "clone3",
        "38",
        "io_uring",
        "1",
    ]


def test_kill_of_pid_1_does_nothing(box: Box) -> None:
    compile_ok(box, "python", "import os, signal\nos.kill(1, signal.SIGKILL)\nprint('alive')\n")
    assert box.run(None, LIMITS).stdout == b"alive\n"


def test_unix_sockets_and_threads_still_work(box: Box) -> None:
    compile_ok(
        box,
        "python",
        """import socket, threading
left, right = socket.socketpair()
left.sendall(b"ping")
worker = threading.Thread(target=lambda: print(right.recv(4).decode()))
worker.start()
worker.join()
""",
    )
    assert box.run(None, LIMITS).stdout == b"ping\n"


def test_file_locks_and_leases_are_refused(box: Box) -> None:
    # Every box sees the same /usr: a lock there would be a channel between two programs
    # judged at the same time. The last line tries to slip F_SETLK past the filter with
    # bits the kernel ignores (fcntl's cmd is an unsigned int).
    compile_ok(
        box,
        "c",
        """#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>
static int err(long result) { return result == -1 ? errno : 0; }
int main(void) {
    int shared = open("/usr/bin/python3", O_RDONLY);
    int own = open("/tmp/mine", O_RDONLY | O_CREAT, 0600);
    struct flock lock = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
    printf("flock %d\\n", err(flock(shared, LOCK_SH | LOCK_NB)));
    printf("setlk %d\\n", err(fcntl(shared, F_SETLK, &lock)));
    printf("setlkw %d\\n", err(fcntl(shared, F_SETLKW, &lock)));
    printf("ofd_setlk %d\\n", err(fcntl(shared, F_OFD_SETLK, &lock)));
    printf("getlk %d\\n", err(fcntl(shared, F_GETLK, &lock)));
    printf("setlease %d\\n", err(fcntl(own, F_SETLEASE, F_RDLCK)));
    printf("getfl %d\\n", err(fcntl(shared, F_GETFL)));
    printf("high_bits %d\\n", err(syscall(SYS_fcntl, shared, F_SETLK | (1UL << 32), &lock)));
    return 0;
}
""",
    )
    result = box.run(None, LIMITS)
    assert result.status is Status.OK, result
    assert result.stdout.decode().split() == [
        *("flock", "1", "setlk", "1", "setlkw", "1", "ofd_setlk", "1"),
        *("getlk", "1", "setlease", "1", "getfl", "0", "high_bits", "1"),
    ]
