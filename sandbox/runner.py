"""One sandboxed execution, as the keeper performs it: launch, watch, kill, reap, measure.

Runs inside the keeper process, which already sits in the box cgroup, so the program starts
there without a migration. The keeper's own CPU use is charged to the same cgroup and is
subtracted. Nothing here raises for what the program does; exceptions are sandbox faults.

`run_one` is the one-shot path (one bubblewrap per run). The resident path
(`sandbox.resident`) measures its runs with the same pieces: `BoxContext`, `Baseline`,
`Outcome`, `rlimits_for`, `enter_box`, `stdio`, `watch` (the watchdog) and `measure`.
"""

from __future__ import annotations

import functools
import os
import resource
import select
import stat
import subprocess
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial

from sandbox.cgroups import Cgroup
from sandbox.host import create_fresh, kill_pids, pids_of_uids, set_oom_score_adj
from sandbox.protocol import Measurement, RunRequest, exit_or_signal, from_wait_status
from sandbox.watchdog import POLL_S, Killed, Watchdog, cpu_backstop_s

REAP_TIMEOUT_S = 5.0
PROGRAM_OOM_SCORE_ADJ = 1000  # raising needs no privilege; the keeper must never be the victim
PIPE_READ_BYTES = 64 * 1024  # asked of os.read at a time when draining a pipe (not a limit)
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
BWRAP_PIDS = 3  # the keeper, the outer and the inner bubblewrap share pids.max with the program


class SupervisorGone(Exception):
    """The control pipe closed while a program ran."""


@dataclass
class BoxContext:
    cgroup: Cgroup | None
    uid: int | None
    gid: int | None
    seccomp_fd: int
    control_fd: int  # readable during a run only when the supervisor went away
    init_fd: int | None = None  # the resident init's binary (None: one-shot runs only)
    applied_limits: tuple[int, int] | None = None  # (memory bytes, pids) written last

    def apply_limits(self, memory_bytes: int, processes: int) -> None:
        """Write the cgroup limits, skipping the writes when they did not change."""
        if self.cgroup and self.applied_limits != (memory_bytes, processes):
            self.applied_limits = None  # unknown if a write fails halfway
            self.cgroup.set_limits(memory_bytes, processes)
            self.applied_limits = (memory_bytes, processes)


@dataclass(frozen=True)
class Baseline:
    """Counters before the run; CPU and OOM kills cannot be reset, so we take deltas."""

    cgroup_cpu_ns: int
    oom_kills: int
    usage_bytes: int  # charged before the run: the keeper, page cache of earlier runs
    self_cpu_ns: int
    children_cpu_ns: int

    @classmethod
    def take(cls, cgroup: Cgroup | None, usage_bytes: int | None = None) -> Baseline:
        """The counters now; `usage_bytes`, the charge to count new ones from when it is not
        the cgroup's usage now."""
        if cgroup is None:
            return cls(0, 0, 0, time.process_time_ns(), _children_cpu_ns())
        usage = cgroup.usage_bytes() if usage_bytes is None else usage_bytes
        # Children's CPU is counted only without a cgroup (`measure`).
        return cls(cgroup.cpu_ns(), cgroup.oom_kills(), usage, time.process_time_ns(), 0)

    def run_cpu_ns(self, cgroup: Cgroup) -> int:
        keeper = time.process_time_ns() - self.self_cpu_ns
        return cgroup.cpu_ns() - self.cgroup_cpu_ns - keeper


@dataclass
class Outcome:
    wait_status: int = 0  # of bwrap (the program's signal as 128 + n), or `exact`: the program's
    exact: bool = False
    max_rss_kb: int = 0
    context_switches: tuple[int, int] = (0, 0)  # voluntary, forced
    killed: Killed | None = None
    status_json: bytes = b""


def run_one(
    ctx: BoxContext,
    request: RunRequest,
    alongside: Callable[[], Collection[int]] | None = None,
) -> Measurement:
    """Run `request` to completion and measure it. `alongside`, called just before the run
    is launched, starts what may live on next to it in the box (the resident session a
    compile warms up, `sandbox.resident`) and returns its pids, which the cleanup spares."""
    ctx.apply_limits(request.memory_bytes, request.processes + BWRAP_PIDS)
    if ctx.cgroup:
        ctx.cgroup.reset_peak()
    baseline = Baseline.take(ctx.cgroup)
    started = time.monotonic_ns()
    outcome = Outcome()
    spared = frozenset(alongside()) if alongside else frozenset[int]()
    proc, status_fd = _launch(ctx, request)
    exited = False
    try:
        outcome.killed = _watch_bwrap(ctx, proc, request, baseline, started)
        exited = outcome.killed is None
    finally:
        try:
            if not exited:  # a limit, or SupervisorGone: stop it before reaping
                _kill_box(ctx, proc, spared)
            _reap(ctx, proc, outcome, spared)
        finally:
            outcome.status_json = read_available(status_fd)
    return measure(ctx, request, baseline, outcome, time.monotonic_ns() - started)


def _launch(ctx: BoxContext, request: RunRequest) -> tuple[subprocess.Popen[bytes], int]:
    status_read, status_write = os.pipe()
    os.lseek(ctx.seccomp_fd, 0, os.SEEK_SET)  # bwrap reads the filter to EOF on every run
    argv = [
        request.argv[0],
        "--seccomp",
        str(ctx.seccomp_fd),
        "--json-status-fd",
        str(status_write),
        *request.argv[1:],
    ]
    try:
        with stdio(request) as (stdin, stdout, stderr):
            proc = subprocess.Popen(
                argv,
                stdin=stdin,
                stdout=stdout,
                stderr=stderr,
                env={},
                close_fds=True,
                pass_fds=(ctx.seccomp_fd, status_write),
                preexec_fn=partial(enter_box, ctx.uid, ctx.gid, rlimits_for(ctx, request)),
            )
    except BaseException:
        os.close(status_read)
        raise
    finally:
        os.close(status_write)
    return proc, status_read


@contextmanager
def stdio(request: RunRequest) -> Iterator[tuple[int, int, int]]:
    with ExitStack() as stack:

        def closing(fd: int) -> int:
            stack.callback(os.close, fd)
            return fd

        if request.fifos:
            stdin, stdout = (closing(_open_fifo(p, flag)) for p, flag in _fifo_ends(request))
        else:
            stdin = closing(os.open(request.stdin_path, os.O_RDONLY)) if request.stdin_path else _devnull()
            stdout = closing(create_fresh(request.stdout_path))
        same = request.stderr_path == request.stdout_path
        stderr = stdout if same else closing(create_fresh(request.stderr_path))
        yield stdin, stdout, stderr


@functools.cache
def _devnull() -> int:
    """The stdin of runs without input, opened once (a program can change nothing of it)."""
    return os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)


def _fifo_ends(request: RunRequest) -> list[tuple[str, int]]:
    if request.stdin_path is None:
        raise ValueError("a run on named pipes needs both of them")
    return [(request.stdin_path, os.O_RDONLY), (request.stdout_path, os.O_WRONLY)]


def _open_fifo(path: str, flag: int) -> int:
    """Open a named pipe whose other end the supervisor already holds. Non-blocking, so a
    missing other end fails (ENXIO) instead of hanging the keeper; blocking again for the
    program."""
    fd = os.open(path, flag | os.O_NONBLOCK | os.O_NOFOLLOW)
    try:
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            raise ValueError(f"{path} is not a named pipe")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def enter_box(uid: int | None, gid: int | None, rlimits: dict[int, tuple[int, int]]) -> None:
    """In the forked child, before exec: be the OOM killer's first choice, limit, drop to uid."""
    set_oom_score_adj(PROGRAM_OOM_SCORE_ADJ)
    for limit, value in rlimits.items():
        resource.setrlimit(limit, value)
    if uid is not None and gid is not None:
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)


def rlimits_for(ctx: BoxContext, request: RunRequest) -> dict[int, tuple[int, int]]:
    limits = {
        resource.RLIMIT_CPU: cpu_backstop_s(request.time_limit_ms),
        resource.RLIMIT_FSIZE: (request.fsize_bytes, request.fsize_bytes),
        resource.RLIMIT_CORE: (0, 0),
        resource.RLIMIT_NOFILE: (request.nofile, request.nofile),
        resource.RLIMIT_STACK: (request.stack_bytes, request.stack_bytes),
    }
    if ctx.uid is not None:  # RLIMIT_NPROC counts per uid: it needs the box's own uid
        limits[resource.RLIMIT_NPROC] = (request.processes + 2, request.processes + 2)
    if ctx.cgroup is None:  # degraded: no memcg, so cap address space (breaks JVMs, go)
        limits[resource.RLIMIT_AS] = (request.memory_bytes, request.memory_bytes)
    return limits


def watch(
    ctx: BoxContext, done_fd: int, request: RunRequest, baseline: Baseline, started: int
) -> Killed | None:
    """The watchdog: wait until `done_fd` is readable (the run ended) and return None, or
    return the limit the run went past first. Raises SupervisorGone when the control pipe
    closes meanwhile."""
    watchdog = Watchdog.start(started, request.time_limit_ms, request.wall_limit_ms)
    while True:
        ready, _, _ = select.select([done_fd, ctx.control_fd], [], [], POLL_S)
        if done_fd in ready:
            return None
        if ctx.control_fd in ready:
            raise SupervisorGone()
        cpu_ns = baseline.run_cpu_ns(ctx.cgroup) if ctx.cgroup else None
        if killed := watchdog.exceeded(cpu_ns):
            return killed


def _watch_bwrap(
    ctx: BoxContext, proc: subprocess.Popen[bytes], request: RunRequest, baseline: Baseline, started: int
) -> Killed | None:
    """`watch` until the one-shot bubblewrap exits."""
    pidfd = os.pidfd_open(proc.pid)
    try:
        return watch(ctx, pidfd, request, baseline, started)
    finally:
        os.close(pidfd)


def _kill_box(ctx: BoxContext, proc: subprocess.Popen[bytes], spared: frozenset[int]) -> None:
    # The outer bwrap first: the inner one (pid 1 of the namespace) dies with it.
    kill_pids([proc.pid])
    if ctx.cgroup:
        ctx.cgroup.signal_all(os.getpid(), spared)
    elif ctx.uid is not None:
        kill_pids(pids_of_uids([ctx.uid]))


def _reap(ctx: BoxContext, proc: subprocess.Popen[bytes], outcome: Outcome, spared: frozenset[int]) -> None:
    """Wait for bwrap, then kill and reap whatever is left (orphans come to us) but the
    `spared` processes (children of ours that live on: then the cgroup alone tells who is
    left, and the dead are reaped as they come)."""
    # Not its rusage: its max RSS counts the keeper's, from before it exec'd bwrap.
    _, outcome.wait_status, usage = os.wait4(proc.pid, 0)
    _add_usage(outcome, usage)
    proc.returncode = os.waitstatus_to_exitcode(outcome.wait_status)
    deadline = time.monotonic() + REAP_TIMEOUT_S
    while True:
        leftovers = ctx.cgroup.signal_all(os.getpid(), spared) if ctx.cgroup else set()
        children_left = _reap_ready(outcome)
        if not leftovers and (not children_left or spared):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"box processes survive: {sorted(leftovers)}")
        time.sleep(0.0005)


def _reap_ready(outcome: Outcome) -> bool:
    """Reap every exited child; return whether live children remain."""
    while True:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True
        _add_usage(outcome, usage)


def _add_usage(outcome: Outcome, usage: resource.struct_rusage) -> None:
    """Count a reaped process (its waited-for descendants included: the program)."""
    outcome.max_rss_kb = max(outcome.max_rss_kb, usage.ru_maxrss)
    voluntary, forced = outcome.context_switches
    outcome.context_switches = (voluntary + usage.ru_nvcsw, forced + usage.ru_nivcsw)


def read_available(fd: int) -> bytes:
    """Read what is in the pipe and close it (bwrap wrote before exiting; never block)."""
    chunks = []
    os.set_blocking(fd, False)
    try:
        while chunk := os.read(fd, PIPE_READ_BYTES):
            chunks.append(chunk)
    except BlockingIOError:
        pass
    finally:
        os.close(fd)
    return b"".join(chunks)


def _children_cpu_ns() -> int:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return int((usage.ru_utime + usage.ru_stime) * 1e9)


def measure(
    ctx: BoxContext, request: RunRequest, baseline: Baseline, outcome: Outcome, wall_ns: int
) -> Measurement:
    exit_code, signal = _exit_of(outcome)
    if ctx.cgroup:
        cpu_ns = baseline.run_cpu_ns(ctx.cgroup)
        charged = charged_bytes(ctx.cgroup.peak_bytes(), baseline.usage_bytes, request)
        peak = max(charged, outcome.max_rss_kb * 1024)  # new charges, or the largest process's RSS
        limit_hit = ctx.cgroup.oom_kills() > baseline.oom_kills
    else:
        cpu_ns = _children_cpu_ns() - baseline.children_cpu_ns
        peak = outcome.max_rss_kb * 1024
        limit_hit = peak > request.memory_bytes
    started = b'"exit-code"' in outcome.status_json
    launch_error = None if started or outcome.killed or limit_hit else "bwrap failed to start"
    return Measurement(
        exit_code=exit_code,
        signal=signal,
        cpu_ns=max(cpu_ns, 0),
        wall_ns=wall_ns,
        peak_bytes=peak,
        memory_limit_hit=limit_hit,
        cpu_killed=outcome.killed == "cpu",
        wall_killed=outcome.killed == "wall",
        launch_error=launch_error,
        context_switches_voluntary=outcome.context_switches[0],
        context_switches_forced=outcome.context_switches[1],
    )


def charged_bytes(peak_bytes: int, before_bytes: int, request: RunRequest) -> int:
    """What a run charged its box cgroup as memory: the cgroup's peak beyond what it held before
    (`before_bytes`: not the page cache earlier runs left), less the page cache of the run's
    output (`_output_cache_bytes`). One-shot runs and the resident init's runs count it so."""
    return peak_bytes - before_bytes - _output_cache_bytes(request)


def _output_cache_bytes(request: RunRequest) -> int:
    """The most page cache the run's stdout and stderr files can hold. The program's writes
    charge it to the box cgroup, but it is output, not memory the program used (it can be
    written back and dropped). Counted whole: the memory a program used before it wrote its
    output may then read low, never its output as memory."""
    total = 0
    for path in {request.stdout_path, request.stderr_path}:
        try:
            size = os.stat(path).st_size
        except FileNotFoundError:
            continue
        total += -(-size // PAGE_BYTES) * PAGE_BYTES
    return total


def _exit_of(outcome: Outcome) -> tuple[int | None, int | None]:
    """bwrap exits with 128 + n when the program died of signal n."""
    if outcome.exact or os.WIFSIGNALED(outcome.wait_status):
        return from_wait_status(outcome.wait_status)
    return exit_or_signal(os.WEXITSTATUS(outcome.wait_status))
