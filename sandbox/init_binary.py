"""The resident box's init (`resident_init.c`), built once per supervisor with the host's C
compiler: a static binary in the sandbox root, which keepers hand to bubblewrap by descriptor.
Without a compiler there is none, and every run takes the one-shot path (`sandbox.resident`)."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

logger = logging.getLogger(__name__)

SOURCE = Path(__file__).with_name("resident_init.c")
COMPILER = "/usr/bin/gcc"
BUILD_TIMEOUT_S = 60.0


def build_init(root: Path) -> Path | None:
    """Build the init into `root` (root-owned, mode 0755); None when it cannot be built."""
    target = root / "resident-init"
    argv = [COMPILER, "-O2", "-static", "-o", str(target), str(SOURCE)]
    try:
        subprocess.run(argv, capture_output=True, check=True, timeout=BUILD_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        logger.warning("sandbox: no resident init, every run one-shot: %s %s", exc, detail[-500:])
        return None
    target.chmod(0o755)
    return target
