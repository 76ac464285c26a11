"""The messages of a resident box's init (`resident_init.c`) and the measurement made of its
replies. Both ends of a run use them: the keeper for a session's first run, the supervisor
for the next ones, which it hands the init itself (`sandbox.keeper_client`).

The init does a run's mechanism (spawn, watchdog, counters, the check that the box is clear
again); the limits it applies come in the request and everything judged of its counters (the
verdict's inputs, memory net of the session and the output's page cache) is decided here.
"""

from __future__ import annotations

import os
import select
import signal
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from sandbox.cgroups import CounterFiles
from sandbox.protocol import Measurement, RunRequest, from_wait_status
from sandbox.runner import charged_bytes
from sandbox.watchdog import POLL_S, Killed, cpu_backstop_s

REPLY_MAX_BYTES = 4096  # one reply of the init: a line in one SOCK_SEQPACKET datagram
EXEC_FAILED_EXIT = 127  # what a shell reports for a command it could not run


class InitGone(Exception):
    """The init sent no reply: it died (with the run, as a rule) or did not answer in time."""

    def __init__(self, timed_out: bool) -> None:
        super().__init__("the resident init did not answer" if timed_out else "the resident init died")
        self.timed_out = timed_out


def send_counters(control: socket.socket, files: CounterFiles, tasks: int) -> None:
    """The init's first message: the box cgroup's counter files, opened here (the init, not
    root, cannot open them), and `tasks`, the cgroup's task count between runs."""
    paths = [files.cpu, files.peak, files.oom_kills, files.tasks]
    fds = [os.open(path, os.O_RDWR if path == files.peak else os.O_RDONLY) for path in paths]
    try:
        keys = [str(tasks), str(round(POLL_S * 1000)), files.cpu_key, str(files.cpu_unit_ns)]
        fields = [*keys, files.peak_reset.decode(), files.oom_kills_key]
        socket.send_fds(control, [_fields(fields)], fds)
    finally:
        for fd in fds:
            os.close(fd)


def run_message(command: Sequence[str], env: Mapping[str, str], request: RunRequest) -> bytes:
    """The init's request for a run of `command` (its stdio go with it as descriptors)."""
    cpu = cpu_backstop_s(request.time_limit_ms)  # RLIMIT_CPU: a backstop to the watchdog
    limits = [*cpu, request.time_limit_ms, request.wall_limit_ms, len(command)]
    variables = [f"{name}={value}" for name, value in env.items()]
    return _fields([*map(str, limits), *command, *variables])


def _fields(fields: list[str]) -> bytes:
    return b"".join(os.fsencode(field) + b"\0" for field in fields)


def receive(control: socket.socket, timeout_s: float, also: int | None = None) -> bytes:
    """The init's reply. InitGone when it died or said nothing within `timeout_s`; `also`
    readable first: return b"" (the caller's own control pipe: its supervisor went away)."""
    watched = [control.fileno()] if also is None else [control.fileno(), also]
    ready, _, _ = select.select(watched, [], [], timeout_s)
    if not ready:
        _gone(True)
    if control.fileno() not in ready:
        return b""
    try:
        return control.recv(REPLY_MAX_BYTES) or _gone(False)
    except OSError:
        return _gone(False)


def _gone(timed_out: bool) -> bytes:
    raise InitGone(timed_out)


@dataclass(frozen=True)
class Counts:
    """The box cgroup's counters that cannot be reset, at one moment (see `lost_measurement`)."""

    cpu_ns: int
    oom_kills: int


@dataclass(frozen=True)
class InitReply:
    """A run as the init measured it (its "R" reply, see resident_init.c)."""

    wait_status: int
    max_rss_kb: int
    context_switches: tuple[int, int]  # voluntary, forced
    cpu_ns: int  # the program's processes'
    wall_ns: int
    peak_bytes: int  # the box cgroup's memory peak during the run
    oom_kills: int  # during the run
    after: Counts  # the cgroup's when the run was over
    killed: Killed | None
    clean: bool  # False: the keeper must clear the box before the next run

    @classmethod
    def parse(cls, reply: bytes) -> InitReply:
        kind, *fields = reply.split()
        if kind != b"R" or len(fields) != 12:
            raise ValueError(f"unexpected reply of the resident init: {reply[:200]!r}")
        numbers = [int(field) for field in fields[:10]]
        killed = None if fields[10] == b"-" else cast(Killed, fields[10].decode())
        status, rss, voluntary, forced, cpu, wall, peak, oom, cpu_after, oom_after = numbers
        return cls(
            status, rss, (voluntary, forced), cpu, wall, peak, oom,
            Counts(cpu_after, oom_after), killed, fields[11] == b"1",
        )  # fmt: skip


def measurement_of(reply: InitReply, request: RunRequest, ready_usage_bytes: int) -> Measurement:
    """The measurement of a run from the init's reply. `ready_usage_bytes`: what the box
    cgroup held once the session was up (its processes, the page cache it brought in)."""
    exit_code, signal_number = from_wait_status(reply.wait_status)
    # New charges or the largest process's RSS. Counted from the session's start, not this
    # run's: pages the program's earlier runs brought in (its libraries, Python's modules)
    # are part of its footprint.
    charged = charged_bytes(reply.peak_bytes, ready_usage_bytes, request)
    return Measurement(
        exit_code=exit_code,
        signal=signal_number,
        cpu_ns=max(reply.cpu_ns, 0),
        wall_ns=reply.wall_ns,
        peak_bytes=max(charged, reply.max_rss_kb * 1024),
        memory_limit_hit=reply.oom_kills > 0,
        cpu_killed=reply.killed == "cpu",
        wall_killed=reply.killed == "wall",
        context_switches_voluntary=reply.context_switches[0],
        context_switches_forced=reply.context_switches[1],
    )


def lost_measurement(
    request: RunRequest, before: Counts, after: Counts, peak_bytes: int, ready_usage_bytes: int, wall_ns: int
) -> Measurement:
    """A run whose init died with it (the OOM killer took both) or hung (`wall_ns` past the
    wall limit): killed, measured by the counters the keeper read once the box was cleared.
    `peak_bytes`: the cgroup's peak since the init reset it (on cgroup v2, since the keeper's
    last reset: an overestimate, for a run the OOM killer ended near the limit anyway)."""
    charged = charged_bytes(peak_bytes, ready_usage_bytes, request)
    return Measurement(
        exit_code=None,
        signal=signal.SIGKILL,
        cpu_ns=max(after.cpu_ns - before.cpu_ns, 0),
        wall_ns=wall_ns,
        peak_bytes=max(charged, 0),
        memory_limit_hit=after.oom_kills > before.oom_kills,
        cpu_killed=False,
        wall_killed=wall_ns >= request.wall_limit_ms * 1_000_000,
        context_switches_voluntary=0,
        context_switches_forced=0,
    )


def launch_failed(reply: bytes) -> Measurement:
    """The measurement of an "E …" reply: the program could not be started."""
    error = f"exec failed: {reply[2:].decode(errors='replace')}"
    return Measurement(EXEC_FAILED_EXIT, None, 0, 0, 0, False, False, False, launch_error=error)
