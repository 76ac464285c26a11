"""What a language entry declares. One small entry per language, nothing else."""

from __future__ import annotations

import os
from dataclasses import dataclass

from sandbox.model import Limits

COMPILE_LIMITS = Limits(
    time_limit_ms=10_000,
    memory_limit_kb=1024 * 1024,
    output_limit_kb=256 * 1024,
    processes=128,
    wall_time_limit_ms=20_000,
)


@dataclass(frozen=True)
class Language:
    """Commands run inside the box, with /box as the working directory.

    `compile_argv` None: the source is run as is. `requires`: host files that must exist for
    the language to be offered. `self_test`: a program that prints "hello" and exits 0.
    """

    name: str
    source_name: str
    compile_argv: tuple[str, ...] | None
    run_argv: tuple[str, ...]
    requires: tuple[str, ...]
    self_test: str
    compile_limits: Limits = COMPILE_LIMITS
    extra_ro_binds: tuple[str, ...] = ()

    def available(self) -> bool:
        """Whether the toolchain is installed on this host."""
        return all(os.access(path, os.X_OK) for path in self.requires)
