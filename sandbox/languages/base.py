"""What a language entry declares. One small entry per language, nothing else.

`compile_argv` and `run_argv` may name `{source_name}` and `{main}`: where the source is
written and what runs, as the language's `entry` finds them in the source (Java: the file of
its public class and the class to start, with its package); without an `entry` they are
`source_name` and "".

`run_argv` and `run_env` values may name `{memory_mb}`, the run's memory limit in MiB: the
managed runtimes get their heap cap from it, so they collect garbage before they would
grow past the limit, and a program that really needs more is stopped by the memory cgroup
(MLE) rather than by the runtime's own out-of-memory error (which would read as RTE).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from sandbox.model import Limits

COMPILE_LIMITS = Limits(
    time_limit_ms=10_000,
    memory_limit_kb=1024 * 1024,
    output_limit_kb=256 * 1024,
    processes=128,
    wall_time_limit_ms=20_000,
)
MAX_SOURCE_BYTES = 4 * 1024 * 1024  # larger sources are a compile error, never written to a box


@dataclass(frozen=True)
class Entry:
    """Where a source goes and what starts it (see the module docstring)."""

    source_name: str
    main: str = ""


@dataclass(frozen=True)
class Language:
    """Commands run inside the box, with /box as the working directory.

    `compile_argv` None: the source is run as is. `requires`: host files that must exist for
    the language to be offered. `self_test`: a program that prints "hello" and exits 0.
    `time_factor`: what the problem's time limits are multiplied by for this language, for
    runtimes whose start alone costs a good part of a second of CPU (DOMjudge's per-language
    time factor); contestants see it beside the language (`describe()`).
    `runtime_threads`: threads the runtime starts by itself (JIT, GC, libuv), added to the
    run's process limit because the pids cgroup counts threads; `min_open_files`: what the
    runtime needs of RLIMIT_NOFILE to start at all; `min_file_size_kb`: of RLIMIT_FSIZE, for a
    runtime that sizes files of its own (memfd). `extra_ro_binds`: host paths
    the toolchain needs, bound read-only at the same place. `title` and `extensions` are what
    contestants read and upload (`describe()`; the core keeps a copy, codearena/languages.json).
    """

    name: str
    source_name: str
    compile_argv: tuple[str, ...] | None
    run_argv: tuple[str, ...]
    requires: tuple[str, ...]
    self_test: str
    compile_limits: Limits = COMPILE_LIMITS
    extra_ro_binds: tuple[str, ...] = ()
    compile_env: Mapping[str, str] = field(default_factory=dict, hash=False)
    run_env: Mapping[str, str] = field(default_factory=dict, hash=False)
    time_factor: float = 1.0
    runtime_threads: int = 0
    min_open_files: int = 0  # a floor under the run's RLIMIT_NOFILE, for runtimes that refuse less
    min_file_size_kb: int = 0  # a floor under the run's RLIMIT_FSIZE (see run_limits)
    title: str = ""  # empty: the name
    extensions: tuple[str, ...] = ()  # of the files a contestant may upload, without the dot
    entry: Callable[[bytes], Entry] | None = field(default=None, hash=False)  # None: source_name

    def describe(self) -> dict[str, str | list[str] | float]:
        """What the web app shows of this language: its name, title and file extensions."""
        return {
            "name": self.name,
            "title": self.title or self.name,
            "extensions": list(self.extensions),
            "time_factor": self.time_factor,
        }

    def available(self) -> bool:
        """Whether the toolchain is installed on this host."""
        return not self.missing()

    def missing(self) -> tuple[str, ...]:
        """The required toolchain files that are not installed (executable) here."""
        return tuple(path for path in self.requires if not os.access(path, os.X_OK))

    def entry_for(self, source: bytes) -> Entry:
        """Where `source` is written and what starts it."""
        return self.entry(source) if self.entry is not None else Entry(self.source_name)

    def compile_command(self, entry: Entry) -> tuple[str, ...] | None:
        """The compile argv of a source at `entry`; None when the source runs as is."""
        if self.compile_argv is None:
            return None
        return tuple(
            part.format(source_name=entry.source_name, main=entry.main) for part in self.compile_argv
        )

    def run_command(
        self, limits: Limits, args: Sequence[str] = (), entry: Entry | None = None
    ) -> tuple[str, ...]:
        """The run argv for `limits`, with `args` for the program appended."""
        at = entry or Entry(self.source_name)
        return (*(_fill(part, limits, at) for part in self.run_argv), *args)

    def run_environment(self, limits: Limits) -> dict[str, str]:
        """Extra environment variables of a run under `limits`."""
        return {name: _fill(value, limits) for name, value in self.run_env.items()}

    def run_limits(self, limits: Limits) -> Limits:
        """`limits` as a run of this language gets them: the time limits times the language's
        time factor (TLE is decided against those); the pids limit is the program's allowance
        plus the runtime's own threads; open files and the file size limit at least the
        runtime's floors. The verdict still holds the program to the output limit: OLE is
        decided by the size of what it wrote, so a higher RLIMIT_FSIZE only stops it later."""
        return replace(
            limits,
            time_limit_ms=math.ceil(limits.time_limit_ms * self.time_factor),
            wall_time_limit_ms=limits.wall_time_limit_ms
            and math.ceil(limits.wall_time_limit_ms * self.time_factor),
            processes=limits.processes + self.runtime_threads,
            open_files=max(limits.open_files, self.min_open_files),
            output_limit_kb=max(limits.output_limit_kb, self.min_file_size_kb),
        )


def _fill(template: str, limits: Limits, entry: Entry | None = None) -> str:
    at = entry or Entry("")
    return template.format(
        memory_mb=max(limits.memory_limit_kb // 1024, 1), source_name=at.source_name, main=at.main
    )
