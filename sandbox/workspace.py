"""What a program has around it in either backend, from one source: its environment, the
sizes of its tmpfs mounts, its file descriptor limit, and the box scratch (/box inside)
where the supervisor puts files next to it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Generic, Protocol, TypeVar

ENV = {"PATH": "/usr/bin:/bin", "HOME": "/box", "LANG": "C.UTF-8"}  # under the language's own
SHM_BYTES = 8 * 1024 * 1024  # /dev/shm
RUN_TMP_BYTES = 64 * 1024 * 1024  # /tmp of a run
COMPILE_TMP_BYTES = 256 * 1024 * 1024  # /tmp of a compile
SCRATCH_INODES = 4096  # the box scratch tmpfs
NOFILE = 64  # RLIMIT_NOFILE of a program unless its limits say otherwise


class BoxDirs(Protocol):
    """Where a box keeps its files (either backend's spec)."""

    @property
    def scratch(self) -> Path: ...
    @property
    def io(self) -> Path: ...
    @property
    def uid(self) -> int | None: ...


Spec = TypeVar("Spec", bound=BoxDirs)


class BoxFiles(Generic[Spec]):
    """The directories and files of a box, the same in both backends."""

    spec: Spec

    @property
    def scratch_dir(self) -> Path:
        return self.spec.scratch

    @property
    def io_dir(self) -> Path:
        return self.spec.io

    def add_file(self, name: str, data: bytes | os.PathLike[str]) -> str:
        """Put a file next to the compiled program (read-only to it); return its path inside."""
        return put_file(self.spec.scratch, name, data)

    def add_dir(self, name: str) -> str:
        """An empty directory the program may write (see `run`); return its path inside."""
        return make_dir(self.spec.scratch, self.spec.uid, name)


def put_file(scratch: Path, name: str, data: bytes | os.PathLike[str]) -> str:
    """Put a file in `scratch` (read-only to the program); return its path inside the box."""
    content = data if isinstance(data, bytes) else Path(data).read_bytes()
    path = _fresh(scratch, name)
    # O_EXCL|O_NOFOLLOW: the box uid owns scratch, so never follow what it may have made.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with open(fd, "wb") as file:
        file.write(content)
    return f"/box/{name}"


def make_dir(scratch: Path, uid: int | None, name: str) -> str:
    """An empty directory in `scratch` owned by `uid` (None: ours); return its path inside."""
    path = _fresh(scratch, name)
    path.mkdir(mode=0o755)
    if uid is not None:
        os.chown(path, uid, uid, follow_symlinks=False)
    return f"/box/{name}"


def _fresh(scratch: Path, name: str) -> Path:
    """`scratch / name` with whatever was there removed (the program may have made it)."""
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"not a plain file name: {name!r}")
    path = scratch / name
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    return path
