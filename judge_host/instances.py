"""Sandbox parameters of the N-th judge host on one machine: each needs its own root
directory, cgroup name and uid range (see sandbox.start_backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

MAX_INSTANCE = 13
_UID_SPAN = 256
# Instance 0 keeps the sandbox's defaults; the others use 62001… (below nobody, 65534,
# and clear of 61001…, which the sandbox tests use).
_FIRST_EXTRA_UID = 62001


def sandbox_options(instance: int) -> dict[str, Any]:
    """Keyword arguments for `sandbox.start_backend` for judge host number `instance` (0-13)."""
    if not 0 <= instance <= MAX_INSTANCE:
        raise ValueError(f"--instance must be between 0 and {MAX_INSTANCE}")
    if instance == 0:
        return {}
    return {
        "root_dir": Path(f"/var/lib/codearena-sandbox-{instance}"),
        "name": f"codearena-{instance}",
        "uid_base": _FIRST_EXTRA_UID + (instance - 1) * _UID_SPAN,
    }
