"""What callers pass in and get back: limits, statuses and results.

A contestant's outcome (TLE, MLE, a crash…) is a `RunResult`, never an exception.
`SandboxError` means the sandbox itself failed; the caller retries or reports JE.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal

from sandbox.workspace import NOFILE

# What a result keeps of stdout, stderr, compiler output and a checker's feedback.
REPORT_BYTES = 64 * 1024
OUTPUT_LIMIT_KB = 64 * 1024  # what a run may write to stdout unless its caller sets a limit
# Below this the memory cgroup cannot even hold bwrap next to what the box already holds.
MIN_MEMORY_LIMIT_KB = 8 * 1024
Timeout = Literal["cpu", "wall"]  # which clock a TLE ran out on

Input = bytes | str | os.PathLike[str] | None  # stdin: the bytes, a file (str/path), or empty (None)


@dataclass(frozen=True)
class Fifos:
    """Named pipes a run reads and writes in place of its stdin and stdout files (an
    interactive problem: `sandbox.interactive`). Whoever passes them holds their other ends
    open already: the box opens its ends without waiting."""

    stdin: Path
    stdout: Path


class SandboxError(Exception):
    """The sandbox could not run or measure the program (infrastructure fault, not a verdict)."""


class Status(StrEnum):
    OK = "OK"
    TLE = "TLE"
    MLE = "MLE"
    RTE = "RTE"
    OLE = "OLE"


@dataclass(frozen=True)
class Limits:
    """Limits of one run. `time_limit_ms` is CPU time and decides TLE; the watchdog kills
    `extra_time_ms` later (so a run just over the limit shows by how much). The wall-clock
    limit defaults to 2 × time limit + 1 s, the stack to the memory limit (both in the memory
    cgroup anyway), `processes` counts threads, `open_files` is RLIMIT_NOFILE."""

    time_limit_ms: int
    memory_limit_kb: int
    output_limit_kb: int = OUTPUT_LIMIT_KB
    processes: int = 64
    wall_time_limit_ms: int | None = None
    extra_time_ms: int = 0
    stack_limit_kb: int | None = None
    open_files: int = NOFILE

    def __post_init__(self) -> None:
        if self.memory_limit_kb < MIN_MEMORY_LIMIT_KB:
            raise ValueError(f"memory_limit_kb must be at least {MIN_MEMORY_LIMIT_KB}")
        positive = (self.time_limit_ms, self.output_limit_kb, self.processes, self.open_files)
        optional = (self.wall_time_limit_ms, self.stack_limit_kb)
        if min(positive) <= 0 or any(v is not None and v <= 0 for v in optional) or self.extra_time_ms < 0:
            raise ValueError(f"limits must be positive: {self}")

    @property
    def wall_limit_ms(self) -> int:
        return self.wall_time_limit_ms or 2 * self.time_limit_ms + 1000

    @property
    def kill_time_limit_ms(self) -> int:
        """The CPU time at which the watchdog kills the program."""
        return self.time_limit_ms + self.extra_time_ms

    @property
    def stack_bytes(self) -> int:
        return (self.stack_limit_kb or self.memory_limit_kb) * 1024


@dataclass(frozen=True)
class RunResult:
    """Outcome of one run.

    `stdout`/`stderr` are cut at REPORT_BYTES; the whole stdout stays at `stdout_path` until the
    next run in the same box. Either `exit_code` (0–255) or `signal` is set. A run of a
    submission's program (the resident box) reports both exactly; a one-shot bubblewrap and
    the docker backend report a death by signal n as exit 128 + n, so there a program calling
    exit(128 + n) with n ≤ SIGRTMAX reads as signal n. A status is never decided from them
    alone.
    """

    status: Status
    cpu_time_ms: int
    wall_time_ms: int
    memory_kb: int
    exit_code: int | None
    signal: int | None
    stdout: bytes
    stderr: bytes
    stdout_path: Path
    timeout: Timeout | None = None  # with TLE: the CPU-time or the wall-clock limit
    killed: bool = False  # the sandbox killed it: a time limit, or the OOM killer at the memory limit
    context_switches_voluntary: int | None = None  # None: the backend cannot tell (docker)
    context_switches_forced: int | None = None


@dataclass(frozen=True)
class CompileResult:
    """`output` is the compiler's stdout+stderr (cut at REPORT_BYTES); `time_ms` is wall time."""

    ok: bool
    output: str
    time_ms: int
