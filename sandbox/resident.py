"""Resident boxes: one bubblewrap per submission, whose init spawns every test run.

Starting bubblewrap costs about 7–9 ms per run (namespaces, mounts, /proc, seccomp), as much
as a whole `python3 -c pass`. For the runs of one compiled program the keeper therefore
keeps one bubblewrap alive, started `--as-pid-1` with a small C init as pid 1
(`resident_init.c`, built when the supervisor starts: `sandbox.init_binary`), and hands it
each run over a socket (argv, environment, CPU rlimit, time limits and the three stdio
files). The init spawns the program, which inherits the session's other rlimits (new ones
start a new session), runs the watchdog, reads the box cgroup's counters (the keeper opens
them for it) and, between runs, kills every process but itself. The keeper hands the
supervisor the init's socket after the session's first run (`Residents.grant`), so the next
runs go to the init without it (`sandbox.keeper_client`); the keeper wipes /tmp and /dev/shm
and kills what survived the init's SIGKILL when a run left any (`Residents.clear`), and
measures a run whose init died (`Residents.lost`). Compiles, runs with writable
directories, and hosts without cgroups or without a C compiler to build the init use the
one-shot path. A compile told the limits of the runs to come starts their session next to
itself (`Residents.warming`), so a submission's first run does not pay for the start.

What a program sees is the same as with one bubblewrap per run: the same mounts, namespaces,
seccomp filter, uid, environment and limits; its pid is 2 instead of 2–3. It cannot signal
the init (pid 1), and the memory the init holds is added to the memory limit.

The init makes itself non-dumpable (`prctl(PR_SET_DUMPABLE, 0)` in `resident_init.c`),
so its /proc/1/mem, /proc/1/fd and /proc/1/environ belong to root: a program running as the
same box uid can neither read nor rewrite or steer it between its runs. The one visible
difference: reading /proc/1/environ fails with EACCES, where one-shot bubblewrap's pid 1
shows an empty environment (the isolation checks accept both). Between runs only the init
is left, blocked reading its socket, so nothing computes unmeasured; the box is reset (the
session killed) before every compile.
"""

from __future__ import annotations

import functools
import json
import os
import resource
import select
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from sandbox.bwrap import BWRAP
from sandbox.host import empty_directory, kill_pids
from sandbox.init_messages import (
    Counts,
    InitGone,
    InitReply,
    launch_failed,
    lost_measurement,
    measurement_of,
    receive,
    run_message,
    send_counters,
)
from sandbox.protocol import Measurement, RunRequest
from sandbox.runner import BWRAP_PIDS, BoxContext, SupervisorGone, enter_box, rlimits_for, run_one, stdio

START_TIMEOUT_S = 10.0
REPLY_GRACE_S = 5.0  # past the wall limit, for the init to report the run its watchdog stopped
CLEANUP_TIMEOUT_S = 5.0
SESSION_PIDS = 2  # the outer bubblewrap and the init
STATUS_MAX_BYTES = 4096  # read at a time from bubblewrap's status pipe
WIPED = ("tmp", "dev/shm")  # the session's own tmpfs mounts, seen through the init's root


class ResidentUnavailable(Exception):
    """The resident bubblewrap did not start; the run falls back to the one-shot path."""


@dataclass(frozen=True)
class Tmpfs:
    """One of the session's tmpfs mounts, held open by the keeper from the session's start:
    whether a run left anything in it is then one fstatvfs (inodes and blocks in use
    against those of the empty mount) instead of listing it."""

    path: Path  # through the init's root, to wipe it
    fd: int
    empty: tuple[int, int]

    @classmethod
    def open(cls, path: Path) -> Tmpfs:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        return cls(path, fd, _in_use(fd))

    def wipe(self) -> None:
        """Remove what the run left. FileNotFoundError: the init died (its root is gone)."""
        if _in_use(self.fd) != self.empty:
            empty_directory(self.path)


def _in_use(fd: int) -> tuple[int, int]:
    """Inodes and blocks in use in the file system of `fd`."""
    usage = os.fstatvfs(fd)
    return usage.f_files - usage.f_ffree, usage.f_blocks - usage.f_bfree


@dataclass(frozen=True)
class Invocation:
    """A one-shot bubblewrap argv taken apart: options, environment, command."""

    options: tuple[str, ...]  # without --setenv, which goes to each run instead
    env: dict[str, str]
    command: tuple[str, ...]

    @classmethod
    @functools.lru_cache(maxsize=4)  # the same argv run after run (a test's input is a descriptor)
    def parse(cls, argv: tuple[str, ...]) -> Invocation:
        split = argv.index("--")
        options: list[str] = []
        env: dict[str, str] = {}
        index = 1
        while index < split:
            if argv[index] == "--setenv":
                env[argv[index + 1]] = argv[index + 2]
                index += 3
                continue
            if argv[index] == "--chdir":  # bubblewrap sets PWD to it for the payload
                env["PWD"] = argv[index + 1]
            options.append(argv[index])
            index += 1
        return cls(tuple(options), env, tuple(argv[split + 1 :]))


Rlimits = dict[int, tuple[int, int]]


class Session:
    """One live resident bubblewrap: its outer process (our child) and its init.

    `key` is what it was started with: bubblewrap's options and the rlimits every program
    inherits from the init (all but RLIMIT_CPU, which the init sets per run)."""

    def __init__(self, key: tuple[object, ...], proc: subprocess.Popen[bytes], control: socket.socket):
        self.key = key
        self.proc = proc
        self.control = control
        self.init_pid = 0
        self.overhead_bytes = 0  # what the init and the outer bubblewrap hold
        self.ready_usage_bytes = 0  # the box cgroup's usage once they were up
        self.tmpfs: list[Tmpfs] = []  # opened once the init is ready
        self._request: tuple[object, bytes] | None = None  # the last run's request to the init
        self._pidfds = [os.pidfd_open(proc.pid)]

    @classmethod
    def start(cls, ctx: BoxContext, options: tuple[str, ...], rlimits: Rlimits) -> Session:
        """Start a session in the box cgroup while nothing else runs there, and measure it."""
        before = ctx.cgroup.usage_bytes() if ctx.cgroup else 0
        session = cls.launch(ctx, options, rlimits)
        session.wait_ready()
        if ctx.cgroup:
            session.ready_usage_bytes = ctx.cgroup.usage_bytes()
            session.overhead_bytes = max(session.ready_usage_bytes - before, 0)
        return session

    @classmethod
    def launch(cls, ctx: BoxContext, options: tuple[str, ...], rlimits: Rlimits) -> Session:
        """Start a session, returning once its init exists (its pid known: bubblewrap forks
        nothing more); `wait_ready` waits until it runs. The caller measures it."""
        assert ctx.cgroup is not None  # Residents.usable
        control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        status_read, status_write = os.pipe()
        try:
            # Queued for the init to read first: between runs the cgroup holds the keeper,
            # the outer bubblewrap and the init.
            send_counters(control, ctx.cgroup.counter_files(), SESSION_PIDS + 1)
            proc = _launch(ctx, options, rlimits, theirs.fileno(), status_write)
        except BaseException:
            control.close()
            os.close(status_read)
            raise
        finally:
            theirs.close()
            os.close(status_write)
        session = cls(_key(options, rlimits), proc, control)
        try:
            session._await_pid(status_read)
        except BaseException:
            session.close()
            raise
        finally:
            os.close(status_read)
        return session

    def _await_pid(self, status_read: int) -> None:
        """Read bubblewrap's status lines until the one with the init's pid."""
        deadline = time.monotonic() + START_TIMEOUT_S
        status = b""
        while not self.init_pid:
            ready, _, _ = select.select([status_read], [], [], max(deadline - time.monotonic(), 0))
            chunk = os.read(status_read, STATUS_MAX_BYTES) if ready else b""
            if not chunk:
                raise ResidentUnavailable("bubblewrap did not report the init's pid")
            status += chunk
            *lines, status = status.split(b"\n")
            for line in lines:
                if b"child-pid" in line:
                    self.init_pid = int(json.loads(line)["child-pid"])
        self._pidfds.append(os.pidfd_open(self.init_pid))

    def wait_ready(self) -> None:
        """Wait until the init reads its socket; ResidentUnavailable when it does not."""
        ready, _, _ = select.select([self.control], [], [], START_TIMEOUT_S)
        if not ready or self.control.recv(64) != b"ready":
            raise ResidentUnavailable("the resident init did not start")
        root = Path(f"/proc/{self.init_pid}/root")
        try:
            self.tmpfs = [Tmpfs.open(root / relative) for relative in WIPED]
        except FileNotFoundError as exc:  # the init died meanwhile
            raise ResidentUnavailable("the resident init did not start") from exc

    def alive(self) -> bool:
        ready, _, _ = select.select(self._pidfds, [], [], 0)
        return not ready

    def resident_pids(self) -> set[int]:
        return {os.getpid(), self.proc.pid, self.init_pid}

    def _signal(self, number: int) -> None:
        for pidfd in self._pidfds[1:]:  # the init's: never a recycled pid
            try:
                signal.pidfd_send_signal(pidfd, number)
            except ProcessLookupError:
                pass

    def send(self, invocation: Invocation, request: RunRequest, fds: list[int]) -> None:
        """Hand the init a run (see `sandbox.init_messages`) and its stdio."""
        key = (invocation, request.time_limit_ms, request.wall_limit_ms)
        if self._request is None or self._request[0] != key:  # encoded once per kind of run
            self._request = (key, run_message(invocation.command, invocation.env, request))
        socket.send_fds(self.control, [self._request[1]], fds)

    def close(self) -> None:
        """Kill the outer bubblewrap and the init (the namespace dies with it) and reap."""
        kill_pids([self.proc.pid])  # our child: its pid cannot be recycled before we reap it
        self._signal(signal.SIGKILL)
        self.control.close()
        deadline = time.monotonic() + CLEANUP_TIMEOUT_S
        select.select(self._pidfds, [], [], CLEANUP_TIMEOUT_S)
        self.proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        if self.init_pid:
            _reap_orphan(self.init_pid, self._pidfds[-1], deadline)
        for fd in [*self._pidfds, *(tmpfs.fd for tmpfs in self.tmpfs)]:
            os.close(fd)
        self._pidfds, self.tmpfs = [], []


class Residents:
    """The keeper's resident session (at most one), replaced when it died or the options
    changed, ended by the supervisor when the box is reset."""

    def __init__(self, ctx: BoxContext, channel: socket.socket | None = None) -> None:
        self.ctx = ctx
        self.channel = channel  # to hand the supervisor the init's socket (`grant`)
        self.session: Session | None = None
        self.broken = False  # a session failed to start: one-shot runs from now on

    def usable(self, request: RunRequest) -> bool:
        if self.broken or not request.reuse or self.ctx.cgroup is None:
            return False
        return self.ctx.init_fd is not None

    def run(self, request: RunRequest) -> Measurement:
        """Run `request` in the resident bubblewrap and measure it, like `runner.run_one`.
        Raises ResidentUnavailable (before running anything) when the session cannot start."""
        invocation = Invocation.parse(tuple(request.argv))
        rlimits = rlimits_for(self.ctx, request)
        rlimits.pop(resource.RLIMIT_CPU)  # set by the init, per run
        try:
            session = self._session_for(invocation.options, rlimits)
        except ResidentUnavailable:
            self.broken = True
            raise
        assert self.ctx.cgroup is not None  # usable
        before = Counts(self.ctx.cgroup.cpu_ns(), self.ctx.cgroup.oom_kills())
        started = time.monotonic_ns()
        try:
            return _run(self.ctx, session, request, invocation)
        except InitGone:
            return self.lost(request, before, time.monotonic_ns() - started)
        except BaseException:
            self.close()
            raise

    def grant(self, request: RunRequest) -> dict[str, int] | None:
        """Hand the supervisor the init's socket after a run of `request` in a live session,
        so that it hands the next runs like it to the init itself (`sandbox.keeper_client`):
        what it needs to measure them, or None (no session: its runs come here)."""
        session, cgroup = self.session, self.ctx.cgroup
        if self.channel is None or session is None or cgroup is None or request.fifos:
            return None
        if not session.alive():
            return None
        granted = {
            "ready_usage_bytes": session.ready_usage_bytes,
            "cpu_ns": cgroup.cpu_ns(),  # the baseline of `lost`, should the next run need it
            "oom_kills": cgroup.oom_kills(),
        }
        # Last: the supervisor takes the socket only with a reply that says so.
        socket.send_fds(self.channel, [b"init"], [session.control.fileno()])
        return granted

    def clear(self) -> bool:
        """After a run the supervisor handed the init that left the box unclear (processes,
        files in /tmp or /dev/shm): clear it as after the keeper's own runs. Whether the
        session lives on (else the next run starts one)."""
        if self.session is None:
            return False
        _clear(self.ctx, self.session)
        if not self.session.alive():
            self.close()
            return False
        return True

    def lost(self, request: RunRequest, before: Counts, wall_ns: int) -> Measurement:
        """A run whose init sent no reply (it died with the run, or hung): end the session,
        clear the box and measure the run from the box cgroup's counters, `before` the run's."""
        assert self.ctx.cgroup is not None
        own_cpu_ns = time.process_time_ns()  # charged to the box cgroup too, not the run's
        ready_usage_bytes = self.session.ready_usage_bytes if self.session else 0
        self.close()
        _kill_all(self.ctx)
        cgroup = self.ctx.cgroup
        after = Counts(cgroup.cpu_ns() - (time.process_time_ns() - own_cpu_ns), cgroup.oom_kills())
        return lost_measurement(request, before, after, cgroup.peak_bytes(), ready_usage_bytes, wall_ns)

    def close(self) -> None:
        session, self.session = self.session, None
        if session:
            session.close()

    def warming(self, compile_request: RunRequest, request: RunRequest) -> Measurement:
        """Run `compile_request` (one-shot) while the session of the runs like `request` to
        come starts next to it, so the first of them does not wait for it (the keeper has
        both cores' worth of work to hand out during a compile).

        The session is measured once the compile ended: its overhead is what the box
        cgroup holds beyond the page cache then (the compile's processes are gone; the files
        it left are page cache) against before the compile. The compile shares the cgroup
        with it, so the compile's pids and RLIMIT_NPROC allow for its SESSION_PIDS and its
        memory and CPU count the session's start."""
        self.close()
        if not self.usable(request):
            return run_one(self.ctx, compile_request)
        assert self.ctx.cgroup is not None  # usable
        before = self.ctx.cgroup.usage_bytes() - self.ctx.cgroup.file_bytes()
        processes = compile_request.processes + SESSION_PIDS
        measured = run_one(
            self.ctx, replace(compile_request, processes=processes), partial(self._start_alongside, request)
        )
        if self.session is not None:
            self._settle(before)
        return measured

    def _settle(self, before: int) -> None:
        """Once the compile ended: wait for the session (long ready, as a rule) and measure
        it; a session that did not start is closed (the first run starts one)."""
        assert self.session is not None and self.ctx.cgroup is not None
        try:
            self.session.wait_ready()
        except ResidentUnavailable:
            self.close()
            return
        if self.session is not None:
            self.session.ready_usage_bytes = self.ctx.cgroup.usage_bytes()
            beyond_cache = self.session.ready_usage_bytes - self.ctx.cgroup.file_bytes()
            self.session.overhead_bytes = max(beyond_cache - before, 0)

    def _start_alongside(self, request: RunRequest) -> frozenset[int]:
        """The session for `request`'s runs, launched just before the compile (its init
        forked while no compile process counts against RLIMIT_NPROC); the pids to spare
        (none when it did not start: the first run tries again)."""
        invocation = Invocation.parse(tuple(request.argv))
        rlimits = rlimits_for(self.ctx, request)
        rlimits.pop(resource.RLIMIT_CPU)
        try:
            self.session = Session.launch(self.ctx, invocation.options, rlimits)
        except (ResidentUnavailable, OSError):
            return frozenset()
        return frozenset(self.session.resident_pids() - {os.getpid()})

    def _session_for(self, options: tuple[str, ...], rlimits: Rlimits) -> Session:
        if self.session and (self.session.key != _key(options, rlimits) or not self.session.alive()):
            self.close()
        if self.session is None:
            self.session = Session.start(self.ctx, options, rlimits)
        return self.session


def _key(options: tuple[str, ...], rlimits: Rlimits) -> tuple[object, ...]:
    return (options, tuple(sorted(rlimits.items())))


def _launch(
    ctx: BoxContext, options: tuple[str, ...], rlimits: Rlimits, control_fd: int, status_fd: int
) -> subprocess.Popen[bytes]:
    assert ctx.init_fd is not None  # Residents.usable
    # An open file of its own: bubblewrap reads the filter to EOF, and a compile's bubblewrap
    # may read the keeper's at the same time (`Residents.warming`).
    seccomp_fd = os.open(f"/proc/self/fd/{ctx.seccomp_fd}", os.O_RDONLY | os.O_CLOEXEC)
    argv = [
        BWRAP,
        "--seccomp",
        str(seccomp_fd),
        "--json-status-fd",
        str(status_fd),
        "--as-pid-1",
        *options,
        "--",
        f"/proc/self/fd/{ctx.init_fd}",  # the init, without a path in the box's file tree
        str(control_fd),
    ]
    try:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={},
            close_fds=True,
            pass_fds=(seccomp_fd, status_fd, control_fd, ctx.init_fd),
            preexec_fn=partial(enter_box, ctx.uid, ctx.gid, rlimits),
        )
    finally:
        os.close(seccomp_fd)


def _run(ctx: BoxContext, session: Session, request: RunRequest, invocation: Invocation) -> Measurement:
    """A session's run that comes to the keeper (the first, as a rule): the init runs and
    measures it as it does those the supervisor hands it. InitGone when it sends no reply."""
    assert ctx.cgroup is not None  # Residents.usable
    ctx.apply_limits(request.memory_bytes + session.overhead_bytes, request.processes + BWRAP_PIDS)
    with stdio(request) as fds:
        session.send(invocation, request, list(fds))
    reply = receive(session.control, request.wall_limit_ms / 1000 + REPLY_GRACE_S, ctx.control_fd)
    if not reply:
        raise SupervisorGone()
    _clear(ctx, session)
    if reply.startswith(b"E "):
        return launch_failed(reply)
    return measurement_of(InitReply.parse(reply), request, session.ready_usage_bytes)


def _clear(ctx: BoxContext, session: Session) -> None:
    """Kill whatever the run left (daemons included) and wipe the session's tmpfs mounts.
    The cgroup's task count tells at one read whether anything but the keeper and the
    session is left (the init reaped the program before it replied)."""
    assert ctx.cgroup is not None
    alive = session.alive()
    if not alive or ctx.cgroup.task_count() != len(session.resident_pids()):
        _kill_leftovers(ctx, session)
    if alive:
        try:
            for tmpfs in session.tmpfs:
                tmpfs.wipe()
        except FileNotFoundError:  # the init died (OOM-killed with the run): a new session starts
            pass


def _kill_leftovers(ctx: BoxContext, session: Session) -> None:
    assert ctx.cgroup is not None
    deadline = time.monotonic() + CLEANUP_TIMEOUT_S
    while leftovers := ctx.cgroup.procs() - session.resident_pids():
        kill_pids(leftovers)
        if time.monotonic() > deadline:
            raise RuntimeError(f"box processes survive: {sorted(leftovers)}")
        time.sleep(0.0005)


def _kill_all(ctx: BoxContext) -> None:
    """Kill every process in the box cgroup but the keeper and reap those that come to us."""
    assert ctx.cgroup is not None
    deadline = time.monotonic() + CLEANUP_TIMEOUT_S
    while ctx.cgroup.signal_all(os.getpid()):
        _reap_ready()
        if time.monotonic() > deadline:
            raise RuntimeError(f"box processes survive: {sorted(ctx.cgroup.procs())}")
        time.sleep(0.0005)
    _reap_ready()


def _reap_ready() -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def _reap_orphan(pid: int, pidfd: int, deadline: float) -> None:
    """Reap the init: once its parent is gone it comes to us, the subreaper."""
    select.select([pidfd], [], [], max(deadline - time.monotonic(), 0))
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:  # not reparented yet, or already reaped
            if not Path(f"/proc/{pid}").exists():
                return
        time.sleep(0.001)
