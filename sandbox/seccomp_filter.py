"""The seccomp deny-list handed to bubblewrap (`--seccomp FD`), built once per supervisor.

Default allow; EPERM for the kernel attack surface a contest program never needs; ENOSYS for
clone3 (its flags cannot be inspected, glibc falls back to clone); EPERM for every socket
family except AF_UNIX; EPERM for file locks and leases (`flock`, and the lock and lease
commands of `fcntl`): every box sees the same files under /usr, so a lock there would let
two programs judged at the same time signal each other.
"""

from __future__ import annotations

import errno
import fcntl
import socket
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyseccomp import SyscallFilter  # untyped: pyproject.toml [tool.mypy] ignores it

DENIED = (
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "fanotify_init",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "syslog",
    "quotactl",
    "ioperm",
    "iopl",
    "open_by_handle_at",
    "name_to_handle_at",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "vhangup",
    "personality",
    "flock",
)
# fcntl commands that take, test or lease a lock (F_GETLK too: with no locks to see, it
# would only show the host's).
LOCK_COMMANDS = (
    fcntl.F_GETLK,
    fcntl.F_SETLK,
    fcntl.F_SETLKW,
    fcntl.F_OFD_GETLK,
    fcntl.F_OFD_SETLK,
    fcntl.F_OFD_SETLKW,
    fcntl.F_SETLEASE,
)
LOW_32_BITS = 0xFFFF_FFFF  # fcntl's cmd is an unsigned int: the kernel ignores the upper half
NOT_IMPLEMENTED = ("clone3",)


def build_filter_bpf() -> bytes:
    """The compiled BPF program for the native architecture."""
    import pyseccomp as seccomp  # ctypes over libseccomp.so.2; only the supervisor needs it

    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in DENIED:
        _add(rules, seccomp.ERRNO(errno.EPERM), name)
    for name in NOT_IMPLEMENTED:
        _add(rules, seccomp.ERRNO(errno.ENOSYS), name)
    not_unix = seccomp.Arg(0, seccomp.NE, socket.AF_UNIX)
    rules.add_rule(seccomp.ERRNO(errno.EPERM), "socket", not_unix)
    for command in LOCK_COMMANDS:
        locking = seccomp.Arg(1, seccomp.MASKED_EQ, LOW_32_BITS, command)
        rules.add_rule(seccomp.ERRNO(errno.EPERM), "fcntl", locking)
    return _export(rules)


def _add(rules: SyscallFilter, action: int, name: str) -> None:
    try:
        rules.add_rule(action, name)
    except OSError:  # a syscall this architecture or libseccomp does not know
        pass


def _export(rules: SyscallFilter) -> bytes:
    with tempfile.TemporaryFile() as file:
        rules.export_bpf(file)
        file.seek(0)
        return file.read()


def write_filter(path: Path) -> Path:
    """Write the BPF program to `path` (root-only) and return it."""
    path.write_bytes(build_filter_bpf())
    path.chmod(0o600)
    return path
