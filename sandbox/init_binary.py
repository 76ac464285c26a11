"""The resident box's init (`resident_init.c`): a static binary in the sandbox root, which
keepers hand to bubblewrap by descriptor. Built with the host's C compiler once per source and
compiler (a host-wide cache, `CACHE_DIR`, so a supervisor's start, `codearena sandbox run`
included, compiles nothing after the first), then copied into the root. Without a compiler
there is none, and every run takes the one-shot path (`sandbox.resident`)."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import stat
import subprocess
from pathlib import Path

logger = logging.getLogger(__name__)

SOURCE = Path(__file__).with_name("resident_init.c")
COMPILER = "/usr/bin/gcc"
FLAGS = ("-O2", "-static")
BUILD_TIMEOUT_S = 60.0
# Root's alone (0700): a box uid can neither read nor replace what pid 1 of its box runs.
CACHE_DIR = Path("/var/cache/codearena/sandbox")


def build_init(root: Path) -> Path | None:
    """The init at `root`/resident-init (root-owned, mode 0755), from the cache when it holds
    a build of this source by this compiler; None when it cannot be built."""
    target = root / "resident-init"
    try:
        shutil.copyfile(_cached_build(), target)
        target.chmod(0o755)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        logger.warning("sandbox: no resident init, every run one-shot: %s %s", exc, detail[-500:])
        return None
    return target


def _cached_build() -> Path:
    """The cached build of SOURCE by COMPILER with FLAGS, built (atomically) when missing."""
    source = SOURCE.read_bytes()
    compiler = Path(COMPILER).resolve().stat()
    key = hashlib.sha256(repr((COMPILER, FLAGS, compiler.st_size, compiler.st_mtime_ns)).encode() + source)
    _private_dir(CACHE_DIR)
    cached = CACHE_DIR / f"resident-init-{key.hexdigest()[:16]}"
    if _trusted(cached):
        return cached
    partial = CACHE_DIR / f".{cached.name}.{os.getpid()}.partial"
    try:
        subprocess.run(
            [COMPILER, *FLAGS, "-o", str(partial), str(SOURCE)],
            capture_output=True,
            check=True,
            timeout=BUILD_TIMEOUT_S,
        )
        partial.chmod(0o755)
        partial.replace(cached)  # another supervisor may race us to it: either build is the same
    finally:
        partial.unlink(missing_ok=True)
    return cached


def _private_dir(directory: Path) -> None:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = directory.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise OSError(f"{directory} must be a directory of ours that nobody else may write")


def _trusted(path: Path) -> bool:
    """Whether `path` is a regular file of ours that nobody else may write."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & 0o022
