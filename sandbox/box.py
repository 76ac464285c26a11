"""A namespace box (the bubblewrap backend's `sandbox.backend.Box`): a keeper, a scratch
tmpfs, a uid and cgroup of its own. Compile once, run many.

Layout under the sandbox root: `box<N>/scratch` (tmpfs, owned by the box uid, /box inside)
and `box<N>/io` (root-only: stdin, stdout and stderr files the program gets as descriptors,
so it can change its own output but nothing else the judge reads).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sandbox.bwrap import View, bwrap_argv
from sandbox.cgroups import Cgroup
from sandbox.host import empty_directory, is_root, kill_pids, mount_tmpfs, pids_of_uids, write_fresh
from sandbox.keeper_client import KeeperClient
from sandbox.languages import Entry, Language, language_named
from sandbox.model import CompileResult, Fifos, Input, Limits, RunResult, SandboxError
from sandbox.protocol import KeeperConfig, Measurement, RunRequest
from sandbox.results import compile_result, head, result_of, source_too_large
from sandbox.workspace import COMPILE_TMP_BYTES, SCRATCH_INODES, BoxFiles

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BoxSpec:
    index: int
    directory: Path
    uid: int | None  # None: degraded, not root; programs run as the supervisor's user
    cgroup: Cgroup | None
    scratch_bytes: int
    seccomp_path: Path
    init_path: Path | None = None  # the resident init (sandbox.init_binary)

    @property
    def scratch(self) -> Path:
        return self.directory / "scratch"

    @property
    def io(self) -> Path:
        return self.directory / "io"


class NamespaceBox(BoxFiles[BoxSpec]):
    """Use through `Sandbox.box()`; one thread at a time."""

    def __init__(self, spec: BoxSpec) -> None:
        self.spec = spec
        self.language: Language | None = None
        self.entry: Entry | None = None
        self._runs: dict[tuple[object, ...], tuple[list[str], Limits]] = {}  # see _prepared
        config = KeeperConfig(
            spec.uid,
            spec.uid,
            spec.cgroup.config() if spec.cgroup else None,
            str(spec.seccomp_path),
            str(spec.init_path) if spec.init_path else None,
        )
        self._keeper = KeeperClient(config)

    def open(self) -> None:
        """Create the scratch and io directories, the cgroup, and start the keeper."""
        for path in (self.spec.directory, self.spec.scratch, self.spec.io):
            path.mkdir(mode=0o711, exist_ok=True)
        self.spec.io.chmod(0o700)
        if self.spec.uid is not None:
            mount_tmpfs(
                self.spec.scratch,
                self.spec.scratch_bytes,
                SCRATCH_INODES,
                self.spec.uid,
                self.spec.uid,
            )
        if self.spec.cgroup:
            self.spec.cgroup.create()
        self._keeper.start()

    def close(self) -> None:
        """Stop the keeper and kill what is left; the supervisor unmounts and removes."""
        self._keeper.stop()
        self._kill_leftovers()
        if self.spec.cgroup:
            self.spec.cgroup.remove()

    def compile(
        self,
        language: str,
        source: str | bytes,
        files: Mapping[str, bytes] | None = None,
        run_limits: Limits | None = None,
    ) -> CompileResult:
        """Put `source` in the box and compile it. A compiler failure is `ok=False`. `files`
        (plain names) are put next to the source first: an output validator's headers.
        `run_limits`, those of the runs to come: their resident session starts meanwhile."""
        lang = language_named(language)
        self.reset()
        data = source.encode() if isinstance(source, str) else source
        if too_large := source_too_large(data):
            return too_large
        for name, content in (files or {}).items():
            self.add_file(name, content)
        self.entry = lang.entry_for(data)
        (self.spec.scratch / self.entry.source_name).write_bytes(data)
        argv = lang.compile_command(self.entry)
        if argv is None:
            self.language = lang
            return CompileResult(True, "", 0)
        warm = None
        if run_limits is not None:
            session_limits = lang.run_limits(run_limits)
            warm = self._run_request(self._run_view(lang, run_limits, ()), session_limits)
        result = self._compile(lang, argv, warm)
        self.language = lang if result.ok else None
        return result

    def run(
        self,
        stdin: Input,
        limits: Limits,
        args: Sequence[str] = (),
        writable_dirs: Sequence[str] = (),
        fifos: Fifos | None = None,
    ) -> RunResult:
        """Run the compiled program once on `stdin` under `limits`, with `args` after its
        command. `writable_dirs` (made by `add_dir`) stay writable in the read-only /box.
        With `fifos` it reads and writes those named pipes (its result's stdout is empty)."""
        argv, run_limits = self._prepared(limits, tuple(args), tuple(writable_dirs))
        stdout, stderr = self.spec.io / "stdout", self.spec.io / "stderr"
        # A writable directory is bound per run, so only runs without one reuse the box's
        # resident bubblewrap (sandbox.resident).
        if fifos is None:
            stdin_path, stdout_path = self._stdin_path(stdin), stdout
        else:
            write_fresh(stdout, b"")  # what the result reads as its stdout
            stdin_path, stdout_path = fifos.stdin, fifos.stdout
        reuse, piped = not writable_dirs, fifos is not None
        request = _request(argv, run_limits, stdin_path, stdout_path, stderr, reuse, piped)
        measurement = self._keeper_run(request, stderr)
        return result_of(measurement, limits, stdout, stderr)

    def _prepared(
        self, limits: Limits, args: tuple[str, ...], writable_dirs: tuple[str, ...]
    ) -> tuple[list[str], Limits]:
        """The bubblewrap argv and the limits of a run of the compiled program: the same for
        every test, so built once per program and kind of run."""
        lang = self.language
        if lang is None:
            raise RuntimeError("nothing compiled in this box: call compile() first")
        key = (limits, args, writable_dirs)
        if (prepared := self._runs.get(key)) is None:
            view = self._run_view(lang, limits, args, writable_dirs)
            prepared = self._runs[key] = (bwrap_argv(view), lang.run_limits(limits))
        return prepared

    def reset(self) -> None:
        """Forget the program: kill leftovers, wipe scratch and io, revive the keeper."""
        self.language = None
        self._runs.clear()
        self._end_session()
        self._kill_leftovers()
        for directory in (self.spec.scratch, self.spec.io):
            empty_directory(directory)
        if not self._keeper.alive():
            logger.warning("box %d: keeper gone, restarting it", self.spec.index)
            self._keeper.stop()
            self._keeper.start()

    def _end_session(self) -> None:
        """End the resident bubblewrap of the last program's runs (the keeper reaps it)."""
        if not self._keeper.alive():
            return
        try:
            self._keeper.end_session()
        except SandboxError:
            logger.warning("box %d: keeper did not end its session", self.spec.index)

    def _run_view(
        self, lang: Language, limits: Limits, args: Sequence[str], writable_dirs: Sequence[str] = ()
    ) -> View:
        return View(
            self.spec.scratch,
            lang.run_command(limits, args, self.entry),
            extra_ro_binds=lang.extra_ro_binds,
            env=lang.run_environment(limits),
            writable_dirs=writable_dirs,
        )

    def _run_request(self, view: View, limits: Limits) -> RunRequest:
        """A run of the program the box compiles, on its stdin file (a session's key: its
        view and limits)."""
        io = self.spec.io
        return _request(bwrap_argv(view), limits, io / "stdin", io / "stdout", io / "stderr", reuse=True)

    def _compile(
        self, lang: Language, argv: tuple[str, ...], warm: RunRequest | None = None
    ) -> CompileResult:
        view = View(
            self.spec.scratch,
            argv,
            writable_box=True,
            tmp_bytes=COMPILE_TMP_BYTES,
            extra_ro_binds=lang.extra_ro_binds,
            env=lang.compile_env,
        )
        output = self.spec.io / "compile.out"
        measurement = self._execute(view, lang.compile_limits, None, output, output, warm=warm)
        return compile_result(measurement, lang.compile_limits, output)

    def _execute(
        self,
        view: View,
        limits: Limits,
        stdin: Path | None,
        stdout: Path,
        stderr: Path,
        reuse: bool = False,
        fifos: bool = False,
        warm: RunRequest | None = None,
    ) -> Measurement:
        request = _request(bwrap_argv(view), limits, stdin, stdout, stderr, reuse, fifos)
        return self._keeper_run(request, stderr, warm)

    def _keeper_run(self, request: RunRequest, stderr: Path, warm: RunRequest | None = None) -> Measurement:
        measurement = self._keeper.run(request, warm)
        if measurement.launch_error:
            detail = head(stderr).decode(errors="replace").strip()
            raise SandboxError(f"box {self.spec.index}: {measurement.launch_error}: {detail}")
        return measurement

    def _stdin_path(self, stdin: Input) -> Path | None:
        if stdin is None:
            return None
        if isinstance(stdin, bytes):
            path = self.spec.io / "stdin"
            write_fresh(path, stdin)
            return path
        return Path(stdin).resolve()  # the keeper's working directory is not ours

    def _kill_leftovers(self) -> None:
        # The keeper clears the cgroup after every run; this also covers a dead keeper.
        # Without a cgroup, the box uid finds them (a /proc scan: slower).
        if self.spec.cgroup:
            if self.spec.cgroup.dirs()[0].exists():
                self.spec.cgroup.signal_all(spare=self._keeper.pid)
        elif self.spec.uid is not None and is_root():
            kill_pids(pids_of_uids([self.spec.uid]))


def _request(
    argv: list[str],
    limits: Limits,
    stdin: Path | None,
    stdout: Path,
    stderr: Path,
    reuse: bool = False,
    fifos: bool = False,
) -> RunRequest:
    return RunRequest(
        argv=argv,
        stdin_path=str(stdin) if stdin else None,
        stdout_path=str(stdout),
        stderr_path=str(stderr),
        time_limit_ms=limits.kill_time_limit_ms,
        wall_limit_ms=limits.wall_limit_ms,
        memory_bytes=limits.memory_limit_kb * 1024,
        processes=limits.processes,
        fsize_bytes=limits.output_limit_kb * 1024,
        stack_bytes=limits.stack_bytes,
        nofile=limits.open_files,
        reuse=reuse,
        fifos=fifos,
    )
