"""Host-side plumbing: tmpfs mounts, processes by uid, prctl, lock files. Linux only, mostly
root only."""

from __future__ import annotations

import ctypes
import fcntl
import os
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from sandbox.model import SandboxError

PR_SET_CHILD_SUBREAPER = 36
MNT_DETACH = 2
MS_NOSUID, MS_NODEV = 2, 4
LOCK_TIMEOUT_S = 120.0  # for a supervisor that is still stopping to let go

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def set_child_subreaper() -> None:
    """Orphans of our descendants become our children, so we can reap them."""
    _check(_libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER)")


def set_oom_score_adj(value: int, pid: str = "self") -> None:
    with open(f"/proc/{pid}/oom_score_adj", "w") as file:
        file.write(str(value))


def mount_tmpfs(target: Path, size_bytes: int, inodes: int, uid: int, gid: int) -> None:
    """Mount a size- and inode-capped tmpfs at `target`, owned by uid:gid, mode 0755."""
    options = f"size={size_bytes},nr_inodes={inodes},mode=0755,uid={uid},gid={gid}"
    result = _libc.mount(b"tmpfs", os.fsencode(target), b"tmpfs", MS_NOSUID | MS_NODEV, options.encode())
    _check(result, f"mount tmpfs on {target}")


def unmount(target: Path) -> None:
    """Lazily detach the mount at `target` (it goes once nothing uses it)."""
    _check(_libc.umount2(os.fsencode(target), MNT_DETACH), f"umount {target}")


def empty_directory(directory: Path) -> None:
    """Remove everything in `directory`, keeping it (symlinks removed, never followed)."""
    for entry in os.scandir(directory):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)


def create_fresh(path: str | Path) -> int:
    """An empty file at `path`, open for writing: the one there if it is an empty regular
    file (a run's stderr, as a rule), else a new one (whatever was there unlinked).

    Not O_TRUNC: on ext4, truncating a file that has data makes its next close start the
    writeback of what was written meanwhile (auto_da_alloc), ~0.1–0.2 ms on every run's
    stdout and stdin; unlinking drops the old file's pages unwritten. Creating a file costs
    ~3 times as much as opening one."""
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        found = None
    if found and stat.S_ISREG(found.st_mode) and found.st_size == 0 and found.st_nlink == 1:
        return os.open(path, os.O_WRONLY | os.O_NOFOLLOW)
    if found:
        os.unlink(path)
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)


def write_fresh(path: Path, data: bytes) -> None:
    """Write `data` to a new file at `path` (see `create_fresh`)."""
    with open(create_fresh(path), "wb") as file:
        file.write(data)


def mounts_under(directory: Path) -> list[Path]:
    """Mount points at or below `directory`, deepest first."""
    prefix = str(directory.resolve())
    found = []
    with open("/proc/self/mountinfo") as file:
        for line in file:
            point = _unescape(line.split()[4])
            if point == prefix or point.startswith(prefix + "/"):
                found.append(Path(point))
    return sorted(found, key=lambda p: len(p.parts), reverse=True)


def _unescape(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as \ooo
    return field.encode().decode("unicode_escape")


def pids_of_uids(uids: Iterable[int], zombies: bool = True) -> list[int]:
    """Processes whose real uid is one of `uids` (scans /proc)."""
    wanted = {str(uid) for uid in uids}
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        state, uid = _state_and_real_uid(entry.name)
        if uid in wanted and (zombies or state != "Z"):
            found.append(int(entry.name))
    return found


def _state_and_real_uid(pid: str) -> tuple[str | None, str | None]:
    state = None
    try:
        with open(f"/proc/{pid}/status") as file:
            for line in file:
                if line.startswith("State:"):
                    state = line.split()[1]
                elif line.startswith("Uid:"):
                    return state, line.split()[1]
    except OSError:  # gone meanwhile
        pass
    return state, None


def kill_pids(pids: Iterable[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def is_root() -> bool:
    return os.geteuid() == 0


def lock_dir() -> Path:
    """Where the lock files of host-wide resources (uid ranges, cgroup names) go."""
    return Path("/run/lock") if Path("/run/lock").is_dir() else Path(tempfile.gettempdir())


def take_lock(path: Path, timeout_s: float = LOCK_TIMEOUT_S) -> int:
    """An exclusive flock on `path` (its descriptor: closing it releases the lock).
    Raises SandboxError when another supervisor still holds it after `timeout_s`."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                raise SandboxError(f"another sandbox supervisor holds {path}") from None
            time.sleep(0.1)


def remove_boxes(root: Path) -> None:
    """Unmount everything under `root` and remove its `box*` directories."""
    for mount in mounts_under(root):
        unmount(mount)
    for directory in root.glob("box*"):
        shutil.rmtree(directory)
