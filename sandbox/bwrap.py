"""The bubblewrap command line: what a program sees of the host.

Only /usr (read-only), a few /etc files, a private /proc and /dev, size-capped tmpfs /tmp and
/dev/shm, and the box scratch at /box. Every namespace is new; the program cannot make more
user namespaces; the root and /dev are remounted read-only. The keeper adds the file
descriptors (`--seccomp`, `--json-status-fd`), which only it knows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sandbox.workspace import ENV, RUN_TMP_BYTES, SHM_BYTES

BWRAP = "/usr/bin/bwrap"
NAMESPACES = (
    "--unshare-all",
    "--unshare-user",
    "--disable-userns",
    "--assert-userns-disabled",
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    "--hostname",
    "judge",
)
SYSTEM = (
    "--ro-bind",
    "/usr",
    "/usr",
    "--symlink",
    "usr/lib",
    "/lib",
    "--symlink",
    "usr/lib64",
    "/lib64",
    "--symlink",
    "usr/bin",
    "/bin",
    "--symlink",
    "usr/sbin",
    "/sbin",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
)
ETC_FILES = ("/etc/ld.so.cache", "/etc/alternatives", "/etc/localtime")


@dataclass(frozen=True)
class View:
    """One sandboxed command: `writable_box` for compiles, read-only /box for runs."""

    scratch: Path
    command: Sequence[str]
    writable_box: bool = False
    tmp_bytes: int = RUN_TMP_BYTES
    extra_ro_binds: Sequence[str] = field(default_factory=tuple)  # host paths, same inside
    env: Mapping[str, str] = field(default_factory=dict)  # on top of ENV
    writable_dirs: Sequence[str] = field(default_factory=tuple)  # under scratch, rw on a ro /box


def bwrap_argv(view: View) -> list[str]:
    """The full argv: bwrap, its options, `--`, the command."""
    return [
        BWRAP,
        *NAMESPACES,
        *SYSTEM,
        *_tmpfs(view),
        *_etc(view),
        *_box(view),
        *_env(view),
        "--remount-ro",
        "/",
        "--",
        *view.command,
    ]


def _tmpfs(view: View) -> list[str]:
    return [
        "--size",
        str(view.tmp_bytes),
        "--tmpfs",
        "/tmp",
        "--size",
        str(SHM_BYTES),
        "--tmpfs",
        "/dev/shm",
        "--remount-ro",
        "/dev",
    ]


def _etc(view: View) -> list[str]:
    argv = ["--dir", "/etc"]
    for path in (*ETC_FILES, *view.extra_ro_binds):
        argv += ["--ro-bind-try", path, path]
    return argv


def _box(view: View) -> list[str]:
    bind = "--bind" if view.writable_box else "--ro-bind"
    argv = [bind, str(view.scratch), "/box"]
    for name in view.writable_dirs:
        argv += ["--bind", str(view.scratch / name), f"/box/{name}"]
    return [*argv, "--chdir", "/box"]


def _env(view: View) -> list[str]:
    argv = ["--clearenv"]
    for name, value in {**ENV, **view.env}.items():
        argv += ["--setenv", name, value]
    return argv
