"""The supervisor's end of a keeper: start it, send run requests, read measurements.

After a run in the box's resident bubblewrap the keeper hands over the socket of its init
(`sandbox.resident`), and the next runs like it (the same program and limits, other stdio)
go to the init straight (`DirectRuns`): one process hand-off each way instead of three, and
no Python between the supervisor and the program. The keeper comes back in only for what
the init cannot do: clear a box a run left processes or files in, measure a run whose init
died with it.
"""

from __future__ import annotations

import select
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.init_messages import (
    Counts,
    InitGone,
    InitReply,
    launch_failed,
    measurement_of,
    receive,
    run_message,
)
from sandbox.model import SandboxError
from sandbox.protocol import KeeperConfig, Measurement, RunMessages, RunRequest, decode, encode
from sandbox.resident import Invocation
from sandbox.runner import stdio

PACKAGE_PARENT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 15.0
REPLY_GRACE_S = 15.0  # on top of the wall limit: killing and reaping take a moment
INIT_REPLY_GRACE_S = 5.0  # on top of the wall limit, which the init's watchdog enforces


def _shape(request: RunRequest) -> tuple[object, ...]:
    """What runs the init may take straight share: all but their stdio."""
    return (
        request.argv,
        request.time_limit_ms,
        request.wall_limit_ms,
        request.memory_bytes,
        request.processes,
        request.fsize_bytes,
        request.stack_bytes,
        request.nofile,
    )


@dataclass
class DirectRuns:
    """The resident init's socket, handed over after a run of one shape (`_shape`)."""

    shape: tuple[object, ...]
    control: socket.socket
    message: bytes  # the init's request for such a run
    ready_usage_bytes: int  # see `sandbox.init_messages.measurement_of`
    before: Counts  # the box cgroup's counters when the last run was over

    def admits(self, request: RunRequest) -> bool:
        # Not runs on named pipes: their ends open in the keeper (the interactive relay's
        # timing: `runner.stdio` waits for no writer there).
        return request.reuse and not request.fifos and _shape(request) == self.shape

    def run(self, request: RunRequest) -> InitReply | Measurement | None:
        """Hand the init a run: its reply, the Measurement of a run it could not start, or
        None when the init is gone before the run (the keeper's session has ended)."""
        try:
            with stdio(request) as fds:
                socket.send_fds(self.control, [self.message], list(fds))
        except OSError:
            return None
        reply = receive(self.control, request.wall_limit_ms / 1000 + INIT_REPLY_GRACE_S)
        if reply.startswith(b"E "):
            return launch_failed(reply)
        try:
            return InitReply.parse(reply)
        except ValueError as exc:
            raise SandboxError(str(exc)) from exc


class KeeperClient:
    """One keeper process; not thread-safe (a box is used by one thread at a time)."""

    def __init__(self, config: KeeperConfig) -> None:
        self.config = config
        self._proc: subprocess.Popen[bytes] | None = None
        self._messages = RunMessages()  # one per keeper process
        self._channel: socket.socket | None = None  # the keeper hands us the init's socket there
        self._direct: DirectRuns | None = None

    def start(self) -> None:
        # -S: the keeper needs only the standard library and this package (found via cwd).
        # env={}: nothing of ours leaks into bwrap, whose pid 1 keeps its environment.
        # Its own session: a terminal's Ctrl-C (SIGINT to the foreground process group) is
        # for our process, which closes the box in order; the keeper ends when its stdin
        # closes, also when this process dies without closing it.
        self._messages = RunMessages()
        self._channel, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            self._proc = subprocess.Popen(
                [sys.executable, "-S", "-m", "sandbox.keeper", self.config.to_json(), str(theirs.fileno())],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=PACKAGE_PARENT,
                env={},
                start_new_session=True,
                pass_fds=(theirs.fileno(),),
            )
        ready = self._receive(START_TIMEOUT_S)
        if not ready.get("ready"):
            raise SandboxError(f"keeper did not start: {ready}")

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def run(self, request: RunRequest, warm: RunRequest | None = None) -> Measurement:
        """Have the keeper, or the resident init straight, run `request` (starting the
        resident session of runs like `warm` meanwhile); SandboxError if it fails or does not
        answer."""
        if warm is None and self._direct is not None and self._direct.admits(request):
            if (measured := self._run_direct(self._direct, request)) is not None:
                return measured
        return self._request(self._messages.encode(request, warm), request)

    def _request(self, message: bytes, request: RunRequest) -> Measurement:
        self._drop_direct()  # the keeper may end the init's session meanwhile
        self._send(message)
        reply = self._receive(request.wall_limit_ms / 1000 + REPLY_GRACE_S)
        if not reply.get("ok"):
            raise SandboxError(f"keeper failed: {reply.get('error')}")
        if direct := reply.get("direct"):
            self._take_direct(request, direct)
        return Measurement(**reply["measurement"])

    def _run_direct(self, direct: DirectRuns, request: RunRequest) -> Measurement | None:
        """A run the init takes straight; None when it is gone (the keeper runs it)."""
        started = time.monotonic_ns()
        try:
            reply = direct.run(request)
        except InitGone:
            lost = {**vars(direct.before), "wall_ns": time.monotonic_ns() - started}
            return self._request(self._messages.encode(request, lost=lost), request)
        if reply is None:
            self._drop_direct()
            return None
        if isinstance(reply, Measurement):
            return reply
        direct.before = reply.after
        if not reply.clean:
            self._clear()
        return measurement_of(reply, request, direct.ready_usage_bytes)

    def _clear(self) -> None:
        """Have the keeper clear the box after a run the init took straight."""
        self._send(encode({"clear": True}))
        reply = self._receive(REPLY_GRACE_S)
        if not reply.get("ok"):
            raise SandboxError(f"keeper failed: {reply.get('error')}")
        if not reply["alive"]:
            self._drop_direct()

    def _take_direct(self, request: RunRequest, direct: dict[str, int]) -> None:
        assert self._channel is not None
        _, fds, _, _ = socket.recv_fds(self._channel, 16, 1, socket.MSG_CMSG_CLOEXEC)
        invocation = Invocation.parse(tuple(request.argv))
        self._direct = DirectRuns(
            _shape(request),
            socket.socket(fileno=fds[0]),
            run_message(invocation.command, invocation.env, request),
            direct["ready_usage_bytes"],
            Counts(direct["cpu_ns"], direct["oom_kills"]),
        )

    def _drop_direct(self) -> None:
        direct, self._direct = self._direct, None
        if direct is not None:
            direct.control.close()

    def end_session(self) -> None:
        """Have the keeper end the box's resident bubblewrap, if any (see sandbox.resident)."""
        self._drop_direct()
        self._send(encode({"end": True}))
        reply = self._receive(REPLY_GRACE_S)
        if not reply.get("ok"):
            raise SandboxError(f"keeper failed: {reply.get('error')}")

    def stop(self) -> None:
        """Close its stdin (it exits, killing any running program); kill it if it lingers."""
        self._drop_direct()
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for stream in (proc.stdin, proc.stdout):
            if stream:
                stream.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def _send(self, message: bytes) -> None:
        if not self.alive() or self._proc is None or self._proc.stdin is None:
            raise SandboxError("keeper is not running")
        try:
            self._proc.stdin.write(message)
            self._proc.stdin.flush()
        except BrokenPipeError as exc:
            raise SandboxError("keeper went away") from exc

    def _receive(self, timeout_s: float) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stdout is not None
        ready, _, _ = select.select([self._proc.stdout], [], [], timeout_s)
        if not ready:
            self.stop()
            raise SandboxError(f"keeper did not answer within {timeout_s:.0f} s")
        line = self._proc.stdout.readline()
        if not line:
            code = self._proc.wait()
            raise SandboxError(f"keeper exited with {code}")
        return decode(line)
