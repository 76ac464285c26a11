"""One docker box (the docker backend's `sandbox.backend.Box`): a host tmpfs scratch, a uid,
a parent cgroup; one container per execution.

The box scratch is a size-capped host tmpfs bind-mounted at `/box` (read-write to compile,
read-only to run). stdin, stdout and stderr are single host files bind-mounted under `/io`,
so the program can write nothing else outside its tmpfs `/tmp`, and output size is capped by
RLIMIT_FSIZE and read from the file.

Verdicts: `State.OOMKilled`, or a SIGKILL not ours with the peak at the limit (`oom_killed`)
→ MLE; CPU time from the box's parent cgroup (docker puts the container's cgroup under it with
`--cgroup-parent`, and the parent keeps the counters after the container's own cgroup is
gone), polled by a watchdog that kills the container past the time limit → TLE; a wall
deadline → TLE; output file at the limit → OLE; other non-zero exits → RTE. Without a parent
cgroup (degraded) CPU time reads as wall time.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from signal import SIGKILL
from typing import Any

import docker
import requests
from docker.models.containers import Container
from docker.types import LogConfig, Mount, Ulimit

from sandbox.cgroups import Cgroup
from sandbox.host import empty_directory, mount_tmpfs
from sandbox.languages import Entry, Language, language_named
from sandbox.model import CompileResult, Fifos, Input, Limits, RunResult, SandboxError
from sandbox.protocol import Measurement, exit_or_signal
from sandbox.results import compile_result, result_of, source_too_large
from sandbox.watchdog import POLL_S, Killed, Watchdog, cpu_backstop_s
from sandbox.workspace import (
    COMPILE_TMP_BYTES,
    ENV,
    RUN_TMP_BYTES,
    SCRATCH_INODES,
    SHM_BYTES,
    BoxFiles,
)

logger = logging.getLogger(__name__)

LABEL = "codearena.sandbox"  # value "<sandbox name>/<box index>": what cleanup looks for
INIT_PIDS = 1  # docker-init (tini), pid 1 of the container, waits for the program
EXIT_GRACE_S = 30.0  # for docker to report an exit after a kill
OOM_SHARE = 0.95  # of the memory limit: a peak from here on, ended by a SIGKILL not ours, is MLE
# docker-init is pid 1 (the kernel ignores signals a pid-1 program sends itself) and reports
# a program's death by signal n as exit 128 + n, as bwrap does (`exit_or_signal`). sh only
# sets up the files.
RUN_SCRIPT = 'exec "$@" </io/stdin >/io/stdout 2>/io/stderr'
COMPILE_SCRIPT = 'exec "$@" </dev/null >/io/stdout 2>&1'
DockerFault = (docker.errors.DockerException, requests.RequestException)


@dataclass(frozen=True)
class DockerBoxSpec:
    index: int
    directory: Path
    uid: int
    cgroup: Cgroup | None  # the parent of this box's containers: counters outlive them
    cgroup_parent: str | None  # the same, as docker's --cgroup-parent

    @property
    def scratch(self) -> Path:
        return self.directory / "scratch"

    @property
    def io(self) -> Path:
        return self.directory / "io"


@dataclass(frozen=True)
class _Command:
    """One container's job: `argv` run through `script`, with `env` on top of ENV."""

    argv: tuple[str, ...]
    script: str
    env: Mapping[str, str]
    writable_box: bool = False  # /box read-write (compiles) or read-only (runs)
    writable_dirs: tuple[str, ...] = ()  # under scratch, read-write in a read-only /box
    tmp_bytes: int = RUN_TMP_BYTES


class DockerBox(BoxFiles[DockerBoxSpec]):
    """Use through `DockerSandbox.box()`; one thread at a time."""

    def __init__(self, client: docker.DockerClient, image: str, spec: DockerBoxSpec, label: str) -> None:
        self.client = client
        self.image = image
        self.spec = spec
        self.label = label
        self.language: Language | None = None
        self.entry: Entry | None = None

    def open(self, scratch_bytes: int) -> None:
        for path in (self.spec.directory, self.spec.scratch, self.spec.io):
            path.mkdir(mode=0o711, exist_ok=True)
        self.spec.io.chmod(0o700)
        uid = self.spec.uid
        mount_tmpfs(self.spec.scratch, scratch_bytes, SCRATCH_INODES, uid, uid)
        if self.spec.cgroup:
            self.spec.cgroup.create()

    def compile(
        self,
        language: str,
        source: str | bytes,
        files: Mapping[str, bytes] | None = None,
        run_limits: Limits | None = None,
    ) -> CompileResult:
        """Put `source` in the box and compile it in a container. A compiler failure is
        `ok=False`. `files` (plain names) are put next to the source first (headers).
        `run_limits` is not used: each run is a container of its own."""
        lang = language_named(language)
        self.reset()
        data = source.encode() if isinstance(source, str) else source
        if too_large := source_too_large(data):
            return too_large
        for name, content in (files or {}).items():
            self.add_file(name, content)
        self.entry = lang.entry_for(data)
        path = self.spec.scratch / self.entry.source_name
        path.write_bytes(data)
        os.chown(path, self.spec.uid, self.spec.uid)
        compile_argv = lang.compile_command(self.entry)
        if compile_argv is None:
            self.language = lang
            return CompileResult(True, "", 0)
        command = _Command(compile_argv, COMPILE_SCRIPT, lang.compile_env, True, (), COMPILE_TMP_BYTES)
        measurement = self._execute(command, lang.compile_limits, None)
        result = compile_result(measurement, lang.compile_limits, self.spec.io / "stdout")
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
        """Run the compiled program once on `stdin` under `limits`, in a fresh container,
        with `args` after its command. `writable_dirs` (made by `add_dir`) stay writable.
        Interactive runs (`fifos`) need the namespace backend: SandboxError."""
        if fifos is not None:
            raise SandboxError("interactive runs need the namespace backend")
        lang = self.language
        if lang is None:
            raise RuntimeError("nothing compiled in this box: call compile() first")
        argv, env = lang.run_command(limits, args, self.entry), lang.run_environment(limits)
        command = _Command(argv, RUN_SCRIPT, env, writable_dirs=tuple(writable_dirs))
        run_limits = lang.run_limits(limits)
        measurement = self._execute(command, run_limits, stdin)
        stdout, stderr = self.spec.io / "stdout", self.spec.io / "stderr"
        return result_of(measurement, limits, stdout, stderr)

    def reset(self) -> None:
        """Forget the program: remove this box's containers, wipe scratch and io."""
        self.language = None
        remove_containers(self.client, self.label)
        for directory in (self.spec.scratch, self.spec.io):
            empty_directory(directory)

    def _execute(self, command: _Command, limits: Limits, stdin: Input) -> Measurement:
        self._prepare_io(stdin)
        try:
            container = self._create(command, limits)
            try:
                return _Watch(container, self.spec.cgroup, limits).run()
            finally:
                container.remove(force=True)
        except DockerFault as exc:
            raise SandboxError(f"docker box {self.spec.index}: {exc}") from exc

    def _prepare_io(self, stdin: Input) -> None:
        """Fresh stdio files owned by the box uid (they are bind-mounted one by one)."""
        io = self.spec.io
        _write_stdin(io / "stdin", stdin)
        for name in ("stdout", "stderr"):
            (io / name).write_bytes(b"")
        for name, mode in (("stdin", 0o400), ("stdout", 0o600), ("stderr", 0o600)):
            os.chown(io / name, self.spec.uid, self.spec.uid)
            (io / name).chmod(mode)

    def _create(self, command: _Command, limits: Limits) -> Container:
        memory = limits.memory_limit_kb * 1024
        return self.client.containers.create(
            self.image,
            ["/bin/sh", "-c", command.script, "sh", *command.argv],
            user=f"{self.spec.uid}:{self.spec.uid}",
            working_dir="/box",
            environment={**ENV, **command.env},
            hostname="judge",
            init=True,
            network_mode="none",
            read_only=True,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            mem_limit=memory,
            memswap_limit=memory,
            pids_limit=limits.processes + INIT_PIDS,
            oom_score_adj=1000,
            shm_size=SHM_BYTES,
            tmpfs={"/tmp": f"size={command.tmp_bytes},mode=1777,nosuid,nodev"},
            ulimits=_ulimits(limits),
            mounts=self._mounts(command),
            cgroup_parent=self.spec.cgroup_parent,
            labels={LABEL: self.label},
            log_config=LogConfig(type=LogConfig.types.NONE),
        )

    def _mounts(self, command: _Command) -> list[Mount]:
        io, scratch = self.spec.io, self.spec.scratch
        return [
            Mount("/box", str(scratch), type="bind", read_only=not command.writable_box),
            *(Mount(f"/box/{name}", str(scratch / name), type="bind") for name in command.writable_dirs),
            Mount("/io/stdin", str(io / "stdin"), type="bind", read_only=True),
            Mount("/io/stdout", str(io / "stdout"), type="bind"),
            Mount("/io/stderr", str(io / "stderr"), type="bind"),
        ]


class _Watch:
    """Start a container and wait for it, killing it past its CPU or wall limit."""

    def __init__(self, container: Container, cgroup: Cgroup | None, limits: Limits) -> None:
        self.container = container
        self.cgroup = cgroup
        self.limits = limits
        self._exit: queue.Queue[int | BaseException] = queue.Queue()

    def run(self) -> Measurement:
        cpu_before, usage_before = self._baseline()
        self.container.start()
        started = time.monotonic_ns()
        threading.Thread(target=self._wait, daemon=True).start()
        watchdog = Watchdog.start(started, self.limits.kill_time_limit_ms, self.limits.wall_limit_ms)
        killed = self._watch(watchdog, cpu_before)
        exit_status = self._exit_status(killed is not None)
        self.container.reload()
        return self._measure(exit_status, killed, cpu_before, usage_before, started)

    def _baseline(self) -> tuple[int, int]:
        if self.cgroup is None:
            return 0, 0
        self.cgroup.reset_peak()
        return self.cgroup.cpu_ns(), self.cgroup.usage_bytes()

    def _wait(self) -> None:
        try:
            self._exit.put(int(self.container.wait()["StatusCode"]))
        except BaseException as exc:  # handed to the watching thread
            self._exit.put(exc)

    def _watch(self, watchdog: Watchdog, cpu_before: int) -> Killed | None:
        """The limit that made us kill the container, None if it exited by itself."""
        while self._exit.empty():
            cpu_ns = self.cgroup.cpu_ns() - cpu_before if self.cgroup else None
            if killed := watchdog.exceeded(cpu_ns):
                return self._kill(killed)
            time.sleep(POLL_S)
        return None

    def _kill(self, why: Killed) -> Killed:
        try:
            self.container.kill()
        except docker.errors.APIError as exc:  # it exited meanwhile
            logger.debug("kill after %s limit: %s", why, exc)
        return why

    def _exit_status(self, killed: bool) -> int:
        try:
            status = self._exit.get(timeout=EXIT_GRACE_S + (0 if killed else 1))
        except queue.Empty:
            raise SandboxError("docker did not report the container's exit") from None
        if isinstance(status, BaseException):
            raise SandboxError(f"waiting for the container failed: {status}") from status
        return status

    def _measure(
        self, exit_status: int, killed: Killed | None, cpu_before: int, usage_before: int, started: int
    ) -> Measurement:
        state: dict[str, Any] = self.container.attrs["State"]
        wall_ns = _lifetime_ns(state) or time.monotonic_ns() - started
        exit_code, signal = exit_or_signal(exit_status)
        if self.cgroup:
            cpu_ns = self.cgroup.cpu_ns() - cpu_before
            peak = max(self.cgroup.peak_bytes() - usage_before, 0)
        else:
            cpu_ns, peak = wall_ns, 0
        return Measurement(
            exit_code=exit_code,
            signal=signal,
            cpu_ns=max(cpu_ns, 0),
            wall_ns=wall_ns,
            peak_bytes=peak,
            memory_limit_hit=oom_killed(state, signal, killed, peak, self.limits.memory_limit_kb * 1024),
            cpu_killed=killed == "cpu",
            wall_killed=killed == "wall",
        )


def oom_killed(
    state: Mapping[str, Any], signal: int | None, killed: Killed | None, peak_bytes: int, limit_bytes: int
) -> bool:
    """Whether the kernel killed the container at its memory limit. Docker's `OOMKilled` can
    miss it (cgroup v1: the container's memory cgroup, whose counter says so, may be gone
    when docker looks; a C memory bomb then read as RTE, SIGKILL at 99.6 % of its limit): a
    SIGKILL we did not send, with the box's peak at the limit, is that kill too."""
    if state.get("OOMKilled"):
        return True
    return signal == SIGKILL and killed is None and peak_bytes >= limit_bytes * OOM_SHARE


def _write_stdin(path: Path, stdin: Input) -> None:
    if stdin is None or isinstance(stdin, bytes):
        path.write_bytes(stdin or b"")
    else:  # copied by the kernel, not read in: a validator's stdin is a contestant's output
        shutil.copyfile(stdin, path)


def _ulimits(limits: Limits) -> list[Ulimit]:
    cpu_soft, cpu_hard = cpu_backstop_s(limits.kill_time_limit_ms)
    fsize = limits.output_limit_kb * 1024
    stack = limits.stack_bytes
    return [
        Ulimit(name="cpu", soft=cpu_soft, hard=cpu_hard),
        Ulimit(name="fsize", soft=fsize, hard=fsize),
        Ulimit(name="core", soft=0, hard=0),
        Ulimit(name="nofile", soft=limits.open_files, hard=limits.open_files),
        Ulimit(name="stack", soft=stack, hard=stack),
    ]


def _lifetime_ns(state: dict[str, Any]) -> int | None:
    """FinishedAt - StartedAt from the container state (RFC 3339, nanoseconds)."""
    try:
        started, finished = (_timestamp_ns(state[key]) for key in ("StartedAt", "FinishedAt"))
    except (KeyError, ValueError):
        return None
    return finished - started if finished > started else None


def _timestamp_ns(text: str) -> int:
    whole, _, fraction = text.rstrip("Z").partition(".")
    seconds = datetime.fromisoformat(whole + "+00:00").timestamp()
    return int(seconds) * 1_000_000_000 + int((fraction or "0")[:9].ljust(9, "0"))


def remove_containers(client: docker.DockerClient, label_prefix: str) -> None:
    """Force-remove every container whose LABEL value starts with `label_prefix`. The listing's
    own labels are read (no inspect per container): another box's container may be gone by the
    time it would be inspected."""
    for container in client.api.containers(all=True, filters={"label": LABEL}):
        if (container.get("Labels") or {}).get(LABEL, "").startswith(label_prefix):
            try:
                client.api.remove_container(container["Id"], force=True)
            except docker.errors.NotFound:
                pass
