"""Sandbox parameters of the N-th judge host on one machine: each needs its own root
directory, cgroup name and uid range (see sandbox.start_backend).

A second set of judge hosts on the same machine (a test session's, next to a real judge or
to another session) moves all of its instances at once with CODEARENA_SANDBOX_ROOT,
CODEARENA_SANDBOX_NAME and CODEARENA_SANDBOX_UID_BASE, set together: instance N then uses
`<root>-N`, `<name>-N` and the 256 uids from `<uid base> + N * 256` (instance 0: the root and
the name themselves).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MAX_INSTANCE = 13
_UID_SPAN = 256
# Instance 0 keeps the sandbox's defaults; the others use 62001… (below nobody, 65534,
# and clear of 61001…, which the sandbox tests use).
_FIRST_EXTRA_UID = 62001
RELOCATION = ("CODEARENA_SANDBOX_ROOT", "CODEARENA_SANDBOX_NAME", "CODEARENA_SANDBOX_UID_BASE")


def sandbox_options(instance: int, environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Keyword arguments for `sandbox.start_backend` for judge host number `instance` (0-13)."""
    if not 0 <= instance <= MAX_INSTANCE:
        raise ValueError(f"--instance must be between 0 and {MAX_INSTANCE}")
    if any(variable in environ for variable in RELOCATION):
        return _relocated(instance, environ)
    if instance == 0:
        return {}
    return {
        "root_dir": Path(f"/var/lib/codearena-sandbox-{instance}"),
        "name": f"codearena-{instance}",
        "uid_base": _FIRST_EXTRA_UID + (instance - 1) * _UID_SPAN,
    }


def _relocated(instance: int, environ: Mapping[str, str]) -> dict[str, Any]:
    try:
        root, name, first = (environ[variable] for variable in RELOCATION)
        first_uid = int(first)
    except (KeyError, ValueError):
        raise ValueError(f"{', '.join(RELOCATION)} go together, the last a uid") from None
    suffix = f"-{instance}" if instance else ""
    return {
        "root_dir": Path(root + suffix),
        "name": name + suffix,
        "uid_base": first_uid + instance * _UID_SPAN,
    }
