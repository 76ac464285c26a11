"""The resident box's init (`resident_init.c`): a static binary built with the host's C
compiler into the sandbox root, which keepers hand to bubblewrap by descriptor. Without a
compiler there is none, and every run takes the one-shot path (`sandbox.resident`).

The build (~0.11 s of CPU, a good part of a judge host's start) stays in the root, named after
what made it: the source, the flags and the compiler. A supervisor started again on the same
root (a judge host restarted) takes it as it is; any change to those builds afresh."""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import subprocess
from pathlib import Path

logger = logging.getLogger(__name__)

SOURCE = Path(__file__).with_name("resident_init.c")
COMPILER = "/usr/bin/gcc"
FLAGS = ("-O2", "-static")
BUILD_TIMEOUT_S = 60.0
PREFIX = "resident-init-"


def build_init(root: Path, source: Path | None = None, compiler: str | None = None) -> Path | None:
    """The init in `root` (root-owned, mode 0755): the one built there before from the same
    source, flags and compiler (default SOURCE, COMPILER), else a new build; None when it
    cannot be built."""
    source, compiler = source or SOURCE, compiler or COMPILER
    try:
        target = root / (PREFIX + build_key(source, compiler))
    except OSError as exc:
        logger.warning("sandbox: no resident init, every run one-shot: %s", exc)
        return None
    if _reusable(target):
        return target
    for old in (*root.glob(PREFIX + "*"), *root.glob(f".{PREFIX}*")):  # other builds, crashed ones
        old.unlink(missing_ok=True)
    partial = root / f".{PREFIX}{os.getpid()}"
    argv = [compiler, *FLAGS, "-o", str(partial), str(source)]
    try:
        subprocess.run(argv, capture_output=True, check=True, timeout=BUILD_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        logger.warning("sandbox: no resident init, every run one-shot: %s %s", exc, detail[-500:])
        partial.unlink(missing_ok=True)
        return None
    partial.chmod(0o755)
    partial.replace(target)
    return target


def build_key(source: Path, compiler: str) -> str:
    """Names a build: the source's bytes, the flags, and the compiler (path, size, mtime),
    which an upgrade changes. Raises OSError when either is missing."""
    found = os.stat(compiler)
    digest = hashlib.sha256(source.read_bytes())
    digest.update(repr((FLAGS, compiler, found.st_size, found.st_mtime_ns)).encode())
    return digest.hexdigest()[:16]


def _reusable(path: Path) -> bool:
    """A regular file of ours, 0755, that nobody else could have written."""
    try:
        found = path.lstat()
    except OSError:
        return False
    return (
        stat.S_ISREG(found.st_mode)
        and found.st_uid == os.geteuid()
        and stat.S_IMODE(found.st_mode) == 0o755
        and found.st_size > 0
    )
