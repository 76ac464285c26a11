"""The supervisor's end of a keeper: start it, send run requests, read measurements."""

from __future__ import annotations

import select
import subprocess
import sys
from pathlib import Path
from typing import Any

from sandbox.model import SandboxError
from sandbox.protocol import KeeperConfig, Measurement, RunMessages, RunRequest, decode, encode

PACKAGE_PARENT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 15.0
REPLY_GRACE_S = 15.0  # on top of the wall limit: killing and reaping take a moment


class KeeperClient:
    """One keeper process; not thread-safe (a box is used by one thread at a time)."""

    def __init__(self, config: KeeperConfig) -> None:
        self.config = config
        self._proc: subprocess.Popen[bytes] | None = None
        self._messages = RunMessages()  # one per keeper process

    def start(self) -> None:
        # -S: the keeper needs only the standard library and this package (found via cwd).
        # env={}: nothing of ours leaks into bwrap, whose pid 1 keeps its environment.
        # Its own session: a terminal's Ctrl-C (SIGINT to the foreground process group) is
        # for our process, which closes the box in order; the keeper ends when its stdin
        # closes, also when this process dies without closing it.
        self._messages = RunMessages()
        self._proc = subprocess.Popen(
            [sys.executable, "-S", "-m", "sandbox.keeper", self.config.to_json()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=PACKAGE_PARENT,
            env={},
            start_new_session=True,
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
        """Have the keeper run `request` (starting the resident session of runs like `warm`
        meanwhile); SandboxError if it fails or does not answer."""
        self._send(self._messages.encode(request, warm))
        reply = self._receive(request.wall_limit_ms / 1000 + REPLY_GRACE_S)
        if not reply.get("ok"):
            raise SandboxError(f"keeper failed: {reply.get('error')}")
        return Measurement(**reply["measurement"])

    def end_session(self) -> None:
        """Have the keeper end the box's resident bubblewrap, if any (see sandbox.resident)."""
        self._send(encode({"end": True}))
        reply = self._receive(REPLY_GRACE_S)
        if not reply.get("ok"):
            raise SandboxError(f"keeper failed: {reply.get('error')}")

    def stop(self) -> None:
        """Close its stdin (it exits, killing any running program); kill it if it lingers."""
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
